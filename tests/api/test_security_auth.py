"""Auth hardening (issue 14, finding "medium"): atomic refresh rotation with reuse detection,
logout revoking the sign-in's refresh tokens, pinned JWT audience/issuer, login throttling
per account and per address with backoff, the password policy.

Several client addresses are real: the test client binds its sockets to 127.0.0.2/3/4 (all of
127.0.0.0/8 is loopback on Linux), so the server sees three different ``request.remote``."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import jwt
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.api.auth import issue
from cuecard.api.keys import JWT_SECRET

from .conftest import api_settings


async def error_of(response) -> dict:
    return (await response.json())["error"]


async def test_concurrent_refreshes_one_winner_and_reuse_revokes_the_family(client, register):
    user = await register()
    refresh = user.tokens["refresh_token"]
    answers = await asyncio.gather(
        *(client.post("/api/auth/refresh", json={"refresh_token": refresh}) for _ in range(8))
    )
    statuses = sorted(r.status for r in answers)
    assert statuses == [200] + [401] * 7, statuses
    winner = next([await r.json() for r in answers if r.status == 200].__iter__())
    # the reuse ended the whole family: the winner's new tokens are dead too
    r = await client.post("/api/auth/refresh", json={"refresh_token": winner["refresh_token"]})
    assert r.status == 401
    r = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {winner['access_token']}"})
    assert r.status == 401
    # ...and the access token of the sign-in the family started with
    r = await user.req("GET", "/api/auth/me")
    assert r.status == 401
    # a fresh login is a new family and works
    r = await client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    assert r.status == 200


async def test_sequential_reuse_of_a_rotated_refresh_token(client, register):
    user = await register()
    first = user.tokens["refresh_token"]
    r = await client.post("/api/auth/refresh", json={"refresh_token": first})
    assert r.status == 200
    second = (await r.json())["refresh_token"]
    r = await client.post("/api/auth/refresh", json={"refresh_token": first})  # the thief replays
    assert r.status == 401 and (await error_of(r))["code"] == "token_reused"
    r = await client.post("/api/auth/refresh", json={"refresh_token": second})
    assert r.status == 401  # the owner's current one is revoked with the family


async def test_logout_revokes_the_refresh_token_without_being_given_it(client, register):
    user = await register()
    r = await user.req("POST", "/api/auth/logout", json={})
    assert r.status == 204
    r = await client.post("/api/auth/refresh", json={"refresh_token": user.tokens["refresh_token"]})
    assert r.status == 401


async def test_jwt_audience_issuer_and_kind_are_pinned(client, register):
    user = await register()
    secret = client.server.app[JWT_SECRET]
    claims = jwt.decode(user.tokens["access_token"], secret, algorithms=["HS256"], audience="cuecard-api")
    assert claims["iss"] == "cuecard" and claims["exp"] - claims["iat"] == 900
    now = int(time.time())
    base = {"sub": user.id, "type": "access", "jti": "x1", "fam": "f1", "iat": now, "exp": now + 60}
    for forged in (
        base,  # no aud / iss at all (what the old tokens looked like)
        {**base, "iss": "cuecard", "aud": "someone-else"},
        {**base, "iss": "evil", "aud": "cuecard-api"},
        {**base, "iss": "cuecard", "aud": "cuecard-refresh"},  # a refresh audience as access
    ):
        token = jwt.encode(forged, secret, algorithm="HS256")
        r = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status == 401, forged
    none_token = jwt.encode({**base, "iss": "cuecard", "aud": "cuecard-api"}, None, algorithm="none")
    r = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {none_token}"})
    assert r.status == 401
    good, _ = issue(secret, user.id, "access", 60)
    r = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {good}"})
    assert r.status == 200


async def test_password_policy(client):
    from cuecard.api.security_login import common_passwords

    assert len(common_passwords()) >= 9_000 and "password" in common_passwords()
    for password, why in (
        ("password", "at least 10"),
        ("password1234", "common"),
        ("Password123!", "common"),
        ("qwertyuiop", "common"),
        ("aaaaaaaaaaaa", "common"),
        ("123456789", "at least 10"),
    ):
        r = await client.post("/api/auth/register", json={"email": "p@example.org", "password": password})
        assert r.status == 400, password
        error = await error_of(r)
        assert error["field"] == "password" and why in error["message"], (password, error)
    r = await client.post("/api/auth/register", json={"email": "p@example.org", "password": "violet tuba 93 fern"})
    assert r.status == 201


def _client_from(address: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))


async def test_login_throttle_per_account_across_addresses_with_backoff(tmp_path):
    settings = api_settings(tmp_path, login_backoff_base_secs=1.0, login_failures_before_backoff=5)
    async with TestClient(TestServer(create_app(settings))) as c:
        r = await c.post("/api/auth/register", json={"email": "v@example.org", "password": "violet tuba 93 fern"})
        assert r.status == 201
        url = str(c.make_url("/api/auth/login"))
        sessions = [_client_from(f"127.0.0.{i}") for i in (2, 3, 4)]
        try:
            statuses = []
            for i in range(12):  # round-robin over three addresses, as the probe did
                async with sessions[i % 3].post(
                    url, json={"email": "v@example.org", "password": f"guess {i:04d}x"}
                ) as r:
                    statuses.append(r.status)
                    if r.status == 429:
                        assert int(r.headers["Retry-After"]) >= 1
                        assert (await r.json())["error"]["code"] == "login_throttled"
            assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
            # the right password is not checked while throttled (no oracle), from any address
            async with sessions[0].post(url, json={"email": "v@example.org", "password": "violet tuba 93 fern"}) as r:
                assert r.status == 429
                wait = int(r.headers["Retry-After"])
            assert wait <= 2
            await asyncio.sleep(wait + 0.1)
            async with sessions[1].post(url, json={"email": "v@example.org", "password": "violet tuba 93 fern"}) as r:
                assert r.status == 200
            # a success clears the account's count: one more failure is a plain 401
            async with sessions[2].post(url, json={"email": "v@example.org", "password": "nope nope nope"}) as r:
                assert r.status == 401
        finally:
            for s in sessions:
                await s.close()


async def test_login_throttle_per_address_over_many_accounts(tmp_path):
    settings = api_settings(tmp_path, login_failures_before_backoff=2)  # per address: 4x = 8
    async with TestClient(TestServer(create_app(settings))) as c:
        statuses = []
        for i in range(10):  # each account fails only once: only the address count grows
            r = await c.post("/api/auth/login", json={"email": f"n{i}@example.org", "password": "whatever1"})
            statuses.append(r.status)
        assert statuses[:8] == [401] * 8 and statuses[8:] == [429, 429], statuses


async def test_login_throttle_shared_through_redis(tmp_path, redis_url):
    """Two server processes' worth of apps on one Redis: the count is shared."""
    settings = api_settings(tmp_path, redis_url=redis_url, login_failures_before_backoff=3)
    app_a, app_b = create_app(settings), create_app(settings)
    async with TestClient(TestServer(app_a)) as a, TestClient(TestServer(app_b)) as b:
        email = f"r{time.time_ns()}@example.org"
        statuses = []
        for i in range(4):
            r = await (a if i % 2 else b).post("/api/auth/login", json={"email": email, "password": "whatever1"})
            statuses.append(r.status)
        assert statuses == [401, 401, 401, 429], statuses
