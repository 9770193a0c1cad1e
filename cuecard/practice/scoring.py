"""Score one spoken practice answer: delivery, content, relevance and an overall score.

Everything here is offline and deterministic: the same words give the same scorecard. An LLM
(when configured elsewhere) may add a written critique but never changes these numbers.

Decision: relevance gates content and delivery. A long, fluent answer that does not address
the question must not win on delivery and length, so the overall is a weighted mean whose
delivery and content parts are scaled by the relevance gate (full from relevance 3 up), and an
off-topic answer (relevance ≤ 1) caps the overall at 1.5. Measured on the tune half (ASR
transcripts): gating content alone left long generic answers above short weak ones on
delivery points (pairwise agreement 0.817); gating both, see ``cuecard/eval/practice.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from cuecard.practice.words import Word, plain

if TYPE_CHECKING:
    from cuecard.profile.models import Job, Profile

QUESTION_TYPES = ("technical", "behavioral", "cultural", "situational")
WEIGHTS = {"delivery": 0.25, "content": 0.45, "relevance": 0.30}
OFF_TOPIC_CAP = 1.5

__all__ = ["QUESTION_TYPES", "Scorecard", "SubScore", "Word", "normalize_type", "score_answer", "warm_up"]


@dataclass
class SubScore:
    """One competency, 0–5, with evidence quoted from the transcript and one improvement."""

    name: str  # delivery | content | relevance
    score: int
    evidence: list[str] = field(default_factory=list)
    improvement: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Scorecard:
    overall: float  # 0..5, one decimal
    subscores: list[SubScore]
    metrics: dict[str, Any]
    model_answer: str | None = None
    question: str = ""
    qtype: str = ""
    transcript: str = ""

    def subscore(self, name: str) -> SubScore:
        return next(s for s in self.subscores if s.name == name)

    def to_dict(self) -> dict:
        return {
            "overall": self.overall,
            "subscores": [s.to_dict() for s in self.subscores],
            "metrics": dict(self.metrics),
            "model_answer": self.model_answer,
            "question": self.question,
            "qtype": self.qtype,
            "transcript": self.transcript,
        }


def normalize_type(qtype: str | None, question: str = "") -> str:
    """One of QUESTION_TYPES; unknown or empty types are classified from the question."""
    qtype = (qtype or "").strip().lower()
    if qtype in QUESTION_TYPES:
        return qtype
    aliases = {
        "behavioural": "behavioral",
        "culture": "cultural",
        "motivation": "cultural",
        "hypothetical": "situational",
    }
    if qtype in aliases:
        return aliases[qtype]
    from cuecard.practice.content import guess_type

    return guess_type(question)


def combine(delivery: SubScore, content: SubScore, relevance: SubScore, on_topic: float) -> float:
    """Weighted mean in which delivery and content count only as far as the answer is on
    topic (``on_topic`` 0..1): fluent words about something else are not a good answer."""
    on_topic = max(0.0, min(1.0, on_topic))
    overall = on_topic * (WEIGHTS["delivery"] * delivery.score + WEIGHTS["content"] * content.score)
    overall += WEIGHTS["relevance"] * relevance.score
    if relevance.score <= 1:
        overall = min(overall, OFF_TOPIC_CAP)
    return round(max(0.0, min(5.0, overall)), 1)


def warm_up() -> None:
    """Load what scoring needs (sentence encoder, knowledge-card index) so that the first
    answer of a process is scored as fast as the others; call it at server start."""
    from cuecard.practice.transcribe import words_from_text

    score_answer("How does a hash map work?", "technical", words_from_text("It hashes keys into buckets."))
    score_answer("Tell me about a time you failed.", "behavioral", words_from_text("I shipped a bug and fixed it."))


def score_answer(
    question: str,
    qtype: str,
    words: list[Word],
    *,
    profile: Profile | None = None,
    job: Job | None = None,
    resources: Any = None,
    model_answer: bool | str = False,
) -> Scorecard:
    """Score the answer ``words`` to ``question``.

    ``qtype``: technical | behavioral | cultural | situational ("" → guessed from the question).
    ``job``/``profile``: the candidate's material (cultural answers are checked for ties to the
    job's company and role). ``resources``: a ``DraftingResources`` to reuse its composer for the
    model answer. ``model_answer``: False (none, the fast path), True (drafted by the drafting
    engine), or a string to attach as is.
    """
    from cuecard.practice.content import content_score
    from cuecard.practice.delivery import delivery_score
    from cuecard.practice.relevance import relevance_score

    qtype = normalize_type(qtype, question)
    text = plain(words)
    delivery, metrics = delivery_score(words, qtype)
    relevance = relevance_score(question, text, qtype)
    content = content_score(question, qtype, text, job=job, profile=profile)
    on_topic = float(relevance.details.get("gate", 1.0))
    overall = combine(delivery, content, relevance, on_topic)
    drafted: str | None
    if isinstance(model_answer, str):
        drafted = model_answer
    elif model_answer:
        from cuecard.practice.model_answer import draft_model_answer

        drafted = draft_model_answer(question, profile=profile, job=job, resources=resources)
    else:
        drafted = None
    return Scorecard(
        overall=overall,
        subscores=[delivery, content, relevance],
        metrics=metrics,
        model_answer=drafted,
        question=question,
        qtype=qtype,
        transcript=text,
    )
