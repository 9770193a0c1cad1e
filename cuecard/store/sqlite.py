"""The embedded backend: one SQLite file, documents as JSON, accessed from a worker thread.

SQLite calls block, so every call runs in one dedicated thread (``asyncio.to_thread`` with a
lock would let two threads share a connection). WAL mode lets readers proceed while the
pipeline writes transcript lines.

Each collection is a table ``(id, created_at, <queried fields…>, data)``: the whole document
is JSON in ``data``; the fields queries filter or sort on (``Collection.fields``) are copied
into real columns so the collection's indexes serve them. Missing columns are added at
start-up, so a data file from an older version opens without a migration step.

Decision (issue 14, deleted text in the WAL): ``PRAGMA secure_delete=ON`` (deleted rows are
overwritten with zeros in their pages) and, after a deletion that must not be recoverable (a
session, an account, a destroyed data key), ``scrub()`` checkpoints the write-ahead log with
``TRUNCATE``: the WAL keeps old page images until a checkpoint resets it, so without this a
deleted wrapped data key stayed readable in ``-wal``. Both are measured in ``encrypted.py``.
The file is created 0600 before SQLite opens it; SQLite gives ``-wal`` and ``-shm`` the
database file's mode.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cuecard.store.backend import Backend, Collection, Conflict, Contains, Doc, Order, Where
from cuecard.store.crypto import MasterKeys, create_private_file
from cuecard.store.facade import Store

# Several server processes may open one fresh data file at the same moment (two workers behind
# one proxy, the two-process test). Switching a new file to WAL needs an exclusive lock, and
# SQLite answers "database is locked" for it at once instead of waiting in the busy handler, so
# that one step is retried here.
_WAL_RETRY_SECS = 30.0


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


def _row(coll: Collection, doc: Doc) -> tuple[tuple[str, ...], list]:
    """Column names and values of a document's row."""
    names = ("id", "created_at", *coll.fields, "data")
    values = [doc["id"], doc.get("created_at"), *[_column(doc.get(f)) for f in coll.fields], json.dumps(doc)]
    return names, values


def _column(value: Any) -> Any:
    """A queried field's column value: an encrypted field (a dict) has none."""
    return None if isinstance(value, (dict, list)) else value


def _where(where: Where, contains: Contains | None) -> tuple[str, list]:
    clauses = [f"{field}=?" for field in where] or ["1=1"]
    args = list(where.values())
    if contains:
        clauses.append(f"instr({contains[0]}, ?) > 0")
        args.append(contains[1])
    return " AND ".join(clauses), args


class SQLiteBackend(Backend):
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
                Path(self._path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                create_private_file(Path(self._path))
            conn = sqlite3.connect(self._path, check_same_thread=False, timeout=30)
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
        return self._conn

    async def open(self, collections: Iterable[Collection]) -> None:
        collections = list(collections)

        def create(conn: sqlite3.Connection):
            # one write transaction from the start: two processes creating the schema together
            # then wait for each other in the busy handler instead of failing on an upgrade
            conn.execute("BEGIN IMMEDIATE")
            for coll in collections:
                table = coll.name
                extra = "".join(f", {c}" for c in coll.fields)
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, created_at REAL"
                    f"{extra}, data TEXT NOT NULL)"
                )
                present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                for c in coll.fields:
                    if c not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {c}")
                for fields in coll.indexes:
                    unique = "UNIQUE " if fields == coll.unique else ""
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
    async def _write(self, coll: Collection, doc: Doc, verb: str) -> None:
        names, values = _row(coll, doc)
        sql = f"{verb} INTO {coll.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(values))})"

        def write(conn):
            try:
                conn.execute(sql, values)
                conn.commit()
            except sqlite3.IntegrityError as e:
                conn.rollback()
                raise Conflict(str(e)) from None

        await self._run(write)

    async def insert(self, coll: Collection, doc: Doc) -> None:
        await self._write(coll, doc, "INSERT")

    async def put(self, coll: Collection, doc: Doc) -> None:
        await self._write(coll, doc, "INSERT OR REPLACE")

    async def get(self, coll: Collection, key: str) -> Doc | None:
        def get(conn):
            return conn.execute(f"SELECT data FROM {coll.name} WHERE id=?", (key,)).fetchone()

        row = await self._run(get)
        return None if row is None else json.loads(row[0])

    async def update(self, coll: Collection, key: str, fields: Doc) -> Doc | None:
        def update(conn):
            conn.execute("BEGIN IMMEDIATE")  # read and write in one transaction: atomic
            try:
                row = conn.execute(f"SELECT data FROM {coll.name} WHERE id=?", (key,)).fetchone()
                if row is None:
                    conn.rollback()
                    return None
                doc = {**json.loads(row[0]), **fields}
                names, values = _row(coll, doc)
                assignments = ", ".join(f"{n}=?" for n in names[1:])
                conn.execute(f"UPDATE {coll.name} SET {assignments} WHERE id=?", (*values[1:], key))
                conn.commit()
                return doc
            except BaseException:
                conn.rollback()
                raise

        return await self._run(update)

    async def find(self, coll, where, order: Order = (), limit=100, offset=0, contains=None):
        clause, args = _where(where, contains)
        order_sql = ", ".join(f"{f} {'DESC' if d < 0 else 'ASC'}" for f, d in order) or "id"

        def select(conn):
            sql = f"SELECT data FROM {coll.name} WHERE {clause} ORDER BY {order_sql} LIMIT ? OFFSET ?"
            return conn.execute(sql, (*args, limit, offset)).fetchall()

        return [json.loads(r[0]) for r in await self._run(select)]

    async def count(self, coll, where, contains=None) -> int:
        clause, args = _where(where, contains)

        def count(conn):
            return conn.execute(f"SELECT COUNT(*) FROM {coll.name} WHERE {clause}", args).fetchone()[0]

        return await self._run(count)

    async def delete(self, coll: Collection, where: Where) -> int:
        clause, args = _where(where, None)

        def delete(conn):
            n = conn.execute(f"DELETE FROM {coll.name} WHERE {clause}", args).rowcount
            conn.commit()
            return n

        return await self._run(delete)

    async def scrub(self) -> None:
        def checkpoint(conn):
            # busy (another process reading) leaves part of the log: the next scrub gets it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

        await self._run(checkpoint)


class SQLiteStore(Store):
    """The store on a SQLite file (``":memory:"`` for a throwaway one). Without ``master_keys``
    the master key file beside the database is used (created on first run); an in-memory
    store gets a random key."""

    def __init__(self, path: Path | str, master_keys: MasterKeys | None = None):
        if master_keys is None:
            in_memory = str(path) == ":memory:"
            master_keys = MasterKeys.ephemeral() if in_memory else MasterKeys.from_files(Path(path).parent)
        super().__init__(SQLiteBackend(path), master_keys)
