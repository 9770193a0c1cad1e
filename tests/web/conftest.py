"""Fixtures of the web-client tests: an app on a temporary SQLite store that never loads
Whisper (settings can be overridden per test, e.g. a short access-token lifetime), an HTTP
client on loopback, ``register`` to make users with tokens, and real headless Debian Chromium
pages (``executable_path=/usr/bin/chromium``) with helpers to inject live events and run
axe-core."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from api.conftest import User, register  # noqa: F401  (one account helper for API and page tests)

from cuecard.settings import Settings

WEB_CLIENT = Path(__file__).resolve().parents[2] / "cuecard" / "web_client"
AXE = WEB_CLIENT / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path("/tmp/cuecard_shots")


def web_settings(tmp_path, **overrides) -> Settings:
    fields = dict(data_dir=tmp_path / "data", warm_up_stt=False, auth_rate_limit_per_minute=100_000, _env_file=None)
    fields.update(overrides)
    return Settings(**fields)


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module (or with ``pytest.mark.parametrize``) to change Settings."""
    return {}


@pytest.fixture
async def client(tmp_path, settings_overrides):
    from cuecard.api.app import create_app

    async with TestClient(TestServer(create_app(web_settings(tmp_path, **settings_overrides)), host="127.0.0.1")) as c:
        yield c


@pytest.fixture
def base_url(client) -> str:
    return str(client.make_url("")).rstrip("/")


@pytest.fixture
async def browser():
    """A real headless Chromium; each test opens its own contexts (fresh localStorage)."""
    from playwright.async_api import async_playwright

    if not await asyncio.to_thread(Path(CHROMIUM).exists):
        pytest.fail("chromium is not installed (apt-get install chromium)")
    async with async_playwright() as p:
        b = await p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # a fake microphone granted without a prompt, for the join button's tests
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        yield b
        await b.close()


@pytest.fixture
def new_page(browser):
    """``await new_page(width=1280, height=800)`` → a page in a fresh context; page errors fail
    the test at teardown."""
    errors: list[str] = []
    contexts = []

    async def _new(width: int = 1280, height: int = 800, **kw):
        # Playwright evaluates string predicates (wait_for_function) with eval, which the pages'
        # CSP forbids; the pages themselves run under their CSP in test_security_csp.py
        # (bypass_csp=False there).
        kw.setdefault("bypass_csp", True)
        context = await browser.new_context(viewport={"width": width, "height": height}, **kw)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: print(f"[page] {m.type}: {m.text}"))
        return page

    yield _new
    assert not errors, errors


async def create_session(store, **fields) -> dict:
    return (await store.sessions.create(**fields)).model_dump()


async def get_session(store, session_id: str) -> dict:
    return (await store.sessions.get(session_id)).model_dump(exclude_none=True)


async def update_session(store, session_id: str, **fields) -> None:
    await store.sessions.update(session_id, **fields)


async def inject(page, *events: dict):
    """Hand events to the live page as if they came on the data channel."""
    for ev in events:
        await page.evaluate("ev => window.cuecardTest.handleEvent(ev)", ev)


async def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core (vendored, cuecard/web_client/vendor/axe.min.js) on the page as it is now:
    the violations of the given impacts, each with its rule id and offending nodes."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in json.loads(result)
        if v["impact"] in impacts
    ]


async def shot(page, name: str, **kw):
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / name), **kw)


async def accept_consent(page, copy_notice: bool = False) -> dict:
    """The live page's recording-consent step (consent.js), opened by a Join button: tick the
    box and continue. Returns what the step showed."""
    dialog = page.locator("#consent-dialog")
    await dialog.wait_for(state="visible", timeout=10_000)
    # locators, not wait_for_function: the pages' CSP refuses the eval that one needs
    await page.locator("#consent-version", has_text=re.compile(r"\S")).wait_for(timeout=10_000)
    shown = {
        "text": await page.inner_text("#consent-text"),
        "version": await page.inner_text("#consent-version"),
        "notice": await page.input_value("#consent-notice"),
        "continue_disabled": await page.is_disabled("#consent-continue"),
    }
    if copy_notice:
        await page.click("#consent-copy")
        await page.locator("#consent-copied", has_text=re.compile(r"\S")).wait_for(timeout=5_000)
        shown["copied"] = await page.inner_text("#consent-copied")
    await page.check("#consent-check")
    await page.click("#consent-continue")
    await dialog.wait_for(state="hidden", timeout=5_000)
    return shown
