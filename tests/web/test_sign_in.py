"""Issue 12, "silent sign-out": the live page never refreshed its 15-minute access token, so
after expiry it joined as anonymous without a word (generic drafts, the session missing from
the history, feedback refused with "access token has expired"). The access-token lifetime is
shortened through Settings here so expiry happens within the test.

The join requests are caught in the browser (``page.route``) and answered with an error: what
is checked is the token the page sends, not the WebRTC session (tests/test_browser_e2e.py
joins for real)."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from .conftest import accept_consent, inject

pytestmark = pytest.mark.browser
TTL = 3


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_secs": TTL}


async def open_signed_in(new_page, base_url, user, *, stale=False):
    """The live page with ``user``'s tokens in localStorage, as the account page leaves them;
    ``stale``: the access token is already past its expiry."""
    page = await new_page()
    await page.goto(base_url + "/account")
    await page.evaluate(
        """([t, stale]) => {
            localStorage.setItem('cuecard.access', t.access_token);
            localStorage.setItem('cuecard.refresh', t.refresh_token);
            localStorage.setItem('cuecard.email', t.user.email);
            if (stale) localStorage.setItem('cuecard.access_expires', String(Date.now() - 1000));
        }""",
        [user.tokens, stale],
    )
    await page.goto(base_url + "/", wait_until="networkidle")
    return page


async def catch_offers(page) -> list[dict]:
    """Every POST /api/offer the page makes: its headers; answered 503 so nothing connects."""
    offers: list[dict] = []

    async def handle(route):
        if route.request.method == "POST":
            offers.append(dict(route.request.headers))
            await route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error": {"code": "test", "message": "caught by the test", "field": null}}',
            )
        else:
            await route.continue_()

    await page.route("**/api/offer", handle)
    await page.uncheck("#share-tab")
    return offers


async def me(client, headers: dict) -> int:
    auth = headers.get("authorization")
    if not auth:
        return 0
    r = await client.get("/api/auth/me", headers={"Authorization": auth})
    return r.status


async def test_signed_out_the_join_button_says_so_and_anonymous_is_a_choice(new_page, base_url, client):
    page = await new_page()
    await page.goto(base_url + "/")
    await page.wait_for_function("document.getElementById('account-state').textContent === 'Not signed in'")
    assert await page.inner_text("#join") == "Sign in to join"
    assert await page.is_visible("#join-anon")
    # anonymous use is its own button, and then sends no token
    offers = await catch_offers(page)
    await page.click("#join-anon")
    await accept_consent(page)
    await page.wait_for_function("document.getElementById('notice').textContent.includes('caught by the test')")
    assert len(offers) == 1 and "authorization" not in offers[0]
    # the Join button leads to signing in, and back, signed in
    await page.goto(base_url + "/")
    offers = await catch_offers(page)
    await page.click("#join")
    await page.wait_for_url("**/account?next=/")
    assert offers == []
    await page.fill("input[name=email]", "back@example.org")
    await page.fill("input[name=password]", "long enough")
    await page.click("button[value=register]")
    await page.wait_for_url(base_url + "/")
    await page.wait_for_function("document.getElementById('account-state').textContent.includes('back@example.org')")
    assert await page.inner_text("#join") == "Join"
    assert await page.is_hidden("#join-anon")


async def test_the_live_page_refreshes_the_token_before_it_expires(new_page, base_url, client, register):
    user = await register()
    page = await open_signed_in(new_page, base_url, user)
    first = user.tokens["access_token"]
    await asyncio.sleep(TTL + 1.5)
    token = await page.evaluate("localStorage.getItem('cuecard.access')")
    assert token != first  # refreshed on a timer, without any request failing first
    assert await me(client, {"authorization": f"Bearer {token}"}) == 200
    assert await me(client, {"authorization": f"Bearer {first}"}) == 401  # the old one did expire
    assert user.email in await page.inner_text("#account-state")
    assert await page.inner_text("#join") == "Join" and await page.is_hidden("#join-anon")


async def test_join_after_expiry_sends_a_fresh_token_never_anonymous(new_page, base_url, client, register):
    user = await register()
    await asyncio.sleep(TTL + 0.5)  # the access token in the browser has expired
    page = await open_signed_in(new_page, base_url, user, stale=True)
    offers = await catch_offers(page)
    await page.click("#join")
    await accept_consent(page)
    await page.wait_for_function("document.getElementById('notice').textContent.includes('caught by the test')")
    assert len(offers) == 1
    assert await me(client, offers[0]) == 200  # the join carried a valid token of the account


async def test_a_lost_sign_in_is_said_and_join_does_not_go_anonymous(new_page, base_url, client, register):
    user = await register()
    # the refresh token is revoked (logged out elsewhere)
    r = await client.post(
        "/api/auth/logout", json={"refresh_token": user.tokens["refresh_token"]}, headers=user.headers
    )
    assert r.status == 204
    # 1. on opening the page: it says so, and the Join button asks to sign in
    page = await open_signed_in(new_page, base_url, user, stale=True)
    await page.wait_for_function("document.getElementById('account-state').textContent === 'Not signed in'")
    notice = (await page.inner_text("#notice")).lower()
    assert "signed out" in notice and "expired" in notice, notice
    assert await page.inner_text("#join") == "Sign in to join"
    assert await page.is_visible("#join-anon")

    # 2. lost while the page is open, found out only when joining: no anonymous join either
    user2 = await register()
    page = await open_signed_in(new_page, base_url, user2)
    await page.wait_for_function("document.getElementById('account-state').textContent.startsWith('Signed in')")
    # a refresh token the server no longer accepts (not yet expired by its own date)
    dead = jwt.encode(
        {"sub": user2.id, "type": "refresh", "jti": "gone", "iat": int(time.time()), "exp": int(time.time()) + 3600},
        "not the server's secret, but long enough for HS256",
        algorithm="HS256",
    )
    offers = await catch_offers(page)
    await page.evaluate(
        """t => { localStorage.setItem('cuecard.refresh', t);
        localStorage.setItem('cuecard.access_expires', String(Date.now() - 1000)); }""",
        dead,
    )
    await page.click("#join")
    await page.wait_for_function(
        "location.pathname === '/account' || document.getElementById('account-state').textContent === 'Not signed in'"
    )
    assert offers == []  # nothing was joined, least of all anonymously
    if await page.evaluate("location.pathname") == "/":
        assert await page.inner_text("#join") == "Sign in to join"
        assert await page.is_visible("#join-anon")


async def test_feedback_after_the_access_token_expired_is_saved(new_page, base_url, client, register):
    user = await register()
    r = await user.req("POST", "/api/sessions", json={"title": "live"})
    session_id = (await r.json())["id"]
    page = await open_signed_in(new_page, base_url, user)
    await page.evaluate("id => { window.cuecardTest.state.sessionId = id; }", session_id)
    await inject(
        page,
        {"type": "question", "question_id": "q1", "text": "Why us?", "status": "confirmed"},
        {"type": "suggestion", "question_id": "q1", "option": "concise", "text": "Because.", "done": True},
    )
    await asyncio.sleep(TTL + 1)
    await page.click(".question.current .option:not([hidden]) .helpful")
    await page.wait_for_function(
        "document.querySelector('.question.current .option:not([hidden]) .option-feedback').textContent"
        ".startsWith('Thanks')"
    )
    token = await page.evaluate("localStorage.getItem('cuecard.access')")
    r = await client.get(f"/api/sessions/{session_id}/suggestions", headers={"Authorization": f"Bearer {token}"})
    items = (await r.json())["items"]
    assert items and items[0]["feedback"]["helpful"] is True
