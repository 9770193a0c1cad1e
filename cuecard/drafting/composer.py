"""Offline composer: a usable, personal answer draft without any language model.

A draft is assembled from three things only:

1. the candidate's own material — the best-matching STAR story (semantic match; reviewed
   stories before ones auto-drafted from the resume), or a resume achievement when there are
   no stories, plus roles, skills and summary;
2. the job — the requirements and skills that this question touches, the title, company
   and responsibilities;
3. the project's own knowledge: concept cards for technical questions
   (:mod:`cuecard.knowledge`, see :mod:`cuecard.drafting.technical`) and guidance per question
   type (``data/key_points.json``: playbooks for common situations).

Structure by type, every line a sentence the candidate can say as it stands: a STAR story in
the candidate's own words (behavioral), approach and reasoning (situational), definition → how
it works → trade-off → example (technical), motivation tied to this company and role
(cultural).

Decisions:
- The composer NEVER writes a fact that is not in the material. Employers, titles, dates,
  numbers and names are copied from the profile, stories or job; the guidance data and cards
  contain none about the candidate.
- No fill-in slot ever reaches the page (an earlier version wrote ``[the result you saw]``
  where a fact was missing: a candidate cannot read a bracket aloud). A part the material
  cannot fill is left out; a draft with nothing personal to build on says so through
  ``DraftPlan.coverage`` (``"none"``) and gives honest guidance instead.
- No part labels ("Situation:", "Definition:"): the lines are said, not read out as a form;
  one part per line keeps them glanceable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from cuecard.drafting import semantic
from cuecard.drafting.options import OPTIONS, TARGET_WORDS, enforce_word_limit
from cuecard.drafting.technical import (
    Evidence,
    first_person,
    first_sentence,
    lower_first,
    own_evidence,
    sentence,
    technical_draft,
)
from cuecard.kinds import QUESTION_TYPES, AnswerOption, Coverage, QuestionType
from cuecard.knowledge.retrieval import Retrieval, retrieve
from cuecard.profile.models import CandidateContext, Role, Story

DATA_DIR = Path(__file__).parent / "data"
# Below this similarity a story is not "about" the question; we still use the best one
# (an example beats none) but do not claim it is the matching one.
STORY_MATCH_MIN = 0.2
# A story auto-drafted from the resume and not yet reviewed ranks this much lower than a
# reviewed one: the candidate's own words come first.
DRAFTED_PENALTY = 0.15
DEFAULT_APPROACH = [
    "make sure I understand what matters most here and who is affected",
    "deal with the most urgent, highest-risk part straight away",
    "keep the people involved informed while I work through the rest",
    "follow up afterwards to check it worked and what I would change",
]


@lru_cache(maxsize=1)
def guidance() -> dict:
    return json.loads((DATA_DIR / "key_points.json").read_text())


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _mentions(text: str, phrase: str) -> bool:
    phrase = phrase.strip().lower()
    if not phrase:
        return False
    return re.search(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])", text.lower()) is not None


def _keyword_hit(text: str, keyword: str) -> bool:
    """Keywords ending in a letter match whole words or word starts (``priorit`` → priorities)."""
    return re.search(r"(?<![a-z0-9])" + re.escape(keyword.lower()), text.lower()) is not None


def _dedupe_sentences(text: str) -> str:
    """Drop a sentence said twice (a story title that repeats its action, for one)."""
    seen: set[str] = set()
    kept = []
    for piece in re.split(r"(?<=[.!?])\s+", text.strip()):
        key = re.sub(r"[^a-z0-9]+", " ", piece.lower()).strip()
        if key and key not in seen:
            seen.add(key)
            kept.append(piece)
    return " ".join(kept)


@dataclass
class Example:
    """A story from the bank, or a resume achievement standing in for one."""

    story: Story
    role: Role | None = None
    from_achievement: bool = False

    @property
    def text(self) -> str:
        s = self.story
        return " ".join([s.title, s.situation, s.task, s.action, s.result, " ".join(s.skills)])


@dataclass
class DraftPlan:
    """What a draft is built from (kept for explanations, tests and the drafter's stability)."""

    question: str
    qtype: str
    topic: str = ""
    example: Example | None = None
    example_score: float = 0.0
    backup: Example | None = None
    skills: list[str] = field(default_factory=list)
    theme: dict | None = None
    retrieval: Retrieval | None = None
    evidence: Evidence | None = None  # the candidate's own line about the retrieved cards (technical)

    @property
    def coverage(self) -> Coverage | str:
        """ "full" | "partial" | "none": how much the draft rests on notes or own material."""
        if self.qtype == QuestionType.TECHNICAL:
            return self.retrieval.coverage if self.retrieval else Coverage.NONE
        if self.qtype == QuestionType.BEHAVIORAL:
            if self.example is None or self.example.from_achievement and self.example_score < STORY_MATCH_MIN:
                return Coverage.NONE
            return Coverage.FULL
        return Coverage.FULL

    @property
    def topic_name(self) -> str:
        """The subject as the page shows it: the cards' names for technical questions."""
        if self.retrieval is not None and self.retrieval.cards:
            return (
                " vs ".join(c.name for c in self.retrieval.cards[:3])
                if self.retrieval.mode == "compare"
                else ", ".join(c.name for c in self.retrieval.cards[:3])
            )
        return self.topic

    def key(self) -> str:
        """Changes only when the draft's subject changes: type and cards, story or theme."""
        if self.qtype == QuestionType.TECHNICAL:
            subject = self.retrieval.key() if self.retrieval else "none"
        elif self.qtype == QuestionType.BEHAVIORAL:
            subject = self.example.story.id if self.example else "none"
        else:
            # The approach (situational) and the motivation (cultural) carry these drafts; the
            # supporting story beneath them may change as words arrive without being worth a
            # redraft the candidate would see jump.
            subject = (self.theme or {}).get("name", "") or "general"
        return f"{self.qtype}:{subject}"


class Composer:
    """Drafts for one candidate's material. Build once per material version (it embeds the
    stories up front), then ``drafts()`` per question takes a few milliseconds."""

    def __init__(self, candidate: CandidateContext):
        self.candidate = candidate
        self.profile = candidate.profile
        self.job = candidate.job
        self.examples = self._collect_examples()
        self._example_vectors = semantic.embed([e.text for e in self.examples]) if self.examples else None

    # --- material -----------------------------------------------------------------------------
    def _role_of(self, employer: str) -> Role | None:
        for role in self.profile.roles:
            if employer and role.employer.lower() == employer.lower():
                return role
        return None

    def _collect_examples(self) -> list[Example]:
        examples = [
            Example(s, self._role_of(s.role_employer))
            for s in self.candidate.stories
            if s.action or s.result or s.situation
        ]
        if examples:
            return examples
        # No stories yet: each resume achievement becomes a one-line example.
        for i, role in enumerate(self.profile.roles):
            for j, achievement in enumerate(role.achievements):
                story = Story(
                    id=f"achievement-{i}-{j}", title=achievement, action=achievement, role_employer=role.employer
                )
                examples.append(Example(story, role, from_achievement=True))
        return examples

    def job_skills(self) -> list[str]:
        if not self.job:
            return []
        seen, out = set(), []
        for skill in [*self.job.required_skills, *self.job.preferred_skills]:
            if skill and skill.lower() not in seen:
                seen.add(skill.lower())
                out.append(skill)
        return out

    def current_role(self) -> Role | None:
        return self.profile.roles[0] if self.profile.roles else None

    # --- planning -----------------------------------------------------------------------------
    def plan(self, question: str, qtype: str, topic: str = "") -> DraftPlan:
        qtype = qtype if qtype in QUESTION_TYPES else QuestionType.BEHAVIORAL
        plan = DraftPlan(question=question, qtype=qtype, topic=topic)
        query = f"{question} {topic}".strip()
        if qtype == QuestionType.TECHNICAL:
            plan.retrieval = retrieve(question)
            plan.evidence = own_evidence(plan.retrieval, self.candidate)
        if self.examples:
            q = semantic.embed([query])[0]
            scores = self._example_vectors @ q
            for i, example in enumerate(self.examples):
                if any(_mentions(query, s) for s in example.story.skills):
                    scores[i] += 0.2  # a named skill in the question counts
                if example.story.drafted:
                    scores[i] -= DRAFTED_PENALTY
            order = np.argsort(-scores)
            plan.example, plan.example_score = self.examples[order[0]], float(scores[order[0]])
            if len(order) > 1:
                plan.backup = self.examples[order[1]]
        plan.skills = self._relevant_skills(
            query, plan.example, min_score=1.0 if qtype == QuestionType.CULTURAL else 2.0
        )
        plan.theme = self._best_entry(guidance()["themes"], query)
        return plan

    @staticmethod
    def _best_entry(entries: list[dict], text: str) -> dict | None:
        best, best_hits = None, 0
        for entry in entries:
            hits = sum(_keyword_hit(text, k) for k in entry["keywords"])
            if hits > best_hits:
                best, best_hits = entry, hits
        return best

    def _relevant_skills(
        self, query: str, example: Example | None, limit: int = 3, min_score: float = 2.0
    ) -> list[str]:
        """Job skills this answer should show: named in the question first, then shown by the
        example, then (only with ``min_score`` 1) merely held by the candidate. Without a job,
        the candidate's own skills. A skill the answer does not show is not claimed."""
        candidates = self.job_skills() or list(self.profile.skills)
        example_text = example.text if example else ""
        example_skills = {s.lower() for s in (example.story.skills if example else [])}
        profile_skills = {s.lower() for s in self.profile.skills}
        scored = []
        for order, skill in enumerate(candidates):
            score = 3.0 * _mentions(query, skill)
            score += 2.0 * (skill.lower() in example_skills or _mentions(example_text, skill))
            score += 1.0 * (skill.lower() in profile_skills)
            if score >= min_score:
                scored.append((-score, order, skill))
        return [s for _, _, s in sorted(scored)[:limit]]

    # --- public -------------------------------------------------------------------------------
    def drafts(self, question: str, qtype: str, topic: str = "") -> dict[str, str]:
        """All options for one question, each within the word limit."""
        plan = self.plan(question, qtype, topic)
        return {option: self.render(plan, option) for option in OPTIONS}

    def draft(self, question: str, qtype: str, option: str, topic: str = "") -> str:
        return self.render(self.plan(question, qtype, topic), option)

    def render(self, plan: DraftPlan, option: str) -> str:
        if plan.qtype == QuestionType.TECHNICAL:
            closest = self._evidence(plan.example) if plan.example_score >= STORY_MATCH_MIN else None
            return technical_draft(
                plan.retrieval or retrieve(plan.question), option, plan.evidence, closest=closest, skills=plan.skills
            )
        builders: dict[str, Callable[[DraftPlan, str], list[str]]] = {
            QuestionType.BEHAVIORAL: self._behavioral,
            QuestionType.SITUATIONAL: self._situational,
            QuestionType.CULTURAL: self._cultural,
        }
        builder = builders[plan.qtype]
        lines = [_dedupe_sentences(line) for line in builder(plan, option) if line]
        return enforce_word_limit(
            "\n".join(line for line in lines if line), TARGET_WORDS.get(option, TARGET_WORDS[AnswerOption.DEEP_DIVE])
        )

    # --- shared pieces ------------------------------------------------------------------------
    def _where(self, example: Example | None) -> str:
        """ "as <title> at <employer>" for the example's role, from the profile only."""
        role = example.role if example else None
        if role is None and example and example.story.role_employer:
            return f"at {example.story.role_employer}"
        if role is None:
            return ""
        if role.title and role.employer:
            return f"as {role.title} at {role.employer}"
        return f"at {role.employer}" if role.employer else (f"as {role.title}" if role.title else "")

    def _evidence(self, example: Example | None) -> Evidence | None:
        if example is None:
            return None
        s = example.story
        said = (
            first_person(s.action)
            if example.from_achievement
            else " ".join(filter(None, [sentence(first_sentence(s.action)), sentence(first_sentence(s.result))]))
        )
        role = example.role
        return Evidence(said, role.employer if role else s.role_employer, role.title if role else "")

    def _target(self) -> str:
        """ "the <title> role at <company>", or what the job gives of it; "" without a job."""
        job = self.job
        if not job:
            return ""
        if job.title and job.company:
            return f"the {job.title} role at {job.company}"
        if job.company:
            return f"this role at {job.company}"
        return f"the {job.title} role" if job.title else ""

    def _job_link(self, plan: DraftPlan) -> str:
        if not plan.skills:
            return ""
        skills, target = _join(plan.skills), self._target()
        if target:
            return f"That is the kind of {skills} work {target} calls for."
        return f"It is a good picture of how I work with {skills}."

    def _example_summary(self, example: Example | None, full: bool) -> str:
        if example is None:
            return ""
        s = example.story
        where = self._where(example)
        if example.from_achievement:
            return (
                f"{sentence('I worked ' + where)} {first_person(s.action)}".strip() if where else first_person(s.action)
            )
        pick = (lambda t: t) if full else first_sentence
        # The situation's first sentence gives the action its context ("I met her" — who?).
        parts = [
            sentence(first_sentence(s.situation)) if s.situation else sentence(s.title) if s.title else "",
            sentence(pick(s.action)) if s.action else "",
            sentence(pick(s.result)) if s.result else "",
        ]
        return _dedupe_sentences(" ".join(p for p in parts if p))

    # --- behavioral: a STAR story in the candidate's own words ----------------------------------
    def _behavioral(self, plan: DraftPlan, option: str) -> list[str]:
        example = plan.example
        if example is None:
            points = list((plan.theme or {}).get("points", [])) or guidance()["types"]["behavioral"]
            return [
                "You have no story saved that fits this yet, so answer with one real example of your own.",
                sentence("A strong answer here: " + "; ".join(points[:3])),
                "Add your stories on the account page and the next drafts will use your own words.",
            ]
        s, full = example.story, option != AnswerOption.CONCISE
        where = self._where(example)
        if example.from_achievement:
            if plan.example_score < STORY_MATCH_MIN:
                # Nothing on the resume is about this: say so rather than pass an unrelated
                # achievement off as the answer; the closest one is a starting point.
                lines = [
                    "You have no story saved about this yet, so pick one real example of your own.",
                    sentence("The closest thing on your resume: " + lower_first(first_person(s.action))),
                ]
                if option == AnswerOption.DEEP_DIVE:
                    points = list((plan.theme or {}).get("points", [])) or guidance()["types"]["behavioral"]
                    lines.append(sentence("A strong answer here: " + "; ".join(points[:3])))
                return lines
            lines = [sentence(f"One example comes from my time {where}") if where else "", first_person(s.action)]
        else:
            pick = (lambda t: t) if full else first_sentence
            lines = [
                sentence(pick(s.situation))
                if s.situation
                else (sentence(f"This was when I worked {where}") if where else ""),
                sentence(pick(s.task)) if s.task and option != AnswerOption.CONCISE else "",
                sentence(pick(s.action)) if s.action else "",
                sentence(pick(s.result)) if s.result else "",
            ]
        if option == AnswerOption.CONCISE:
            return lines
        lines.append(self._job_link(plan))
        if (
            option == AnswerOption.DEEP_DIVE
            and plan.backup is not None
            and plan.backup.story.title
            and not plan.backup.story.drafted
        ):
            backup = plan.backup
            about = (
                ("how " + lower_first(first_person(backup.story.action)))
                if backup.from_achievement
                else lower_first(backup.story.title)
            )
            lines.append(sentence(f"If you would like another example, I can also talk about {about}"))
        return lines

    # --- situational: approach and reasoning ----------------------------------------------------
    def _situational(self, plan: DraftPlan, option: str) -> list[str]:
        theme = plan.theme
        # Without a matching playbook, a plain approach that fits most hypotheticals; the
        # per-type guidance list is advice *to* the candidate ("say what you would do first")
        # and read wrong when spoken in the first person.
        steps = (theme or {}).get("approach") or DEFAULT_APPROACH
        reasoning = (theme or {}).get(
            "reasoning"
        ) or "it deals with the biggest risk first and keeps everyone involved informed"
        lines = [
            sentence("First I would " + "; then I would ".join(steps)),
            sentence(f"I would do it in that order because {reasoning}"),
        ]
        if option == AnswerOption.CONCISE:
            return lines
        if plan.example is not None and plan.example_score >= STORY_MATCH_MIN:
            lines.append(
                "I have done something close to this before. "
                + self._example_summary(plan.example, option == AnswerOption.DEEP_DIVE)
            )
        if plan.skills:
            lines.append(f"I would lean on {_join(plan.skills)} here.")
        if option == AnswerOption.DEEP_DIVE:
            lines.append(
                "Afterwards I would check that the problem stayed solved and that everyone involved "
                "knew what was decided and why."
            )
        return lines

    # --- cultural: motivation tied to this company and role -------------------------------------
    def _responsibility_matches(self, limit: int = 2) -> list[str]:
        if not self.job or not self.job.responsibilities:
            return []
        material = " ".join([self.profile.summary, " ".join(self.profile.skills), *[e.text for e in self.examples]])
        mine = set(semantic.content_words(material))
        ranked = sorted(
            self.job.responsibilities,
            key=lambda r: -len(set(semantic.content_words(r)) & mine),
        )
        return ranked[:limit]

    def _cultural(self, plan: DraftPlan, option: str) -> list[str]:
        role = self.current_role()
        introduction = re.search(
            r"about yourself|walk me through your (background|resume|career)|introduce yourself", plan.question.lower()
        )
        lines: list[str] = []
        if introduction and role is not None:
            if role.title and role.employer:
                lines.append(sentence(f"I currently work as {role.title} at {role.employer}"))
            elif self.profile.headline:
                lines.append(sentence(self.profile.headline))
            earlier = [r for r in self.profile.roles[1:3] if r.title or r.employer]
            if earlier:
                lines.append(
                    sentence(
                        "Before that I worked "
                        + "; then ".join(
                            " at ".join(p for p in (f"as {r.title}" if r.title else "", r.employer) if p)
                            for r in earlier
                        )
                    )
                )
        target, duties = self._target(), self._responsibility_matches(3)
        if target and duties:
            lines.append(sentence(f"What draws me to {target} is the work itself: {lower_first(duties[0])}"))
        elif target:
            lines.append(
                sentence(
                    f"What draws me to {target} is the chance to do the work I do best, "
                    f"closer to what I want to grow in"
                )
            )
        elif self.profile.skills or self.profile.headline:
            focus = _join(self.profile.skills[:3]) or lower_first(self.profile.headline)
            lines.append(sentence(f"I am looking for work where I keep growing in {focus}"))
        if plan.skills and role is not None and role.title and role.employer:
            lines.append(sentence(f"I bring {_join(plan.skills)} from my work as {role.title} at {role.employer}"))
        elif plan.skills:
            lines.append(sentence(f"I bring {_join(plan.skills)}"))
        if not lines:
            lines.append("Answer from what genuinely draws you to this team, and back it with one thing you have done.")
        if option == AnswerOption.CONCISE:
            return lines
        if plan.example is not None:
            lines.append("One example of how I work: " + self._example_summary(plan.example, False))
        if self.profile.summary:
            summary = first_sentence(self.profile.summary)
            first = summary.split(" ", 1)[0].lower()
            lines.append(
                sentence(
                    summary
                    if first in {"i", "i'm", "my", "over", "for", "with", "as"}
                    else f"In one line: {lower_first(summary)}"
                )
            )
        if len(duties) > 1:
            lines.append(sentence(f"I would also like to grow in this part of the role: {lower_first(duties[1])}"))
        if option == AnswerOption.DEEP_DIVE and plan.backup is not None and not plan.backup.story.drafted:
            lines.append("Another example: " + self._example_summary(plan.backup, False))
        return lines
