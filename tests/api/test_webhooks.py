"""Webhooks (issue 16 item 3): registration, signed deliveries with retries on a fake clock,
the delivery log, redelivery, isolation between accounts, bad input.

The receiver is a real aiohttp server on loopback (allowed by ``webhook_allow_loopback_http``,
the tests-only flag); it checks every request's ``Cuecard-Signature`` with the documented
``cuecard.webhooks.signature.verify`` and answers 500 to the first two attempts of each event,
then 200. The dispatcher's loops are off (``webhook_dispatch=False``): the test calls its
``scan`` and ``run_due`` steps on a fake clock, so the 24 h backoff runs in milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cuecard.webhooks.signature import HEADER, sign, verify
from tests.api.conftest import User, api_settings

T0 = 1_900_000_000.0
_n = itertools.count()


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


class Receiver:
    """Fails the first ``fail_first`` attempts of each event (by its id) with 500."""

    def __init__(self, secret_of, fail_first: int = 2):
        self.secret_of = secret_of  # path -> secret
        self.fail_first = fail_first
        self.requests: list[dict] = []
        self.seen: dict[str, int] = defaultdict(int)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        secret = self.secret_of[request.path]
        ok = verify(secret, request.headers.get(HEADER, ""), raw, now=CLOCK.now)
        event = json.loads(raw)
        self.requests.append({"path": request.path, "verified": ok, "event": event, "headers": dict(request.headers)})
        if not ok:
            return web.Response(status=401)
        self.seen[event["id"]] += 1
        if request.path.endswith("/down") or self.seen[event["id"]] <= self.fail_first:
            return web.Response(status=500)
        return web.Response(status=204)


CLOCK = FakeClock(T0)


@pytest.fixture
async def hooks(tmp_path):
    from cuecard.api.app import create_app
    from cuecard.api.keys import WEBHOOK_DISPATCHER

    CLOCK.now = T0
    settings = api_settings(tmp_path, webhook_allow_loopback_http=True, webhook_dispatch=False)
    app = create_app(settings)
    app[WEBHOOK_DISPATCHER].clock = CLOCK
    secrets: dict[str, str] = {}
    receiver = Receiver(secrets)
    target = web.Application()
    target.router.add_post("/{name:.*}", receiver.handle)
    async with TestServer(target, host="127.0.0.1") as server, TestClient(TestServer(app)) as client:
        yield client, app, receiver, secrets, f"http://127.0.0.1:{server.port}"


async def _user(client) -> User:
    n = next(_n)
    r = await client.post("/api/auth/register", json={"email": f"wh{n}@example.org", "password": "correct horse b"})
    assert r.status == 201
    return User(client, f"wh{n}@example.org", "correct horse b", await r.json())


async def _hook(user: User, secrets: dict, base: str, path: str, events: list[str], secret: str | None = None):
    body: dict = {"url": base + path, "events": events}
    if secret:
        body["secret"] = secret
    r = await user.req("POST", "/api/webhooks", json=body)
    assert r.status == 201, await r.text()
    hook = await r.json()
    secrets[path] = hook["secret"]
    return hook


async def _log(user: User, hook_id: str) -> list[dict]:
    r = await user.req("GET", f"/api/webhooks/{hook_id}/deliveries")
    assert r.status == 200
    return (await r.json())["items"]


async def _wait_for(user: User, hook_id: str, n: int) -> list[dict]:
    for _ in range(200):
        log = await _log(user, hook_id)
        if len(log) >= n:
            return log
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {n} deliveries, log has {len(log)}")


async def _live_session(app, user: User) -> str:
    """A session of ``user`` the dispatcher follows, with a question, a suggestion and its end."""
    from cuecard.api.keys import SERVICES, WEBHOOK_DISPATCHER

    r = await user.req("POST", "/api/sessions", json={"title": "Onsite"})
    session_id = (await r.json())["id"]
    assert await app[WEBHOOK_DISPATCHER].scan() == 0  # pending: not started yet
    assert (await user.req("POST", f"/api/sessions/{session_id}/start")).status == 200
    bus = app[SERVICES].bus
    question = {
        "type": "question",
        "question_id": "q1",
        "text": "Tell me about a conflict?",
        "question_type": "behavioral",
    }
    await bus.publish(session_id, {**question, "status": "tentative", "confidence": 0.5})
    assert await app[WEBHOOK_DISPATCHER].scan() == 1
    await bus.publish(session_id, {**question, "status": "confirmed", "confidence": 0.9})
    await bus.publish(
        session_id, {"type": "suggestion", "question_id": "q1", "option": "concise", "delta": "I", "done": False}
    )
    await bus.publish(
        session_id, {"type": "suggestion", "question_id": "q1", "option": "concise", "delta": ".", "done": True}
    )
    assert (await user.req("POST", f"/api/sessions/{session_id}/complete")).status == 200  # status: completed
    return session_id


async def _run_at(app, t: float) -> int:
    from cuecard.api.keys import WEBHOOK_DISPATCHER

    CLOCK.now = t
    return await app[WEBHOOK_DISPATCHER].run_due()


async def test_signed_events_are_retried_with_backoff_until_the_receiver_accepts(hooks):
    client, app, receiver, secrets, base = hooks
    alice = await _user(client)
    hook = await _hook(
        alice, secrets, base, "/alice", ["session.started", "question.detected", "suggestion.ready", "session.ended"]
    )
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    session_id = await _live_session(app, alice)
    log = await _wait_for(alice, hook["id"], 4)
    assert sorted(d["event_type"] for d in log) == [
        "question.detected",
        "session.ended",
        "session.started",
        "suggestion.ready",
    ]
    assert all(d["state"] == "pending" and d["attempts"] == [] for d in log)

    assert await _run_at(app, T0) == 4  # 1st attempt: 500
    assert await _run_at(app, T0 + 9) == 0  # backoff: 10 s
    assert await _run_at(app, T0 + 10) == 4  # 2nd attempt: 500
    assert await _run_at(app, T0 + 29) == 0  # backoff doubled: 20 s
    assert await _run_at(app, T0 + 30) == 4  # 3rd attempt: accepted
    assert await _run_at(app, T0 + 10_000) == 0

    log = await _log(alice, hook["id"])
    for d in log:
        assert d["state"] == "delivered", d
        assert [a["status"] for a in d["attempts"]] == [500, 500, 204]
        assert [a["at"] for a in d["attempts"]] == [T0, T0 + 10, T0 + 30]
        assert d["last_status"] == 204 and d["next_attempt_at"] is None and d["attempt_count"] == 3
    assert len(receiver.requests) == 12 and all(r["verified"] for r in receiver.requests)
    events = {r["event"]["type"]: r["event"] for r in receiver.requests}
    assert events["question.detected"]["data"]["status"] == "confirmed"  # the tentative one is not sent
    assert events["question.detected"]["data"]["session_id"] == session_id
    assert events["suggestion.ready"]["data"]["done"] is True
    first = next(r for r in receiver.requests if r["event"]["type"] == "session.ended")
    assert first["headers"]["Cuecard-Event"] == "session.ended"
    assert first["headers"][HEADER].startswith(f"t={int(T0)},v1=")
    # the receiver's recipe refuses a tampered body and a stale timestamp
    raw = json.dumps(first["event"], separators=(",", ":")).encode()
    assert verify(secrets["/alice"], first["headers"][HEADER], raw, now=T0)
    assert not verify(secrets["/alice"], first["headers"][HEADER], raw.replace(b"ended", b"ENDED"), now=T0)
    assert not verify(secrets["/alice"], first["headers"][HEADER], raw, now=T0 + 301)
    assert not verify("whsec_other", first["headers"][HEADER], raw, now=T0)

    # replaying the session's history (a restart) queues nothing twice
    from cuecard.api.keys import WEBHOOK_DISPATCHER

    app[WEBHOOK_DISPATCHER]._finished.clear()
    await app[WEBHOOK_DISPATCHER].publish(alice.id, "session.started", f"{session_id}:started", {})
    assert len(await _log(alice, hook["id"])) == 4


async def test_retries_stop_24_hours_after_the_event_and_redelivery_sends_it_again(hooks):
    client, app, receiver, secrets, base = hooks
    bob = await _user(client)
    down = await _hook(bob, secrets, base, "/down", ["session.ended"], secret="s" * 32)
    assert down["secret"] == "s" * 32
    await _live_session(app, bob)
    [delivery] = await _wait_for(bob, down["id"], 1)
    next_at = T0
    for _ in range(100):  # each attempt exactly when due
        assert await _run_at(app, next_at) == 1
        [d] = await _log(bob, down["id"])
        if d["state"] != "pending":
            break
        assert await _run_at(app, d["next_attempt_at"] - 1) == 0
        next_at = d["next_attempt_at"]
    [d] = await _log(bob, down["id"])
    assert d["state"] == "failed" and d["next_attempt_at"] is None
    times = [a["at"] for a in d["attempts"]]
    assert all(a["status"] == 500 for a in d["attempts"])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[:4] == [10, 20, 40, 80] and max(gaps) == 3600  # exponential, capped at an hour
    assert times[-1] - T0 <= 86_400 < times[-1] + 3600 - T0
    assert len(times) == len([r for r in receiver.requests if r["path"] == "/down"])

    # redelivery: a new delivery of the same event, signed anew
    r = await bob.req("POST", f"/api/webhooks/{down['id']}/deliveries/{d['id']}/redeliver")
    assert r.status == 202
    copy = await r.json()
    assert copy["id"] != d["id"] and copy["event_id"] == d["event_id"] and copy["redelivery_of"] == d["id"]
    assert copy["state"] == "pending"
    secrets["/down"] = "s" * 32
    receiver_count = len(receiver.requests)
    assert await _run_at(app, T0 + 200_000) == 1
    last = receiver.requests[receiver_count]
    assert last["verified"] and last["event"]["id"] == d["event_id"]
    assert last["headers"][HEADER].startswith(f"t={int(T0 + 200_000)},")
    assert len(await _log(bob, down["id"])) == 2

    r = await bob.req("POST", f"/api/webhooks/{down['id']}/deliveries/dl_nope/redeliver")
    assert r.status == 404


async def test_accounts_see_and_receive_only_their_own(hooks):
    client, app, receiver, secrets, base = hooks
    alice, mallory = await _user(client), await _user(client)
    hook = await _hook(alice, secrets, base, "/a", ["session.ended"])
    other = await _hook(mallory, secrets, base, "/m", ["session.started", "session.ended"])
    await _live_session(app, alice)
    [delivery] = await _wait_for(alice, hook["id"], 1)

    listed = await (await mallory.req("GET", "/api/webhooks")).json()
    assert [h["id"] for h in listed["items"]] == [other["id"]]
    assert "secret" not in listed["items"][0]
    for method, path in (
        ("GET", f"/api/webhooks/{hook['id']}"),
        ("GET", f"/api/webhooks/{hook['id']}/deliveries"),
        ("POST", f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver"),
        ("POST", f"/api/webhooks/{other['id']}/deliveries/{delivery['id']}/redeliver"),
        ("DELETE", f"/api/webhooks/{hook['id']}"),
    ):
        assert (await mallory.req(method, path)).status == 404, (method, path)
    assert await _log(mallory, other["id"]) == []  # alice's session is nobody else's event
    assert (await client.get("/api/webhooks")).status == 401

    r = await alice.req("GET", f"/api/webhooks/{hook['id']}")
    assert r.status == 200 and "secret" not in await r.json()
    assert (await alice.req("DELETE", f"/api/webhooks/{hook['id']}")).status == 204
    assert (await alice.req("GET", f"/api/webhooks/{hook['id']}/deliveries")).status == 404
    assert (await (await alice.req("GET", "/api/webhooks")).json())["items"] == []


async def test_the_secret_is_stored_encrypted(hooks):
    from cuecard.api.keys import SERVICES
    from cuecard.store.webhooks import DELIVERIES, WEBHOOKS

    client, app, _, secrets, base = hooks
    alice = await _user(client)
    hook = await _hook(alice, secrets, base, "/enc", ["session.ended"])
    store = app[SERVICES].store
    raw = await store.backend.inner.get(WEBHOOKS, hook["id"])
    assert hook["secret"] not in json.dumps(raw) and base not in json.dumps(raw)
    record = await store.webhooks.get(alice.id, hook["id"])
    body = '{"data":{"text":"Tell me about a conflict at Northwind"}}'
    delivery = await store.webhooks.enqueue(record, "e1", "question.detected", body, T0)
    assert delivery is not None
    raw = await store.backend.inner.get(DELIVERIES, delivery.id)
    assert "Northwind" not in json.dumps(raw) and raw["state"] == "pending"  # queried fields stay plain

    # a webhook deleted while its delivery is being attempted: the attempt ends quietly
    from cuecard.api.keys import WEBHOOK_DISPATCHER

    await store.webhooks.delete(alice.id, hook["id"])
    await app[WEBHOOK_DISPATCHER]._attempt(delivery)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "not a url", "events": ["session.ended"]}, "url"),
        ({"url": "ftp://example.org/hook", "events": ["session.ended"]}, "url"),
        ({"url": "http://example.org/hook", "events": ["session.ended"]}, "url"),  # http only to loopback, tests only
        ({"url": "https://user:pw@example.org/hook", "events": ["session.ended"]}, "url"),
        ({"url": "https://10.1.2.3/hook", "events": ["session.ended"]}, "url"),  # private, even under the flag
        ({"url": "https://169.254.169.254/latest", "events": ["session.ended"]}, "url"),
        ({"url": "https://[::ffff:10.0.0.1]/hook", "events": ["session.ended"]}, "url"),
        ({"events": ["session.ended"]}, "url"),
        ({"url": "https://example.org/hook"}, "events"),
        ({"url": "https://example.org/hook", "events": []}, "events"),
        ({"url": "https://example.org/hook", "events": ["session.exploded"]}, "events"),
        ({"url": "https://example.org/hook", "events": ["session.ended"], "secret": "short"}, "secret"),
        ({"url": "https://example.org/hook", "events": ["session.ended"], "extra": 1}, "extra"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(hooks, body, field):
    client, *_ = hooks
    user = await _user(client)
    r = await user.req("POST", "/api/webhooks", json=body)
    assert r.status == 400, await r.text()
    error = (await r.json())["error"]
    assert error["field"] == field, error
    assert (await (await user.req("GET", "/api/webhooks")).json())["items"] == []


async def test_https_is_required_without_the_test_flag_and_routes_are_documented(tmp_path):
    from cuecard.api.app import create_app
    from cuecard.webhooks.urls import UrlRefused, check_url

    for refused in ("http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "https://[::1]/hook"):
        with pytest.raises(UrlRefused):
            check_url(refused, allow_loopback_http=False)
    assert check_url(" https://hooks.example.org/x ", allow_loopback_http=False) == "https://hooks.example.org/x"
    async with TestClient(TestServer(create_app(api_settings(tmp_path, webhook_dispatch=False)))) as client:
        user = await _user(client)
        r = await user.req("POST", "/api/webhooks", json={"url": "http://127.0.0.1:1/x", "events": ["session.ended"]})
        assert r.status == 400
        spec = await (await client.get("/api/openapi.json")).json()
        for path in (
            "/api/webhooks",
            "/api/webhooks/{webhook_id}",
            "/api/webhooks/{webhook_id}/deliveries",
            "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        ):
            assert path in spec["paths"], path


@pytest.mark.parametrize("bus", ["in-process", "redis"])
async def test_the_app_runs_the_dispatcher_loops_on_its_own(tmp_path, request, bus):
    """No test driving: the cleanup_ctx task scans, queues, retries (short backoff) and
    delivers; also with the Redis event bus (a real redis-server)."""
    import time

    from cuecard.api.app import create_app

    settings = api_settings(
        tmp_path,
        redis_url=request.getfixturevalue("redis_url") if bus == "redis" else None,
        webhook_allow_loopback_http=True,
        webhook_scan_secs=0.05,
        webhook_tick_secs=0.05,
        webhook_backoff_base_secs=0.05,
    )
    CLOCK.now = time.time()  # the receiver checks signatures against real time here
    secrets: dict[str, str] = {}
    receiver = Receiver(secrets)
    target = web.Application()
    target.router.add_post("/{name:.*}", receiver.handle)
    async with TestServer(target, host="127.0.0.1") as server, TestClient(TestServer(create_app(settings))) as client:
        user = await _user(client)
        hook = await _hook(user, secrets, f"http://127.0.0.1:{server.port}", "/live", ["session.started"])
        assert hook["events"] == ["session.started"]
        r = await user.req("POST", "/api/sessions", json={"title": "Screen"})
        assert (await user.req("POST", f"/api/sessions/{(await r.json())['id']}/start")).status == 200
        for _ in range(300):
            log = await _log(user, hook["id"])
            if log and log[0]["state"] == "delivered":
                break
            await asyncio.sleep(0.02)
        [d] = await _log(user, hook["id"])
        assert d["state"] == "delivered" and [a["status"] for a in d["attempts"]] == [500, 500, 204]
        assert all(r["verified"] for r in receiver.requests) and len(receiver.requests) == 3


async def test_a_name_resolving_to_loopback_is_refused_when_connecting(tmp_path):
    """``localhost`` passes the URL check (it is a name) but the resolver keeps only public
    addresses: the attempt fails without reaching anything."""
    from cuecard.store.webhooks import DeliveryRecord, WebhookRecord
    from cuecard.webhooks.dispatcher import Dispatcher

    hits: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(status=204)

    target = web.Application()
    target.router.add_post("/{name:.*}", handle)
    async with TestServer(target, host="127.0.0.1") as server:
        url = f"http://localhost:{server.port}/x"
        hook = WebhookRecord(id="w", user_id="u", url=url, events=["session.ended"], secret="s" * 20)
        delivery = DeliveryRecord(id="d", user_id="u", webhook_id="w", event_type="session.ended", body="{}")
        open_ = Dispatcher(None, None, api_settings(tmp_path, webhook_allow_loopback_http=True))
        guarded = Dispatcher(None, None, api_settings(tmp_path))
        try:
            assert await open_._send(hook, delivery) == (204, None)  # the receiver is reachable under the flag
            hook.url = url.replace("http:", "https:")  # https passes the URL check; the resolver refuses
            status, error = await guarded._send(hook, delivery)
            assert status is None and "no public address" in (error or ""), error
        finally:
            await open_.close()
            await guarded.close()
    assert hits == ["/x"]


def test_signature_recipe():
    body = b'{"id":"x","type":"session.ended"}'
    header = sign("whsec_abc", body, 1_700_000_000)
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_abc", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify("whsec_abc", header, body, now=1_700_000_100)
    assert verify("whsec_abc", f"t=1700000000,v1={'0' * 64},v1={expected}", body, now=1_700_000_000)
    assert not verify("whsec_abc", header, body, now=1_700_000_301)
    assert not verify("whsec_abc", "garbage", body)
    assert not verify("whsec_abc", "t=abc,v1=00", body)
