"""The auth middleware sets request[USER_ID] on every route (the WebRTC offer uses it as the
session owner) and leaves it unset without a valid token; the Redis cache and rate limiter
against a real redis-server, and their in-process equivalents."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.api.keys import USER_ID
from cuecard.store.cache import MemoryCache, RedisCache
from cuecard.store.ratelimit import MemoryRateLimiter, RedisRateLimiter

from .conftest import api_settings


async def test_middleware_sets_user_on_non_api_routes(tmp_path):
    app = create_app(api_settings(tmp_path))

    async def probe(request):
        return web.json_response({"user_id": request.get(USER_ID)})

    app.router.add_post("/probe", probe)
    async with TestClient(TestServer(app)) as c:
        r = await c.post("/api/auth/register", json={"email": "m@example.org", "password": "long enough"})
        tokens = await r.json()
        r = await c.post("/probe", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert (await r.json())["user_id"] == tokens["user"]["id"]
        r = await c.post("/probe")
        assert (await r.json())["user_id"] is None
        r = await c.post("/probe", headers={"Authorization": "Bearer nonsense"})
        assert r.status == 200 and (await r.json())["user_id"] is None


@pytest.fixture(params=["memory", "redis"])
def cache_and_limiter(request):
    if request.param == "memory":
        return MemoryCache(), MemoryRateLimiter()
    url = request.getfixturevalue("redis_url")
    return RedisCache(url, prefix=f"test:{uuid.uuid4().hex}:"), RedisRateLimiter(
        url, prefix=f"test:{uuid.uuid4().hex}:"
    )


async def test_cache_ttl_and_delete(cache_and_limiter):
    cache, limiter = cache_and_limiter
    try:
        assert await cache.get("k") is None
        await cache.set("k", {"a": [1, 2]}, ttl=0.3)
        assert await cache.get("k") == {"a": [1, 2]}
        await cache.delete("k")
        assert await cache.get("k") is None
        await cache.set("k", 5, ttl=0.2)
        await asyncio.sleep(0.35)
        assert await cache.get("k") is None
    finally:
        await cache.close()
        await limiter.close()


async def test_rate_limiter_window(cache_and_limiter):
    cache, limiter = cache_and_limiter
    try:
        # an hour-long window: no boundary passes during the test
        results = [await limiter.hit("login:1.2.3.4", limit=3, window_secs=3600) for _ in range(5)]
        assert results == [True, True, True, False, False]
        assert await limiter.hit("login:5.6.7.8", limit=3, window_secs=3600) is True  # other key, own budget
    finally:
        await cache.close()
        await limiter.close()
