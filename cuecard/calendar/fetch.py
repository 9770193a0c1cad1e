"""Fetching a private ICS URL without letting it reach the server's own network (SSRF).

Decisions:
- **https only** in production: the URL is a bearer secret (anyone holding it reads the
  calendar) and the file carries meeting links; over http both would cross the network in
  clear. ``calendar_allow_loopback_http`` (tests only) additionally accepts ``http://`` to
  127.0.0.1 / ::1 / localhost, so a loopback aiohttp server can stand in for a calendar
  provider; nothing else becomes reachable with it.
- **Addresses checked at connection time**: a ``GuardedResolver`` resolves the host and keeps
  only public (``is_global``) addresses; aiohttp connects to what the resolver returned, so a
  DNS answer that changes between a check and the connection (rebinding) cannot point it at
  127.0.0.1, 10/8, 169.254.169.254 (cloud metadata) or the like. aiohttp does not ask the
  resolver about IP literals, so ``check_url`` refuses a non-public literal itself, when the
  URL is subscribed and again before each fetch. The guard is shared with webhooks:
  ``cuecard/net_guard.py``.
- **No redirects** (a 3xx is an error naming it): a redirect is how an allowed URL would lead
  to a refused one, and calendar providers serve their ICS URLs directly.
- Size cap ``calendar_max_bytes`` while reading, timeout ``calendar_fetch_timeout_secs``,
  no cookies, no credentials sent from the environment (``trust_env=False``).
"""

from __future__ import annotations

import aiohttp

from cuecard import net_guard
from cuecard.net_guard import GuardedResolver


class FetchRefused(ValueError):
    """The URL or what it answered is not a calendar we fetch (message for the user)."""


def check_url(url: str, allow_loopback_http: bool) -> str:
    """The URL, stripped; ``FetchRefused`` unless https to a name or public address
    (or loopback http under the test setting)."""
    try:
        return net_guard.check_url(url, allow_loopback_http, "calendar")
    except net_guard.UrlRefused as e:
        raise FetchRefused(str(e)) from None


async def fetch_ics(url: str, *, max_bytes: int, timeout_secs: float, allow_loopback_http: bool) -> bytes:
    url = check_url(url, allow_loopback_http)  # again: IP literals skip the resolver
    resolver = GuardedResolver(allow_loopback_http)
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
    timeout = aiohttp.ClientTimeout(total=timeout_secs)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, trust_env=False, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        try:
            async with http.get(url, allow_redirects=False, headers={"Accept": "text/calendar"}) as response:
                if 300 <= response.status < 400:
                    raise FetchRefused(f"the calendar URL redirects (HTTP {response.status}); give the final URL")
                if response.status != 200:
                    raise FetchRefused(f"the calendar server answered HTTP {response.status}")
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise FetchRefused(f"the calendar is larger than {max_bytes} bytes")
                return bytes(data)
        except FetchRefused:
            raise
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            if resolver.refused:
                hosts = ", ".join(sorted(resolver.refused))
                raise FetchRefused(f"{hosts} resolves to no public address") from None
            raise FetchRefused(f"the calendar could not be fetched: {e.__class__.__name__}: {e}") from None
