"""The embedded store: one SQLite file, documents as JSON, accessed from a worker thread.

SQLite calls block, so every call runs in one dedicated thread (``asyncio.to_thread`` with a
lock would let two threads share a connection). WAL mode lets readers proceed while the
pipeline writes transcript lines.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from cuecard.store.base import NotFound, Record, Store

_TABLES = {
    # table: extra indexed columns besides id / data / created_at
    "sessions": ("user_id",),
    "segments": ("session_id", "start"),
    "questions": ("session_id", "start"),
    "suggestions": ("session_id", "question_id"),
}


class SQLiteStore(Store):
    def __init__(self, path: Path | str):
        self._path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._conn: sqlite3.Connection | None = None

    async def _run(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._connection()))

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            if self._path != ":memory:":
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self._path, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        return self._conn

    async def open(self) -> None:
        def create(conn: sqlite3.Connection):
            for table, columns in _TABLES.items():
                extra = "".join(f", {c}" for c in columns)
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, created_at REAL"
                    f"{extra}, data TEXT NOT NULL)"
                )
                for c in columns:
                    conn.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_{c} ON {table}({c})")
            conn.commit()

        await self._run(create)

    async def close(self) -> None:
        def close(conn):
            conn.close()

        if self._conn is not None:
            await self._run(close)
            self._conn = None
        self._executor.shutdown(wait=False)

    # generic document helpers --------------------------------------------------------------
    async def _put(self, table: str, record: Record) -> None:
        columns = _TABLES[table]
        record.setdefault("created_at", time.time())
        values = [record["id"], record["created_at"], *[record.get(c) for c in columns], json.dumps(record)]
        names = ", ".join(("id", "created_at", *columns, "data"))
        marks = ", ".join("?" * len(values))

        def put(conn):
            conn.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", values)
            conn.commit()

        await self._run(put)

    async def _get(self, table: str, record_id: str) -> Record:
        def get(conn):
            return conn.execute(f"SELECT data FROM {table} WHERE id=?", (record_id,)).fetchone()

        row = await self._run(get)
        if row is None:
            raise NotFound(f"{table[:-1]} {record_id} not found")
        return json.loads(row[0])

    async def _list(self, table: str, where: str, args: tuple, order: str, limit: int, offset: int):
        def select(conn):
            sql = f"SELECT data FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
            return conn.execute(sql, (*args, limit, offset)).fetchall()

        return [json.loads(r[0]) for r in await self._run(select)]

    async def _delete(self, table: str, where: str, args: tuple) -> int:
        def delete(conn):
            n = conn.execute(f"DELETE FROM {table} WHERE {where}", args).rowcount
            conn.commit()
            return n

        return await self._run(delete)

    # sessions ------------------------------------------------------------------------------
    async def create_session(self, session: Record) -> Record:
        record = {"id": uuid.uuid4().hex, "state": "active", "created_at": time.time(), **session}
        await self._put("sessions", record)
        return record

    async def get_session(self, session_id: str) -> Record:
        return await self._get("sessions", session_id)

    async def update_session(self, session_id: str, fields: Record) -> Record:
        record = await self.get_session(session_id)
        record.update(fields)
        record["updated_at"] = time.time()
        await self._put("sessions", record)
        return record

    async def list_sessions(self, user_id=None, limit=50, offset=0):
        if user_id is None:
            return await self._list("sessions", "1=1", (), "created_at DESC", limit, offset)
        return await self._list("sessions", "user_id=?", (user_id,), "created_at DESC", limit, offset)

    async def delete_session(self, session_id: str) -> None:
        await self.get_session(session_id)
        for table in ("segments", "questions", "suggestions"):
            await self._delete(table, "session_id=?", (session_id,))
        await self._delete("sessions", "id=?", (session_id,))

    # session children ----------------------------------------------------------------------
    async def _upsert_child(self, table: str, session_id: str, record: Record, key: str):
        doc = {**record, "session_id": session_id}
        doc["id"] = f"{session_id}:{record[key]}"
        await self._put(table, doc)

    async def upsert_segment(self, session_id: str, segment: Record) -> None:
        await self._upsert_child("segments", session_id, segment, "segment_id")

    async def list_segments(self, session_id, limit=1000, offset=0):
        return await self._list("segments", "session_id=?", (session_id,), "start, created_at", limit, offset)

    async def upsert_question(self, session_id: str, question: Record) -> None:
        await self._upsert_child("questions", session_id, question, "question_id")

    async def list_questions(self, session_id, limit=1000, offset=0):
        return await self._list("questions", "session_id=?", (session_id,), "start, created_at", limit, offset)

    async def upsert_suggestion(self, session_id: str, suggestion: Record) -> None:
        key = f"{suggestion['question_id']}:{suggestion['option']}"
        await self._upsert_child("suggestions", session_id, {**suggestion, "suggestion_key": key}, "suggestion_key")

    async def list_suggestions(self, session_id, limit=1000, offset=0):
        return await self._list("suggestions", "session_id=?", (session_id,), "created_at", limit, offset)
