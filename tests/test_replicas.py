"""Two real ``cuecard serve`` replicas behind a real HAProxy (Debian package) configured from
``deploy/haproxy.cfg``, sharing one data dir and a real redis-server: events published through
replica A reach a WebSocket subscriber that the proxy sent to replica B."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest

from tests.api.conftest import wait_healthy
from tests.conftest import free_port, start_cli

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
REPLICA_HEADER = "X-Cuecard-Replica"
IDLE_SECS = 7.0


def start_replica(name: str, port: int, data_dir: Path, redis_url: str) -> subprocess.Popen:
    env = {
        "CUECARD_DATA_DIR": str(data_dir),
        "CUECARD_REDIS_URL": redis_url,
        "CUECARD_REPLICA_NAME": name,
        "CUECARD_JWT_SECRET": "replicas-share-this-secret-0123456789",
        "CUECARD_WARM_UP_STT": "false",
        "CUECARD_AUTH_RATE_LIMIT_PER_MINUTE": "1000",
    }
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return start_cli(args, data_dir.parent / f"replica-{name}.log", **env)


def haproxy_config(proxy: int, a: int, b: int) -> str:
    """The example config with this test's addresses (so the shipped example is what runs)."""
    text = (ROOT / "deploy" / "haproxy.cfg").read_text()
    for old, new in (("127.0.0.1:8000", proxy), ("127.0.0.1:8001", a), ("127.0.0.1:8002", b)):
        assert old in text
        text = text.replace(old, f"127.0.0.1:{new}")
    return text


@pytest.fixture
def cluster(tmp_path, redis_url):
    exe = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(exe).exists():
        pytest.fail("haproxy is not installed (apt-get install haproxy)")
    data = tmp_path / "data"
    data.mkdir()
    ports = {"a": free_port(), "b": free_port(), "proxy": free_port()}
    procs = [start_replica(n, ports[n], data, redis_url) for n in ("a", "b")]
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config(ports["proxy"], ports["a"], ports["b"]))
    check = subprocess.run([exe, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    proxy = subprocess.Popen(
        ["nice", "-n", "19", exe, "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    yield {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, procs
    for proc in [proxy, *procs]:
        proc.terminate()
    for proc in [proxy, *procs]:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _ws_via_proxy_on(http, proxy: str, path: str, replica: str):
    """Open the WebSocket through the proxy until round-robin lands it on ``replica``."""
    for _ in range(6):
        ws = await http.ws_connect(f"{proxy}{path}")
        if ws._response.headers.get(REPLICA_HEADER) == replica:
            return ws
        await ws.close()
    raise AssertionError(f"the proxy never sent a WebSocket to replica {replica}")


async def test_subscriber_behind_proxy_on_b_gets_events_published_through_a(cluster):
    urls, procs = cluster
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(wait_healthy(http, urls["a"], procs[0]), wait_healthy(http, urls["b"], procs[1]))
        async with http.get(f"{urls['a']}/api/health") as r:
            assert r.headers[REPLICA_HEADER] == "a"
        # the proxy is up and balances across both replicas
        seen = set()
        for _ in range(40):
            try:
                async with http.get(f"{urls['proxy']}/api/health") as r:
                    if r.status == 200:
                        seen.add(r.headers[REPLICA_HEADER])
            except aiohttp.ClientError:
                pass
            if seen == {"a", "b"}:
                break
            await asyncio.sleep(0.25)
        assert seen == {"a", "b"}
        async with http.post(
            f"{urls['a']}/api/auth/register", json={"email": "proxy@example.org", "password": "long enough"}
        ) as r:
            assert r.status == 201
            token = (await r.json())["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        async with http.post(f"{urls['a']}/api/sessions", json={"title": "replicas"}, headers=auth) as r:
            sid = (await r.json())["id"]
        ws = await _ws_via_proxy_on(http, urls["proxy"], f"/api/sessions/{sid}/events?token={token}", "b")
        # an idle subscriber stays subscribed (redis-py 8 times out blocking reads after 5 s by default)
        await asyncio.sleep(IDLE_SECS)
        async with http.post(f"{urls['a']}/api/sessions/{sid}/start", headers=auth) as r:
            assert r.status == 200 and r.headers[REPLICA_HEADER] == "a"
        for text in ("published through A", "still A"):
            async with http.post(f"{urls['a']}/api/sessions/{sid}/segments", json={"text": text}, headers=auth) as r:
                assert r.status == 201
        got = [await asyncio.wait_for(ws.receive_json(), 10) for _ in range(3)]
        assert [e["seq"] for e in got] == [1, 2, 3]
        assert [e.get("text") for e in got[1:]] == ["published through A", "still A"]
        await ws.close()
