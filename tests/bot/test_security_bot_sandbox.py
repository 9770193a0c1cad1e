"""The bot's Chromium runs with its sandbox on and not as root (issue 14, finding "high").

Real Chromium (Debian's), as the bot launches it; Chromium's own ``chrome://sandbox`` page
reports the sandbox layers, and ``/proc`` tells the user every Chromium process runs as."""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest

from cuecard.transports.meeting_bot.browser import CHROMIUM_FLAGS, BotBrowser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _uids_of_bot_chromium(profile_dir: str) -> set[int]:
    uids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            if profile_dir.encode() not in cmdline:
                continue
            with open(f"/proc/{entry}/status") as f:
                uid_line = next(line for line in f if line.startswith("Uid:"))
            uids.add(int(uid_line.split()[1]))
        except (OSError, StopIteration):
            continue
    return uids


async def test_bot_chromium_is_sandboxed_and_not_root():
    if not shutil.which(CHROMIUM):
        pytest.fail("chromium is not installed (apt-get install chromium)")
    assert "--no-sandbox" not in CHROMIUM_FLAGS
    browser = BotBrowser(CHROMIUM)
    await browser.launch()
    try:
        profile_dir = browser._profile_dir
        assert profile_dir
        uids = _uids_of_bot_chromium(profile_dir)
        assert uids and 0 not in uids, uids
        await browser.page.goto("chrome://sandbox")
        status = await browser.page.inner_text("body")
        assert "You are adequately sandboxed" in status, status
        assert "Namespace" in status and "Seccomp-BPF sandbox\tYes" in status, status
    finally:
        await browser.close()
    assert not await asyncio.to_thread(os.path.exists, f"{profile_dir}-launch.sh")
