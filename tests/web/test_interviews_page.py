"""The account page's Interviews tab in real headless Chromium (issue 16 item 2): an ICS file
chosen in the page lists the upcoming interviews, the prepare opt-in saves, and the bot opt-in
is refused until the consent box is ticked. The scheduler's clock is fixed at 1 March 2030 (the
fixture calendar's month)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cuecard.api.keys import CALENDAR_SCHEDULER

pytestmark = pytest.mark.browser
ICS = Path(__file__).parent.parent / "fixtures" / "import" / "calendar.ics"


async def test_interviews_tab_imports_lists_and_saves_opt_ins(new_page, base_url, register, client):
    client.server.app[CALENDAR_SCHEDULER].clock = lambda: dt.datetime(2030, 3, 1, tzinfo=dt.UTC).timestamp()
    user = await register("iv@example.org")
    page = await new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(base_url + "/account")
    await page.evaluate(
        """t => { localStorage.setItem('cuecard.access', t.access_token);
                  localStorage.setItem('cuecard.refresh', t.refresh_token);
                  localStorage.setItem('cuecard.email', t.user.email); }""",
        user.tokens,
    )
    await page.reload()
    await page.click('[data-tab="interviews"]')
    await page.wait_for_selector("#interviews:not([hidden])")
    await page.set_input_files("#ics-file", str(ICS))
    await page.wait_for_function("document.querySelectorAll('#interview-list li').length === 5")
    first = page.locator("#interview-list li").nth(0)
    assert "Globex" in await first.inner_text()
    screen = page.locator("#interview-list li").nth(1)
    assert "Northwind Robotics" in await screen.inner_text() and "google meet" in await screen.inner_text()

    await screen.locator("input[type=checkbox]").check()
    await page.wait_for_selector("#message:has-text('Saved.')")
    minutes = page.locator("#interview-list li").nth(1).locator("input[type=number]")
    await minutes.fill("5")
    await minutes.dispatch_event("change")
    await page.wait_for_selector("#message.error")
    assert "transcribed" in await page.inner_text("#message")

    await page.check("#interview-consent")
    minutes = page.locator("#interview-list li").nth(1).locator("input[type=number]")
    await minutes.fill("5")
    await minutes.dispatch_event("change")
    await page.wait_for_selector("#message:not(.error):has-text('Saved.')")
    items = (await (await user.req("GET", "/api/interviews")).json())["items"]
    northwind = items[1]
    assert northwind["prepare_answers"] is True and northwind["send_bot_minutes_before"] == 5
    assert northwind["bot_consent_recorded"] is True
    assert not [e for e in errors if "Content Security Policy" in e], errors
