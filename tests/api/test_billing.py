"""Plans, metering and quotas (issue 19): billing off mounts nothing and limits nothing;
billing on meters live minutes (a real WebRTC session on loopback, with a fake meter clock),
answers 402 ``quota_exceeded`` on ``POST /api/offer``, ``POST /api/bots`` and practice
rounds over the plan, never cuts a running session, and lets a fresh rejoin through."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiortc import RTCPeerConnection

from cuecard.api.app import create_app
from cuecard.api.keys import API_SPECS, BILLING, LIVE_SESSIONS, SERVICES
from cuecard.billing.metering import Meter
from cuecard.billing.quotas import resets_at

from .conftest import User, api_settings

CONSENT = {"consent": True}
FAKE_SDP = {"sdp": "v=0\r\n", "type": "offer", **CONSENT}


class FakeClock:
    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def make_client(tmp_path, clock: FakeClock | None = None, **overrides) -> TestClient:
    app = create_app(api_settings(tmp_path, **overrides))
    if clock is not None and app.get(BILLING) is not None:
        app[BILLING] = Meter(lambda: app[SERVICES].store, clock=clock)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def new_user(client: TestClient) -> User:
    email = f"bill{time.monotonic_ns()}@example.org"
    r = await client.post("/api/auth/register", json={"email": email, "password": "correct horse battery"})
    assert r.status == 201, await r.text()
    return User(client, email, "correct horse battery", await r.json())


async def real_offer(**extra) -> tuple[RTCPeerConnection, dict]:
    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="sendrecv")
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, {"sdp": pc.localDescription.sdp, "type": "offer", **CONSENT, **extra}


async def test_billing_off_mounts_nothing_and_limits_nothing(tmp_path):
    client = await make_client(tmp_path, free_live_minutes=1)  # billing off is the default
    try:
        assert client.server.app.get(BILLING) is None
        assert not [s for s in client.server.app[API_SPECS] if s.path.startswith("/api/billing")]
        assert (await client.get("/api/billing/usage")).status == 404
        user = await new_user(client)
        store = client.server.app[SERVICES].store
        await store.usage.record(user.id, "live_minutes", 1000, ref="old")  # far over any limit
        r = await user.req("POST", "/api/offer", json=FAKE_SDP)
        assert r.status == 400, await r.text()  # on to SDP validation: no quota
        r = await user.req("POST", "/api/bots", json={"meeting_url": "not a url", **CONSENT})
        assert r.status == 400, await r.text()
    finally:
        await client.close()


async def test_over_quota_offer_and_bot_are_402_with_limit_used_and_reset(tmp_path):
    client = await make_client(tmp_path, billing="on", free_live_minutes=10)
    try:
        user = await new_user(client)
        usage = await (await user.req("GET", "/api/billing/usage")).json()
        assert usage["plan"] == "free" and usage["remaining"]["live_minutes"] == 10
        store = client.server.app[SERVICES].store
        await store.usage.record(user.id, "live_minutes", 6, ref="s1")
        await store.usage.record(user.id, "bot_minutes", 4.5, ref="b1")  # bot and live minutes count together
        before = await store.sessions.count(user.id)
        for path, body in (("/api/offer", FAKE_SDP), ("/api/bots", {"meeting_url": "not a url", **CONSENT})):
            r = await user.req("POST", path, json=body)
            assert r.status == 402, (path, await r.text())
            error = await r.json()
            assert error["error"] == "quota_exceeded" and error["limit"] == 10 and error["used"] == 10.5
            assert date.fromisoformat(error["resets_at"]) == resets_at() and "live minutes" in error["message"]
        assert await store.sessions.count(user.id) == before  # nothing was created
        # consent still comes first: no consent is 403, not 402
        r = await user.req("POST", "/api/offer", json={"sdp": "v=0\r\n", "type": "offer"})
        assert r.status == 403
        usage = await (await user.req("GET", "/api/billing/usage")).json()
        assert usage["remaining"]["live_minutes"] == 0 and usage["usage"]["bot_minutes"] == 4.5
        # a plan change takes effect at once
        await store.usage.set_plan(user.id, "pro")
        r = await user.req("POST", "/api/offer", json=FAKE_SDP)
        assert r.status == 400, await r.text()
        usage = await (await user.req("GET", "/api/billing/usage")).json()
        assert usage["plan"] == "pro" and usage["remaining"]["live_minutes"] is None
        # another account's usage is its own
        other = await new_user(client)
        assert (await other.req("POST", "/api/offer", json=FAKE_SDP)).status == 400
    finally:
        await client.close()


async def test_a_live_session_past_the_limit_finishes_and_its_overage_is_recorded(tmp_path, monkeypatch):
    import aioice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    from cuecard.api.webrtc_routes import end_live_session

    clock = FakeClock()
    client = await make_client(tmp_path, clock, billing="on", free_live_minutes=1)
    app = client.server.app
    pcs = []
    try:
        user = await new_user(client)
        pc, body = await real_offer()
        pcs.append(pc)
        r = await user.req("POST", "/api/offer", json=body)
        assert r.status == 200, await r.text()
        session_id = (await r.json())["session_id"]
        assert app[LIVE_SESSIONS][session_id].runner.context.offline_only  # Free: offline models only
        clock.now += 150  # 2.5 minutes: past the 1-minute limit, and the session is still live
        await asyncio.sleep(0.2)
        assert session_id in app[LIVE_SESSIONS]
        await end_live_session(app, app[LIVE_SESSIONS][session_id])
        usage = await (await user.req("GET", "/api/billing/usage")).json()
        assert usage["usage"]["live_minutes"] == 2.5 and usage["remaining"]["live_minutes"] == 0
        # a fresh rejoin of the own session is not refused (it would cut the interview) ...
        pc, body = await real_offer(session_id=session_id)
        pcs.append(pc)
        r = await user.req("POST", "/api/offer", json=body)
        assert r.status == 200, await r.text()
        clock.now += 30
        await end_live_session(app, app[LIVE_SESSIONS][session_id])
        usage = await (await user.req("GET", "/api/billing/usage")).json()
        assert usage["usage"]["live_minutes"] == 3.0  # the session's runs add up, counted once
        # ... but a new capture is
        pc, body = await real_offer()
        pcs.append(pc)
        r = await user.req("POST", "/api/offer", json=body)
        assert r.status == 402 and (await r.json())["used"] == 3.0
    finally:
        for pc in pcs:
            await pc.close()
        await client.close()


async def test_practice_rounds_are_metered_and_limited(tmp_path):
    client = await make_client(tmp_path, billing="on", free_practice_sessions=1)
    try:
        user = await new_user(client)
        body = {"job_text": "Backend engineer: Python, databases, on-call.", "n": 1}
        r = await user.req("POST", "/api/practice/sessions", json=body)
        assert r.status == 201, await r.text()
        usage = await (await user.req("GET", "/api/billing/usage")).json()
        assert usage["usage"]["practice_sessions"] == 1 and usage["remaining"]["practice_sessions"] == 0
        r = await user.req("POST", "/api/practice/sessions", json=body)
        assert r.status == 402 and (await r.json())["limit"] == 1
    finally:
        await client.close()


@pytest.mark.parametrize("now, reset", [(1796169600.0, date(2027, 1, 1)), (1793491200.0, date(2026, 12, 1))])
def test_resets_on_the_first_of_next_month(now, reset):
    assert resets_at(now) == reset


async def test_offline_only_sessions_get_local_whisper_and_no_llm(tmp_path):
    """A server configured with cloud STT and an LLM: an offline-only (Free) session's stages
    use local Whisper, no LLM drafter and no LLM question refinement; other sessions keep them."""
    from cuecard.pipeline.assembly import build_stages
    from cuecard.pipeline.context import SessionContext
    from cuecard.processors.answer_drafter import AnswerDrafter
    from cuecard.processors.question_detector import QuestionDetector
    from cuecard.processors.whisper_stt import WhisperSTTProcessor

    client = await make_client(
        tmp_path, stt_providers=["deepgram", "local"], deepgram_api_key="dg-test", llm_base_url="http://127.0.0.1:9/v1"
    )
    try:
        services = client.server.app[SERVICES]

        def stages(offline: bool) -> list:
            return build_stages(
                services, None, live=False, context=SessionContext(session_id=f"s{offline}", offline_only=offline)
            )

        def kinds(found: list) -> tuple:
            drafter = next(p for p in found if isinstance(p, AnswerDrafter))
            detector = next(p for p in found if isinstance(p, QuestionDetector))
            whisper = any(isinstance(p, WhisperSTTProcessor) for p in found)
            return whisper, drafter.llm is not None, detector._params.refiner is not None

        assert kinds(stages(offline=True)) == (True, False, False)
        assert kinds(stages(offline=False)) == (False, True, True)
        assert services.settings.stt_providers == ["deepgram", "local"]  # the server's own settings untouched
    finally:
        await client.close()
