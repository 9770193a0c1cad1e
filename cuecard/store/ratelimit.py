"""Fixed-window rate limits: Redis ``INCR``+``EXPIRE`` when configured (one budget across all
server processes), a dict otherwise. A fixed window is enough for its job here — slowing
password guessing and runaway scripts — and costs one round trip per request.
"""

from __future__ import annotations

import time


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window_secs: int = 60) -> bool:
        """Count one request; False when ``key`` is over ``limit`` in the current window."""
        window = int(time.time() // window_secs)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            start, count = window, 0
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        self._windows[key] = (start, count + 1)
        return count + 1 <= limit

    async def close(self) -> None:
        pass


class RedisRateLimiter:
    def __init__(self, url: str, prefix: str = "cuecard:rl:"):
        import redis.asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window_secs: int = 60) -> bool:
        window = int(time.time() // window_secs)
        name = f"{self._prefix}{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)  # buffered: a pipeline's commands return the pipeline, not a reply
            pipe.expire(name, window_secs * 2)
            count, _ = await pipe.execute()
        return count <= limit

    async def close(self) -> None:
        await self._redis.aclose()


def make_rate_limiter(redis_url: str | None):
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
