"""Fixtures of the meeting-bot tests: the loopback meeting double, loopback ICE, bot settings."""

from __future__ import annotations

import pytest


@pytest.fixture
def loopback_ice(monkeypatch):
    """aioice never offers 127.0.0.1 by itself (platform notes): make it the only address."""
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4=True, use_ipv6=True: ["127.0.0.1"])


@pytest.fixture
async def meeting(loopback_ice):
    from meeting_double import MeetingDouble

    async with MeetingDouble() as double:
        yield double


@pytest.fixture
def bot_settings(settings):
    settings.bot_allow_loopback_meetings = True  # the meeting double is on 127.0.0.1
    settings.bot_admission_timeout_secs = 20.0
    settings.bot_join_timeout_secs = 15.0
    settings.interim_period_secs = 0.0  # interim decodes would only slow the shared CPU down
    return settings
