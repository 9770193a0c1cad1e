"""One adapter per meeting platform; the platform is chosen from the meeting URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from cuecard.transports.meeting_bot.platforms.base import Participant, Platform
from cuecard.transports.meeting_bot.platforms.google_meet import GoogleMeet
from cuecard.transports.meeting_bot.platforms.local_test import LocalTestMeeting
from cuecard.transports.meeting_bot.platforms.teams import Teams
from cuecard.transports.meeting_bot.platforms.zoom import Zoom

PLATFORMS: tuple[type[Platform], ...] = (GoogleMeet, Zoom, Teams, LocalTestMeeting)


class UnsupportedMeeting(ValueError):
    pass


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def canonical_meeting_url(url: str, *, allow_loopback: bool = False) -> tuple[type[Platform], str]:
    """The adapter class for ``url`` and the URL re-serialized by a WHATWG parser, which is the
    only URL the bot's Chromium is given; ``UnsupportedMeeting`` otherwise.

    Decision (parser differential, issue 14): Python's ``urlparse`` and Chromium disagree on
    URLs such as ``http://127.0.0.1:18999\\@meet.google.com/x`` (Python: host
    meet.google.com; Chromium: a backslash is a slash, host 127.0.0.1). So the URL is parsed
    with the WHATWG URL standard that browsers implement (``ada-url``, the parser of Node.js),
    and anything a browser would read differently or that has no business in a meeting link is
    refused before matching: backslashes, control characters and spaces, user info, schemes
    other than https, explicit non-default ports and IP-address hosts (the loopback test
    meeting, with ``allow_loopback``, is the only exception). The serialized URL is parsed
    again by Python and must name the same host. Messages never echo what the server would
    have reached, so the route cannot be used to probe hosts or ports.
    """
    import ada_url

    raw = (url or "").strip()
    if not raw or any(ch == "\\" or ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in raw):
        raise UnsupportedMeeting("meeting_url must be a plain https URL (no spaces or backslashes)")
    try:
        parsed = ada_url.URL(raw)
    except ValueError:
        raise UnsupportedMeeting("meeting_url is not a valid URL") from None
    host = parsed.hostname.lower()
    loopback = allow_loopback and host in LOOPBACK_HOSTS
    if parsed.username or parsed.password:
        raise UnsupportedMeeting("meeting_url must not contain a user name or password")
    if parsed.protocol != "https:" and not (loopback and parsed.protocol == "http:"):
        raise UnsupportedMeeting("meeting_url must be an https URL")
    if parsed.port and not loopback:
        raise UnsupportedMeeting("meeting_url must not name a port")
    if parsed.host_type != ada_url.HostType.DEFAULT and not loopback:
        raise UnsupportedMeeting("meeting_url must name the meeting service, not an IP address")
    href = parsed.href
    if (urlsplit(href).hostname or "").lower() != host.strip("[]"):
        raise UnsupportedMeeting("meeting_url is ambiguous")
    for cls in PLATFORMS:
        if cls is LocalTestMeeting:
            if loopback:
                return cls, href
            continue
        if cls.matches(href):
            return cls, href
    raise UnsupportedMeeting("meeting_url is not a supported meeting link (Google Meet, Zoom, Microsoft Teams)")


def platform_for_url(url: str, *, allow_loopback: bool = False) -> Platform:
    """The adapter for ``url`` (see ``canonical_meeting_url``). The local test meeting
    (loopback URLs) only with ``allow_loopback`` (settings.bot_allow_loopback_meetings)."""
    cls, href = canonical_meeting_url(url, allow_loopback=allow_loopback)
    return cls(href) if cls is LocalTestMeeting else cls()


__all__ = ["PLATFORMS", "Participant", "Platform", "UnsupportedMeeting", "canonical_meeting_url", "platform_for_url"]
