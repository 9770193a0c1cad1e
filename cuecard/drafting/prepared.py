"""Prepared answers: predict likely questions at session start, draft them in the
background, and recognise them while the interviewer is still speaking.

Prediction draws on three sources:
- the built-in starter bank (``data/question_bank.json``, written by the project; technical
  entries are kept only when their keywords touch the job's or the candidate's skills);
- the job: its company, title, required skills and responsibilities;
- the candidate's stories: one "tell me about a time you showed <skill>" per story skill.

Decision: prepared drafts are made by the offline composer (milliseconds each, no API cost,
no waiting for a provider at session start). When an LLM is configured it still drafts
the confirmed question; the prepared answer fills the panel meanwhile.

Matching: the (interim) question text and each prepared question are embedded; a match is
confident when the cosine is at least ``threshold`` and beats the runner-up by ``margin``.
Thresholds differ for the MiniLM model and the lexical fallback (their scales differ).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from cuecard.drafting import semantic
from cuecard.drafting.composer import Composer
from cuecard.drafting.options import OPTIONS
from cuecard.kinds import Coverage, QuestionType
from cuecard.profile.models import CandidateContext

BANK_PATH = Path(__file__).parent / "data" / "question_bank.json"
MODEL_THRESHOLD, MODEL_MARGIN = 0.80, 0.04
LEXICAL_THRESHOLD, LEXICAL_MARGIN = 0.70, 0.08
# On the final text a prepared answer is kept only for near-identical wording: drafting the
# real question afresh costs milliseconds offline, so anything less is replaced.
MODEL_KEEP, LEXICAL_KEEP = 0.90, 0.85
MIN_WORDS = 4  # fewer words than this is too little to recognise a question by


@lru_cache(maxsize=1)
def starter_bank() -> list[dict]:
    return json.loads(BANK_PATH.read_text())["questions"]


@dataclass
class PreparedQuestion:
    text: str
    qtype: str
    topic: str = ""
    origin: str = "bank"  # bank | job | story
    coverage: Coverage | str = Coverage.FULL  # the composer plan's coverage (none: no notes on the subject)
    drafts: dict[str, str] = field(default_factory=dict)


@dataclass
class PreparedMatch:
    question: PreparedQuestion
    score: float


def predict_questions(candidate: CandidateContext, limit: int = 48) -> list[PreparedQuestion]:
    """Likely questions for this candidate and job, most specific first, no duplicates."""
    job, profile = candidate.job, candidate.profile
    predicted: list[PreparedQuestion] = []
    if job and job.company:
        predicted.append(
            PreparedQuestion(
                f"Why do you want to work at {job.company}?", QuestionType.CULTURAL, "motivation for the company", "job"
            )
        )
    if job and job.title:
        predicted.append(
            PreparedQuestion(
                f"What interests you about the {job.title} role?",
                QuestionType.CULTURAL,
                "motivation for the role",
                "job",
            )
        )
    for skill in job.required_skills[:5] if job else profile.skills[:3]:
        predicted.append(
            PreparedQuestion(f"What experience do you have with {skill}?", QuestionType.TECHNICAL, skill, "job")
        )
    for duty in job.responsibilities[:3] if job else []:
        predicted.append(
            PreparedQuestion(
                f"How would you approach this part of the role: {duty.rstrip('.')}?",
                QuestionType.SITUATIONAL,
                duty,
                "job",
            )
        )
    seen_skills: set[str] = set()
    for story in candidate.stories:
        for skill in story.skills[:2]:
            if skill.lower() not in seen_skills:
                seen_skills.add(skill.lower())
                predicted.append(
                    PreparedQuestion(
                        f"Tell me about a time you showed {skill}.", QuestionType.BEHAVIORAL, skill, "story"
                    )
                )
    known = {
        s.lower()
        for s in [*profile.skills, *(job.required_skills if job else []), *(job.preferred_skills if job else [])]
    }
    for entry in starter_bank():
        keywords = {k.lower() for k in entry.get("keywords", [])}
        if entry["type"] == QuestionType.TECHNICAL and known and keywords and not (keywords & known):
            continue  # a technical question on a stack this job and candidate do not touch
        predicted.append(PreparedQuestion(entry["text"], entry["type"], entry.get("topic", ""), "bank"))
    unique, seen = [], set()
    for q in predicted:
        key = q.text.lower()
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return unique[:limit]


class PreparedAnswers:
    """The prepared set for one version of the candidate's material."""

    def __init__(self, candidate: CandidateContext, composer: Composer | None = None, limit: int = 48):
        self.candidate = candidate
        self.composer = composer or Composer(candidate)
        self.questions = predict_questions(candidate, limit)
        self._vectors: np.ndarray | None = None
        self.ready = False
        if semantic.using_model():
            self.threshold, self.margin, self.keep_threshold = MODEL_THRESHOLD, MODEL_MARGIN, MODEL_KEEP
        else:
            self.threshold, self.margin, self.keep_threshold = LEXICAL_THRESHOLD, LEXICAL_MARGIN, LEXICAL_KEEP

    def prepare(self) -> PreparedAnswers:
        """Embed and draft every predicted question (blocking: run it in a thread)."""
        self._vectors = semantic.embed([q.text for q in self.questions])
        for q in self.questions:
            plan = self.composer.plan(q.text, q.qtype, q.topic)
            q.drafts = {option: self.composer.render(plan, option) for option in OPTIONS}
            q.coverage = plan.coverage
        self.ready = True
        return self

    def match(self, text: str, *, final: bool = False) -> PreparedMatch | None:
        """The prepared question ``text`` asks, when the match is confident; else None.
        ``final``: the stricter test for keeping a prepared answer once the question is final."""
        if not self.ready or len(semantic.words(text)) < MIN_WORDS or not self.questions:
            return None
        scores = self._vectors @ semantic.embed([text])[0]
        order = np.argsort(-scores)
        best = float(scores[order[0]])
        runner_up = float(scores[order[1]]) if len(order) > 1 else 0.0
        threshold = self.keep_threshold if final else self.threshold
        if best >= threshold and best - runner_up >= self.margin:
            return PreparedMatch(self.questions[order[0]], best)
        return None
