"""Shared test fixtures: settings in a temporary data dir, the Whisper model joined once,
a real redis-server per test session, and speech generated with espeak-ng."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from cuecard.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory) -> Path:
    """The default model joined and sha256-checked once for the whole test session."""
    from cuecard.services.whisper.weights import join_base_model

    return join_base_model(tmp_path_factory.mktemp("models") / "whisper-base")


@pytest.fixture
def settings(tmp_path, whisper_dir) -> Settings:
    return Settings(data_dir=tmp_path / "data", whisper_model=str(whisper_dir), _env_file=None)


@pytest.fixture
async def services(settings):
    from cuecard.pipeline.services import Services

    svc = await Services.create(settings)
    yield svc
    await svc.close()


@pytest.fixture
def loopback_ice(monkeypatch):
    """aiortc gathers ICE candidates on 127.0.0.1 only, so the tests' WebRTC stays on loopback."""
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


@contextlib.asynccontextmanager
async def serving_live(settings: Settings, max_live_sessions: int):
    """The app on a real loopback port, warmed up, auth/offer rate limits out of the way:
    yields (app, base URL). Use with the ``loopback_ice`` fixture."""
    from aiohttp.test_utils import TestServer

    from cuecard.api.app import create_app
    from cuecard.api.keys import WARMUP

    app = create_app(
        settings.model_copy(
            update={
                "max_live_sessions": max_live_sessions,
                "auth_rate_limit_per_minute": 100_000,
                "offer_rate_limit_per_minute": 100_000,
            }
        )
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        await app[WARMUP]
        yield app, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def served(services, settings):
    """``(app, base_url)`` of a real server on a loopback port, with the test's services, warmed up."""
    from aiohttp.test_utils import TestServer

    from cuecard.api.app import create_app
    from cuecard.api.keys import WARMUP

    app = create_app(settings, services)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    await app[WARMUP]
    yield app, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def offer_client(settings, services, loopback_ice):
    """A TestClient on the app with the test's services (STT warm-up off), for offer/consent tests."""
    from aiohttp.test_utils import TestClient, TestServer

    from cuecard.api.app import create_app

    settings.warm_up_stt = False
    async with TestClient(TestServer(create_app(settings, services))) as test_client:
        yield test_client


def start_cli(args: list[str], log_path: Path, **env: str) -> subprocess.Popen:
    """``nice -n 19 python -m cuecard.cli <args>`` from the repo root with ``env`` added to
    the environment; its output goes to ``log_path`` (a pipe nobody reads would fill and stall
    it), which is also kept on the process as ``log_path``."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        ["nice", "-n", "19", sys.executable, "-m", "cuecard.cli", *args],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[1],
    )
    proc.log_path = Path(log.name)  # type: ignore[attr-defined]
    log.close()
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server on a free port, started for this test session."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def espeak(text: str, path: Path, voice: str = "en-us", speed: int = 160) -> Path:
    """Speech from espeak-ng, converted to 16 kHz mono WAV."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
    data, rate = sf.read(str(raw), dtype="float32")
    raw.unlink()
    import soxr

    sf.write(str(path), soxr.resample(data, rate, 16000), 16000, subtype="PCM_16")
    return path


@pytest.fixture
def speak(tmp_path):
    """``speak(text, voice=...) -> Path`` of a 16 kHz WAV of that text."""
    counter = iter(range(10_000))

    def _speak(text: str, voice: str = "en-us", speed: int = 160) -> Path:
        return espeak(text, tmp_path / f"speech{next(counter)}.wav", voice, speed)

    return _speak


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)
