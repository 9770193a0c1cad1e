"""What encryption at rest costs the store: a write-heavy loop of transcript-line upserts and
one read of them back (CPU time of the process, both threads: wall time on a shared machine
mostly measures the other jobs), on SQLite, through the repositories on the plain backend and on the
encrypting one (``cuecard/store/encrypted.py``). Usage: ``python bench/encryption_cost.py [N]``."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cuecard.store.sessions import Sessions
from cuecard.store.sqlite import SQLiteBackend, SQLiteStore


async def run(sessions: Sessions, n: int) -> tuple[float, float]:
    session = await sessions.create(user_id="u1", title="bench")
    t0 = time.process_time()
    for i in range(n):
        event = {"segment_id": f"s{i}", "text": f"line {i} of the interview " * 4, "start": float(i), "seq": i}
        event.update(role="interviewer", speaker="Interviewer 1", end=i + 0.9, final=True)
        await sessions.upsert_segment(session.id, event)
    t1 = time.process_time()
    assert len(await sessions.list_segments(session.id, limit=n)) == n
    return t1 - t0, time.process_time() - t1


async def main(n: int, repeats: int = 5) -> None:
    """Alternating runs, medians (the machine may be busy with other work)."""
    results: dict[str, list[tuple[float, float]]] = {"plain": [], "encrypted": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeats):
            plain = SQLiteBackend(Path(tmp) / f"plain{r}.sqlite3")
            await plain.open(Sessions.COLLECTIONS)
            results["plain"].append(await run(Sessions(plain), n))
            await plain.close()
            store = SQLiteStore(Path(tmp) / f"enc{r}.sqlite3")
            await store.open()
            results["encrypted"].append(await run(store.sessions, n))
            await store.close()
    (wp, rp), (we, re_) = (tuple(statistics.median(x) for x in zip(*results[k], strict=True)) for k in results)
    print(f"{n} upserts, median of {repeats}: plain {wp:.2f} s, encrypted {we:.2f} s ({(we / wp - 1) * 100:+.0f} %)")
    print(f"read back: plain {rp * 1000:.0f} ms, encrypted {re_ * 1000:.0f} ms")


async def deletions(sessions_n: int = 100, lines: int = 20) -> None:
    """Deleting sessions (``Store.delete_session``: events, key shredding, WAL truncation) with
    ``secure_delete`` on (as shipped) and off."""
    for secure in ("ON", "OFF"):
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "del.sqlite3")
            await store.open()
            store.backend.inner._connection().execute(f"PRAGMA secure_delete={secure}")  # idle: no other user
            ids = []
            for s in range(sessions_n):
                session = await store.sessions.create(title=f"s{s}")  # anonymous: its own data key
                for i in range(lines):
                    await store.sessions.upsert_segment(session.id, {"segment_id": str(i), "text": "x " * 40})
                ids.append(session.id)
            t0 = time.process_time()
            for session_id in ids:
                await store.delete_session(session_id)
            spent = time.process_time() - t0
            await store.close()
        print(f"delete {sessions_n} sessions of {lines} lines, secure_delete {secure}: {spent * 1000:.0f} ms CPU")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
    asyncio.run(deletions())
