"""The candidate's material: the profile (one per user, also what a resume upload fills), STAR
stories, jobs and practice attempts."""

from __future__ import annotations

import time
from typing import Any

from cuecard.store.backend import Collection
from cuecard.store.models import AttemptRecord, JobRecord, ProfileRecord, StoryRecord
from cuecard.store.repository import OwnedDocuments, Repository

PROFILES = Collection("profiles", ("user_id",), (("user_id",),))
STORIES = Collection("stories", ("user_id",), (("user_id", "created_at"),))
JOBS = Collection("jobs", ("user_id",), (("user_id", "created_at"),))
ATTEMPTS = Collection("attempts", ("user_id", "session_id"), (("user_id", "created_at"), ("session_id",)))


class Material(Repository):
    COLLECTIONS = (PROFILES, STORIES, JOBS, ATTEMPTS)

    def __init__(self, backend):
        super().__init__(backend)
        self.stories = OwnedDocuments(backend, STORIES, StoryRecord)
        self.jobs = OwnedDocuments(backend, JOBS, JobRecord)
        self.attempts = OwnedDocuments(backend, ATTEMPTS, AttemptRecord)

    @staticmethod
    def _profile_id(user_id: str) -> str:
        return f"profile:{user_id}"

    async def get_profile(self, user_id: str) -> ProfileRecord | None:
        return await self._get(PROFILES, ProfileRecord, self._profile_id(user_id))

    async def put_profile(self, user_id: str, fields: dict[str, Any]) -> ProfileRecord:
        """Replaces the profile (keeping when it was first created)."""
        existing = await self.get_profile(user_id)
        now = time.time()
        record = ProfileRecord.model_validate(
            {
                **fields,
                "id": self._profile_id(user_id),
                "user_id": user_id,
                "created_at": existing.created_at if existing else now,
                "updated_at": now,
            }
        )
        await self._db.put(PROFILES, record.doc())
        return record

    async def delete_profile(self, user_id: str) -> bool:
        return await self._db.delete(PROFILES, {"id": self._profile_id(user_id)}) > 0

    async def forget_session(self, session_id: str) -> None:
        """A deleted session takes the practice attempts made in it along."""
        await self._db.delete(ATTEMPTS, {"session_id": session_id})

    async def delete_all(self, user_id: str) -> None:
        await self._db.delete(PROFILES, {"user_id": user_id})
        for documents in (self.stories, self.jobs, self.attempts):
            await documents.delete_all(user_id)
