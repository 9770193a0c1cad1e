"""Session event bus: numbers events per session and fans them out to subscribers.

``InProcessEventBus`` is the embedded default. With ``CUECARD_REDIS_URL`` set, a Redis-backed
bus (``cuecard.store.redis_bus``) lets several server processes serve the clients of one
session. Both keep a bounded history per session so a reconnecting client can ask for every
event after the last ``seq`` it saw.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from cuecard.events import envelope

HISTORY = 5000


class EventBus(Protocol):
    """What the pipeline and the API need of a bus (``InProcessEventBus``, ``RedisEventBus``)."""

    async def publish(self, session_id: str, payload: dict) -> dict:
        """Number ``payload`` (an event payload, ``cuecard.events``) and fan it out; the event."""
        ...

    def subscribe(self, session_id: str, after: int = 0) -> AsyncIterator[dict]:
        """Every kept event after ``after``, then live events, until the iterator is closed."""
        ...

    async def history(self, session_id: str, after: int = 0) -> list[dict]:
        """The kept events after ``after`` (bounded history), oldest first."""
        ...

    async def close(self) -> None: ...


# After a restart the in-process numbering starts again from what the store holds. Interim
# events are not stored, so a client may have seen numbers a little above that: continue
# with a jump larger than any run of unstored events, so a resuming client (``after=N``)
# misses nothing published after the restart.
RESTART_SEQ_JUMP = 1000


async def stored_seq_floor(store, session_id: str) -> int:
    """Where numbering resumes for a session that has events in the store (``cuecard.store.Store``)."""
    try:
        last = await store.sessions.last_seq(session_id)
    except Exception:
        last = 0
    return last + RESTART_SEQ_JUMP if last else 0


class InProcessEventBus:
    def __init__(
        self,
        history: int = HISTORY,
        seed: Callable[[str], Awaitable[int]] | None = None,
    ):
        # ``seed(session_id)``: the last seq already issued for a session this process has
        # not seen yet (e.g. before a restart).
        self._seed = seed
        self._seq: dict[str, int] = defaultdict(int)
        self._history: dict[str, deque] = defaultdict(lambda: deque(maxlen=history))
        self._subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)

    async def publish(self, session_id: str, payload: dict) -> dict:
        if self._seed is not None and session_id not in self._seq:
            self._seq[session_id] = await self._seed(session_id)
        self._seq[session_id] += 1
        event = envelope(session_id, self._seq[session_id], payload)
        self._history[session_id].append(event)
        for queue in list(self._subscribers[session_id]):
            queue.put_nowait(event)
        return event

    def recent(self, session_id: str, after: int = 0) -> list[dict]:
        """``history`` without awaiting (this bus keeps it in memory)."""
        return [e for e in self._history.get(session_id, ()) if e["seq"] > after]

    async def history(self, session_id: str, after: int = 0) -> list[dict]:
        return self.recent(session_id, after)

    async def subscribe(self, session_id: str, after: int = 0) -> AsyncIterator[dict]:
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers[session_id].add(queue)
        try:
            last = after
            for event in self.recent(session_id, after):
                last = event["seq"]
                yield event
            while True:
                event = await queue.get()
                if event["seq"] > last:
                    last = event["seq"]
                    yield event
        finally:
            self._subscribers[session_id].discard(queue)

    async def close(self) -> None:
        self._subscribers.clear()
