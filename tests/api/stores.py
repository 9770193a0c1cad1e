"""The store backends the contract suite runs on: SQLite, MongoDB on the mongomock test double,
and a real MongoDB when ``CUECARD_TEST_MONGODB_URL`` is set."""

from __future__ import annotations

import os
import uuid

import pytest

BACKENDS = ["sqlite", "mongomock"] + (["mongodb"] if os.environ.get("CUECARD_TEST_MONGODB_URL") else [])


async def make_store(kind: str, tmp_path):
    if kind == "sqlite":
        from cuecard.store.sqlite import SQLiteStore

        return SQLiteStore(tmp_path / "store.sqlite3")
    from cuecard.store.mongo import MongoStore

    if kind == "mongomock":
        from .mongo_double import AsyncMongoClientDouble

        return MongoStore(client=AsyncMongoClientDouble(), database="cuecard_test")
    # a fresh database per test on the real server
    return MongoStore(os.environ["CUECARD_TEST_MONGODB_URL"], database=f"cuecard_test_{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=BACKENDS)
async def store(request, tmp_path):
    s = await make_store(request.param, tmp_path)
    await s.open()
    yield s
    if request.param == "mongodb":
        await s.backend.drop()
    await s.close()
