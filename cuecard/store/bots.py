"""Meeting bots: the last snapshot each bot saved, kept after the bot (and the server) ends, so
a user's bots can be listed and read from any process sharing the store."""

from __future__ import annotations

import time
from typing import Any

from cuecard.store.backend import Collection
from cuecard.store.models import BotRecord
from cuecard.store.repository import OwnedDocuments, Repository

BOTS = Collection("bots", ("user_id",), (("user_id", "created_at"),))


class Bots(Repository):
    COLLECTIONS = (BOTS,)

    def __init__(self, backend):
        super().__init__(backend)
        self._own = OwnedDocuments(backend, BOTS, BotRecord)

    async def save(self, user_id: str, snapshot: dict[str, Any]) -> BotRecord:
        """Replaces the bot's saved snapshot (``snapshot['id']`` is the bot's id)."""
        now = time.time()
        record = BotRecord.model_validate({"created_at": now, **snapshot, "user_id": user_id, "updated_at": now})
        await self._db.put(BOTS, record.doc())
        return record

    async def get(self, user_id: str, bot_id: str) -> BotRecord:
        """``NotFound`` when absent or another user's."""
        return await self._own.get(user_id, bot_id)

    async def list(self, user_id: str, limit: int = 100, offset: int = 0) -> list[BotRecord]:
        """Oldest first."""
        return await self._own.list(user_id, limit, offset)

    async def count(self, user_id: str) -> int:
        return await self._own.count(user_id)

    async def delete_all(self, user_id: str) -> None:
        await self._own.delete_all(user_id)

    async def forget_session(self, user_id: str, session_id: str) -> int:
        """The saved snapshots of the user's bots that wrote into the session (a deleted or
        expired session takes its meeting URL and participant names along)."""
        gone = 0
        offset = 0
        while batch := await self._own.list(user_id, 500, offset):
            offset += len(batch)
            for record in batch:
                if record.model_extra and record.model_extra.get("session_id") == session_id:
                    await self._db.delete(BOTS, {"id": record.id})
                    gone += 1
                    offset -= 1
        return gone
