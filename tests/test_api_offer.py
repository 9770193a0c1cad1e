"""Signalling endpoints: malformed offers and ICE patches get 4xx JSON errors (never a 500),
a real aiortc offer gets an answer and a live session, health counts live sessions."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiortc import RTCPeerConnection

from cuecard.api.app import create_app


@pytest.fixture
def loopback_ice(monkeypatch):
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


@pytest.fixture
async def client(settings, services, loopback_ice):
    settings.ice_servers = [{"urls": "stun:stun.example.org:3478"}]
    settings.warm_up_stt = False  # signalling only: no need to load Whisper
    app = create_app(settings, services)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def real_offer() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="sendrecv")
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def expect_error(response, status: int, field: str | None = None) -> dict:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["error"]["code"] and body["error"]["message"]
    if field is not None:
        assert body["error"]["field"] == field
    return body


async def test_health_reports_live_sessions(client):
    response = await client.get("/api/health")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok" and body["sessions_live"] == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "sdp"),
        ({"sdp": "", "type": "offer"}, "sdp"),
        ({"sdp": 42, "type": "offer"}, "sdp"),
        ({"sdp": "hello", "type": "offer"}, "sdp"),
        ({"sdp": "v=0\r\nthis is not sdp\r\n", "type": "offer"}, "sdp"),
        ({"sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "type": "offer"}, "sdp"),
        ({"sdp": "v=0\r\n", "type": "answer"}, "type"),
        ({"sdp": "v=0\r\n", "type": "offer", "after": -1}, "after"),
        ({"sdp": "v=0\r\n", "type": "offer", "after": "7"}, "after"),
        ({"sdp": "v=0\r\n", "type": "offer", "session_id": ""}, "session_id"),
    ],
)
async def test_malformed_offers_get_400_json(client, body, field):
    # with consent: a request without it is refused before the SDP is read (tests/test_consent.py)
    await expect_error(await client.post("/api/offer", json={**body, "consent": True}), 400, field)


async def test_non_json_and_non_object_bodies_get_400(client):
    json_type = {"Content-Type": "application/json"}
    await expect_error(await client.post("/api/offer", data=b"{not json", headers=json_type), 400)
    # JSON as text/plain (a cross-site "simple" request) is refused before it is read
    await expect_error(await client.post("/api/offer", data=b"{not json"), 415, "Content-Type")
    await expect_error(await client.post("/api/offer", json=["sdp"]), 400)
    await expect_error(await client.get("/api/offer"), 405)


async def test_rejoining_an_unknown_session_is_404(client):
    pc, sdp = await real_offer()
    try:
        response = await client.post(
            "/api/offer", json={"sdp": sdp, "type": "offer", "session_id": "nope", "consent": True}
        )
        await expect_error(response, 404, "session_id")
    finally:
        await pc.close()


async def test_offer_answer_patch_and_transcript(client):
    pc, sdp = await real_offer()
    try:
        response = await client.post("/api/offer", json={"sdp": sdp, "type": "offer", "consent": True})
        assert response.status == 200, await response.text()
        answer = await response.json()
        assert answer["type"] == "answer" and answer["sdp"].startswith("v=0")
        pc_id, session_id = answer["pc_id"], answer["session_id"]
        secret = {"X-Session-Secret": answer["session_secret"]}  # an anonymous session's capability
        assert (await (await client.get("/api/health")).json())["sessions_live"] == 1

        good = {
            "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
            "sdp_mid": "0",
            "sdp_mline_index": 0,
        }
        patch = {"pc_id": pc_id, "candidates": [good, {"candidate": ""}]}
        response = await client.patch("/api/offer", json=patch)  # the pc_id alone opens nothing
        await expect_error(response, 404, "pc_id")
        response = await client.patch("/api/offer", json=patch, headers=secret)
        assert response.status == 200, await response.text()

        bad_patches = [
            ({"candidates": []}, 400, "pc_id"),
            ({"pc_id": "unknown", "candidates": []}, 404, "pc_id"),
            ({"pc_id": pc_id, "candidates": "x"}, 400, "candidates"),
            ({"pc_id": pc_id, "candidates": [7]}, 400, "candidates[0]"),
            (
                {"pc_id": pc_id, "candidates": [{"candidate": "candidate:garbage", "sdp_mid": "0"}]},
                400,
                "candidates[0].candidate",
            ),
            (
                {"pc_id": pc_id, "candidates": [{**good, "sdp_mid": None, "sdp_mline_index": None}]},
                400,
                "candidates[0]",
            ),
        ]
        for body, status, field in bad_patches:
            await expect_error(await client.patch("/api/offer", json=body, headers=secret), status, field)

        assert (await client.get(f"/api/live/{session_id}/transcript")).status == 404
        response = await client.get(f"/api/live/{session_id}/transcript", headers=secret)
        assert response.status == 200
        body = await response.json()
        assert body["session_id"] == session_id and body["segments"] == [] and body["live"] is True
    finally:
        await pc.close()


async def test_transcript_of_unknown_session_is_404(client):
    await expect_error(await client.get("/api/live/unknown/transcript"), 404, "session_id")


async def test_webrtc_config_gives_ice_servers(client):
    body = await (await client.get("/api/webrtc/config")).json()
    assert body == {"ice_servers": [{"urls": "stun:stun.example.org:3478"}]}
