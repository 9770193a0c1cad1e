"""In-process event bus: per-session numbering, resume after a seq, and numbering that keeps
increasing across a server restart (seeded from the store)."""

import asyncio

from cuecard.event_bus import RESTART_SEQ_JUMP, InProcessEventBus, stored_seq_floor
from cuecard.store.sqlite import SQLiteStore


async def test_numbering_and_resume():
    bus = InProcessEventBus()
    for i in range(3):
        await bus.publish("s1", {"type": "status", "state": f"x{i}"})
    other = await bus.publish("s2", {"type": "status", "state": "y"})
    assert other["seq"] == 1 and other["session_id"] == "s2"

    seen = []

    async def consume():
        async for event in bus.subscribe("s1", after=1):
            seen.append(event["seq"])
            if len(seen) == 3:
                return

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    await bus.publish("s1", {"type": "status", "state": "live"})
    await asyncio.wait_for(task, 2)
    assert seen == [2, 3, 4]


async def test_numbering_continues_after_restart(tmp_path):
    store = SQLiteStore(tmp_path / "db.sqlite3")
    await store.open()
    session = await store.sessions.create(title="t")
    sid = session.id
    first = InProcessEventBus(seed=lambda s: stored_seq_floor(store, s))
    for i in range(5):
        event = await first.publish(sid, {"type": "transcript", "text": f"line {i}", "final": True})
    await store.sessions.upsert_segment(sid, {**event, "segment_id": "a", "start": 0.0})

    restarted = InProcessEventBus(seed=lambda s: stored_seq_floor(store, s))
    event = await restarted.publish(sid, {"type": "status", "state": "live"})
    assert event["seq"] == 5 + RESTART_SEQ_JUMP + 1
    fresh = await restarted.publish("never-seen", {"type": "status", "state": "live"})
    assert fresh["seq"] == 1
    await store.close()
