"""Fixtures of the API tests: an app on a temporary SQLite store that never loads Whisper,
an HTTP client on loopback, and ``register`` to make users with tokens."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from cuecard.settings import Settings

_emails = itertools.count()


def free_port() -> int:
    """A free loopback port (own copy: tests/conftest.py is not importable in every layout)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def start_server(port: int, data_dir: Path, redis_url: str | None = None) -> subprocess.Popen:
    """``python -m cuecard.cli serve`` without Whisper warm-up; its log goes to
    ``<data_dir>/../server-<port>.log`` (a pipe nobody reads would fill and stall the server)."""
    env = {
        **os.environ,
        "CUECARD_DATA_DIR": str(data_dir),
        **({"CUECARD_REDIS_URL": redis_url} if redis_url else {}),
        "CUECARD_WARM_UP_STT": "false",
        "CUECARD_AUTH_RATE_LIMIT_PER_MINUTE": "1000",
    }
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log = open(data_dir.parent / f"server-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuecard.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
    )
    proc.log_path = Path(log.name)
    log.close()
    return proc


HEALTHY_TIMEOUT = 60.0


async def wait_healthy(http: aiohttp.ClientSession, base: str, proc: subprocess.Popen):
    deadline = time.time() + HEALTHY_TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.log_path.read_text()[-2000:]}")
        try:
            async with http.get(f"{base}/api/health") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy")
