"""The account page in real headless Chromium: sign up, create a session, see its transcript,
export it, upload a resume and correct a parsed field, save a story."""

from __future__ import annotations

import pytest

from cuecard.api.keys import SERVICES
from cuecard.profile.models import Story

pytestmark = pytest.mark.browser

RESUME = b"""Ann Example
Senior Software Engineer

Experience
Senior Software Engineer, Acme Corp, 2019 - present
- Cut checkout latency by 40% by rewriting the payment service in Go

Skills
Python, Go
"""


@pytest.fixture
async def page(tmp_path):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = await browser.new_context(accept_downloads=True, bypass_csp=True)  # wait_for_function uses eval
        pg = await context.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        await browser.close()
        assert not errors, errors


async def test_account_page_flow(client, page, tmp_path):
    url = str(client.make_url("/account"))
    await page.goto(url)
    await page.fill("input[name=email]", "page@example.org")
    await page.fill("input[name=password]", "long enough")
    await page.click("button[value=register]")
    await page.wait_for_selector("#sessions:not([hidden])")
    assert await page.text_content("#who") == "page@example.org"

    await page.fill("#new-session input[name=title]", "Browser session")
    await page.click("#new-session button")
    # the list is drawn empty first and again with the new session: wait for the second drawing
    await page.wait_for_selector("#session-list li:has-text('Browser session')")
    assert "Browser session" in await page.text_content("#session-list")
    # a transcript line arrives through the API (as the live pipeline would store it)
    store = client.server.app[SERVICES].store
    session = (await store.sessions.list((await store.accounts.find_by_email("page@example.org")).id))[0]
    await store.sessions.upsert_segment(
        session.id,
        {
            "segment_id": "a",
            "role": "interviewer",
            "speaker": "interviewer",
            "text": "Why Cuecard?",
            "start": 0.0,
            "end": 1.0,
        },
    )
    await page.click("#session-list li")
    await page.wait_for_selector("#transcript li")
    assert "Why Cuecard?" in await page.text_content("#transcript")
    await page.click("#session-actions button[data-action=start]")
    await page.wait_for_function("document.querySelector('#session-meta').textContent.startsWith('active')")
    async with page.expect_download() as download_info:
        await page.click("#exports button[data-format=srt]")
    download = await download_info.value
    path = tmp_path / "export.srt"
    await download.save_as(path)
    assert "Interviewer: Why Cuecard?" in path.read_text()

    await page.click("button[data-tab=profile]")
    resume = tmp_path / "ann.txt"
    resume.write_bytes(RESUME)
    await page.set_input_files("#resume-form input[name=file]", str(resume))
    await page.click("#resume-form button")
    await page.wait_for_function("document.querySelector('#profile-form input[name=name]').value === 'Ann Example'")
    assert await page.locator("#roles fieldset").count() >= 1
    await page.fill("#profile-form input[name=headline]", "Staff Engineer")
    await page.click("#profile-form button[type=submit]")
    await page.wait_for_function("document.querySelector('#message').textContent === 'Profile saved.'")
    assert (await store.material.get_profile(session.user_id)).profile().headline == "Staff Engineer"

    await page.click("button[data-tab=stories]")
    await page.wait_for_selector("#story-list li")
    await page.click("#story-list li")
    await page.fill("#story-form textarea[name=result]", "p95 fell from 900 to 540 ms")
    await page.click("#story-form button[type=submit]")
    await page.wait_for_function("document.querySelector('#message').textContent === 'Saved.'")
    stories = [s.project(Story) for s in await store.material.stories.list(session.user_id)]
    assert any(s.result == "p95 fell from 900 to 540 ms" and s.drafted is False for s in stories)
