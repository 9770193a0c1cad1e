"""Background tasks of a speech-to-text stage: spawned, kept, and chained per key.

``chain(key, coro)`` runs ``coro`` after the previous chained work of the same key (a track):
decodes of one track finish in order, so its lines stay in order.
"""

from __future__ import annotations

import asyncio


class TaskChain:
    def __init__(self):
        self.tasks: set[asyncio.Task] = set()
        self._last: dict[str, asyncio.Task] = {}

    def spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def chain(self, key: str, coro) -> asyncio.Task:
        previous = self._last.get(key)

        async def after():
            if previous is not None:
                try:
                    await previous
                except Exception:
                    pass
            await coro

        task = self._last[key] = self.spawn(after())
        return task

    def last(self, key: str) -> asyncio.Task | None:
        return self._last.get(key)

    def idle(self, key: str) -> bool:
        task = self._last.get(key)
        return task is None or task.done()

    async def drain(self, *, exclude: frozenset[asyncio.Task] | set[asyncio.Task] = frozenset()):
        """Wait for every task (also ones spawned meanwhile), except ``exclude``."""
        while True:
            pending = [t for t in self.tasks if not t.done() and t not in exclude and t is not asyncio.current_task()]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    def cancel(self, *, exclude: frozenset[asyncio.Task] | set[asyncio.Task] = frozenset()):
        for task in list(self.tasks):
            if task not in exclude and task is not asyncio.current_task():
                task.cancel()
