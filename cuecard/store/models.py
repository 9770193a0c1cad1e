"""The typed records the repositories return.

A record is one stored document as a pydantic model. Its declared fields are those the store
and its callers read; every other field the document holds (an event's payload, a story's
STAR fields, a bot's snapshot) is kept verbatim as an extra field. Only the fields the document
actually holds are written back or shown (``exclude_unset``), so a record round-trips to the
same document and the API shows the same JSON as the stored dict it replaced.

``HIDDEN`` names the fields that are stored but never shown: ``public()`` is the record as the
API shows it.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from cuecard.profile.models import Profile

M = TypeVar("M", bound=BaseModel)

BUILTIN_OWNER = "builtin"  # user_id of the starter question bank: readable by all, writable by none
Number = int | float  # a JSON number as stored: an int stays an int (``float`` would make 1 into 1.0)


class Record(BaseModel):
    model_config = ConfigDict(extra="allow")
    HIDDEN: ClassVar[tuple[str, ...]] = ()
    # bookkeeping the store sets: never taken from a user's input
    BOOKKEEPING: ClassVar[tuple[str, ...]] = ("id", "created_at")

    id: str
    created_at: Number = 0.0

    def doc(self) -> dict[str, Any]:
        """The document as stored."""
        return self.model_dump(exclude_unset=True)

    def public(self) -> dict[str, Any]:
        """The record as the API shows it."""
        return self.model_dump(exclude_unset=True, exclude=set(self.HIDDEN))

    def content(self) -> dict[str, Any]:
        """What the user wrote: the stored fields without the store's bookkeeping."""
        return self.model_dump(exclude_unset=True, exclude={*self.HIDDEN, *self.BOOKKEEPING})

    def project(self, model: type[M]) -> M:
        """The fields ``model`` knows, validated by it (e.g. a stored story as a ``Story``)."""
        return model.model_validate({k: v for k, v in self.doc().items() if k in model.model_fields})


# --- accounts ----------------------------------------------------------------------------------


class User(Record):
    HIDDEN = ("password_hash",)
    email: str
    password_hash: str


class AuditEntry(Record):
    """One entry of the hash-chained audit log (``cuecard/store/audit.py``). ``user_id`` is
    whose log lists it (None once the account is deleted, or for a failed login on an unknown
    email); ``subject`` is its chained one-way digest."""

    HIDDEN = ("user_id", "subject")
    user_id: str | None = None
    action: str
    details: dict[str, Any] = Field(default_factory=dict)
    seq: int | None = None  # None: written before the chain existed
    actor: str | None = None
    remote: str | None = None
    prev_hash: str | None = None
    hash: str | None = None


# --- sessions and what they produce -----------------------------------------------------------


class Session(Record):
    """``user_id`` is None for sessions nobody owns (replays, command-line bots).
    ``capability_hash``: SHA-256 of an anonymous live session's secret (cuecard/api/security.py)."""

    HIDDEN = ("capability_hash",)

    user_id: str | None = None
    state: str = "active"
    title: str = ""
    source: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    updated_at: Number | None = None


class SessionEvent(Record):
    """A stored event of a session (its envelope's fields plus ``session_id``)."""

    session_id: str
    seq: int | None = None
    text: str = ""


class Segment(SessionEvent):
    """One final transcript line, upserted as the line is refined."""

    segment_id: str
    role: str | None = None
    speaker: str | None = None
    start: Number = 0.0
    end: Number = 0.0


class Question(SessionEvent):
    question_id: str
    start: Number | None = None


class Feedback(BaseModel):
    model_config = ConfigDict(extra="allow")
    helpful: bool
    at: Number


class Suggestion(SessionEvent):
    HIDDEN = ("suggestion_key",)
    question_id: str
    option: int | str
    suggestion_key: str = ""
    feedback: Feedback | None = None


# --- a user's own documents ---------------------------------------------------------------------


class Owned(Record):
    """A document of one user: readable and writable by that user only."""

    BOOKKEEPING: ClassVar[tuple[str, ...]] = ("id", "user_id", "created_at", "updated_at")
    user_id: str
    updated_at: Number | None = None


class StoryRecord(Owned):
    pass


class JobRecord(Owned):
    pass


class AttemptRecord(Owned):
    session_id: str = ""


class ProfileRecord(Owned):
    """One per user (its id is ``profile:<user_id>``)."""

    def profile(self) -> Profile:
        return self.project(Profile)


class BotRecord(Owned):
    """The last snapshot a meeting bot saved (``MeetingBot.snapshot()``)."""

    HIDDEN = ("user_id", "updated_at")


# --- question banks -----------------------------------------------------------------------------


class Bank(Owned):
    HIDDEN = ("user_id",)
    name: str = ""

    @property
    def builtin(self) -> bool:
        return self.user_id == BUILTIN_OWNER

    def public(self) -> dict[str, Any]:
        return {**super().public(), "builtin": self.builtin}


class BankQuestion(Owned):
    HIDDEN = ("user_id", "search_text")
    BOOKKEEPING = ("id", "user_id", "bank_id", "created_at", "updated_at", "search_text")
    bank_id: str
    text: str = ""
    search_text: str = ""
