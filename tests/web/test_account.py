"""Issue 12, the account page as a candidate uses it, in real headless Chromium: navigation
hidden when signed out, plain error messages, banners that go away, still signed in after a
reload once the access token has expired (shortened through Settings), sessions started on
this browser without an account offered for claiming, session states explained with only the
actions that apply, drafted stories marked for review, the job's company read from the text and
the job match as a readable comparison, and axe-core with no serious or critical violation."""

from __future__ import annotations

import asyncio

import pytest

from cuecard.api.keys import SERVICES
from cuecard.api.security import new_capability

from .conftest import axe_violations, create_session, shot, update_session

pytestmark = pytest.mark.browser
TTL = 3

JOB_TEXT = """Senior Data Engineer
Brightwave Analytics
London, UK (Hybrid)

What you will do
- Build batch pipelines in Python and SQL
- Run our Kubernetes jobs

Requirements
- Python, SQL, Kafka
"""


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_secs": TTL}


async def open_account(new_page, base_url, user=None, width=1280, height=800):
    page = await new_page(width, height)
    await page.goto(base_url + "/account")
    if user is not None:
        await page.evaluate(
            """t => { localStorage.setItem('cuecard.access', t.access_token);
                      localStorage.setItem('cuecard.refresh', t.refresh_token);
                      localStorage.setItem('cuecard.email', t.user.email); }""",
            user.tokens,
        )
        await page.reload()
        await page.wait_for_selector("#sessions:not([hidden])")
    return page


async def sign_up(page, email="cand@example.org", password="long enough"):
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("button[value=register]")
    await page.wait_for_selector("#sessions:not([hidden])")


async def test_signed_out_shows_no_navigation(new_page, base_url):
    page = await open_account(new_page, base_url)
    await page.wait_for_selector("#auth:not([hidden])")
    assert await page.is_hidden("#nav")
    for selector in ("button[data-tab=sessions]", "#logout", "#who"):
        assert await page.is_hidden(selector), selector
    await shot(page, "account_signed_out_1280x800.png")
    assert await axe_violations(page) == []
    await sign_up(page)
    assert await page.is_visible("#nav")
    await page.click("#logout")
    await page.wait_for_selector("#auth:not([hidden])")
    assert await page.is_hidden("#nav")


async def test_errors_are_plain_sentences(new_page, base_url, register):
    user = await register("taken@example.org")
    page = await open_account(new_page, base_url)
    await page.fill("input[name=email]", user.email)
    await page.fill("input[name=password]", "wrong password")
    await page.click("button[value=login]")
    await page.wait_for_selector("#message.error:not([hidden])")
    assert await page.inner_text("#message") == "Email or password is wrong."
    await page.fill("input[name=password]", "another password")
    await page.click("button[value=register]")
    await page.wait_for_function("document.querySelector('#message').textContent.includes('already exists')")
    assert ":" not in (await page.inner_text("#message")).split("already")[0]


async def test_a_success_banner_goes_away(new_page, base_url, register):
    user = await register()
    page = await open_account(new_page, base_url, user)
    await page.click("button[data-tab=stories]")
    await page.fill("#story-form input[name=title]", "Led the payments migration")
    await page.click("#story-form button[type=submit]")
    await page.wait_for_function("document.querySelector('#message').textContent === 'Saved.'")
    await page.wait_for_selector("#message", state="hidden", timeout=7_000)


async def test_still_signed_in_after_the_access_token_expired(new_page, base_url, client):
    page = await open_account(new_page, base_url)
    await sign_up(page, "stay@example.org")
    first = await page.evaluate("localStorage.getItem('cuecard.access')")
    await asyncio.sleep(TTL + 1.5)
    # refreshed on a timer while the page was open
    assert await page.evaluate("localStorage.getItem('cuecard.access')") != first
    await page.reload()
    await page.wait_for_selector("#sessions:not([hidden])")
    assert await page.is_hidden("#auth")
    assert await page.inner_text("#who") == "stay@example.org"
    # a reload long after the access token expired (the timer could not run): still signed in
    await page.evaluate("localStorage.setItem('cuecard.access_expires', String(Date.now() - 1000))")
    await asyncio.sleep(TTL + 0.5)
    await page.reload()
    await page.wait_for_selector("#sessions:not([hidden])")
    await page.click("button[data-tab=stories]")
    await page.wait_for_selector("#stories:not([hidden])")
    assert await page.is_hidden("#auth") and await page.is_hidden("#message.error")


async def test_sessions_joined_without_an_account_are_offered_and_claimed(new_page, base_url, client):
    store = client.server.app[SERVICES].store
    # as POST /api/offer makes them: owned by "local", each with a capability secret the page keeps
    (secret_a, hash_a), (secret_b, hash_b) = new_capability(), new_capability()
    a = await create_session(store, title="Live interview", source="webrtc", user_id="local", capability_hash=hash_a)
    b = await create_session(store, title="Live interview", source="webrtc", user_id="local", capability_hash=hash_b)
    page = await new_page()
    await page.goto(base_url + "/account")
    await page.evaluate(
        """items => localStorage.setItem('cuecard.anon_sessions', JSON.stringify(
        items.map(([id, secret]) => ({id, secret, started_at: 1700000000}))))""",
        [[a["id"], secret_a], [b["id"], secret_b], ["gone-session", "x"]],
    )
    await sign_up(page, "claim@example.org")
    await page.wait_for_selector("#anon-box:not([hidden])")
    assert await page.locator("#anon-list li").count() == 2
    await page.click("#claim-sessions")
    await page.wait_for_function("document.querySelector('#message').textContent.startsWith('Added 2 sessions')")
    await page.wait_for_function("document.querySelectorAll('#session-list li button.item').length === 2")
    assert await page.is_hidden("#anon-box")
    assert await page.evaluate("localStorage.getItem('cuecard.anon_sessions')") is None


async def test_session_states_are_explained_and_only_applicable_actions_shown(new_page, base_url, client, register):
    user = await register()
    r = await user.req("POST", "/api/sessions", json={"title": "Acme onsite"})
    session_id = (await r.json())["id"]
    await update_session(client.server.app[SERVICES].store, session_id, state="ended")
    page = await open_account(new_page, base_url, user)
    await page.click("#states-legend summary")
    legend = await page.inner_text("#states-legend dl")
    for state in ("pending", "active", "paused", "ended", "completed"):
        assert state in legend
    await page.click("#session-list li button.item")
    await page.wait_for_function("document.querySelector('#session-meta').textContent.startsWith('ended')")
    assert "live page" in (await page.inner_text("#session-state-help")).lower()
    shown = await page.evaluate("""[...document.querySelectorAll('#session-actions button')]
        .filter(b => !b.hidden && !b.disabled).map(b => b.dataset.action)""")
    assert shown == ["continue", "delete"]
    await page.click("#session-actions button[data-action=continue]")
    await page.wait_for_url(base_url + "/")
    await page.wait_for_function("document.getElementById('conn-state').textContent === 'previous session'")
    assert await page.evaluate("localStorage.getItem('cuecard.session_id')") == session_id
    assert await page.is_visible("#rejoin")


async def test_drafted_stories_are_marked_for_review_with_their_gaps(new_page, base_url, register):
    user = await register()
    r = await user.req(
        "POST",
        "/api/stories",
        json={
            "title": "Cut checkout latency by 40% by rewriting the payment…",
            "situation": "Checkout was slow.",
            "action": "Rewrote the payment service in Go.",
            "drafted": True,
        },
    )
    assert r.status == 201
    await user.req(
        "POST",
        "/api/stories",
        json={"title": "Reviewed one", "situation": "s", "task": "t", "action": "a", "result": "r"},
    )
    page = await open_account(new_page, base_url, user)
    await page.click("button[data-tab=stories]")
    await page.wait_for_selector("#story-list li")
    drafted = page.locator("#story-list li", has_text="Cut checkout")
    assert "needs your review" in await drafted.inner_text()
    assert "needs your review" not in await page.locator("#story-list li", has_text="Reviewed one").inner_text()
    await drafted.click()
    missing = await page.evaluate("""[...document.querySelectorAll('#story-form label.missing')]
        .map(l => l.querySelector('input, textarea').name)""")
    assert missing == ["title", "task", "result"]
    note = await page.inner_text("#story-review")
    assert "needs your review" in note and "Task" in note and "Result" in note
    await page.fill("#story-form textarea[name=task]", "Make checkout fast before the sale.")
    assert not await page.evaluate(
        "document.querySelector('#story-form textarea[name=task]').closest('label').classList.contains('missing')"
    )
    assert await axe_violations(page) == []


async def test_job_company_is_read_and_the_match_is_a_readable_comparison(new_page, base_url, register):
    user = await register()
    r = await user.req(
        "PUT",
        "/api/profile",
        json={
            "name": "Ann",
            "skills": ["Python", "SQL"],
            "roles": [
                {"title": "Data Engineer", "employer": "Acme", "achievements": ["Built SQL pipelines in Python"]}
            ],
        },
    )
    assert r.status == 200
    await user.req(
        "POST",
        "/api/stories",
        json={
            "title": "Rebuilt the nightly pipeline",
            "situation": "Nightly jobs failed.",
            "task": "Make them reliable.",
            "action": "Rewrote them in Python with SQL checks.",
            "result": "No failures for a year.",
            "skills": ["Python", "SQL"],
        },
    )
    page = await open_account(new_page, base_url, user)
    await page.click("button[data-tab=jobs]")
    await page.fill("#job-form textarea[name=text]", JOB_TEXT)
    await page.click("#job-form button[type=submit]")
    await page.wait_for_function("document.querySelector('#job-form input[name=company]').value !== ''")
    assert await page.input_value("#job-form input[name=company]") == "Brightwave Analytics"
    assert await page.input_value("#job-form input[name=title]") == "Senior Data Engineer"
    await page.click("#job-match")
    await page.wait_for_selector("#match-result:not([hidden]) .match-grid", timeout=60_000)
    text = await page.inner_text("#match-result")
    for heading in ("Matched skills", "Missing skills", "Suggested stories"):
        assert heading in text
    assert "{" not in text and '"coverage"' not in text
    assert "Kafka" in text.split("Missing skills")[1].split("Suggested stories")[0]
    assert "Python" in text.split("Matched skills")[1].split("Missing skills")[0]
    assert "Rebuilt the nightly pipeline" in text.split("Suggested stories")[1]
    box = await page.locator("#match-result").bounding_box()
    assert box["height"] < 900, box
    await shot(page, "account_job_match_1280x800.png")
    assert await axe_violations(page) == []


async def test_account_page_has_no_serious_accessibility_violations_signed_in(new_page, base_url, client, register):
    user = await register()
    r = await user.req("POST", "/api/sessions", json={"title": "Acme onsite"})
    session_id = (await r.json())["id"]
    await user.req(
        "POST", f"/api/sessions/{session_id}/segments", json={"text": "Why Acme?", "role": "interviewer", "end": 1}
    )
    page = await open_account(new_page, base_url, user)
    await page.click("#session-list li button.item")
    await page.wait_for_selector("#transcript li")
    await page.click("#states-legend summary")
    assert await axe_violations(page) == []
    for tab in ("profile", "stories", "jobs"):
        await page.click(f"button[data-tab={tab}]")
        await page.wait_for_selector(f"#{tab}:not([hidden])")
        assert await axe_violations(page) == [], tab
