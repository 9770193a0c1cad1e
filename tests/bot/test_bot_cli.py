"""``cuecard bot join`` as a real subprocess against the meeting double: JSON lines on stdout,
Ctrl-C makes the bot leave, exit status 0; a bad URL is exit status 2."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import pytest

pytestmark = pytest.mark.browser


def _env(settings) -> dict:
    return {
        **os.environ,
        "CUECARD_DATA_DIR": str(settings.data_dir),
        "CUECARD_WHISPER_MODEL": settings.whisper_model,
        "CUECARD_BOT_ALLOW_LOOPBACK_MEETINGS": "true",
    }


async def _next_event(proc, state: str, timeout: float = 30) -> dict:  # noqa: ASYNC109 - test helper: its own deadline gives a failure message naming what never happened
    async def read():
        while True:
            line = await proc.stdout.readline()
            assert line, "cuecard bot join exited early"
            event = json.loads(line)
            if event["type"] == "status" and event["state"] == state:
                return event

    return await asyncio.wait_for(read(), timeout)


async def test_cli_joins_prints_events_and_leaves_on_ctrl_c(bot_settings, meeting, tmp_path):
    meeting.room("cli", ["Dana Lee"])
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cuecard.cli",
        "bot",
        "join",
        meeting.url("cli"),
        "--candidate-name",
        "Alex Kim",
        "--session",
        "cli-session",
        env=_env(bot_settings),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        waiting = await _next_event(proc, "bot_waiting_for_admission", timeout=60)
        assert waiting["session_id"] == "cli-session"
        guest = await meeting.wait_for_guest("cli", "lobby")
        assert guest.name == "Alex Kim's notetaker (Cuecard)"
        meeting.set_state("cli", guest.id, "admitted")
        await _next_event(proc, "bot_in_call")
        proc.send_signal(signal.SIGINT)
        ended = await _next_event(proc, "bot_ended")
        assert ended["reason"] == "left_by_request"
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        assert meeting.guests("cli")[0].state == "left"
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_cli_rejects_unsupported_url(bot_settings, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cuecard.cli",
        "bot",
        "join",
        "https://example.org/meeting",
        env=_env(bot_settings),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert b"not a supported meeting link" in err
