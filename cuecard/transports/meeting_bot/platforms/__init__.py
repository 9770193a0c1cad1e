"""One adapter per meeting platform; the platform is chosen from the meeting URL."""

from __future__ import annotations

from urllib.parse import urlparse

from cuecard.transports.meeting_bot.platforms.base import Participant, Platform
from cuecard.transports.meeting_bot.platforms.google_meet import GoogleMeet
from cuecard.transports.meeting_bot.platforms.local_test import LocalTestMeeting
from cuecard.transports.meeting_bot.platforms.teams import Teams
from cuecard.transports.meeting_bot.platforms.zoom import Zoom

PLATFORMS: tuple[type[Platform], ...] = (GoogleMeet, Zoom, Teams, LocalTestMeeting)


class UnsupportedMeeting(ValueError):
    pass


def platform_for_url(url: str, *, allow_loopback: bool = False) -> Platform:
    """The adapter for ``url``, or ``UnsupportedMeeting`` saying why none fits. The local test
    meeting (loopback URLs) only with ``allow_loopback`` (settings.bot_allow_loopback_meetings)."""
    parsed = urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UnsupportedMeeting("meeting_url must be an http(s) URL")
    for cls in PLATFORMS:
        if cls is LocalTestMeeting and not allow_loopback:
            continue
        if cls.matches(url):
            return cls(url) if cls is LocalTestMeeting else cls()
    raise UnsupportedMeeting(
        f"{parsed.hostname} is not a supported meeting platform (Google Meet, Zoom, Microsoft Teams)"
    )


__all__ = ["PLATFORMS", "Participant", "Platform", "UnsupportedMeeting", "platform_for_url"]
