"""Interviews found in the user's calendars, and the private calendar URLs they subscribed to.

Both are encrypted like every document (the summary, description, meeting link and the ICS
URL — a secret in itself — are the user's). The plain columns are only what queries need:
``user_id``, ``start``, and for the scheduler ``armed`` (1 while an opted-in action is pending)
and ``next_due`` (unix seconds of the next one), so it finds due work across users without
decrypting every interview.

An interview's id is derived from the user, the event's UID and its start: importing the same
calendar again (or the subscription's next fetch) updates the interview in place and keeps the
user's opt-ins and what the scheduler already did.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from cuecard.store.backend import Collection
from cuecard.store.models import Owned
from cuecard.store.repository import OwnedDocuments, Repository

INTERVIEWS = Collection(
    "interviews",
    ("user_id", "start", "armed", "next_due"),
    (("user_id", "start"), ("armed", "next_due")),
)
CALENDAR_SUBSCRIPTIONS = Collection("calendar_subscriptions", ("user_id",), (("user_id", "created_at"),))

# fields a calendar import writes; everything else (opt-ins, what was done) belongs to the user
# or the scheduler and survives a re-import
EVENT_FIELDS = (
    "uid",
    "start",
    "end",
    "tz",
    "summary",
    "company",
    "title",
    "meeting_url",
    "platform",
    "description",
    "location",
    "job_id",
    "source",
)


class InterviewRecord(Owned):
    HIDDEN = ("user_id", "armed", "next_due", "bot_consent")
    start: float = 0.0
    armed: int = 0
    next_due: float | None = None


class SubscriptionRecord(Owned):
    HIDDEN = ("user_id", "url")  # the URL is a bearer secret: never shown back
    url: str = ""


class Interviews(Repository):
    COLLECTIONS = (INTERVIEWS, CALENDAR_SUBSCRIPTIONS)

    def __init__(self, backend):
        super().__init__(backend)
        self._own = OwnedDocuments(backend, INTERVIEWS, InterviewRecord, order=(("start", 1),))
        self.subscriptions = OwnedDocuments(backend, CALENDAR_SUBSCRIPTIONS, SubscriptionRecord)

    @staticmethod
    def interview_id(user_id: str, key: str) -> str:
        return "iv_" + hashlib.sha256(f"{user_id}|{key}".encode()).hexdigest()[:24]

    async def upsert(self, user_id: str, key: str, event: dict[str, Any]) -> tuple[InterviewRecord, bool]:
        """(record, created): the event's fields written over a stored interview's, the rest kept."""
        record_id = self.interview_id(user_id, key)
        now = time.time()
        fields = {k: event[k] for k in EVENT_FIELDS if k in event}
        existing = await self._get(INTERVIEWS, InterviewRecord, record_id)
        if existing is not None and existing.user_id == user_id:
            return await self._update(INTERVIEWS, InterviewRecord, record_id, {**fields, "updated_at": now}), False
        record = InterviewRecord.model_validate(
            {
                "prepare_answers": False,
                "send_bot_minutes_before": None,
                **fields,
                "id": record_id,
                "user_id": user_id,
                "created_at": now,
                "updated_at": now,
                "armed": 0,
            }
        )
        await self._db.put(INTERVIEWS, record.doc())
        return record, True

    async def get(self, user_id: str, interview_id: str) -> InterviewRecord:
        """``NotFound`` when absent or another user's."""
        return await self._own.get(user_id, interview_id)

    async def update(self, user_id: str, interview_id: str, fields: dict[str, Any]) -> InterviewRecord:
        return await self._own.update(user_id, interview_id, fields)

    async def set_fields(self, interview_id: str, fields: dict[str, Any]) -> InterviewRecord:
        """The scheduler's write (no owner check: it found the record by its due time)."""
        return await self._update(INTERVIEWS, InterviewRecord, interview_id, {**fields, "updated_at": time.time()})

    async def upcoming(self, user_id: str, now: float, limit: int = 100) -> list[InterviewRecord]:
        """Interviews not over yet, soonest first."""
        found: list[InterviewRecord] = []
        offset = 0
        while len(found) < limit and (batch := await self._own.list(user_id, 500, offset)):
            offset += len(batch)
            found += [r for r in batch if (r.model_extra or {}).get("end", r.start) >= now]
        return found[:limit]

    async def due(self, now: float, limit: int = 100) -> list[InterviewRecord]:
        """Armed interviews whose next action is due, across users, earliest first."""
        armed = await self._find(INTERVIEWS, InterviewRecord, {"armed": 1}, (("next_due", 1),), limit)
        return [r for r in armed if r.next_due is not None and r.next_due <= now]

    async def count(self, user_id: str) -> int:
        return await self._own.count(user_id)

    async def all_subscriptions(self, limit: int = 1000) -> list[SubscriptionRecord]:
        return await self._find(CALENDAR_SUBSCRIPTIONS, SubscriptionRecord, {}, limit=limit)

    async def delete_all(self, user_id: str) -> None:
        await self._own.delete_all(user_id)
        await self.subscriptions.delete_all(user_id)
