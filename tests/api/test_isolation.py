"""Isolation: user B can never read or change user A's data, on EVERY route of the API.

The route table itself (the one the OpenAPI document comes from) drives the test, so a route
added later without an entry here fails ``test_every_route_is_covered``.
"""

from __future__ import annotations

import re

import aioice.ice
import pytest
from aiortc import RTCPeerConnection

from cuecard.api.keys import API_SPECS, SERVICES
from cuecard.api.security import new_capability

# A valid body per (method, path): B's request must fail for ownership, not for validation.
BODIES = {
    "/api/sessions/{session_id}": {"title": "hijacked"},
    "/api/sessions/{session_id}/segments": {"text": "injected line", "start": 1, "end": 2},
    "/api/sessions/{session_id}/suggestions/feedback": {"question_id": "q1", "option": 0, "helpful": False},
    "/api/stories/{item_id}": {"title": "hijacked"},
    "/api/jobs/{item_id}": {"title": "hijacked"},
    "/api/attempts/{item_id}": {"notes": "hijacked"},
    "/api/banks/{bank_id}": {"name": "hijacked"},
    "/api/banks/{bank_id}/questions": {"text": "hijacked?"},
    "/api/banks/{bank_id}/questions/{question_id}": {"text": "hijacked?"},
    "/api/interviews/{item_id}": {"prepare_answers": True},
    "/api/practice/sessions/{practice_id}/questions/{index}/answer": {"source": "text", "text": "hijacked answer"},
}
# Routes without an id in the path: what B does there, and how A's data must be unaffected.
UNSCOPED = {
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/auth/me"),
    ("DELETE", "/api/auth/me"),
    ("POST", "/api/sessions"),
    ("GET", "/api/sessions"),
    ("GET", "/api/stories"),
    ("POST", "/api/stories"),
    ("POST", "/api/sessions/claim"),  # moves only sessions of the anonymous local owner (tests/web/test_claims.py)
    ("GET", "/api/jobs"),
    ("POST", "/api/jobs"),
    ("GET", "/api/attempts"),
    ("POST", "/api/attempts"),
    ("GET", "/api/profile"),
    ("PUT", "/api/profile"),
    ("DELETE", "/api/profile"),
    ("POST", "/api/profile/resume"),
    ("GET", "/api/banks"),
    ("POST", "/api/banks"),
    ("GET", "/api/bank-questions"),
    ("GET", "/api/audit"),
    ("POST", "/api/bots"),
    ("GET", "/api/bots"),
    ("GET", "/api/health"),
    ("GET", "/api/webrtc/config"),
    ("POST", "/api/offer"),
    ("PATCH", "/api/offer"),
    ("GET", "/api/consent"),  # the same public text for everyone
    ("GET", "/api/account/settings"),  # the caller's own account
    ("PATCH", "/api/account/settings"),
    ("POST", "/api/profile/import"),  # merges into the caller's own profile
    ("GET", "/api/profile/export"),
    ("POST", "/api/jobs/import"),
    ("POST", "/api/calendar/import"),  # the caller's own interviews
    ("POST", "/api/calendar/subscribe"),
    ("GET", "/api/interviews"),
    ("POST", "/api/webhooks"),  # the caller's own webhooks
    ("GET", "/api/webhooks"),
    ("GET", "/metrics"),  # counts and latencies of the whole instance, no one's data (localhost or token)
    ("POST", "/api/practice/sessions"),  # the caller's own practice rounds
    ("GET", "/api/practice/sessions"),
    ("GET", "/api/practice/progress"),
    ("GET", "/api/dashboard/sessions"),  # the caller's own sessions
    ("GET", "/api/dashboard/instance"),  # admins only (tests/web/test_dashboard.py)
    ("GET", "/api/billing/usage"),  # the caller's own usage (mounted with CUECARD_BILLING=on only)
    ("POST", "/api/billing/checkout"),  # the caller's own subscription (tests/api/test_billing_stripe.py)
    ("POST", "/api/billing/portal"),  # the caller's own Stripe customer
    ("POST", "/api/billing/stripe-webhook"),  # Stripe only: signed events (tests/api/test_billing_stripe.py)
    ("POST", "/api/teams"),  # the caller's own team (tests/api/test_teams.py: roles, private data)
    ("GET", "/api/teams/mine"),
    ("POST", "/api/teams/invitations"),
    ("POST", "/api/teams/join"),
    ("POST", "/api/teams/members/remove"),
    ("POST", "/api/teams/banks/share"),  # the caller's own banks to the caller's own team
    ("POST", "/api/teams/banks/unshare"),
    ("GET", "/api/teams/banks"),
}
MARKER = "ZEBRA-SECRET"  # appears in every piece of A's data


@pytest.fixture
async def rejoin_offer(monkeypatch):
    """``body(session_id)``: a real WebRTC offer that rejoins ``session_id`` (the only way to
    name a session on ``POST /api/offer``: a fake SDP is refused before the owner is checked)."""
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="sendrecv")
    await pc.setLocalDescription(await pc.createOffer())
    yield lambda session_id: {
        "sdp": pc.localDescription.sdp,
        "type": "offer",
        "session_id": session_id,
        "consent": True,  # consent is checked before ownership (tests/test_consent.py)
    }
    await pc.close()


async def make_a_data(a, store) -> dict:
    ids = {}
    # A finished meeting bot of A's, as the bot saves itself (a live one needs a real Chromium:
    # tests/bot/test_bot_api.py checks another user's access to that).
    await store.bots.save(
        a.id,
        {
            "id": "bot-of-a",
            "state": "ended",
            "reason": "meeting_ended",
            "name": f"{MARKER} bot",
            "created_at": 1.0,
            "timestamps": {},
        },
    )
    ids["bot_id"] = "bot-of-a"
    r = await a.req("POST", "/api/sessions", json={"title": f"{MARKER} session"})
    ids["session_id"] = (await r.json())["id"]
    await a.req("POST", f"/api/sessions/{ids['session_id']}/segments", json={"text": f"{MARKER} line", "end": 1})
    await a.req(
        "POST",
        f"/api/sessions/{ids['session_id']}/suggestions/feedback",
        json={"question_id": "q1", "option": 0, "helpful": True},
    )
    for kind, body in (
        ("stories", {"title": MARKER}),
        ("jobs", {"title": MARKER}),
        ("attempts", {"answer_text": MARKER, "session_id": ids["session_id"]}),
    ):
        r = await a.req("POST", f"/api/{kind}", json=body)
        assert r.status == 201, await r.text()
        ids[kind] = (await r.json())["id"]
    r = await a.req("POST", "/api/banks", json={"name": MARKER})
    ids["bank_id"] = (await r.json())["id"]
    r = await a.req("POST", f"/api/banks/{ids['bank_id']}/questions", json={"text": f"{MARKER} question"})
    ids["question_id"] = (await r.json())["id"]
    r = await a.req("PUT", "/api/profile", json={"name": MARKER, "skills": ["python"]})
    assert r.status == 200
    # an interview from A's calendar and A's calendar subscription (fill() names ids by the
    # path's second segment: /api/interviews/{item_id}, /api/calendar/subscriptions/{item_id})
    interview, _ = await store.interviews.upsert(
        a.id, "k1", {"uid": "u1", "start": 4_102_444_800.0, "end": 4_102_448_400.0, "summary": f"{MARKER} interview"}
    )
    ids["interviews"] = interview.id
    subscription = await store.interviews.subscriptions.create(a.id, {"url": f"https://cal.example.org/{MARKER}.ics"})
    ids["calendar"] = subscription.id
    # a webhook of A's with one queued delivery (its URL and body carry the marker)
    hook = await store.webhooks.create(
        a.id, f"https://hooks.example.org/{MARKER}", ["session.ended"], "whsec_" + MARKER
    )
    ids["webhook_id"] = hook.id
    delivery = await store.webhooks.enqueue(hook, "e1", "session.ended", f'{{"data":"{MARKER}"}}', 1.0)
    ids["delivery_id"] = delivery.id
    await store.webhooks.set_delivery(delivery.id, {"state": "delivered", "next_attempt_at": None})  # nothing due
    # a practice round of A's with one answered question
    question = {"index": 0, "text": f"{MARKER} practice question", "qtype": "technical", "status": "answered"}
    practice = await store.practice.create(a.id, {"title": MARKER, "questions": [{**question, "attempts": []}]})
    ids["practice_id"] = practice.id
    return ids


async def snapshot(a, ids) -> str:
    """Everything A can see, as text: must be identical before and after B's attempts."""
    sid = ids["session_id"]
    parts = []
    for path in (
        f"/api/sessions/{sid}",
        f"/api/sessions/{sid}/transcript",
        f"/api/sessions/{sid}/suggestions",
        f"/api/sessions/{sid}/questions",
        f"/api/stories/{ids['stories']}",
        f"/api/jobs/{ids['jobs']}",
        f"/api/attempts/{ids['attempts']}",
        f"/api/banks/{ids['bank_id']}",
        f"/api/banks/{ids['bank_id']}/questions",
        "/api/profile",
        "/api/sessions",
        f"/api/bots/{ids['bot_id']}",
        "/api/bots",
        "/api/interviews",
        "/api/webhooks",
        f"/api/webhooks/{ids['webhook_id']}/deliveries",
    ):
        r = await a.req("GET", path)
        assert r.status == 200, (path, r.status)
        parts.append(re.sub(r'"(ts|updated_at)": [0-9.]+', "", await r.text()))
    return "\n".join(parts)


def fill(path: str, ids: dict) -> str:
    def value(m):
        name = m.group(1)
        if name == "item_id":
            return ids[path.split("/")[2]]
        if name == "format":
            return "json"
        if name in ("index", "attempt"):
            return "0"
        if name == "bot_id":
            return ids["bot_id"]  # A's saved bot (see make_a_data)
        return ids[name]

    return re.sub(r"{(\w+)}", value, path)


async def test_every_route_is_covered(client):
    for spec in client.server.app[API_SPECS]:
        assert "{" in spec.path or (spec.method, spec.path) in UNSCOPED, (
            f"no isolation check for {spec.method} {spec.path}"
        )


async def test_b_cannot_reach_a_data_by_id(client, register):
    a, b = await register(), await register()
    ids = await make_a_data(a, client.server.app[SERVICES].store)
    before = await snapshot(a, ids)
    checked = 0
    for spec in client.server.app[API_SPECS]:
        if "{" not in spec.path:
            continue
        path = fill(spec.path, ids)
        body = BODIES.get(spec.path) if spec.method in ("POST", "PATCH", "PUT") else None
        r = await b.req(spec.method, path, json=body)
        text = await r.text()
        assert r.status == 404, f"{spec.method} {path} answered {r.status} to another user: {text}"
        assert MARKER not in text and a.id not in text
        checked += 1
    assert checked >= 25
    assert await snapshot(a, ids) == before


async def test_b_lists_and_writes_do_not_touch_a(client, register, rejoin_offer):
    a, b = await register(), await register()
    ids = await make_a_data(a, client.server.app[SERVICES].store)
    before = await snapshot(a, ids)
    for method, path in sorted(UNSCOPED):
        if path.startswith("/api/auth/") or path == "/api/profile/resume":
            continue
        body = {"PUT": {"name": "B"}, "POST": {"title": "B", "name": "B"}}.get(method)
        if path in ("/api/attempts", "/api/banks") and method == "POST":
            body = {"notes": "B"} if path == "/api/attempts" else {"name": "B"}
        if path in ("/api/sessions", "/api/stories", "/api/jobs") and method == "POST":
            body = {"title": "B"}
        if (method, path) == ("POST", "/api/offer"):  # rejoining A's session
            body = rejoin_offer(ids["session_id"])
        r = await b.req(method, path, json=body)
        text = await r.text()
        assert r.status < 500 and MARKER not in text and a.id not in text, (method, path, r.status, text)
        if (method, path) == ("POST", "/api/offer"):
            assert r.status == 404 and (await r.json())["error"]["field"] == "session_id"
    r = await b.req("GET", "/api/bank-questions", params={"q": MARKER.lower()})
    assert (await r.json())["total"] == 0
    # B's attempt may not point at A's session either
    r = await b.req("POST", "/api/attempts", json={"session_id": ids["session_id"], "answer_text": "x"})
    assert r.status == 404 and (await r.json())["error"]["field"] == "session_id"
    r = await b.req(
        "POST", "/api/profile/resume?filename=r.txt", data=b"Bob\nEngineer", headers={"Content-Type": "text/plain"}
    )
    assert r.status in (200, 400)
    r = await b.req("POST", "/api/auth/logout", json={})
    assert r.status == 204
    r = await a.req("GET", "/api/auth/me")
    assert r.status == 200  # B's logout revoked only B's token
    assert await snapshot(a, ids) == before


async def test_b_cannot_change_the_builtin_bank(client, register):
    b = await register()
    for method, path, body in (
        ("PATCH", "/api/banks/builtin-starter", {"name": "x"}),
        ("DELETE", "/api/banks/builtin-starter", None),
        ("POST", "/api/banks/builtin-starter/questions", {"text": "x?"}),
        ("DELETE", "/api/banks/builtin-starter/questions/starter-001", None),
    ):
        r = await b.req(method, path, json=body)
        assert r.status == 403, (method, path)
    r = await b.req("GET", "/api/banks/builtin-starter")
    assert (await r.json())["question_count"] >= 30


async def test_anonymous_requests_reach_nothing(client, register, rejoin_offer):
    """Without a token every route answers 401 (or 404 for the live page's routes, which only
    reach sessions of the anonymous local owner) and nothing changes. Routes without auth reach
    no one's data: health, ICE servers, the consent text. (Trickle ICE is bound to the
    connection's owner: a stranger's pc_id is a 404.)"""
    a = await register()
    ids = await make_a_data(a, client.server.app[SERVICES].store)
    before = await snapshot(a, ids)
    open_routes = {
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/refresh"),
        ("GET", "/api/health"),
        ("GET", "/api/webrtc/config"),
        ("GET", "/api/consent"),
        ("GET", "/metrics"),
    }
    assert open_routes == {(s.method, s.path) for s in client.server.app[API_SPECS] if s.auth is False}
    for spec in client.server.app[API_SPECS]:
        if (spec.method, spec.path) in open_routes:
            continue
        body = (
            BODIES.get(spec.path, {"title": "anon", "name": "anon"})
            if spec.method in ("POST", "PATCH", "PUT")
            else None
        )
        if (spec.method, spec.path) == ("POST", "/api/offer"):  # rejoining A's session
            body = rejoin_offer(ids["session_id"])
        if (spec.method, spec.path) == ("PATCH", "/api/offer"):  # a pc_id opens only its owner's connection
            body = {"pc_id": "someone-elses", "candidates": []}
        r = await client.request(spec.method, fill(spec.path, ids), json=body)
        expected = 404 if spec.auth == "optional" else 401
        assert r.status == expected, (spec.method, spec.path, r.status)
        assert MARKER not in await r.text()
    assert await snapshot(a, ids) == before


async def test_live_page_feedback_on_local_sessions(client, register):
    store = client.server.app[SERVICES].store
    secret, secret_hash = new_capability()  # as POST /api/offer makes an anonymous session
    local = await store.sessions.create(
        title="Live interview", source="webrtc", user_id="local", capability_hash=secret_hash
    )
    body = {"question_id": "q1", "option": 0, "helpful": True}
    r = await client.post(f"/api/sessions/{local.id}/suggestions/feedback", json=body)
    assert r.status == 404  # the id alone opens nothing
    r = await client.post(f"/api/sessions/{local.id}/suggestions/feedback?secret=wrong", json=body)
    assert r.status == 404
    r = await client.post(
        f"/api/sessions/{local.id}/suggestions/feedback", json=body, headers={"X-Session-Secret": secret}
    )
    assert r.status == 200
    assert (await store.sessions.list_suggestions(local.id))[0].feedback.helpful is True
    user = await register()  # an account cannot touch the anonymous sessions, nor a bad token
    r = await user.req("POST", f"/api/sessions/{local.id}/suggestions/feedback", json=body)
    assert r.status == 404
    r = await client.post(
        f"/api/sessions/{local.id}/suggestions/feedback",
        json=body,
        headers={"Authorization": "Bearer expired-or-forged"},
    )
    assert r.status == 401
