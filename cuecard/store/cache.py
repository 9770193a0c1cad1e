"""A small TTL cache: Redis when ``CUECARD_REDIS_URL`` is set (shared by every server process),
a dict in this process otherwise. Values are JSON. Used for read-mostly, recomputed data
(session metrics, bank searches); writers call ``delete`` so readers never see stale data
longer than the TTL.
"""

from __future__ import annotations

import json
import time
from typing import Any


class MemoryCache:
    def __init__(self, max_items: int = 10_000):
        self._items: dict[str, tuple[float, str]] = {}
        self._max = max_items

    async def get(self, key: str) -> Any | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            self._items.pop(key, None)
            return None
        return json.loads(item[1])

    async def set(self, key: str, value: Any, ttl: float) -> None:
        if len(self._items) >= self._max:  # crude bound: drop everything expired, then the oldest
            now = time.monotonic()
            self._items = {k: v for k, v in self._items.items() if v[0] >= now}
            while len(self._items) >= self._max:
                self._items.pop(next(iter(self._items)))
        self._items[key] = (time.monotonic() + ttl, json.dumps(value))

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def close(self) -> None:
        self._items.clear()


class RedisCache:
    def __init__(self, url: str, prefix: str = "cuecard:cache:"):
        import redis.asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def get(self, key: str) -> Any | None:
        raw = await self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        await self._redis.set(self._prefix + key, json.dumps(value), px=max(1, int(ttl * 1000)))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


def make_cache(redis_url: str | None):
    return RedisCache(redis_url) if redis_url else MemoryCache()
