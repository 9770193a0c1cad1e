"""The live page asks for recording consent before anything is captured: Join opens the consent
step (the server's text and version, a checkbox, a notice to copy into the meeting chat); the
join goes ahead only once the box is ticked, and the offer carries the consent the server
records on the session. Real headless Chromium with a fake microphone, real WebRTC."""

from __future__ import annotations

import re

import aioice.ice
import pytest

from cuecard.api.keys import SERVICES
from cuecard.consent import CONSENT_VERSION, MEETING_NOTICE

from .conftest import accept_consent, axe_violations

pytestmark = pytest.mark.browser
LIVE = re.compile(r"^live$")


@pytest.fixture(autouse=True)
def loopback_ice(monkeypatch):
    """aioice never offers 127.0.0.1 by itself (platform notes): make it the only address."""
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4=True, use_ipv6=True: ["127.0.0.1"])


async def count_offers(page) -> list[dict]:
    offers: list[dict] = []
    page.on(
        "request",
        lambda r: offers.append(r.post_data_json) if r.url.endswith("/api/offer") and r.method == "POST" else None,
    )
    return offers


async def test_join_asks_for_consent_first_and_joins_once_it_is_ticked(new_page, base_url, client):
    page = await new_page(permissions=["clipboard-read", "clipboard-write"])  # under the pages' real CSP
    await page.goto(base_url + "/")
    await page.uncheck("#share-tab")
    offers = await count_offers(page)

    # Cancel: nothing is captured, nothing is sent.
    await page.click("#join-anon")
    await page.locator("#consent-dialog").wait_for(state="visible")
    assert await page.is_disabled("#consent-continue")  # not before the box is ticked
    await page.click("#consent-cancel")
    await page.locator("#consent-dialog").wait_for(state="hidden")
    assert offers == [] and await page.inner_text("#conn-state") == "not joined"
    assert "consent" in (await page.inner_text("#status-text")).lower()

    # Join again: the step shows the server's text, version and notice; the notice copies.
    await page.click("#join-anon")
    shown = await accept_consent(page, copy_notice=True)
    assert shown["continue_disabled"] and shown["version"] == CONSENT_VERSION
    assert "one party" in shown["text"] and shown["notice"] == MEETING_NOTICE
    assert shown["copied"].startswith(("Copied", "Selected"))
    if shown["copied"].startswith("Copied"):
        assert await page.evaluate("navigator.clipboard.readText()") == MEETING_NOTICE

    await page.locator("#conn-state", has_text=LIVE).wait_for(timeout=30_000)
    assert len(offers) == 1
    assert (offers[0]["consent"], offers[0]["consent_version"]) == (True, CONSENT_VERSION)
    session_id = await page.evaluate("localStorage.getItem('cuecard.session_id')")
    session = await client.server.app[SERVICES].store.sessions.get(session_id)
    assert session.model_extra["consent"]["version"] == CONSENT_VERSION
    await page.click("#leave")


async def test_the_consent_step_is_accessible(new_page, base_url):
    # axe-core is injected as an inline script, which the pages' CSP refuses: let it by here
    page = await new_page(bypass_csp=True)
    await page.goto(base_url + "/")
    await page.click("#join-anon")
    await page.locator("#consent-dialog").wait_for(state="visible")
    await page.locator("#consent-text", has_text=re.compile(r"\S")).wait_for()
    assert await axe_violations(page) == []
    await page.keyboard.press("Escape")  # Esc cancels like the button
    await page.locator("#consent-dialog").wait_for(state="hidden")
    assert await page.inner_text("#conn-state") == "not joined"


async def test_a_session_without_recorded_consent_asks_on_rejoin(new_page, base_url, client, register):
    """A session from before consent existed has none: the server answers 403 consent_required
    to the rejoin, and the page asks, then rejoins the same session."""
    user = await register()
    store = client.server.app[SERVICES].store
    old = await store.sessions.create(title="Live interview", source="webrtc", user_id=user.id, state="ended")
    page = await new_page()
    await page.goto(base_url + "/account")
    await page.evaluate(
        """([t, id]) => {
            localStorage.setItem('cuecard.access', t.access_token);
            localStorage.setItem('cuecard.refresh', t.refresh_token);
            localStorage.setItem('cuecard.email', t.user.email);
            localStorage.setItem('cuecard.session_id', id);
        }""",
        [user.tokens, old.id],
    )
    await page.goto(base_url + "/", wait_until="networkidle")
    await page.uncheck("#share-tab")
    await page.locator("#rejoin").wait_for(state="visible")
    offers = await count_offers(page)
    await page.click("#rejoin")
    await accept_consent(page)
    await page.locator("#conn-state", has_text=LIVE).wait_for(timeout=30_000)
    assert [o.get("consent") for o in offers] == [None, True]  # refused without, then sent with it
    assert await page.evaluate("localStorage.getItem('cuecard.session_id')") == old.id
    assert (await store.sessions.get(old.id)).model_extra["consent"]["version"] == CONSENT_VERSION
    await page.click("#leave")
