"""Two real server processes (``python -m cuecard.cli serve``) share a real redis-server and one
data directory: a WebSocket client of process B receives, live and on resume, the events of a
session published through process A."""

from __future__ import annotations

import asyncio
import subprocess

import aiohttp
import pytest

from .conftest import free_port, start_server, wait_healthy


@pytest.fixture
def two_servers(tmp_path, redis_url):
    ports = free_port(), free_port()
    procs = [start_server(p, tmp_path / "data", redis_url) for p in ports]
    yield [f"http://127.0.0.1:{p}" for p in ports], procs
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def test_client_of_one_process_gets_events_published_in_the_other(two_servers):
    (a, b), procs = two_servers
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(wait_healthy(http, a, procs[0]), wait_healthy(http, b, procs[1]))
        async with http.post(
            f"{a}/api/auth/register", json={"email": "two@example.org", "password": "long enough"}
        ) as r:
            assert r.status == 201
            token = (await r.json())["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        async with http.post(f"{a}/api/sessions", json={"title": "shared"}, headers=auth) as r:
            sid = (await r.json())["id"]
        # process B knows the token (shared secret) and the session (shared store)
        ws = await http.ws_connect(f"{b}/api/sessions/{sid}/events?token={token}")
        async with http.post(f"{a}/api/sessions/{sid}/start", headers=auth) as r:
            assert r.status == 200
        for text in ("hello from A", "second line"):
            async with http.post(f"{a}/api/sessions/{sid}/segments", json={"text": text}, headers=auth) as r:
                assert r.status == 201
        got = [await asyncio.wait_for(ws.receive_json(), 10) for _ in range(3)]
        assert [e["seq"] for e in got] == [1, 2, 3]
        assert got[0]["state"] == "active" and [e["text"] for e in got[1:]] == ["hello from A", "second line"]
        await ws.close()
        # B publishes too: numbering stays one sequence per session across processes
        async with http.post(f"{b}/api/sessions/{sid}/segments", json={"text": "from B"}, headers=auth) as r:
            assert (await r.json())["seq"] == 4
        ws = await http.ws_connect(f"{a}/api/sessions/{sid}/events?token={token}&after=2")
        resumed = [await asyncio.wait_for(ws.receive_json(), 10) for _ in range(2)]
        assert [(e["seq"], e["text"]) for e in resumed] == [(3, "second line"), (4, "from B")]
        await ws.close()
