"""Practice sessions: one mock-interview round per document, with its questions and, per
question, every attempt (transcript, words, scorecard; an audio file name only when the
candidate opted in).

Decision (one document per practice session, attempts inside it): a round holds a handful of
questions (at most 30 with follow-ups) and a few attempts each, so the whole round stays a small
document that is read and written as one, which both backends do atomically per document. The
progress view reads the newest sessions whole; there is no query over single attempts that an
attempts collection would serve better. The older ``attempts`` collection (``/api/attempts``,
typed self-practice notes tied to a *live* session) is kept as it was: it is another thing
(a note about a live answer) and its API is in use; practice mode does not write to it.

Audio (opt-in) is kept as files under ``<data_dir>/practice_audio/<user>/<practice id>/``;
the document names the file, and deleting the session (or the user) removes the folder.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar

from pydantic import Field

from cuecard.store.backend import Collection
from cuecard.store.models import Owned
from cuecard.store.repository import OwnedDocuments, Repository

PRACTICE_SESSIONS = Collection("practice_sessions", ("user_id",), (("user_id", "created_at"),))
NEWEST_FIRST = (("created_at", -1),)


class PracticeSessionRecord(Owned):
    """A practice round. ``questions`` items: ``{index, text, qtype, source, topic, difficulty,
    follow_up_of, status (pending | answered | skipped), attempts: [...]}``."""

    HIDDEN: ClassVar[tuple[str, ...]] = ("user_id",)
    title: str = ""
    job_id: str | None = None
    bank_id: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    questions: list[dict[str, Any]] = Field(default_factory=list)
    live_session_id: str | None = None


class PracticeSessions(Repository):
    COLLECTIONS = (PRACTICE_SESSIONS,)

    def __init__(self, backend):
        super().__init__(backend)
        self._own = OwnedDocuments(backend, PRACTICE_SESSIONS, PracticeSessionRecord, NEWEST_FIRST)

    async def create(self, user_id: str, fields: dict[str, Any]) -> PracticeSessionRecord:
        return await self._own.create(user_id, fields)

    async def get(self, user_id: str, practice_id: str) -> PracticeSessionRecord:
        """The user's practice session; ``NotFound`` for a missing one or anyone else's."""
        return await self._own.get(user_id, practice_id)

    async def update(self, user_id: str, practice_id: str, fields: dict[str, Any]) -> PracticeSessionRecord:
        return await self._own.update(user_id, practice_id, fields)

    async def delete(self, user_id: str, practice_id: str) -> None:
        await self._own.delete(user_id, practice_id)

    async def list(self, user_id: str, limit: int = 50, offset: int = 0) -> list[PracticeSessionRecord]:
        """Newest first."""
        return await self._own.list(user_id, limit, offset)

    async def count(self, user_id: str) -> int:
        return await self._own.count(user_id)

    async def recent_questions(self, user_id: str, sessions: int) -> builtins.list[str]:
        """The question texts of the user's ``sessions`` newest practice sessions."""
        return [q.get("text", "") for s in await self.list(user_id, sessions) for q in s.questions if q.get("text")]

    async def delete_all(self, user_id: str) -> int:
        return await self._own.delete_all(user_id)
