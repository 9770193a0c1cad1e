"""Accounts and tokens: argon2 hashes, short-lived access tokens, rotating refresh tokens,
logout revocation, persisted secret, rate limits, account deletion."""

from __future__ import annotations

import jwt
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.api.auth import issue
from cuecard.api.keys import JWT_SECRET, SERVICES

from .conftest import api_settings


async def error_of(response) -> dict:
    assert response.content_type == "application/json"
    return (await response.json())["error"]


async def test_register_login_me(client, register):
    user = await register("Ann@Example.org")
    assert user.tokens["token_type"] == "bearer" and user.tokens["expires_in"] == 900
    r = await user.req("GET", "/api/auth/me")
    assert r.status == 200 and (await r.json())["email"] == "ann@example.org"
    r = await client.post("/api/auth/login", json={"email": "ann@example.org", "password": user.password})
    assert r.status == 200
    claims = jwt.decode((await r.json())["access_token"], options={"verify_signature": False})
    assert claims["type"] == "access" and claims["exp"] - claims["iat"] == 900
    stored = await client.server.app[SERVICES].store.accounts.get(user.id)
    assert stored.password_hash.startswith("$argon2id$") and user.password not in stored.password_hash


async def test_bad_credentials_and_inputs(client, register):
    user = await register()
    r = await client.post("/api/auth/login", json={"email": user.email, "password": "wrong password"})
    assert r.status == 401 and (await error_of(r))["field"] == "password"
    r = await client.post("/api/auth/login", json={"email": "nobody@example.org", "password": "whatever1"})
    assert r.status == 401 and (await error_of(r))["code"] == "invalid_credentials"
    r = await client.post("/api/auth/register", json={"email": user.email, "password": "another pass"})
    assert r.status == 409 and (await error_of(r))["field"] == "email"
    r = await client.post("/api/auth/register", json={"email": "not-an-email", "password": "long enough"})
    assert r.status == 400 and (await error_of(r))["field"] == "email"
    r = await client.post("/api/auth/register", json={"email": "a@b.c", "password": "short"})
    assert r.status == 400 and (await error_of(r))["field"] == "password"
    r = await client.post("/api/auth/register", json={"email": "a@b.c", "password": "long enough", "admin": True})
    assert r.status == 400 and (await error_of(r))["field"] == "admin"
    r = await client.post("/api/auth/register", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status == 400 and (await error_of(r))["code"] == "invalid_json"


async def test_tokens_required_and_checked(client, register):
    user = await register()
    r = await client.get("/api/sessions")
    assert r.status == 401 and (await error_of(r))["field"] == "Authorization"
    r = await client.get("/api/sessions", headers={"Authorization": "Bearer garbage"})
    assert r.status == 401 and "invalid" in (await error_of(r))["message"]
    secret = client.server.app[JWT_SECRET]
    expired, _ = issue(secret, user.id, "access", -10)
    r = await client.get("/api/sessions", headers={"Authorization": f"Bearer {expired}"})
    assert r.status == 401 and "expired" in (await error_of(r))["message"]
    forged, _ = issue("another secret", user.id, "access", 600)
    r = await client.get("/api/sessions", headers={"Authorization": f"Bearer {forged}"})
    assert r.status == 401
    # a refresh token is not an access token
    r = await client.get("/api/sessions", headers={"Authorization": f"Bearer {user.tokens['refresh_token']}"})
    assert r.status == 401


async def test_refresh_rotates(client, register):
    user = await register()
    old = user.tokens["refresh_token"]
    r = await client.post("/api/auth/refresh", json={"refresh_token": old})
    assert r.status == 200
    fresh = await r.json()
    r = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {fresh['access_token']}"})
    assert r.status == 200
    r = await client.post("/api/auth/refresh", json={"refresh_token": old})  # used once already
    assert r.status == 401 and (await error_of(r))["code"] == "token_reused"  # reuse: the family is revoked
    r = await client.post("/api/auth/refresh", json={"refresh_token": user.tokens["access_token"]})
    assert r.status == 401


async def test_logout_revokes_access_and_refresh(client, register):
    user = await register()
    r = await user.req("POST", "/api/auth/logout", json={"refresh_token": user.tokens["refresh_token"]})
    assert r.status == 204
    r = await user.req("GET", "/api/auth/me")
    assert r.status == 401 and (await error_of(r))["code"] == "unauthorized"
    r = await client.post("/api/auth/refresh", json={"refresh_token": user.tokens["refresh_token"]})
    assert r.status == 401


async def test_secret_persists_in_data_dir(tmp_path):
    """Two app instances on one data dir (a restart, or a second process) accept each other's tokens."""
    settings = api_settings(tmp_path)
    async with TestClient(TestServer(create_app(settings))) as first:
        r = await first.post("/api/auth/register", json={"email": "p@example.org", "password": "long enough"})
        token = (await r.json())["access_token"]
    assert (settings.data_dir / "jwt_secret").stat().st_mode & 0o777 == 0o600
    async with TestClient(TestServer(create_app(settings))) as second:
        r = await second.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status == 200


async def test_configured_secret_wins(tmp_path):
    settings = api_settings(tmp_path, jwt_secret="s" * 40)
    async with TestClient(TestServer(create_app(settings))) as c:
        r = await c.post("/api/auth/register", json={"email": "q@example.org", "password": "long enough"})
        jwt.decode((await r.json())["access_token"], "s" * 40, algorithms=["HS256"], audience="cuecard-api")
    assert not (settings.data_dir / "jwt_secret").exists()


async def test_login_rate_limited(tmp_path, monkeypatch):
    monkeypatch.setattr("cuecard.api.auth.AUTH_WINDOW_SECS", 3600)  # no window boundary mid-test
    settings = api_settings(tmp_path, auth_rate_limit_per_minute=3)
    async with TestClient(TestServer(create_app(settings))) as c:
        statuses = []
        for _ in range(5):
            r = await c.post("/api/auth/login", json={"email": "x@example.org", "password": "whatever1"})
            statuses.append(r.status)
        assert statuses == [401, 401, 401, 429, 429]
        assert (await r.json())["error"]["code"] == "rate_limited"


async def test_delete_account(client, register):
    user = await register()
    other = await register()
    r = await user.req("POST", "/api/sessions", json={"title": "mine"})
    sid = (await r.json())["id"]
    await other.req("POST", "/api/sessions", json={"title": "theirs"})
    r = await user.req("DELETE", "/api/auth/me", json={"password": "wrong password"})
    assert r.status == 401
    r = await user.req("DELETE", "/api/auth/me", json={"password": user.password})
    assert r.status == 204
    store = client.server.app[SERVICES].store
    assert await store.sessions.list(user.id) == [] and await store.sessions.count(other.id) == 1
    assert await store.sessions.count_segments(sid) == 0
    r = await user.req("GET", "/api/auth/me")
    assert r.status == 401
    r = await client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    assert r.status == 401
