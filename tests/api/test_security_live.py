"""Live sessions (issue 14, finding "medium"): a bad token on ``POST /api/offer`` is a 401,
anonymous sessions open only with their capability secret, a ``pc_id`` is bound to its owner,
an event WebSocket closes once its token is revoked, offers are rate-limited.

Real aiortc offers on loopback; the server's pipeline never hears audio here."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from aiortc import RTCPeerConnection

from cuecard.api.app import create_app
from cuecard.api.auth import issue
from cuecard.api.keys import JWT_SECRET, PEER_CONNECTIONS, SERVICES

from .conftest import api_settings

CONSENT = {"consent": True}


async def offer_sdp() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="sendrecv")
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def offer(client, headers: dict | None = None, **extra):
    pc, sdp = await offer_sdp()
    r = await client.post("/api/offer", json={"sdp": sdp, "type": "offer", **CONSENT, **extra}, headers=headers or {})
    return pc, r


async def test_bad_tokens_on_offer_are_401_never_anonymous(client, register):
    user = await register()
    store = client.server.app[SERVICES].store
    expired, _ = issue(client.server.app[JWT_SECRET], user.id, "access", -10)
    for token in ("garbage", expired, user.tokens["refresh_token"]):
        pc, r = await offer(client, {"Authorization": f"Bearer {token}"})
        await pc.close()
        assert r.status == 401, (token[:10], await r.text())
    assert await store.sessions.count("local") == 0  # no anonymous session was made


async def test_anonymous_session_needs_its_capability_secret(client, register):
    pc, r = await offer(client)
    try:
        assert r.status == 200, await r.text()
        answer = await r.json()
        session_id, secret = answer["session_id"], answer["session_secret"]
        assert len(secret) >= 40
        stored = await client.server.app[SERVICES].store.sessions.get(session_id)
        assert secret not in str(stored.doc()) and "capability_hash" not in stored.public()
        path = f"/api/live/{session_id}/transcript"
        assert (await client.get(path)).status == 404  # the id alone
        assert (await client.get(path, headers={"X-Session-Secret": "x" * 43})).status == 404
        assert (await client.get(path, headers={"X-Session-Secret": secret})).status == 200
        assert (await client.get(f"{path}?secret={secret}")).status == 200
        feedback = f"/api/sessions/{session_id}/suggestions/feedback"
        body = {"question_id": "q1", "option": 0, "helpful": True}
        assert (await client.post(feedback, json=body)).status == 404
        assert (await client.post(feedback, json=body, headers={"X-Session-Secret": secret})).status == 200
        # a stranger cannot rejoin (and so kick the owner), even with consent
        pc2, r2 = await offer(client, session_id=session_id)
        await pc2.close()
        assert r2.status == 404
        user = await register()
        pc3, r3 = await offer(client, user.headers, session_id=session_id)
        await pc3.close()
        assert r3.status == 404
        # the event WebSocket: with the secret only
        with_secret = client.make_url(f"/api/sessions/{session_id}/events").with_query(secret=secret)
        ws = await client.session.ws_connect(with_secret)
        await ws.close()
        r = await client.get(f"/api/sessions/{session_id}/events", headers={"Upgrade": "websocket"})
        assert r.status == 401
        # the secret is shown once: a rejoin by its owner does not repeat it
        pc4, r4 = await offer(client, {"X-Session-Secret": secret}, session_id=session_id)
        await pc4.close()
        assert r4.status == 200 and "session_secret" not in await r4.json()
    finally:
        await pc.close()


async def test_pc_id_is_bound_to_its_owner(client, register):
    alice, bob = await register(), await register()
    pc, r = await offer(client, alice.headers)
    try:
        assert r.status == 200
        pc_id = (await r.json())["pc_id"]
        patch = {"pc_id": pc_id, "candidates": [{"candidate": ""}]}
        assert (await client.patch("/api/offer", json=patch)).status == 404
        assert (await client.patch("/api/offer", json=patch, headers=bob.headers)).status == 404
        assert (await client.patch("/api/offer", json=patch, headers=alice.headers)).status == 200
        live = client.server.app[PEER_CONNECTIONS][pc_id]
        # renegotiation of Alice's connection by Bob (or a stranger) is refused before it is used
        for headers in (bob.headers, {}):
            pc2, sdp = await offer_sdp()
            body = {"sdp": sdp, "type": "offer", "pc_id": pc_id, **CONSENT}
            r2 = await client.post("/api/offer", json=body, headers=headers)
            await pc2.close()
            assert r2.status in (403, 404), await r2.text()  # 403: Bob has no consent of Alice's
            assert client.server.app[PEER_CONNECTIONS].get(pc_id) is live  # untouched
        pc3, sdp3 = await offer_sdp()
        body = {"sdp": sdp3, "type": "offer", "pc_id": pc_id, **CONSENT}
        r3 = await client.post("/api/offer", json=body, headers=bob.headers)
        await pc3.close()
        assert r3.status == 404, await r3.text()  # with consent of his own: still not his connection
    finally:
        await pc.close()


async def test_websocket_closes_when_its_token_is_revoked(tmp_path):
    settings = api_settings(tmp_path, ws_token_check_secs=0.2)
    async with TestClient(TestServer(create_app(settings))) as client:
        r = await client.post("/api/auth/register", json={"email": "w@example.org", "password": "violet tuba 93 fern"})
        tokens = await r.json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        r = await client.post("/api/sessions", json={"title": "t"}, headers=headers)
        session_id = (await r.json())["id"]
        url = client.make_url(f"/api/sessions/{session_id}/events").with_query(token=tokens["access_token"])
        ws = await client.session.ws_connect(url)
        await asyncio.sleep(0.5)
        assert not ws.closed
        assert (await client.post("/api/auth/logout", json={}, headers=headers)).status == 204
        started = time.monotonic()
        message = await asyncio.wait_for(ws.receive(), 5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), message
        assert ws.close_code == 4401 and time.monotonic() - started < 3
        await ws.close()


async def test_offers_are_rate_limited(tmp_path):
    settings = api_settings(tmp_path, offer_rate_limit_per_minute=3)
    async with TestClient(TestServer(create_app(settings))) as client:
        statuses = []
        for _ in range(4):
            r = await client.post("/api/offer", json={"sdp": "v=0\r\n", "type": "offer", **CONSENT})
            statuses.append(r.status)
        assert statuses[:3] == [400, 400, 400] and statuses[3] == 429, statuses
