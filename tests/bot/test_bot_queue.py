"""The meeting-bot fleet as a worker pool on Redis (``bot_queue=redis``): an API instance queues
bot requests, two real ``cuecard bot-worker`` processes (Dramatiq, a real redis-server, one
shared SQLite store) each take one while they have free capacity (``bot_max_live=1``), and the
bot of a worker killed with SIGKILL is marked failed (``worker_lost``) after the heartbeat
timeout, while the other worker's bot still leaves on request; a third bot waits in the queue
until that worker has a free slot again.

Labelled: the workers run with ``bot_worker_stop_before_browser`` — each job goes through the
queue, the store check, the running-bot registration and builds the ``MeetingBot`` that saves
its own ``launching`` state, then holds instead of starting the session pipeline and Chromium
(two browsers plus Whisper do not fit this test's CPU budget next to the other suites).
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from tests.conftest import start_cli

HEARTBEAT_TIMEOUT = 3.0
pytestmark = pytest.mark.slow


def start_worker(name: str, data_dir: Path, redis_url: str, **extra_env: str) -> subprocess.Popen:
    env = {
        "CUECARD_DATA_DIR": str(data_dir),
        "CUECARD_REDIS_URL": redis_url,
        "CUECARD_BOT_QUEUE": "redis",
        "CUECARD_BOT_MAX_LIVE": "1",
        "CUECARD_BOT_HEARTBEAT_TIMEOUT_SECS": str(HEARTBEAT_TIMEOUT),
        "CUECARD_BOT_WORKER_STOP_BEFORE_BROWSER": "true",
        "CUECARD_WARM_UP_STT": "false",
        **extra_env,
    }
    return start_cli(["bot-worker", "--name", name], data_dir.parent / f"worker-{name}.log", **env)


async def wait_ready(proc, within: float = 90.0):
    deadline = time.time() + within
    while time.time() < deadline:
        text = proc.log_path.read_text(errors="replace")
        if proc.poll() is not None:
            raise AssertionError(f"worker exited: {text[-2000:]}")
        if " ready" in text:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"worker not ready: {proc.log_path.read_text()[-2000:]}")


@pytest.fixture
async def api(settings, redis_url):
    settings.bot_queue = "redis"
    settings.redis_url = redis_url
    settings.bot_heartbeat_timeout_secs = HEARTBEAT_TIMEOUT
    settings.warm_up_stt = False
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client


@pytest.fixture
def workers(settings, redis_url):
    settings.ensure_data_dir()
    procs = {n: start_worker(n, settings.data_dir, redis_url) for n in ("w1", "w2")}
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _poll(client, auth, bot_id: str, done, within: float) -> dict:
    deadline = time.time() + within
    while time.time() < deadline:
        r = await client.get(f"/api/bots/{bot_id}", headers=auth)
        assert r.status == 200, await r.text()
        bot = await r.json()
        if done(bot):
            return bot
        await asyncio.sleep(0.2)
    raise AssertionError(f"bot {bot_id} stayed {bot}")


async def test_two_workers_take_one_job_each_and_a_dead_workers_bot_fails(api, workers):
    await asyncio.gather(*(wait_ready(p) for p in workers.values()))
    r = await api.post("/api/auth/register", json={"email": "fleet@example.org", "password": "correct horse 42"})
    assert r.status == 201
    auth = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
    ids = []
    for code in ("abc-defg-hij", "xyz-wxyz-abc"):
        r = await api.post(
            "/api/bots", json={"meeting_url": f"https://meet.google.com/{code}", "consent": True}, headers=auth
        )
        assert r.status == 201, await r.text()
        created = await r.json()
        assert created["state"] == "launching" and created["message"] == "queued"
        ids.append(created["id"])
    held = [await _poll(api, auth, i, lambda b: "held by worker" in b["message"], 60) for i in ids]
    by_worker = {b["message"].split("worker ")[1].split(" ")[0]: b["id"] for b in held}
    assert set(by_worker) == {"w1", "w2"}, [b["message"] for b in held]  # one each: capacity 1 per worker

    lost_session = next(b["session_id"] for b in held if b["id"] == by_worker["w1"])
    token = auth["Authorization"].split()[1]
    ws = await api.ws_connect(f"/api/sessions/{lost_session}/events?token={token}")
    workers["w1"].kill()  # SIGKILL: no goodbye, its heartbeat just stops
    killed_at = time.time()
    lost = await _poll(api, auth, by_worker["w1"], lambda b: b["state"] == "ended", 30)
    took = time.time() - killed_at
    assert lost["reason"] == "worker_lost" and lost["failed"] is True and "w1" in lost["message"]
    assert HEARTBEAT_TIMEOUT * 0.5 < took < 30, took
    # live clients of the bot's session see it end, as if the bot had said so itself
    event = await asyncio.wait_for(ws.receive_json(), 10)
    assert event["type"] == "status" and event["state"] == "bot_ended" and event["reason"] == "worker_lost"
    await ws.close()
    # the live worker's bot is untouched; a third bot waits in the queue while w2 is full
    r = await api.get(f"/api/bots/{by_worker['w2']}", headers=auth)
    assert (await r.json())["state"] == "launching"
    r = await api.post(
        "/api/bots", json={"meeting_url": "https://meet.google.com/qrs-tuvw-xyz", "consent": True}, headers=auth
    )
    assert r.status == 201
    third = (await r.json())["id"]
    await asyncio.sleep(2 * HEARTBEAT_TIMEOUT / 3)
    r = await api.get(f"/api/bots/{third}", headers=auth)
    assert (await r.json())["message"] == "queued"
    r = await api.delete(f"/api/bots/{by_worker['w2']}", headers=auth)
    assert r.status == 200
    left = await _poll(api, auth, by_worker["w2"], lambda b: b["state"] == "ended", 20)
    assert left["reason"] == "left_by_request" and not left["failed"]
    taken = await _poll(api, auth, third, lambda b: "held by worker w2" in b["message"], 30)  # w2 has room now
    assert taken["state"] == "launching"
    # a worker stopped the ordinary way makes its bots leave and saves their end first
    workers["w2"].send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(workers["w2"].wait, 30) == 0
    r = await api.get(f"/api/bots/{third}", headers=auth)
    assert ((body := await r.json())["state"], body["reason"]) == ("ended", "left_by_request")
    print(f"dead worker's bot marked failed {took:.1f} s after SIGKILL (heartbeat timeout {HEARTBEAT_TIMEOUT} s)")


@pytest.mark.browser
async def test_a_queued_bot_joins_a_real_meeting_through_a_worker(api, settings, redis_url, meeting):
    """No test flag: the worker runs the real bot (Chromium, session pipeline) into the loopback
    meeting double; the API instance follows it through the store and makes it leave."""
    from meeting_double import LOOPBACK_WEBRTC_ARGS

    settings.bot_allow_loopback_meetings = True  # the API validates the URL; the worker browses it
    proc = start_worker(
        "real",
        settings.data_dir,
        redis_url,
        CUECARD_BOT_WORKER_STOP_BEFORE_BROWSER="false",
        CUECARD_BOT_ALLOW_LOOPBACK_MEETINGS="true",
        CUECARD_BOT_CHROMIUM_EXTRA_ARGS=json.dumps(LOOPBACK_WEBRTC_ARGS),
        CUECARD_WHISPER_MODEL=str(settings.whisper_model),
        CUECARD_BOT_JOIN_TIMEOUT_SECS="30",
        CUECARD_INTERIM_PERIOD_SECS="0",
    )
    try:
        await wait_ready(proc)
        meeting.room("queued", ["Dana Lee"])
        r = await api.post("/api/auth/register", json={"email": "real@example.org", "password": "correct horse 42"})
        auth = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
        r = await api.post(
            "/api/bots",
            json={"meeting_url": meeting.url("queued"), "candidate_name": "Alex Kim", "consent": True},
            headers=auth,
        )
        assert r.status == 201, await r.text()
        created = await r.json()
        bot_id = created["id"]
        token = auth["Authorization"].split()[1]
        ws = await api.ws_connect(f"/api/sessions/{created['session_id']}/events?token={token}")
        guest = await meeting.wait_for_guest("queued", "lobby", timeout=60)
        await _poll(api, auth, bot_id, lambda b: b["state"] == "waiting_for_admission", 30)
        meeting.set_state("queued", guest.id, "admitted")
        state = await _poll(api, auth, bot_id, lambda b: b["state"] == "in_call" and b["participants"], 60)
        assert state["participants"] == [{"name": "Dana Lee", "role": "interviewer", "speaking": False}]
        # the worker's session events reach this API instance's subscriber through the Redis bus
        states = []
        while "bot_in_call" not in states:
            event = await asyncio.wait_for(ws.receive_json(), 15)
            if event["type"] == "status":
                states.append(event["state"])
        assert states[:2] == ["bot_launching", "bot_joining"], states
        await ws.close()
        r = await api.delete(f"/api/bots/{bot_id}", headers=auth)
        assert r.status == 200
        ended = await _poll(api, auth, bot_id, lambda b: b["state"] == "ended", 30)
        assert (ended["reason"], ended["failed"]) == ("left_by_request", False)
        assert meeting.guests("queued")[0].state == "left"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
