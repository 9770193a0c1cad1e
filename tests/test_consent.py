"""Consent before capture on both capture paths, in the issue's order of checks
(authentication → consent → quota → validation), the consent record on the session and in the
audit log, the account's retention setting, and the audit entries of sign-in events."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiortc import RTCPeerConnection

from cuecard.api.app import create_app
from cuecard.consent import CONSENT_VERSION

BAD_SDP = {"sdp": "hello", "type": "offer"}
CONSENT = {"consent": True, "consent_version": CONSENT_VERSION}


@pytest.fixture
def client(offer_client):
    return offer_client


async def signed_in(client, email: str) -> dict:
    r = await client.post("/api/auth/register", json={"email": email, "password": "a long passphrase 42"})
    assert r.status == 201, await r.text()
    return {"Authorization": f"Bearer {(await r.json())['access_token']}"}


async def offer_sdp() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="sendrecv")
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def consent_required(response) -> dict:
    assert response.status == 403, await response.text()
    body = await response.json()
    assert body["error"] == "consent_required" and body["consent_version"] == CONSENT_VERSION and body["message"]
    return body


async def audit_actions(client, headers) -> list[dict]:
    r = await client.get("/api/audit", headers=headers)
    assert r.status == 200
    return (await r.json())["items"]


async def test_consent_text_is_served(client):
    r = await client.get("/api/consent")
    assert r.status == 200
    body = await r.json()
    assert body["version"] == CONSENT_VERSION
    assert "one party" in body["text"] and "every participant" in body["text"]
    assert "Cuecard" in body["meeting_notice"] and body["checkbox"]


async def test_offer_checks_auth_then_consent_then_sdp(client):
    # A bad token is 401 even with neither consent nor a usable SDP: never a silent anonymous session.
    r = await client.post("/api/offer", json=BAD_SDP, headers={"Authorization": "Bearer not-a-token"})
    assert r.status == 401, await r.text()
    # No consent: 403 before the SDP is looked at, signed in or anonymous.
    alice = await signed_in(client, "consent-alice@example.org")
    await consent_required(await client.post("/api/offer", json=BAD_SDP, headers=alice))
    await consent_required(await client.post("/api/offer", json=BAD_SDP))
    await consent_required(await client.post("/api/offer", json={**BAD_SDP, "consent": "yes"}))
    # Consent to an older text is asked again.
    await consent_required(
        await client.post("/api/offer", json={**BAD_SDP, "consent": True, "consent_version": "1999"})
    )
    # With consent, the SDP is validated: 400 naming it.
    r = await client.post("/api/offer", json={**BAD_SDP, **CONSENT}, headers=alice)
    assert r.status == 400 and (await r.json())["error"]["field"] == "sdp"
    r = await client.post("/api/offer", json={**BAD_SDP, "consent": True})  # no version: the current text
    assert r.status == 400


async def test_consent_is_recorded_per_session_and_a_rejoin_needs_none(client, services):
    alice = await signed_in(client, "consent-rec@example.org")
    bob = await signed_in(client, "consent-bob@example.org")
    pc, sdp = await offer_sdp()
    r = await client.post("/api/offer", json={"sdp": sdp, "type": "offer", **CONSENT}, headers=alice)
    assert r.status == 200, await r.text()
    session_id = (await r.json())["session_id"]
    try:
        stored = (await services.store.sessions.get(session_id)).model_extra["consent"]
        assert stored["version"] == CONSENT_VERSION and stored["remote"] == "127.0.0.1" and stored["via"] == "offer"
        assert stored["user_id"] != "local" and stored["at"] > 0
        entries = [e for e in await audit_actions(client, alice) if e["action"] == "consent"]
        assert len(entries) == 1 and entries[0]["details"]["session_id"] == session_id
        assert entries[0]["remote"] == "127.0.0.1" and entries[0]["details"]["version"] == CONSENT_VERSION

        # A rejoin of the same session (a dropped connection) is not asked again...
        await pc.close()
        pc, sdp = await offer_sdp()
        rejoin = {"sdp": sdp, "type": "offer", "session_id": session_id}
        r = await client.post("/api/offer", json=rejoin, headers=alice)
        assert r.status == 200, await r.text()
        # ...but someone else's session carries no consent of theirs: 403, then 404 with consent.
        await consent_required(await client.post("/api/offer", json={**rejoin, "sdp": "v=0"}, headers=bob))
        pc2, sdp2 = await offer_sdp()
        r = await client.post("/api/offer", json={**rejoin, "sdp": sdp2, **CONSENT}, headers=bob)
        assert r.status == 404
        await pc2.close()
    finally:
        await pc.close()


async def test_anonymous_consent_is_recorded(client, services):
    pc, sdp = await offer_sdp()
    try:
        r = await client.post("/api/offer", json={"sdp": sdp, "type": "offer", **CONSENT})
        assert r.status == 200, await r.text()
        session_id = (await r.json())["session_id"]
        record = (await services.store.sessions.get(session_id)).model_extra["consent"]
        assert record["user_id"] == "local"
        entries = await services.store.accounts.list_audit("local")
        assert any(e.action == "consent" and e.actor == "anonymous" for e in entries)
    finally:
        await pc.close()


async def test_bots_check_auth_then_consent_then_quota_then_url(client, settings):
    bad_url = {"meeting_url": "https://example.org/not-a-meeting"}
    r = await client.post("/api/bots", json=bad_url)
    assert r.status == 401
    alice = await signed_in(client, "consent-bots@example.org")
    await consent_required(await client.post("/api/bots", json=bad_url, headers=alice))
    await consent_required(await client.post("/api/bots", json={"meeting_url": 42}, headers=alice))
    settings.bot_max_live = 0  # quota before validation
    r = await client.post("/api/bots", json={**bad_url, **CONSENT}, headers=alice)
    assert r.status == 429, await r.text()
    settings.bot_max_live = 2
    r = await client.post("/api/bots", json={**bad_url, **CONSENT}, headers=alice)
    assert r.status == 400 and (await r.json())["error"]["field"] == "meeting_url"


async def test_retention_setting_is_per_account_and_audited(client):
    alice = await signed_in(client, "retention@example.org")
    r = await client.get("/api/account/settings", headers=alice)
    assert await r.json() == {"retention_days": None, "retention_default_days": 30}
    r = await client.patch("/api/account/settings", json={"retention_days": 7}, headers=alice)
    assert r.status == 200 and (await r.json())["retention_days"] == 7
    for bad in ({"retention_days": -1}, {"retention_days": "7"}, {"retention_days": 7, "x": 1}, {}):
        r = await client.patch("/api/account/settings", json=bad, headers=alice)
        assert r.status == 400, (bad, await r.text())
    r = await client.patch("/api/account/settings", json={"retention_days": 0}, headers=alice)
    assert (await r.json())["retention_days"] == 0
    changes = [e["details"] for e in await audit_actions(client, alice) if e["action"] == "settings_change"]
    assert changes == [
        {"setting": "retention_days", "old": 7, "new": 0},
        {"setting": "retention_days", "old": None, "new": 7},
    ]
    assert (await client.get("/api/account/settings")).status == 401


async def test_sign_in_events_are_audited_with_address(client, services):
    email, password = "audited@example.org", "a long passphrase 42"
    r = await client.post("/api/auth/register", json={"email": email, "password": password})
    tokens = await r.json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    await client.post("/api/auth/login", json={"email": email, "password": "wrong but long enough"})
    r = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status == 200
    r = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status == 200, await r.text()
    await client.post("/api/auth/login", json={"email": "nobody@example.org", "password": "whatever it is"})
    entries = await audit_actions(client, headers)
    actions = [e["action"] for e in entries]
    for action in ("register", "login_failed", "login", "token_refresh"):
        assert action in actions, actions
    assert all(e["remote"] == "127.0.0.1" and e["hash"] and e["seq"] for e in entries)
    r = await client.post("/api/auth/logout", json={}, headers=headers)
    assert r.status == 204
    report = await services.store.accounts.log.verify()
    assert report.ok, report


async def test_the_server_purges_expired_sessions_in_the_background(settings, services):
    """The app's purge task (cleanup_ctx): a session idle past the default retention is gone,
    with its transcript, shortly after start-up; a fresh one stays."""
    import asyncio
    import time

    store = services.store
    long_ago = time.time() - 31 * 86400
    old = await store.sessions.create(user_id="local", created_at=long_ago, updated_at=long_ago)
    await store.sessions.upsert_segment(old.id, {"segment_id": "a", "text": "old words", "start": 0})
    fresh = await store.sessions.create(user_id="local")
    settings.warm_up_stt = False
    settings.retention_purge_interval_secs = 0.2
    async with TestClient(TestServer(create_app(settings, services))):
        for _ in range(100):
            if await store.sessions.find(old.id) is None:
                break
            await asyncio.sleep(0.05)
    assert await store.sessions.find(old.id) is None and await store.sessions.count_segments(old.id) == 0
    assert await store.sessions.find(fresh.id) is not None
    entry = [e for e in await store.accounts.list_audit("local") if e.action == "retention_delete"]
    assert entry and entry[0].actor == "system" and entry[0].details["session_id"] == old.id
