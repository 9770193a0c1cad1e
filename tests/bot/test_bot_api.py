"""``/api/bots``: input validation (no browser) and one real bot followed and ended over HTTP."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer
from meeting_double import LOOPBACK_WEBRTC_ARGS

from cuecard.api.app import create_app
from cuecard.api.keys import SERVICES, SETTINGS
from cuecard.transports.meeting_bot import bot as bot_module


@pytest.fixture
async def client(bot_settings, services, monkeypatch):
    bot_settings.warm_up_stt = False  # no speech here: Whisper is never needed
    # The meeting double's WebRTC needs loopback ICE in Chromium: add the flags to every bot.
    original = bot_module.MeetingBot.__init__

    def with_loopback_flags(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.extra_browser_args = LOOPBACK_WEBRTC_ARGS

    monkeypatch.setattr(bot_module.MeetingBot, "__init__", with_loopback_flags)
    async with TestClient(TestServer(create_app(bot_settings, services))) as test_client:
        yield test_client


async def _token(client, email: str) -> dict:
    response = await client.post("/api/auth/register", json={"email": email, "password": "correct horse 42"})
    assert response.status == 201, await response.text()
    return {"Authorization": f"Bearer {(await response.json())['access_token']}"}


async def _error(response, status: int, field: str | None) -> dict:
    assert response.status == status, await response.text()
    body = await response.json()
    assert body["error"]["field"] == field and body["error"]["message"]
    return body["error"]


async def test_bad_requests_get_json_errors(client, bot_settings):
    await _error(
        await client.post("/api/bots", json={"meeting_url": "https://meet.google.com/abc"}), 401, "Authorization"
    )
    auth = await _token(client, "bots-bad@example.org")
    cases = [
        ({}, "meeting_url"),
        ({"meeting_url": 42}, "meeting_url"),
        ({"meeting_url": "ftp://meet.google.com/abc"}, "meeting_url"),
        ({"meeting_url": "https://example.org/meeting"}, "meeting_url"),
        ({"meeting_url": "https://meet.google.com/abc", "name": ""}, "name"),
        ({"meeting_url": "https://meet.google.com/abc", "name": "x" * 101}, "name"),
        ({"meeting_url": "https://meet.google.com/abc", "session_id": "../etc"}, "session_id"),
        ({"meeting_url": "https://meet.google.com/abc", "colour": "red"}, "colour"),
    ]
    for body, field in cases:  # with consent: without it the body is not looked at (tests/test_consent.py)
        await _error(await client.post("/api/bots", json={**body, "consent": True}, headers=auth), 400, field)
    response = await client.post("/api/bots", data="{not json", headers={**auth, "Content-Type": "application/json"})
    assert response.status == 400
    bot_settings.bot_allow_loopback_meetings = False  # the default: no bot browses the server's own host
    error = await _error(
        await client.post(
            "/api/bots", json={"meeting_url": "http://127.0.0.1:9/meet/x", "consent": True}, headers=auth
        ),
        400,
        "meeting_url",
    )
    assert error["code"] == "unsupported_meeting"
    await _error(await client.get("/api/bots/nope", headers=auth), 404, "bot_id")
    await _error(await client.delete("/api/bots/nope", headers=auth), 404, "bot_id")


@pytest.mark.browser
async def test_bot_followed_and_ended_over_http(client, meeting):
    meeting.room("api", ["Dana Lee"])
    auth = await _token(client, "bots-owner@example.org")
    response = await client.post(
        "/api/bots",
        json={"meeting_url": meeting.url("api"), "candidate_name": "Alex Kim", "consent": True},
        headers=auth,
    )
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["state"] == "launching" and created["name"] == "Alex Kim's notetaker (Cuecard)"
    bot_id = created["id"]

    guest = await meeting.wait_for_guest("api", "lobby", timeout=30)
    deadline = time.monotonic() + 30
    while (await (await client.get(f"/api/bots/{bot_id}", headers=auth)).json())["state"] != "waiting_for_admission":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    meeting.set_state("api", guest.id, "admitted")
    deadline = time.monotonic() + 30
    while True:
        state = await (await client.get(f"/api/bots/{bot_id}", headers=auth)).json()
        if state["state"] == "in_call" and state["participants"]:
            break
        assert time.monotonic() < deadline, state
        await asyncio.sleep(0.2)
    assert state["participants"] == [{"name": "Dana Lee", "role": "interviewer", "speaking": False}]
    assert {"launching", "joining", "waiting_for_admission", "in_call"} <= set(state["timestamps"])

    other = await _token(client, "bots-other@example.org")
    await _error(await client.get(f"/api/bots/{bot_id}", headers=other), 404, "bot_id")

    ended = await (await client.delete(f"/api/bots/{bot_id}", headers=auth)).json()
    assert (ended["state"], ended["reason"], ended["failed"]) == ("ended", "left_by_request", False)
    assert meeting.guests("api")[0].state == "left"
    # Consent, join and leave are in the owner's audit log; consent is on the bot's session.
    audit = (await (await client.get("/api/audit", headers=auth)).json())["items"]
    by_action = {e["action"]: e for e in audit}
    assert {"consent", "bot_join", "bot_leave"} <= set(by_action)
    assert by_action["bot_leave"]["details"]["reason"] == "left_by_request"
    assert by_action["consent"]["details"]["session_id"] == created["session_id"]
    # The bot's states are events of its session, kept by the store like any session.
    session = await client.get(f"/api/sessions/{created['session_id']}", headers=auth)
    assert session.status == 200, await session.text()

    # Saved in the store: listed, and still readable by a server started afterwards (a fresh
    # app on the same store has no live bots), for its owner only.
    listed = await (await client.get("/api/bots", headers=auth)).json()
    assert [(b["id"], b["state"]) for b in listed["items"]] == [(bot_id, "ended")] and listed["total"] == 1
    assert (await (await client.get("/api/bots", headers=other)).json())["items"] == []
    async with TestClient(TestServer(create_app(client.app[SETTINGS], client.app[SERVICES]))) as restarted:
        saved = await (await restarted.get(f"/api/bots/{bot_id}", headers=auth)).json()
        assert (saved["state"], saved["reason"], saved["session_id"]) == (
            "ended",
            "left_by_request",
            created["session_id"],
        )
        assert "user_id" not in saved and {"launching", "in_call", "ended"} <= set(saved["timestamps"])
        again = await restarted.delete(f"/api/bots/{bot_id}", headers=auth)  # nothing live: its saved state
        assert again.status == 200 and (await again.json())["state"] == "ended"
        await _error(await restarted.get(f"/api/bots/{bot_id}", headers=other), 404, "bot_id")
