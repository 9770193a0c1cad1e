"""Fixtures of the API tests: an app on a temporary SQLite store that never loads Whisper,
an HTTP client on loopback, and ``register`` to make users with tokens."""

from __future__ import annotations

import itertools

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cuecard.settings import Settings

_emails = itertools.count()


def api_settings(tmp_path, **overrides) -> Settings:
    fields = dict(data_dir=tmp_path / "data", warm_up_stt=False, auth_rate_limit_per_minute=100_000, _env_file=None)
    fields.update(overrides)
    return Settings(**fields)


@pytest.fixture
def settings_api(tmp_path) -> Settings:
    return api_settings(tmp_path)


@pytest.fixture
async def client(settings_api):
    from cuecard.api.app import create_app

    async with TestClient(TestServer(create_app(settings_api))) as c:
        yield c


class User:
    def __init__(self, client, email, password, tokens):
        self.client = client
        self.email = email
        self.password = password
        self.tokens = tokens
        self.id = tokens["user"]["id"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    async def req(self, method: str, path: str, **kw):
        return await self.client.request(method, path, headers={**self.headers, **kw.pop("headers", {})}, **kw)


@pytest.fixture
def register(client):
    async def _register(email: str | None = None, password: str = "correct horse battery") -> User:
        email = email or f"user{next(_emails)}@example.org"
        r = await client.post("/api/auth/register", json={"email": email, "password": password})
        assert r.status == 201, await r.text()
        return User(client, email, password, await r.json())

    return _register
