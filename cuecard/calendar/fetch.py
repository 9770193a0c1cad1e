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
  127.0.0.1, 10/8, 169.254.169.254 (cloud metadata) or the like. IP literals go through the
  same check.
- **No redirects** (a 3xx is an error naming it): a redirect is how an allowed URL would lead
  to a refused one, and calendar providers serve their ICS URLs directly.
- Size cap ``calendar_max_bytes`` while reading, timeout ``calendar_fetch_timeout_secs``,
  no cookies, no credentials sent from the environment (``trust_env=False``).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


class FetchRefused(ValueError):
    """The URL or what it answered is not a calendar we fetch (message for the user)."""


def check_url(url: str, allow_loopback_http: bool) -> str:
    """The URL, stripped; ``FetchRefused`` unless https (or loopback http under the test setting)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise FetchRefused(f"not a URL: {e}") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchRefused("the URL has no host")
    if parts.username or parts.password:
        raise FetchRefused("credentials in the URL are not accepted")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and allow_loopback_http and host in LOOPBACK_HOSTS:
        return url
    raise FetchRefused("the calendar URL must use https")


def _allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


class GuardedResolver(AbstractResolver):
    """DNS answers restricted to public addresses (loopback too under the test setting)."""

    def __init__(self, allow_loopback: bool):
        self._inner = DefaultResolver()
        self._allow_loopback = allow_loopback
        self.refused: str | None = None  # the host refused (aiohttp hides the resolver's error)

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        answers = await self._inner.resolve(host, port, family)
        kept = [a for a in answers if _allowed(a["host"], self._allow_loopback)]
        if not kept:
            self.refused = host
            raise OSError(f"{host} resolves to no public address")  # aiohttp: ClientConnectorError
        return kept

    async def close(self) -> None:
        await self._inner.close()


def _check_literal(url: str, allow_loopback: bool) -> None:
    """aiohttp does not ask the resolver about an IP literal: checked here instead."""
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return  # a name: the resolver checks what it resolves to
    if not _allowed(host, allow_loopback):
        raise FetchRefused(f"{host} is no public address")


async def fetch_ics(url: str, *, max_bytes: int, timeout_secs: float, allow_loopback_http: bool) -> bytes:
    url = check_url(url, allow_loopback_http)
    _check_literal(url, allow_loopback_http)
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
                raise FetchRefused(f"{resolver.refused} resolves to no public address") from None
            raise FetchRefused(f"the calendar could not be fetched: {e.__class__.__name__}: {e}") from None
