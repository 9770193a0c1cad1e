"""Issue 12: a session joined without an account was not listed anywhere. ``POST
/api/sessions/claim`` moves sessions of the anonymous local owner, given their ids, to the
caller — and nothing else."""

from __future__ import annotations

from cuecard.api.keys import SERVICES
from cuecard.api.security import new_capability

from .conftest import create_session, get_session


async def anonymous_session(client, title="Live interview") -> dict:
    """As ``POST /api/offer`` makes one: owned by "local", with a capability secret (``secret``)."""
    store = client.server.app[SERVICES].store
    secret, secret_hash = new_capability()
    session = await create_session(store, title=title, source="webrtc", user_id="local", capability_hash=secret_hash)
    return {**session, "secret": secret}


async def test_claim_moves_anonymous_sessions_to_the_caller(client, register):
    user = await register()
    a, b = await anonymous_session(client), await anonymous_session(client)
    assert (await (await user.req("GET", "/api/sessions")).json())["total"] == 0

    # without the secrets (the ids alone, e.g. from a log) nothing moves
    r = await user.req("POST", "/api/sessions/claim", json={"session_ids": [a["id"], b["id"]]})
    assert await r.json() == {"claimed": [], "skipped": [a["id"], b["id"]]}
    wrong = {a["id"]: b["secret"], b["id"]: "guess"}
    r = await user.req(
        "POST", "/api/sessions/claim", json={"session_ids": [a["id"], b["id"]], "session_secrets": wrong}
    )
    assert await r.json() == {"claimed": [], "skipped": [a["id"], b["id"]]}

    secrets = {a["id"]: a["secret"], b["id"]: b["secret"]}
    body = {"session_ids": [a["id"], b["id"], a["id"]], "session_secrets": secrets}
    r = await user.req("POST", "/api/sessions/claim", json=body)
    assert r.status == 200, await r.text()
    assert await r.json() == {"claimed": [a["id"], b["id"]], "skipped": []}

    listed = await (await user.req("GET", "/api/sessions")).json()
    assert {s["id"] for s in listed["items"]} == {a["id"], b["id"]}
    # now the account's: the anonymous page no longer reaches it, the account does
    assert (
        await client.get(f"/api/live/{a['id']}/transcript", headers={"X-Session-Secret": a["secret"]})
    ).status == 404
    assert (await user.req("GET", f"/api/live/{a['id']}/transcript")).status == 200
    # claiming again moves nothing
    r = await user.req("POST", "/api/sessions/claim", json={"session_ids": [a["id"]], "session_secrets": secrets})
    assert await r.json() == {"claimed": [], "skipped": [a["id"]]}


async def test_claim_never_takes_another_users_or_unknown_or_ownerless_sessions(client, register):
    owner, thief = await register(), await register()
    r = await owner.req("POST", "/api/sessions", json={"title": "mine"})
    mine = (await r.json())["id"]
    store = client.server.app[SERVICES].store
    ownerless = await create_session(store, title="replay", source="replay")
    r = await thief.req("POST", "/api/sessions/claim", json={"session_ids": [mine, ownerless["id"], "nope"]})
    assert r.status == 200
    assert await r.json() == {"claimed": [], "skipped": [mine, ownerless["id"], "nope"]}
    assert (await get_session(store, mine))["user_id"] == owner.id
    assert (await get_session(store, ownerless["id"])).get("user_id") is None


async def test_claim_needs_an_account_and_a_valid_body(client, register):
    session = await anonymous_session(client)
    r = await client.post("/api/sessions/claim", json={"session_ids": [session["id"]]})
    assert r.status == 401
    user = await register()
    for body in (
        {},
        {"session_ids": []},
        {"session_ids": ["bad id!"]},
        {"session_ids": [session["id"]], "x": 1},
        {"session_ids": ["a"] * 101},
    ):
        r = await user.req("POST", "/api/sessions/claim", json=body)
        assert r.status == 400, (body, await r.text())
    store = client.server.app[SERVICES].store
    assert (await get_session(store, session["id"]))["user_id"] == "local"


async def test_claim_route_is_in_the_openapi_document(client):
    doc = await (await client.get("/api/openapi.json")).json()
    op = doc["paths"]["/api/sessions/claim"]["post"]
    assert "anonymous" in op["summary"]
    assert "200" in op["responses"] and "401" in op["responses"]
