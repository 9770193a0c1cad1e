"""Offline composer: a useful, personal answer draft without any language model.

A draft is assembled from three things only:

1. the candidate's own material — the best-matching STAR story (semantic match), or a
   resume achievement when there are no stories, plus roles, skills and summary;
2. the job — the requirements and skills that this question touches, the title, company
   and responsibilities;
3. our own guidance data (``data/key_points.json``) — what a good answer to this type of
   question covers, playbooks for common situations, short explanations of common
   technical concepts.

Structure by type: STAR with labelled parts (behavioral), approach and reasoning
(situational), definition → example → trade-off (technical), motivation tied to this company
and role (cultural).

Decision: the composer NEVER writes a fact that is not in the material. Employers, titles,
dates, numbers and names are copied from the profile, stories or job; the template text and
guidance data contain none. Where the material has nothing to say, the draft says in square
brackets what the candidate should add (e.g. ``[the result you saw]``) rather than invent
it — a prompt for the candidate is useful, an invented result is harmful.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from cuecard.drafting import semantic
from cuecard.drafting.options import OPTIONS, TARGET_WORDS, enforce_word_limit
from cuecard.profile.models import CandidateContext, Role, Story

DATA_DIR = Path(__file__).parent / "data"
QUESTION_TYPES = ("technical", "behavioral", "situational", "cultural")
# Below this similarity a story is not "about" the question; we still use the best one
# (an example beats none) but do not claim it is the matching one.
STORY_MATCH_MIN = 0.2


@lru_cache(maxsize=1)
def guidance() -> dict:
    return json.loads((DATA_DIR / "key_points.json").read_text())


def _first_sentence(text: str) -> str:
    text = text.strip()
    match = re.search(r"(?<=[.!?])\s", text)
    return text[: match.start()].strip() if match else text


def _sentence(text: str) -> str:
    """Capitalized, ending with a full stop (facts are inserted as written otherwise)."""
    text = text.strip().rstrip(";,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like a name or acronym."""
    text = text.strip().rstrip(".")
    first = text.split(" ", 1)[0] if text else ""
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    return text[:1].lower() + text[1:]


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
    """What a draft is built from (kept for explanations and tests)."""

    question: str
    qtype: str
    topic: str = ""
    example: Example | None = None
    example_score: float = 0.0
    backup: Example | None = None
    skills: list[str] = field(default_factory=list)
    theme: dict | None = None
    concept: dict | None = None


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
        examples = [Example(s, self._role_of(s.role_employer)) for s in self.candidate.stories]
        if examples:
            return examples
        # No stories yet: each resume achievement becomes a one-line example.
        for i, role in enumerate(self.profile.roles):
            for j, achievement in enumerate(role.achievements):
                story = Story(id=f"achievement-{i}-{j}", title=achievement, action=achievement,
                              role_employer=role.employer)
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
        qtype = qtype if qtype in QUESTION_TYPES else "behavioral"
        plan = DraftPlan(question=question, qtype=qtype, topic=topic)
        query = f"{question} {topic}".strip()
        if self.examples:
            q = semantic.embed([query])[0]
            scores = self._example_vectors @ q
            for i, example in enumerate(self.examples):  # a named skill in the question counts
                if any(_mentions(query, s) for s in example.story.skills):
                    scores[i] += 0.2
            order = np.argsort(-scores)
            plan.example, plan.example_score = self.examples[order[0]], float(scores[order[0]])
            if len(order) > 1:
                plan.backup = self.examples[order[1]]
        plan.skills = self._relevant_skills(query, plan.example,
                                            min_score=1.0 if qtype == "cultural" else 2.0)
        plan.theme = self._best_entry(guidance()["themes"], query)
        plan.concept = self._best_entry(guidance()["concepts"], query)
        return plan

    @staticmethod
    def _best_entry(entries: list[dict], text: str) -> dict | None:
        best, best_hits = None, 0
        for entry in entries:
            hits = sum(_keyword_hit(text, k) for k in entry["keywords"])
            if hits > best_hits:
                best, best_hits = entry, hits
        return best

    def _relevant_skills(self, query: str, example: Example | None, limit: int = 3,
                         min_score: float = 2.0) -> list[str]:
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
        builder = {
            "behavioral": self._behavioral,
            "situational": self._situational,
            "technical": self._technical,
            "cultural": self._cultural,
        }[plan.qtype]
        lines = [line for line in builder(plan, option) if line]
        return enforce_word_limit("\n".join(lines), TARGET_WORDS.get(option, TARGET_WORDS["deep_dive"]))

    # --- shared pieces ------------------------------------------------------------------------
    def _where(self, example: Example | None) -> str:
        """"as <title> at <employer>" for the example's role, from the profile only."""
        role = example.role if example else None
        if role is None and example and example.story.role_employer:
            return f"at {example.story.role_employer}"
        if role is None:
            return ""
        if role.title and role.employer:
            return f"as {role.title} at {role.employer}"
        return f"at {role.employer}" if role.employer else (f"as {role.title}" if role.title else "")

    def _job_link(self, plan: DraftPlan) -> str:
        if not plan.skills:
            return ""
        skills = _join(plan.skills)
        if self.job and self.job.title and self.job.company:
            return f"Why it matters here: it shows {skills}, which the {self.job.title} role at {self.job.company} asks for."
        if self.job and (self.job.title or self.job.company):
            return f"Why it matters here: it shows {skills}, which this role at {self.job.title or self.job.company} asks for."
        return f"Why it matters here: it shows {skills}."

    def _key_points(self, plan: DraftPlan) -> str:
        points = list((plan.theme or {}).get("points", [])) or guidance()["types"][plan.qtype]
        return "Points to land: " + "; ".join(points[:3]) + "."

    def _example_summary(self, example: Example | None, full: bool) -> str:
        if example is None:
            return ""
        s = example.story
        where = self._where(example)
        if example.from_achievement:
            return f"{_sentence(where)} {_sentence(s.action)}".strip() if where else _sentence(s.action)
        action = s.action if full else _first_sentence(s.action)
        result = s.result if full else _first_sentence(s.result)
        parts = [_sentence(s.title) if s.title else "", _sentence(action), _sentence(result)]
        return " ".join(p for p in parts if p)

    # --- behavioral: STAR -----------------------------------------------------------------------
    def _behavioral(self, plan: DraftPlan, option: str) -> list[str]:
        example = plan.example
        if example is None:
            return [
                "Situation: [one sentence of context: where you were and what was at stake]",
                "Task: [what you were responsible for]",
                "Action: [the two or three things you did yourself]",
                "Result: [what changed, and what you learned]",
                self._key_points(plan),
                "Add a story in your profile and this draft will use it.",
            ]
        s, full = example.story, option != "concise"
        where = self._where(example)
        if example.from_achievement:
            situation = _sentence(f"I was working {where}") if where else "[where you were and what was at stake]"
            task = "[what you were asked to achieve]"
            action = _sentence(s.action)
            result = "[the outcome, in the terms the achievement above states]"
        else:
            pick = (lambda t: t) if full else _first_sentence
            situation = _sentence(pick(s.situation)) if s.situation else (
                _sentence(f"I was working {where}") if where else "[where you were and what was at stake]")
            task = _sentence(pick(s.task)) if s.task else "[what you were responsible for]"
            action = _sentence(pick(s.action)) if s.action else "[the steps you took yourself]"
            result = _sentence(pick(s.result)) if s.result else "[what changed as a result]"
        lines = [f"Situation: {situation}", f"Task: {task}", f"Action: {action}", f"Result: {result}"]
        if option == "concise":
            if sum(len(line.split()) for line in lines) > TARGET_WORDS["concise"]:
                del lines[1]  # the task is the part a short answer can imply
            return lines
        lines.append(self._job_link(plan))
        if option == "deep_dive":
            lines.append("What I took from it: [the lesson, and where you applied it since]")
            lines.append(self._key_points(plan))
            if plan.backup is not None and plan.backup.story.title:
                lines.append(f"Backup example if asked for another: {_lower_first(plan.backup.story.title)}.")
        return lines

    # --- situational: approach and reasoning ----------------------------------------------------
    def _situational(self, plan: DraftPlan, option: str) -> list[str]:
        theme = plan.theme
        steps = (theme or {}).get("approach") or guidance()["types"]["situational"]
        reasoning = (theme or {}).get("reasoning") or "it keeps the people involved informed and the decision reversible"
        approach = "Approach: first I would " + "; then ".join(steps)
        lines = [_sentence(approach), _sentence(f"Reasoning: {reasoning}")]
        if option == "concise":
            return lines
        if plan.example is not None and plan.example_score >= STORY_MATCH_MIN:
            lines.append("From my own experience: " + self._example_summary(plan.example, option == "deep_dive"))
        if plan.skills:
            lines.append(f"I would lean on {_join(plan.skills)} here.")
        if option == "deep_dive":
            lines.append("How I would know it worked: [the signal you would check afterwards]")
            lines.append(self._key_points(plan))
        return lines

    # --- technical: definition, example, trade-off ----------------------------------------------
    def _technical(self, plan: DraftPlan, option: str) -> list[str]:
        concept = plan.concept
        subject = plan.topic or _first_sentence(plan.question).rstrip("?.")
        if concept:
            definition = _sentence(concept["definition"])
            tradeoff = _sentence(concept["tradeoff"])
        else:
            definition = f"[one plain sentence on what {_lower_first(subject)} is and what problem it solves]"
            tradeoff = "[when you would not use it, and what it costs]"
        lines = [f"Definition: {definition}"]
        example = plan.example
        if example is not None and plan.example_score >= STORY_MATCH_MIN:
            if option == "concise" and not example.from_achievement and example.story.result:
                lines.append("Example: " + " ".join(filter(None, [
                    _sentence(example.story.title), _sentence(_first_sentence(example.story.result))])))
            else:
                lines.append("Example: " + self._example_summary(example, option != "concise"))
        elif plan.skills:
            lines.append(f"Example: [a time you used {_join(plan.skills[:2])}, and what it achieved]")
        else:
            lines.append("Example: [a time you used this in your own work, and what it achieved]")
        lines.append(f"Trade-off: {tradeoff}")
        if option == "concise":
            return lines
        lines.append(self._job_link(plan))
        if option == "deep_dive":
            lines.append(self._key_points(plan))
        return lines

    # --- cultural: motivation tied to this company and role -------------------------------------
    def _responsibility_matches(self, limit: int = 2) -> list[str]:
        if not self.job or not self.job.responsibilities:
            return []
        material = " ".join([self.profile.summary, " ".join(self.profile.skills),
                             *[e.text for e in self.examples]])
        mine = set(semantic.content_words(material))
        ranked = sorted(
            self.job.responsibilities,
            key=lambda r: -len(set(semantic.content_words(r)) & mine),
        )
        return ranked[:limit]

    def _cultural(self, plan: DraftPlan, option: str) -> list[str]:
        job, role = self.job, self.current_role()
        introduction = re.search(r"about yourself|walk me through your (background|resume|career)|introduce yourself",
                                 plan.question.lower())
        lines: list[str] = []
        if introduction and role is not None:
            now = f"Now: I work as {role.title} at {role.employer}" if role.title and role.employer else \
                f"Now: {self.profile.headline}" if self.profile.headline else ""
            lines.append(_sentence(now) if now else "")
            earlier = [r for r in self.profile.roles[1:3] if r.title or r.employer]
            if earlier:
                lines.append(_sentence("Before that: " + "; ".join(
                    " at ".join(p for p in (r.title, r.employer) if p) for r in earlier)))
        if job and (job.title or job.company):
            target = f"the {job.title} role at {job.company}" if job.title and job.company else \
                f"this role at {job.company}" if job.company else f"the {job.title} role"
            duties = self._responsibility_matches()
            if duties:
                motivation = f"Motivation: what draws me to {target} is the work itself: {_lower_first(duties[0])}"
            else:
                motivation = f"Motivation: what draws me to {target} is [the part of the work you want most]"
            lines.append(_sentence(motivation))
        elif self.profile.headline or self.profile.skills:
            focus = _join(self.profile.skills[:3]) or _lower_first(self.profile.headline)
            lines.append(_sentence(f"Motivation: I am looking for work where I keep growing in {focus}"))
        else:
            lines.append("Motivation: [what draws you to this company and this role in particular]")
        if plan.skills or role is not None:
            fit = f"Fit: I bring {_join(plan.skills)}" if plan.skills else "Fit: I bring my experience"
            if role is not None and role.title and role.employer:
                fit += f" from my work as {role.title} at {role.employer}"
            lines.append(_sentence(fit))
        if option == "concise":
            return lines
        if plan.example is not None:
            lines.append("Evidence: " + self._example_summary(plan.example, False))
        if self.profile.summary:
            lines.append(f"In my own words: {_sentence(_first_sentence(self.profile.summary))}")
        if job and len(self._responsibility_matches(3)) > 1:
            lines.append(_sentence(f"What I want to grow in: {_lower_first(self._responsibility_matches(3)[1])}"))
        else:
            lines.append("What I want to grow in: [the skill or scope you want next]")
        if option == "deep_dive":
            lines.append(self._key_points(plan))
        return lines
