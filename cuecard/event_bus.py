"""Session event bus: numbers events per session and fans them out to subscribers.

``InProcessEventBus`` is the embedded default. With ``CUECARD_REDIS_URL`` set, a Redis-backed
bus (``cuecard.store.redis_bus``) lets several server processes serve the clients of one
session. Both keep a bounded history per session so a reconnecting client can ask for every
event after the last ``seq`` it saw.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from typing import AsyncIterator, Protocol

from cuecard.events import envelope

HISTORY = 5000


class EventBus(Protocol):
    async def publish(self, session_id: str, payload: dict) -> dict: ...

    def subscribe(self, session_id: str, after: int = 0) -> AsyncIterator[dict]: ...

    async def close(self) -> None: ...


class InProcessEventBus:
    def __init__(self, history: int = HISTORY):
        self._seq: dict[str, int] = defaultdict(int)
        self._history: dict[str, deque] = defaultdict(lambda: deque(maxlen=history))
        self._subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)

    async def publish(self, session_id: str, payload: dict) -> dict:
        self._seq[session_id] += 1
        event = envelope(session_id, self._seq[session_id], payload)
        self._history[session_id].append(event)
        for queue in list(self._subscribers[session_id]):
            queue.put_nowait(event)
        return event

    def history(self, session_id: str, after: int = 0) -> list[dict]:
        return [e for e in self._history.get(session_id, ()) if e["seq"] > after]

    async def subscribe(self, session_id: str, after: int = 0) -> AsyncIterator[dict]:
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers[session_id].add(queue)
        try:
            last = after
            for event in self.history(session_id, after):
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
