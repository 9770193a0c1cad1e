"""What every repository shares: typed reads over the backend, and ``OwnedDocuments``, the
per-user CRUD of a collection (stories, jobs, attempts, banks, bots all have it)."""

from __future__ import annotations

import time
from typing import Any, Generic, TypeVar

from cuecard.store.backend import Backend, Collection, Contains, Doc, Order, Where, new_id
from cuecard.store.models import Owned, Record

R = TypeVar("R", bound=Record)
T = TypeVar("T", bound=Owned)

OLDEST_FIRST: Order = (("created_at", 1),)


class Repository:
    """A repository: the collections it owns (``COLLECTIONS``) on one backend."""

    COLLECTIONS: tuple[Collection, ...] = ()

    def __init__(self, backend: Backend):
        self._db = backend

    async def _get(self, coll: Collection, model: type[R], key: str) -> R | None:
        doc = await self._db.get(coll, key)
        return None if doc is None else model.model_validate(doc)

    async def _require(self, coll: Collection, model: type[R], key: str) -> R:
        record = await self._get(coll, model, key)
        if record is None:
            raise coll.missing(key)
        return record

    async def _find(
        self,
        coll: Collection,
        model: type[R],
        where: Where,
        order: Order = OLDEST_FIRST,
        limit: int = 100,
        offset: int = 0,
        contains: Contains | None = None,
    ) -> list[R]:
        docs = await self._db.find(coll, where, order, limit, offset, contains)
        return [model.model_validate(d) for d in docs]

    async def _update(self, coll: Collection, model: type[R], key: str, fields: Doc) -> R:
        doc = await self._db.update(coll, key, fields)
        if doc is None:
            raise coll.missing(key)
        return model.model_validate(doc)


class OwnedDocuments(Repository, Generic[T]):
    """Documents of ``coll`` that each belong to one user: another user's document is
    ``NotFound``, the same as a missing one, so ids cannot be probed."""

    def __init__(self, backend: Backend, coll: Collection, model: type[T], order: Order = OLDEST_FIRST):
        super().__init__(backend)
        self.coll = coll
        self._model = model
        self._order = order

    async def create(self, user_id: str, fields: dict[str, Any]) -> T:
        now = time.time()
        record = self._model.model_validate(
            {**fields, "id": new_id(), "user_id": user_id, "created_at": now, "updated_at": now}
        )
        await self._db.put(self.coll, record.doc())
        return record

    async def get(self, user_id: str, record_id: str) -> T:
        record = await self._get(self.coll, self._model, record_id)
        if record is None or record.user_id != user_id:
            raise self.coll.missing(record_id)
        return record

    async def update(self, user_id: str, record_id: str, fields: dict[str, Any]) -> T:
        """Sets the given fields (never the bookkeeping ones) and ``updated_at``."""
        await self.get(user_id, record_id)
        changes = {k: v for k, v in fields.items() if k not in self._model.BOOKKEEPING}
        return await self._update(self.coll, self._model, record_id, {**changes, "updated_at": time.time()})

    async def delete(self, user_id: str, record_id: str) -> None:
        await self.get(user_id, record_id)
        await self._db.delete(self.coll, {"id": record_id})

    async def list(self, user_id: str, limit: int = 100, offset: int = 0) -> list[T]:
        return await self._find(self.coll, self._model, {"user_id": user_id}, self._order, limit, offset)

    async def count(self, user_id: str) -> int:
        return await self._db.count(self.coll, {"user_id": user_id})

    async def delete_all(self, user_id: str) -> int:
        return await self._db.delete(self.coll, {"user_id": user_id})
