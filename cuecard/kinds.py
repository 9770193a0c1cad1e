"""Cuecard's closed vocabularies, each defined once.

Every member is a ``StrEnum`` whose value is the string used on the wire, in the store and in
exports, so ``json.dumps`` and comparisons with plain strings behave exactly as before
(``QuestionStatus.CONFIRMED == "confirmed"``), while a misspelt member
(``QuestionStatus.CONFRIMED``) fails at import time and under a type checker.

(Not to be confused with ``cuecard.knowledge.vocabulary``: the domain-term lexicon.)
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Which track a line came from: the microphone (candidate) or the shared tab (interviewer)."""

    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"


class QuestionType(StrEnum):
    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"
    SITUATIONAL = "situational"
    CULTURAL = "cultural"


class PracticeQuestionStatus(StrEnum):
    """A practice round's question: not answered yet, answered (scored), or skipped."""

    PENDING = "pending"
    ANSWERED = "answered"
    SKIPPED = "skipped"


class QuestionStatus(StrEnum):
    """``tentative`` from interim text, ``confirmed`` on the final text, ``withdrawn`` when the
    text turned out not to be a question (or merged into another)."""

    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class SuggestionSource(StrEnum):
    PREPARED = "prepared"  # drafted before the interview for a predicted question
    LLM = "llm"  # streamed by the language model
    COMPOSER = "composer"  # assembled locally from the candidate's material


class AnswerOption(StrEnum):
    """The answer options drafted for every question, in the order they are shown."""

    CONCISE = "concise"
    STORY = "story"
    DEEP_DIVE = "deep_dive"


class Coverage(StrEnum):
    """How much a composed draft rests on the candidate's notes or own material."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class SessionState(StrEnum):
    """A stored session's state. ``ended`` is a live (WebRTC) session whose connection closed."""

    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"
    # A live session the server stopped without ending (crash, kill -9): marked at the next
    # start-up (cuecard.pipeline.recovery); a rejoin makes it active again.
    INTERRUPTED = "interrupted"


class EventType(StrEnum):
    """The ``type`` of an event leaving a session (see ``cuecard.events``)."""

    TRANSCRIPT = "transcript"
    QUESTION = "question"
    SUGGESTION = "suggestion"
    STATUS = "status"


class DraftingState(StrEnum):
    """``status`` event states of the answer drafter (each carries ``question_id``)."""

    LLM_FALLBACK = "llm_fallback"
    SUGGESTIONS_WITHDRAWN = "suggestions_withdrawn"
    DRAFTING_FAILED = "drafting_failed"


class WebhookEvent(StrEnum):
    """The ``type`` of a webhook delivery (which session events map to them: ``cuecard.webhooks.events``)."""

    SESSION_STARTED = "session.started"
    QUESTION_DETECTED = "question.detected"
    SUGGESTION_READY = "suggestion.ready"
    SESSION_ENDED = "session.ended"


ROLES = tuple(Role)
QUESTION_TYPES = tuple(QuestionType)
OPTIONS = tuple(AnswerOption)
