"""Sessions and what they produce: transcript segments, questions, answer suggestions and the
feedback on them.

Events are upserted under ``<session_id>:<key>`` (a segment's ``segment_id``, a question's
``question_id``, a suggestion's ``question_id:option``), so a line that is refined or a
suggestion that is redrafted replaces its earlier version in place.
"""

from __future__ import annotations

import builtins
import time
from typing import Any, TypeVar

from cuecard.store.backend import Collection, Conflict, new_id
from cuecard.store.models import Feedback, Question, Segment, Session, SessionEvent, Suggestion
from cuecard.store.repository import OLDEST_FIRST, Repository

E = TypeVar("E", bound=SessionEvent)

SESSIONS = Collection("sessions", ("user_id",), (("user_id", "created_at"),))
SEGMENTS = Collection("segments", ("session_id", "start"), (("session_id", "start", "created_at"),))
QUESTIONS = Collection("questions", ("session_id", "start"), (("session_id", "start", "created_at"),))
SUGGESTIONS = Collection(
    "suggestions", ("session_id", "question_id"), (("session_id", "created_at"), ("session_id", "question_id"))
)
EVENTS = (SEGMENTS, QUESTIONS, SUGGESTIONS)
IN_TIME_ORDER = (("start", 1), ("created_at", 1))


class Sessions(Repository):
    COLLECTIONS = (SESSIONS, *EVENTS)

    # sessions ----------------------------------------------------------------------------------
    async def create(self, **fields: Any) -> Session:
        """A new session (``active`` unless ``state`` says otherwise); ``id`` may be given."""
        session = Session.model_validate({"id": new_id(), "state": "active", "created_at": time.time(), **fields})
        await self._db.put(SESSIONS, session.doc())
        return session

    async def get(self, session_id: str) -> Session:
        return await self._require(SESSIONS, Session, session_id)

    async def find(self, session_id: str) -> Session | None:
        return await self._get(SESSIONS, Session, session_id)

    async def update(self, session_id: str, **fields: Any) -> Session:
        return await self._update(SESSIONS, Session, session_id, {**fields, "updated_at": time.time()})

    async def list(self, user_id: str, limit: int = 50, offset: int = 0) -> list[Session]:
        """Newest first."""
        return await self._find(SESSIONS, Session, {"user_id": user_id}, (("created_at", -1),), limit, offset)

    async def list_in_states(self, states: builtins.list[str], page: int = 500) -> builtins.list[Session]:
        """Every user's sessions whose ``state`` is one of ``states`` (a start-up scan: the state
        is inside the document, not an indexed column, so all sessions are read page by page)."""
        found: builtins.list[Session] = []
        offset = 0
        while True:
            batch = await self._find(SESSIONS, Session, {}, (("created_at", 1),), page, offset)
            found += [s for s in batch if s.state in states]
            if len(batch) < page:
                return found
            offset += page

    async def count(self, user_id: str) -> int:
        return await self._db.count(SESSIONS, {"user_id": user_id})

    async def list_oldest(self, limit: int = 500, offset: int = 0) -> builtins.list[Session]:
        """Every owner's sessions, oldest first (the retention purge reads them page by page)."""
        return await self._find(SESSIONS, Session, {}, (("created_at", 1),), limit, offset)

    async def delete(self, session_id: str) -> None:
        """The session with its events (``Store.delete_session`` also drops linked attempts)."""
        await self.get(session_id)
        for coll in EVENTS:
            await self._db.delete(coll, {"session_id": session_id})
        await self._db.delete(SESSIONS, {"id": session_id})

    # events --------------------------------------------------------------------------------------
    async def _upsert(self, coll: Collection, model: type[E], session_id: str, event: dict, key: str) -> E:
        record = model.model_validate(
            {"created_at": time.time(), **event, "session_id": session_id, "id": f"{session_id}:{key}"}
        )
        await self._db.put(coll, record.doc())
        return record

    async def _events(
        self, coll: Collection, model: type[E], session_id: str, limit: int, offset: int
    ) -> builtins.list[E]:
        order = OLDEST_FIRST if coll is SUGGESTIONS else IN_TIME_ORDER
        return await self._find(coll, model, {"session_id": session_id}, order, limit, offset)

    async def upsert_segment(self, session_id: str, event: dict) -> Segment:
        return await self._upsert(SEGMENTS, Segment, session_id, event, event["segment_id"])

    async def list_segments(self, session_id: str, limit: int = 1000, offset: int = 0) -> builtins.list[Segment]:
        """In time order."""
        return await self._events(SEGMENTS, Segment, session_id, limit, offset)

    async def count_segments(self, session_id: str) -> int:
        return await self._db.count(SEGMENTS, {"session_id": session_id})

    async def upsert_question(self, session_id: str, event: dict) -> Question:
        return await self._upsert(QUESTIONS, Question, session_id, event, event["question_id"])

    async def list_questions(self, session_id: str, limit: int = 1000, offset: int = 0) -> builtins.list[Question]:
        """In time order."""
        return await self._events(QUESTIONS, Question, session_id, limit, offset)

    async def count_questions(self, session_id: str) -> int:
        return await self._db.count(QUESTIONS, {"session_id": session_id})

    @staticmethod
    def _suggestion_key(question_id: str, option: Any) -> str:
        return f"{question_id}:{option}"

    async def upsert_suggestion(self, session_id: str, event: dict) -> Suggestion:
        """Replaces the option's earlier draft; feedback given before (even before the draft was
        saved) stays, and so does the first draft's ``created_at`` (the list's order)."""
        key = self._suggestion_key(event["question_id"], event["option"])
        existing = await self._get(SUGGESTIONS, Suggestion, f"{session_id}:{key}")
        fields = {**event, "suggestion_key": key}
        if existing is not None:
            fields.setdefault("feedback", existing.feedback)
            fields["created_at"] = existing.created_at
        return await self._upsert(SUGGESTIONS, Suggestion, session_id, fields, key)

    async def list_suggestions(self, session_id: str, limit: int = 1000, offset: int = 0) -> builtins.list[Suggestion]:
        """In the order they were first drafted."""
        return await self._events(SUGGESTIONS, Suggestion, session_id, limit, offset)

    async def count_suggestions(self, session_id: str) -> int:
        return await self._db.count(SUGGESTIONS, {"session_id": session_id})

    async def set_feedback(self, session_id: str, question_id: str, option: Any, helpful: bool) -> Suggestion:
        """Marks the suggestion helpful or not; a placeholder holds the feedback when the
        suggestion itself is not saved yet (the draft replaces it and keeps the feedback)."""
        key = self._suggestion_key(question_id, option)
        record_id = f"{session_id}:{key}"
        feedback = Feedback(helpful=bool(helpful), at=time.time())
        for _ in range(2):  # a draft saved between the two calls: update that one
            doc = await self._db.update(SUGGESTIONS, record_id, {"feedback": feedback.model_dump()})
            if doc is not None:
                return Suggestion.model_validate(doc)
            placeholder = Suggestion(
                id=record_id,
                created_at=time.time(),
                session_id=session_id,
                question_id=question_id,
                option=option,
                suggestion_key=key,
                text="",
                feedback=feedback,
            )
            try:
                await self._db.insert(SUGGESTIONS, placeholder.doc())
                return placeholder
            except Conflict:
                continue
        raise RuntimeError(f"suggestion {record_id}: feedback not saved")

    async def last_seq(self, session_id: str) -> int:
        """The highest event number stored for the session (0 when none)."""
        last = 0
        for coll, model in ((SEGMENTS, Segment), (QUESTIONS, Question), (SUGGESTIONS, Suggestion)):
            for event in await self._events(coll, model, session_id, 100_000, 0):
                last = max(last, event.seq or 0)
        return last
