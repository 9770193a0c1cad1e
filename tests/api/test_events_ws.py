"""Live events over the WebSocket: numbered events, resume with ?after=, two clients in sync,
authentication; and the Redis event bus against a real redis-server."""

from __future__ import annotations

import asyncio

import pytest

from cuecard.store.redis_bus import RedisEventBus

RECEIVE_TIMEOUT = 5.0


async def receive(ws, n: int) -> list[dict]:
    return [await asyncio.wait_for(ws.receive_json(), RECEIVE_TIMEOUT) for _ in range(n)]


async def append(user, sid: str, text: str):
    r = await user.req("POST", f"/api/sessions/{sid}/segments", json={"text": text})
    assert r.status == 201
    return await r.json()


async def test_resume_after_reconnect_and_two_clients(client, register):
    u = await register()
    sid = (await (await u.req("POST", "/api/sessions", json={})).json())["id"]
    token = u.tokens["access_token"]
    first = await client.ws_connect(f"/api/sessions/{sid}/events?token={token}")
    second = await client.ws_connect(f"/api/sessions/{sid}/events", headers=u.headers)
    await u.req("POST", f"/api/sessions/{sid}/start")
    for text in ("one", "two"):
        await append(u, sid, text)
    got1, got2 = await receive(first, 3), await receive(second, 3)
    assert got1 == got2  # two browsers on one session see the same numbered events
    assert [e["seq"] for e in got1] == [1, 2, 3]
    assert [e["type"] for e in got1] == ["status", "transcript", "transcript"]
    assert got1[0]["state"] == "active" and got1[2]["text"] == "two"
    await first.close()
    # missed while disconnected
    await append(u, sid, "three")
    await u.req("POST", f"/api/sessions/{sid}/pause")
    assert [e["seq"] for e in await receive(second, 2)] == [4, 5]
    again = await client.ws_connect(f"/api/sessions/{sid}/events?token={token}&after=3")
    replayed = await receive(again, 2)
    assert [(e["seq"], e["type"]) for e in replayed] == [(4, "transcript"), (5, "status")]
    assert replayed[0]["text"] == "three" and replayed[1]["state"] == "paused"
    await u.req("POST", f"/api/sessions/{sid}/resume")
    live = await receive(again, 1)
    assert live[0]["seq"] == 6 and live[0]["state"] == "active"
    await again.close()
    await second.close()


async def test_websocket_requires_the_owner(client, register):
    a, b = await register(), await register()
    sid = (await (await a.req("POST", "/api/sessions", json={})).json())["id"]
    r = await client.get(f"/api/sessions/{sid}/events")
    assert r.status == 401
    r = await client.get(f"/api/sessions/{sid}/events?token={b.tokens['access_token']}")
    assert r.status == 404
    r = await client.get(f"/api/sessions/{sid}/events?token={a.tokens['access_token']}&after=x")
    assert r.status == 400 and (await r.json())["error"]["field"] == "after"
    r = await client.get(f"/api/sessions/{sid}/events?token={a.tokens['access_token']}")
    assert r.status == 400 and (await r.json())["error"]["code"] == "websocket_required"
    # a query token is accepted only on the WebSocket route
    r = await client.get(f"/api/sessions/{sid}?token={a.tokens['access_token']}")
    assert r.status == 401


async def test_redis_bus_numbers_and_replays(redis_url):
    one, two = RedisEventBus(redis_url), RedisEventBus(redis_url)  # as if in two processes
    sid = "bus-test"
    try:
        await one._redis.delete(*one._keys(sid))
        seqs = await asyncio.gather(
            *[
                (one if i % 2 else two).publish(sid, {"type": "status", "state": "active", "message": str(i)})
                for i in range(20)
            ]
        )
        assert sorted(e["seq"] for e in seqs) == list(range(1, 21))
        history = await two.history(sid, after=15)
        assert [e["seq"] for e in history] == [16, 17, 18, 19, 20]
        stream = one.subscribe(sid, after=18)
        got = [await asyncio.wait_for(stream.__anext__(), 2) for _ in range(2)]
        assert [e["seq"] for e in got] == [19, 20]
        waiting = asyncio.ensure_future(asyncio.wait_for(stream.__anext__(), 5))
        await asyncio.sleep(0.1)
        published = await two.publish(sid, {"type": "status", "state": "paused", "message": "live"})
        live = await waiting
        assert live == published and live["seq"] == 21
        await stream.aclose()
    finally:
        await one.close()
        await two.close()


@pytest.mark.parametrize("history", [5])
async def test_redis_history_is_capped(redis_url, history):
    bus = RedisEventBus(redis_url, history=history)
    sid = "capped"
    try:
        await bus._redis.delete(*bus._keys(sid))
        for i in range(500):
            await bus.publish(sid, {"type": "status", "state": "active", "message": str(i)})
        kept = await bus.history(sid)
        assert kept[-1]["seq"] == 500 and len(kept) < 200  # MAXLEN ~ trims whole nodes
    finally:
        await bus.close()
