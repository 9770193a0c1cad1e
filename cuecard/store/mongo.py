"""MongoDB backend through PyMongo's async API (``pymongo.AsyncMongoClient``).

The architecture sketch named motor; MongoDB deprecated motor in May 2026 in favour of
PyMongo's native async API, so we use that (one dependency fewer, same driver semantics).

Documents keep our string ``id`` as Mongo's ``_id`` (no ObjectId leaks out of this module).
Indexes come from each ``Collection``; ``create_index`` is idempotent, so ``open()`` runs at
every start-up. Substring search escapes the user's text before it becomes a regex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cuecard.store.backend import Backend, Collection, Conflict, Contains, Doc, Order, Where
from cuecard.store.crypto import MasterKeys
from cuecard.store.facade import Store


def _to_mongo(doc: Doc) -> Doc:
    return {**doc, "_id": doc["id"]}


def _from_mongo(doc: Doc | None) -> Doc | None:
    if doc is None:
        return None
    doc = dict(doc)
    doc.pop("_id", None)
    return doc


def _filter(where: Where, contains: Contains | None = None) -> Doc:
    query = {("_id" if k == "id" else k): v for k, v in where.items()}
    if contains:
        query[contains[0]] = {"$regex": re.escape(contains[1])}
    return query


class MongoBackend(Backend):
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

    async def open(self, collections: Iterable[Collection]) -> None:
        for coll in collections:
            for fields in coll.indexes:
                await self._db[coll.name].create_index(
                    [(f, 1) for f in fields], name=f"ix_{'_'.join(fields)}", unique=fields == coll.unique
                )

    async def close(self) -> None:
        await self._client.close()

    async def drop(self) -> None:
        """Drop the whole database (tests on a real server)."""
        await self._client.drop_database(self._db.name)

    # primitives ------------------------------------------------------------------------------
    async def insert(self, coll: Collection, doc: Doc) -> None:
        from pymongo.errors import DuplicateKeyError

        try:
            await self._db[coll.name].insert_one(_to_mongo(doc))
        except DuplicateKeyError as e:
            raise Conflict(str(e)) from None

    async def put(self, coll: Collection, doc: Doc) -> None:
        await self._db[coll.name].replace_one({"_id": doc["id"]}, _to_mongo(doc), upsert=True)

    async def get(self, coll: Collection, key: str) -> Doc | None:
        return _from_mongo(await self._db[coll.name].find_one({"_id": key}))

    async def update(self, coll: Collection, key: str, fields: Doc) -> Doc | None:
        from pymongo import ReturnDocument

        if not fields:
            return await self.get(coll, key)
        doc = await self._db[coll.name].find_one_and_update(
            {"_id": key}, {"$set": fields}, return_document=ReturnDocument.AFTER
        )
        return _from_mongo(doc)

    async def find(self, coll, where, order: Order = (), limit=100, offset=0, contains=None):
        cursor = self._db[coll.name].find(_filter(where, contains))
        if order:
            cursor = cursor.sort(list(order))
        cursor = cursor.skip(offset).limit(limit)
        return [_from_mongo(d) for d in await cursor.to_list(None)]

    async def count(self, coll, where, contains=None) -> int:
        return await self._db[coll.name].count_documents(_filter(where, contains))

    async def delete(self, coll: Collection, where: Where) -> int:
        result = await self._db[coll.name].delete_many(_filter(where))
        return result.deleted_count


class MongoStore(Store):
    """The store on a MongoDB database (the URL's, else ``cuecard``). ``master_keys`` come from
    the settings (``pipeline.services.make_store``); without them a random in-memory key is
    used, which only a throwaway database (the tests' double) can live with."""

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        database: str | None = None,
        master_keys: MasterKeys | None = None,
    ):
        super().__init__(MongoBackend(url, client=client, database=database), master_keys or MasterKeys.ephemeral())
