"""The embedded store: one SQLite file, documents as JSON, accessed from a worker thread.

SQLite calls block, so every call runs in one dedicated thread (``asyncio.to_thread`` with a
lock would let two threads share a connection). WAL mode lets readers proceed while the
pipeline writes transcript lines.

Each collection is a table ``(id, created_at, <queried fields…>, data)``: the whole document
is JSON in ``data``; the fields queries filter or sort on are copied into real columns so the
indexes in ``base.INDEXES`` serve them. Missing columns are added at start-up, so a data file
from an older version opens without a migration step.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from cuecard.store.base import COLLECTIONS, INDEXES, UNIQUE, Conflict, NotFound, Order, Record, Store

# Several server processes may open one fresh data file at the same moment (two workers behind
# one proxy, the two-process test). Switching a new file to WAL needs an exclusive lock, and
# SQLite answers "database is locked" for it at once instead of waiting in the busy handler, so
# that one step is retried here.
_WAL_RETRY_SECS = 30.0


def _columns(coll: str) -> tuple[str, ...]:
    return COLLECTIONS[coll]


def _enable_wal(conn: sqlite3.Connection) -> None:
    deadline = time.monotonic() + _WAL_RETRY_SECS
    delay = 0.01
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


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
            conn = sqlite3.connect(self._path, check_same_thread=False, timeout=30)
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
        return self._conn

    async def open(self) -> None:
        def create(conn: sqlite3.Connection):
            # one write transaction from the start: two processes creating the schema together
            # then wait for each other in the busy handler instead of failing on an upgrade
            conn.execute("BEGIN IMMEDIATE")
            for table, columns in COLLECTIONS.items():
                extra = "".join(f", {c}" for c in columns)
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, created_at REAL"
                    f"{extra}, data TEXT NOT NULL)"
                )
                present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                for c in columns:
                    if c not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {c}")
                for fields in INDEXES.get(table, []):
                    unique = "UNIQUE " if fields == UNIQUE.get(table) else ""
                    name = f"ix_{table}_{'_'.join(fields)}"
                    conn.execute(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {table}({', '.join(fields)})")
            conn.commit()

        await self._run(create)

    async def close(self) -> None:
        def close(conn):
            conn.close()

        if self._conn is not None:
            await self._run(close)
            self._conn = None
        self._executor.shutdown(wait=False)

    # primitives ------------------------------------------------------------------------------
    def _row(self, table: str, record: Record) -> tuple[str, str, list]:
        columns = _columns(table)
        record.setdefault("created_at", time.time())
        values = [record["id"], record["created_at"], *[record.get(c) for c in columns], json.dumps(record)]
        names = ", ".join(("id", "created_at", *columns, "data"))
        marks = ", ".join("?" * len(values))
        return names, marks, values

    async def _put(self, table: str, record: Record) -> None:
        names, marks, values = self._row(table, record)

        def put(conn):
            conn.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", values)
            conn.commit()

        await self._run(put)

    async def _insert_unique(self, table: str, record: Record) -> None:
        names, marks, values = self._row(table, record)

        def insert(conn):
            try:
                conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
                conn.commit()
            except sqlite3.IntegrityError as e:
                conn.rollback()
                raise Conflict(str(e)) from None

        await self._run(insert)

    async def _get(self, table: str, record_id: str) -> Record:
        def get(conn):
            return conn.execute(f"SELECT data FROM {table} WHERE id=?", (record_id,)).fetchone()

        row = await self._run(get)
        if row is None:
            raise NotFound(f"{table.rstrip('s')} {record_id} not found")
        return json.loads(row[0])

    @staticmethod
    def _where(where: Record, contains: tuple[str, str] | None) -> tuple[str, list]:
        clauses = [f"{field}=?" for field in where] or ["1=1"]
        args = list(where.values())
        if contains:
            clauses.append(f"instr({contains[0]}, ?) > 0")
            args.append(contains[1])
        return " AND ".join(clauses), args

    async def _find(self, table, where, order: Order, limit, offset, contains=None):
        clause, args = self._where(where, contains)
        order_sql = ", ".join(f"{f} {'DESC' if d < 0 else 'ASC'}" for f, d in order) or "id"

        def select(conn):
            sql = f"SELECT data FROM {table} WHERE {clause} ORDER BY {order_sql} LIMIT ? OFFSET ?"
            return conn.execute(sql, (*args, limit, offset)).fetchall()

        return [json.loads(r[0]) for r in await self._run(select)]

    async def _count(self, table, where, contains=None) -> int:
        clause, args = self._where(where, contains)

        def count(conn):
            return conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {clause}", args).fetchone()[0]

        return await self._run(count)

    async def _delete_where(self, table: str, where: Record) -> int:
        clause, args = self._where(where, None)

        def delete(conn):
            n = conn.execute(f"DELETE FROM {table} WHERE {clause}", args).rowcount
            conn.commit()
            return n

        return await self._run(delete)
