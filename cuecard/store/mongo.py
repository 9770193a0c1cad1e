"""MongoDB store through PyMongo's async API (``pymongo.AsyncMongoClient``).

The architecture sketch named motor; MongoDB deprecated motor in May 2026 in favour of
PyMongo's native async API, so we use that (one dependency fewer, same driver semantics).

Documents keep our string ``id`` as Mongo's ``_id`` (no ObjectId leaks into the API). Indexes
come from ``base.INDEXES``; ``create_index`` is idempotent, so ``open()`` runs at every
start-up. Substring search escapes the user's text before it becomes a regex.
"""

from __future__ import annotations

import re
import time
from typing import Any

from cuecard.store.base import COLLECTIONS, INDEXES, UNIQUE, Conflict, NotFound, Order, Record, Store


def _to_doc(record: Record) -> Record:
    return {**record, "_id": record["id"]}


def _from_doc(doc: Record | None) -> Record | None:
    if doc is None:
        return None
    doc = dict(doc)
    doc.pop("_id", None)
    return doc


class MongoStore(Store):
    def __init__(self, url: str | None = None, *, client: Any = None, database: str | None = None):
        """``client`` lets the contract tests pass a test double that speaks the same async API."""
        if client is None:
            from pymongo import AsyncMongoClient

            client = AsyncMongoClient(url, tz_aware=True)
        self._client = client
        name = database
        if name is None and url:
            from pymongo.uri_parser import parse_uri

            name = parse_uri(url).get("database")
        self._db = client[name or "cuecard"]

    def _coll(self, name: str):
        return self._db[name]

    async def open(self) -> None:
        for coll in COLLECTIONS:
            for fields in INDEXES.get(coll, []):
                await self._coll(coll).create_index(
                    [(f, 1) for f in fields],
                    name=f"ix_{'_'.join(fields)}",
                    unique=fields == UNIQUE.get(coll),
                )

    async def close(self) -> None:
        await self._client.close()

    # primitives ------------------------------------------------------------------------------
    async def _put(self, coll: str, record: Record) -> None:
        record.setdefault("created_at", time.time())
        await self._coll(coll).replace_one({"_id": record["id"]}, _to_doc(record), upsert=True)

    async def _insert_unique(self, coll: str, record: Record) -> None:
        from pymongo.errors import DuplicateKeyError

        record.setdefault("created_at", time.time())
        try:
            await self._coll(coll).insert_one(_to_doc(record))
        except DuplicateKeyError as e:
            raise Conflict(str(e)) from None

    async def _get(self, coll: str, record_id: str) -> Record:
        doc = await self._coll(coll).find_one({"_id": record_id})
        if doc is None:
            raise NotFound(f"{coll.rstrip('s')} {record_id} not found")
        return _from_doc(doc)

    @staticmethod
    def _filter(where: Record, contains: tuple[str, str] | None) -> Record:
        query = {("_id" if k == "id" else k): v for k, v in where.items()}
        if contains:
            query[contains[0]] = {"$regex": re.escape(contains[1])}
        return query

    async def _find(self, coll, where, order: Order, limit, offset, contains=None):
        cursor = self._coll(coll).find(self._filter(where, contains))
        if order:
            cursor = cursor.sort(list(order))
        cursor = cursor.skip(offset).limit(limit)
        return [_from_doc(d) for d in await cursor.to_list(None)]

    async def _count(self, coll, where, contains=None) -> int:
        return await self._coll(coll).count_documents(self._filter(where, contains))

    async def _delete_where(self, coll: str, where: Record) -> int:
        result = await self._coll(coll).delete_many(self._filter(where, None))
        return result.deleted_count
