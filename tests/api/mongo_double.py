"""Test double: mongomock behind the slice of PyMongo's async API that ``MongoStore`` uses.

No MongoDB server can be installed on these machines, so the Mongo backend's contract tests
run on mongomock (an in-memory implementation of the MongoDB query language) wrapped in
coroutines that mirror ``AsyncMongoClient``: awaitable collection methods, and ``find`` that
returns a cursor with ``sort``/``skip``/``limit`` and ``await to_list()``. It lives in tests/
only. With ``CUECARD_TEST_MONGODB_URL`` set, the same suite runs against a real server instead.
"""

from __future__ import annotations

import mongomock


class AsyncCursorDouble:
    def __init__(self, cursor):
        self._cursor = cursor

    def sort(self, keys):
        self._cursor = self._cursor.sort(keys)
        return self

    def skip(self, n):
        self._cursor = self._cursor.skip(n)
        return self

    def limit(self, n):
        self._cursor = self._cursor.limit(n)
        return self

    async def to_list(self, length=None):
        items = list(self._cursor)
        return items if length is None else items[:length]


class AsyncCollectionDouble:
    def __init__(self, collection):
        self._c = collection

    def find(self, *args, **kw):
        return AsyncCursorDouble(self._c.find(*args, **kw))

    def __getattr__(self, name):
        method = getattr(self._c, name)

        async def call(*args, **kw):
            return method(*args, **kw)

        return call


class AsyncDatabaseDouble:
    def __init__(self, db):
        self._db = db

    def __getitem__(self, name):
        return AsyncCollectionDouble(self._db[name])


class AsyncMongoClientDouble:
    def __init__(self):
        self._client = mongomock.MongoClient()

    def __getitem__(self, name):
        return AsyncDatabaseDouble(self._client[name])

    async def close(self):
        self._client.close()
