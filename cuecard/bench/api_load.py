"""``cuecard bench api-load [--seconds S] [--concurrency C] [--redis-url URL|auto|none]``:
REST throughput and latency on loopback, bounded in time.

Starts a real server process (``python -m cuecard.cli serve``, Whisper warm-up off) on a free
port with a fresh data directory, registers a user, then runs, each for ``--seconds``:

1. ``POST /api/sessions`` — requests/s creating sessions;
2. ``POST /api/sessions/{id}/segments`` over 8 sessions — requests/s appending transcript lines;
3. ``GET /api/sessions/{id}`` — requests/s and p50/p99 latency.

It does this on the embedded defaults (SQLite, in-process bus), then again with the event bus
on Redis (``--redis-url``; ``auto`` starts a private ``redis-server`` on a free port) while
``--subscribers`` WebSocket clients per session receive every appended event: the append rate
then includes Redis fan-out, and the script checks every subscriber got every event.
``C`` clients run concurrently in this process; client and server share the machine's CPUs,
so the figures are a lower bound of what the server alone can do.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis() -> tuple[subprocess.Popen, str]:
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("redis-server not found: install it or pass --redis-url")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def _start_server(data_dir: Path, redis_url: str | None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "CUECARD_DATA_DIR": str(data_dir),
        "CUECARD_WARM_UP_STT": "false",
        "CUECARD_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
    }
    env.pop("CUECARD_REDIS_URL", None)
    env.pop("CUECARD_MONGODB_URL", None)
    if redis_url:
        env["CUECARD_REDIS_URL"] = redis_url
    log = open(data_dir.parent / f"server-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuecard.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


async def _wait_healthy(http: aiohttp.ClientSession, base: str, proc: subprocess.Popen):
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited during start-up")
        try:
            async with http.get(f"{base}/api/health") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("server did not start")


async def _run_for(seconds: float, concurrency: int, request) -> tuple[int, list[float], int]:
    """Call ``request(i)`` from ``concurrency`` workers until time is up: (ok, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker():
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            ok = await request(next(counter))
            if ok:
                latencies.append(time.perf_counter() - t0)
            else:
                errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), latencies, errors


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


async def _bench(base: str, proc, seconds: float, concurrency: int, subscribers: int, label: str) -> dict:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency + 64)) as http:
        await _wait_healthy(http, base, proc)
        async with http.post(
            f"{base}/api/auth/register",
            json={"email": f"load-{os.getpid()}@example.org", "password": "load test password"},
        ) as r:
            token = (await r.json())["access_token"]
        auth = {"Authorization": f"Bearer {token}"}

        async def create(i):
            async with http.post(f"{base}/api/sessions", json={"title": f"load {i}"}, headers=auth) as r:
                await r.read()
                return r.status == 201

        n, lat, err = await _run_for(seconds, concurrency, create)
        results = {"create_rps": n / seconds, "create_p99_ms": _pct(lat, 99) * 1000, "create_errors": err}

        sessions = []
        for i in range(8):
            async with http.post(f"{base}/api/sessions", json={"title": f"append {i}"}, headers=auth) as r:
                sessions.append((await r.json())["id"])
        sockets = [
            await http.ws_connect(f"{base}/api/sessions/{sid}/events?token={token}")
            for sid in sessions
            for _ in range(subscribers)
        ]
        received = [0] * len(sockets)
        expected: list[int | None] = [None]  # set once the append phase knows how many went out
        delivered = asyncio.Event()

        def check_delivered():
            if expected[0] is not None and sum(received) >= expected[0]:
                delivered.set()

        async def drain(k, ws):
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    received[k] += 1
                    check_delivered()

        drains = [asyncio.ensure_future(drain(k, ws)) for k, ws in enumerate(sockets)]

        async def append(i):
            sid = sessions[i % len(sessions)]
            async with http.post(
                f"{base}/api/sessions/{sid}/segments",
                json={"text": f"line {i} of the load test", "start": i, "end": i + 1},
                headers=auth,
            ) as r:
                await r.read()
                return r.status == 201

        n, lat, err = await _run_for(seconds, concurrency, append)
        results.update(append_rps=n / seconds, append_p99_ms=_pct(lat, 99) * 1000, append_errors=err)
        if sockets:
            expected[0] = n * subscribers
            check_delivered()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(delivered.wait(), 10)
            results["events_delivered"] = sum(received)
            results["events_expected"] = n * subscribers
            for ws in sockets:
                await ws.close()
            for d in drains:
                d.cancel()

        async def read(i):
            async with http.get(f"{base}/api/sessions/{sessions[i % len(sessions)]}", headers=auth) as r:
                await r.read()
                return r.status == 200

        n, lat, err = await _run_for(seconds, concurrency, read)
        results.update(
            get_rps=n / seconds, get_p50_ms=_pct(lat, 50) * 1000, get_p99_ms=_pct(lat, 99) * 1000, get_errors=err
        )
    return results


def _report(label: str, r: dict) -> str:
    lines = [
        f"[{label}]",
        f"  create session   : {r['create_rps']:8.1f} req/s   p99 {r['create_p99_ms']:7.1f} ms   errors {r['create_errors']}",
        f"  append segment   : {r['append_rps']:8.1f} req/s   p99 {r['append_p99_ms']:7.1f} ms   errors {r['append_errors']}",
    ]
    if "events_expected" in r:
        lines.append(
            f"  events fanned out: {r['events_delivered']}/{r['events_expected']} delivered to WebSocket subscribers"
        )
    lines.append(
        f"  GET session      : {r['get_rps']:8.1f} req/s   p50 {r['get_p50_ms']:7.1f} ms   "
        f"p99 {r['get_p99_ms']:7.1f} ms   errors {r['get_errors']}"
    )
    return "\n".join(lines)


def main(args) -> int:
    parser = argparse.ArgumentParser(
        prog="cuecard bench api-load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each phase")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent client requests")
    parser.add_argument("--subscribers", type=int, default=2, help="WebSocket clients per session (Redis run)")
    parser.add_argument("--redis-url", default="auto", help="'auto' starts a private redis-server; 'none' skips")
    a = parser.parse_args(getattr(args, "args", None) or [])
    print(
        f"cuecard bench api-load: {a.seconds:g} s per phase, concurrency {a.concurrency}, "
        f"{os.cpu_count()} CPUs shared by client and server"
    )
    runs: list[tuple[str, str | None]] = [("sqlite, in-process bus", None)]
    redis_proc = None
    if a.redis_url != "none":
        if a.redis_url == "auto":
            redis_proc, url = _start_redis()
        else:
            url = a.redis_url
        runs.append((f"sqlite + Redis event bus, {a.subscribers} WebSocket subscribers/session", url))
    try:
        for label, redis_url in runs:
            with tempfile.TemporaryDirectory(prefix="cuecard-load-") as tmp:
                data_dir = Path(tmp) / "data"
                data_dir.mkdir()
                proc, base = _start_server(data_dir, redis_url)
                try:
                    result = asyncio.run(
                        _bench(base, proc, a.seconds, a.concurrency, a.subscribers if redis_url else 0, label)
                    )
                finally:
                    proc.terminate()
                    proc.wait(timeout=15)
                print(_report(label, result), flush=True)
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(argparse.Namespace(args=sys.argv[1:])))
