"""The storage interface: one small async API per aggregate, two backends (SQLite, MongoDB).

Records are plain dicts with an ``id`` (str). Each backend stores them as documents, so the
same contract tests run on both. Times are unix seconds (float).
"""

from __future__ import annotations

import abc
from typing import Any

Record = dict[str, Any]


class NotFound(KeyError):
    pass


class Store(abc.ABC):
    """Sessions and what a session produces. Later issues add users, profiles, banks…"""

    async def open(self) -> None:
        """Create tables/collections and indexes (idempotent)."""

    async def close(self) -> None:
        pass

    # sessions ------------------------------------------------------------------------------
    @abc.abstractmethod
    async def create_session(self, session: Record) -> Record: ...

    @abc.abstractmethod
    async def get_session(self, session_id: str) -> Record: ...

    @abc.abstractmethod
    async def update_session(self, session_id: str, fields: Record) -> Record: ...

    @abc.abstractmethod
    async def list_sessions(self, user_id: str | None = None, limit: int = 50, offset: int = 0) -> list[Record]: ...

    @abc.abstractmethod
    async def delete_session(self, session_id: str) -> None: ...

    # transcript segments (one per transcript line; upserted as the line grows/refines) ------
    @abc.abstractmethod
    async def upsert_segment(self, session_id: str, segment: Record) -> None: ...

    @abc.abstractmethod
    async def list_segments(self, session_id: str, limit: int = 1000, offset: int = 0) -> list[Record]: ...

    # questions and suggestions -------------------------------------------------------------
    @abc.abstractmethod
    async def upsert_question(self, session_id: str, question: Record) -> None: ...

    @abc.abstractmethod
    async def list_questions(self, session_id: str, limit: int = 1000, offset: int = 0) -> list[Record]: ...

    @abc.abstractmethod
    async def upsert_suggestion(self, session_id: str, suggestion: Record) -> None: ...

    @abc.abstractmethod
    async def list_suggestions(self, session_id: str, limit: int = 1000, offset: int = 0) -> list[Record]: ...
