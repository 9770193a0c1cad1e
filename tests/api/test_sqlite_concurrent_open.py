"""Several processes open one fresh SQLite data file at the same instant (two `cuecard serve`
workers on one data directory). Switching a new file to WAL is refused at once with "database is
locked" instead of waiting; before the store retried that step, about one round in ten failed."""

from __future__ import annotations

import asyncio
import multiprocessing as mp

from cuecard.store.sqlite import SQLiteStore

PROCESSES = 4
ROUNDS = 40


def _open_and_close(path: str, barrier, results) -> None:
    async def run() -> None:
        store = SQLiteStore(path)
        await store.open()
        await store.sessions.create(title="race")
        await store.close()

    barrier.wait()
    try:
        asyncio.run(run())
        results.put("ok")
    except Exception as exc:  # reported to the parent, which asserts on it
        results.put(repr(exc))


def test_processes_opening_one_new_file_together_all_succeed(tmp_path):
    ctx = mp.get_context("fork")
    failures = []
    for round_ in range(ROUNDS):
        path = str(tmp_path / f"r{round_}" / "cuecard.db")
        barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=_open_and_close, args=(path, barrier, results)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        failures += [o for o in outcomes if o != "ok"]
    assert failures == []
