"""Practice questions: from the job, the resume's gaps, the candidate's stories and banks; and
one follow-up built from the candidate's previous answer.

Sources, in the order they are interleaved:

- ``skill``: a required skill of the job; a technical skill that names a knowledge card
  (``cuecard.knowledge.retrieval``) is asked about through the card ("how does X work",
  "when would you not use X", "X or Y"), depending on difficulty;
- ``responsibility``: a responsibility of the job, asked as a situational or behavioral question;
- ``gap``: a required skill the resume and stories do not show (``cuecard.profile.matching``);
- ``story``: the candidate's own STAR stories, asked as behavioral questions;
- ``company``: cultural questions tied to the company and role;
- ``bank``: questions handed in (a saved bank), used as written;
- ``generic``: a small built-in set so that a practice round works without any material.

Decision: templates, not an LLM. Questions must be reproducible for a given seed and offline;
the knowledge card decides whether a skill gets a technical question at all, so "stakeholder
management" never becomes "explain how stakeholder management works".
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass
from typing import Any

TYPES = ("technical", "behavioral", "cultural", "situational")
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass
class PracticeQuestion:
    text: str
    qtype: str  # technical | behavioral | cultural | situational
    source: str  # skill | responsibility | gap | story | company | bank | generic | follow_up
    topic: str = ""
    difficulty: str = "medium"
    card_id: str | None = None
    story_id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def question_key(text: str) -> str:
    """How repeats are recognised: lower case, words only."""
    return " ".join(re.findall(r"[a-z0-9+#]+", text.lower()))


TECH_TEMPLATES = {
    "easy": ["What is {name}, and what is it used for?", "Explain {name} in simple terms."],
    "medium": ["How does {name} work?", "When would you use {name}, and when would you not?"],
    "hard": [
        "What are the trade-offs of {name}, and when would you pick something else?",
        "Walk me through how {name} works under the hood, and where it breaks down.",
    ],
}
COMPARE_TEMPLATE = "{name} or {other}: how do they differ, and when would you choose each?"
SKILL_TEMPLATES = [
    "Tell me about a project where you used {skill}.",
    "What is the hardest problem you have solved with {skill}?",
]
GAP_TEMPLATES = [
    "This role needs {skill}, which your resume does not show. How would you get productive with it in your first month?",
    "Have you worked with {skill}? If not, what closest experience would you draw on?",
]
RESPONSIBILITY_TEMPLATES = {
    "situational": "Suppose in your first quarter you had to {task}. How would you approach it?",
    "behavioral": "Tell me about a time you had to {task}.",
}
STORY_TEMPLATES = [
    "Tell me about a time you {title}.",
    "Walk me through a situation where you had to deal with {skill}.",
]
CULTURAL_TEMPLATES = [
    "Why do you want to work at {company}?",
    "What would you bring to the {title} role at {company}?",
    "What do you know about {company}, and what would you change about its product?",
    "What kind of team do you do your best work in, and how would that fit {company}?",
]
GENERIC = {
    "behavioral": [
        "Tell me about a time you disagreed with a teammate and how you resolved it.",
        "Tell me about a time you missed a deadline. What happened?",
        "Describe a time you had to learn something new quickly.",
        "Tell me about a project you are proud of and your part in it.",
        "Tell me about a time you received critical feedback.",
    ],
    "situational": [
        "What would you do if a production incident happened an hour before a release?",
        "How would you handle a stakeholder who keeps changing the requirements?",
        "What would you do if you joined a team whose tests were mostly failing?",
    ],
    "cultural": [
        "Why are you interested in this role?",
        "What kind of work environment helps you do your best work?",
        "Where do you see yourself in three years?",
    ],
    "technical": [
        "How does a hash map work?",
        "What happens when you type a URL into the browser and press enter?",
        "How would you design a rate limiter?",
    ],
}


def _card_for(skill: str):
    from cuecard.knowledge.retrieval import name_hits

    hits = name_hits(skill)
    return hits[0].card if hits else None


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _verb_phrase(title: str) -> str:
    """A story title as a clause after "a time you": "Cut checkout latency" → "cut checkout latency"."""
    return _lower_first(title)


def _candidates(
    job, profile, stories, bank_questions, difficulty: str, rng: random.Random
) -> dict[str, list[PracticeQuestion]]:
    pool: dict[str, list[PracticeQuestion]] = {t: [] for t in TYPES}

    def add(text: str, qtype: str, source: str, **kw: Any) -> None:
        pool[qtype].append(PracticeQuestion(text=text, qtype=qtype, source=source, difficulty=difficulty, **kw))

    for item in bank_questions or []:
        if isinstance(item, str):
            text, qtype = item, ""
        elif isinstance(item, dict):
            text, qtype = (
                str(item.get("text") or item.get("question") or ""),
                str(item.get("type") or item.get("qtype") or ""),
            )
        else:
            text, qtype = str(getattr(item, "text", "")), str(getattr(item, "qtype", "") or getattr(item, "type", ""))
        if text.strip():
            from cuecard.practice.scoring import normalize_type

            add(text.strip(), normalize_type(qtype, text), "bank")

    if job is not None:
        from cuecard.knowledge.cards import cards_by_id

        for skill in job.required_skills + job.preferred_skills:
            card = _card_for(skill)
            if card is not None:
                others = [cards_by_id()[c] for c in card.contrasts if c in cards_by_id()]
                if difficulty == "hard" and others:
                    text = COMPARE_TEMPLATE.format(name=card.name, other=others[0].name)
                else:
                    text = rng.choice(TECH_TEMPLATES[difficulty]).format(name=card.name)
                add(text, "technical", "skill", topic=skill, card_id=card.id)
            else:
                add(rng.choice(SKILL_TEMPLATES).format(skill=skill), "behavioral", "skill", topic=skill)
        for task in job.responsibilities:
            qtype = "situational" if rng.random() < 0.6 else "behavioral"
            add(RESPONSIBILITY_TEMPLATES[qtype].format(task=_lower_first(task)), qtype, "responsibility", topic=task)
        if profile is not None and job.required_skills:
            from cuecard.profile.matching import match

            for skill in match(profile, [], job).gaps:
                qtype = "technical" if _card_for(skill) is not None else "situational"
                add(rng.choice(GAP_TEMPLATES).format(skill=skill), qtype, "gap", topic=skill)
        company = job.company or "this company"
        title = job.title or "this"
        for template in CULTURAL_TEMPLATES:
            add(template.format(company=company, title=title), "cultural", "company", topic=company)

    for story in stories or []:
        if story.title:
            add(
                STORY_TEMPLATES[0].format(title=_verb_phrase(story.title)),
                "behavioral",
                "story",
                topic=story.title,
                story_id=story.id or None,
            )
        for skill in story.skills[:1]:
            add(STORY_TEMPLATES[1].format(skill=skill), "behavioral", "story", topic=skill, story_id=story.id or None)

    for qtype, texts in GENERIC.items():
        for text in texts:
            add(text, qtype, "generic")
    return pool


def generate_questions(
    job: Any = None,
    profile: Any = None,
    stories: list[Any] | None = None,
    bank_questions: list[Any] | None = None,
    n: int = 5,
    types: list[str] | tuple[str, ...] | None = None,
    difficulty: str = "medium",
    recent: set[str] | None = None,
    *,
    seed: int = 0,
) -> list[PracticeQuestion]:
    """``n`` practice questions of the requested ``types`` (default: all), interleaving types
    and preferring bank, job and story questions over generic ones. Never returns a question
    whose text (compared by :func:`question_key`) is in ``recent``, nor one twice."""
    difficulty = difficulty if difficulty in DIFFICULTIES else "medium"
    wanted = [t for t in (types or TYPES) if t in TYPES] or list(TYPES)
    rng = random.Random(seed)
    pool = _candidates(job, profile, stories, bank_questions, difficulty, rng)
    blocked = {question_key(r) for r in (recent or set())}
    source_rank = {"bank": 0, "skill": 1, "gap": 1, "story": 1, "responsibility": 2, "company": 2, "generic": 3}
    queues: dict[str, list[PracticeQuestion]] = {}
    for qtype in wanted:
        items = pool[qtype][:]
        rng.shuffle(items)
        items.sort(key=lambda q: source_rank.get(q.source, 3))  # stable: shuffled within a source
        queues[qtype] = items
    out: list[PracticeQuestion] = []
    seen = set(blocked)
    while len(out) < n and any(queues.values()):
        for qtype in wanted:
            queue = queues[qtype]
            while queue:
                q = queue.pop(0)
                key = question_key(q.text)
                if key not in seen:
                    seen.add(key)
                    out.append(q)
                    break
            if len(out) >= n:
                break
    return out


# --- follow-up --------------------------------------------------------------------------------

_CLAIM = re.compile(
    r"\b(?P<who>i|we)\s+(?:(?:also|then|eventually|finally|actually|really|personally|basically)\s+)?"
    r"(?P<verb>cut|reduced|increased|improved|saved|doubled|halved|grew|raised|lowered|dropped|sped up|brought down|"
    r"shipped|launched|migrated|built|wrote|led|designed|introduced|automated|rewrote|replaced|set up|moved|"
    r"scaled|fixed|convinced|mentored|hired|removed|redesigned|refactored|created|started|organized|organised)"
    r"\s+(?P<rest>[^.,;!?]{3,90})",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d|percent|\bhalf\b|\bdouble|\btwice\b|\btimes\b|\bhalved\b", re.I)
_MEASURE_VERBS = {
    "cut",
    "reduced",
    "increased",
    "improved",
    "saved",
    "doubled",
    "halved",
    "grew",
    "raised",
    "lowered",
    "dropped",
    "sped up",
    "brought down",
}
_PRONOUNS = {
    "my": "your",
    "our": "your",
    "i": "you",
    "me": "you",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "i'm": "you're",
    "we're": "you're",
}


def _second_person(text: str) -> str:
    return " ".join(_PRONOUNS.get(w.lower(), w) for w in text.split())


def _trim_claim(rest: str) -> str:
    words = rest.split()
    cut = len(words)
    for i, w in enumerate(words):
        if (
            w.lower() in {"and", "but", "so", "which", "because", "while", "when", "after", "before", "um", "uh"}
            and i >= 2
        ):
            cut = i
            break
    return " ".join(words[: min(cut, 10)])


def follow_up(question: str, answer_text: str) -> str | None:
    """One follow-up question about the answer's most checkable claim: a quantified result
    first ("You said you cut latency by 40% — how did you measure it?"), else a named action
    ("You said you introduced feature flags — why that approach, and what would you do
    differently?"). None when the answer makes no such claim."""
    claims = list(_CLAIM.finditer(answer_text or ""))
    if not claims:
        return None
    measured = [
        c for c in claims if c.group("verb").lower() in _MEASURE_VERBS or _NUMBER.search(_trim_claim(c.group("rest")))
    ]
    claim = measured[0] if measured else claims[0]
    said = _second_person(f"{claim.group('verb').lower()} {_trim_claim(claim.group('rest'))}")
    if claim in measured:
        return f"You said you {said} — how did you measure it, and what was the baseline?"
    return f"You said you {said} — why that approach, and what would you do differently next time?"
