"""End to end in real headless Chromium: the page joins over WebRTC with a fake microphone
that plays an espeak WAV, and must show the spoken words as the candidate's line. Tab sharing
cannot be granted headless, so the page must go on microphone-only and say so. A reload must
show the transcript so far and offer to rejoin. A refused microphone must say what to do.

These joins are anonymous, chosen explicitly ("Join without an account": signed out, the Join
button asks to sign in instead), and the page remembers the anonymous session's id so the
account page can offer it for claiming (tests/web/ covers signing in, drafts and the pane)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import soundfile as sf
from web.conftest import accept_consent

from cuecard.api.keys import LIVE_SESSIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BASE_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def fake_media_flags(wav) -> list[str]:
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]


@pytest.fixture
def base_url(served):
    return served[1]


@pytest.fixture
async def launch(tmp_path):
    """``launch(extra_flags) -> page`` in a fresh headless Chromium profile."""
    from playwright.async_api import async_playwright

    if not shutil.which(CHROMIUM) and not CHROMIUM.startswith("/"):
        pytest.fail("chromium is not installed (apt-get install chromium)")
    async with async_playwright() as p:
        browsers = []

        async def _launch(flags: list[str]):
            context = await p.chromium.launch_persistent_context(
                str(tmp_path / f"profile{len(browsers)}"),
                executable_path=CHROMIUM,
                headless=True,
                args=BASE_FLAGS + flags,
                # wait_for_function evaluates its string with eval, which the pages' CSP refuses;
                # the pages under their real policy: tests/web/test_security_csp.py
                bypass_csp=True,
            )
            browsers.append(context)
            page = context.pages[0] if context.pages else await context.new_page()
            page.on("console", lambda m: print(f"[page] {m.type}: {m.text}"))
            return page

        yield _launch
        for context in browsers:
            await context.close()


@pytest.fixture
def interview_wav(speak, tmp_path):
    """The fake microphone's input: a sentence between silences (Chromium loops the file)."""
    speech, rate = sf.read(str(speak("My favourite programming language is Python.")), dtype="int16")
    pad = np.zeros(rate, np.int16)
    path = tmp_path / "mic.wav"
    sf.write(str(path), np.concatenate([pad, speech, pad, pad, pad]), rate, subtype="PCM_16")
    return path


# Headless Chromium with --use-fake-ui-for-media-stream GRANTS getDisplayMedia (a fake
# surface), so the user's refusal is reproduced by making it reject the way Chromium does when
# the user cancels the picker (NotAllowedError). Everything else is the real browser.
REFUSE_TAB_SHARING = """
navigator.mediaDevices.getDisplayMedia = () =>
  Promise.reject(new DOMException("Permission denied by user", "NotAllowedError"));
"""


async def test_page_shows_spoken_words_continues_mic_only_and_survives_reload(served, launch, interview_wav):
    app, base_url = served
    page = await launch(fake_media_flags(interview_wav))
    await page.add_init_script(REFUSE_TAB_SHARING)
    await page.goto(base_url + "/")
    assert await page.inner_text("#join") == "Sign in to join"
    await page.click("#join-anon")
    await accept_consent(page)  # the recording-consent step comes first

    # Tab sharing is refused headless: the session goes on with the microphone, and says so.
    notice = page.locator("#notice")
    await notice.wait_for(state="visible", timeout=15_000)
    assert "microphone only" in (await notice.inner_text()).lower()
    await page.wait_for_function("document.getElementById('conn-state').textContent === 'live'", timeout=20_000)
    assert "microphone only" in (await page.inner_text("#status-text")).lower()

    # The spoken words appear as the candidate's final line.
    line = page.locator("#transcript li.candidate:not(.interim)", has_text=re.compile("python", re.I))
    await line.first.wait_for(timeout=25_000)
    text = (await line.first.inner_text()).lower()
    assert "programming" in text or "language" in text, text
    assert await page.locator("#transcript li.interviewer").count() == 0
    session_id = await page.evaluate("localStorage.getItem('cuecard.session_id')")
    assert session_id
    # an anonymous session: remembered for claiming after signing in
    remembered = await page.evaluate("JSON.parse(localStorage.getItem('cuecard.anon_sessions'))")
    assert [item["id"] for item in remembered] == [session_id]

    # Reload: the transcript so far comes back from the server and the page offers to rejoin.
    await page.reload()
    restored = page.locator("#transcript li.candidate", has_text=re.compile("python", re.I))
    await restored.first.wait_for(timeout=10_000)
    assert await page.locator("#rejoin").is_visible()
    assert "previous session" in (await page.inner_text("#conn-state")).lower()
    await page.click("#rejoin")
    await page.wait_for_function("document.getElementById('conn-state').textContent === 'live'", timeout=20_000)
    assert await page.evaluate("localStorage.getItem('cuecard.session_id')") == session_id

    # The connection drops (the server side closes it): the page says so, keeps the
    # transcript, and Rejoin resumes the same session.
    from cuecard.api.webrtc_routes import end_live_session

    lines_before = await page.locator("#transcript li").count()
    await end_live_session(app, app[LIVE_SESSIONS][session_id])
    await page.wait_for_function("document.getElementById('conn-state').textContent === 'dropped'", timeout=15_000)
    assert await page.locator("#rejoin").is_visible()
    assert await page.locator("#transcript li").count() >= lines_before
    await page.click("#rejoin")
    await page.wait_for_function("document.getElementById('conn-state').textContent === 'live'", timeout=20_000)
    assert session_id in app[LIVE_SESSIONS]


async def test_refused_microphone_says_what_to_do(base_url, launch):
    # No fake-UI flag: headless Chromium denies the permission prompt.
    page = await launch(["--use-fake-device-for-media-stream"])
    await page.goto(base_url + "/")
    await page.click("#join-anon")
    await accept_consent(page)  # the recording-consent step comes first
    notice = page.locator("#notice")
    await notice.wait_for(state="visible", timeout=10_000)
    message = (await notice.inner_text()).lower()
    assert "microphone" in message and "site settings" in message and "allow" in message
    assert await page.inner_text("#conn-state") == "not joined"


async def test_shared_tab_audio_is_the_interviewer(base_url, launch, interview_wav):
    """With the fake UI, Chromium grants getDisplayMedia with a fake surface whose audio is
    the same fake capture file: the same sentence must then show up for both roles."""
    page = await launch(fake_media_flags(interview_wav))
    await page.goto(base_url + "/")
    await page.click("#join-anon")
    await accept_consent(page)  # the recording-consent step comes first
    await page.wait_for_function("document.getElementById('conn-state').textContent === 'live'", timeout=20_000)
    assert "interviewer" in (await page.inner_text("#status-text")).lower()
    assert await page.locator("#notice").is_hidden()
    line = page.locator("#transcript li.interviewer:not(.interim)", has_text=re.compile("python", re.I))
    await line.first.wait_for(timeout=25_000)
