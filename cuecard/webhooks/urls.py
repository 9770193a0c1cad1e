"""Which webhook URLs are accepted, and a resolver that keeps deliveries off private networks.

Decision (SSRF guard):
- **https only** in production. The body carries the user's interview (questions, drafted
  answers) and the signature only proves origin, not secrecy; over http it would cross the
  network in clear.
- ``webhook_allow_loopback_http`` (a ``Settings`` flag, off by default, set by the tests)
  additionally accepts ``http://`` to 127.0.0.1 / ::1 / localhost, so a loopback aiohttp
  server can be the receiver in tests. Nothing else becomes reachable with it: not other
  private ranges, not another scheme.
- **Addresses are checked at connection time** by ``GuardedResolver`` (only public addresses,
  loopback under the flag): a host that resolves, or later re-resolves (DNS rebinding), to
  127.0.0.1, 10/8, 169.254.169.254 (cloud metadata) is refused. aiohttp does not call the
  resolver for IP literals, so ``check_url`` refuses a non-public literal itself, both when
  the webhook is registered and again before every attempt.
  Redirects are not followed (a 3xx is recorded as a failed attempt).
- No credentials in the URL (they would be stored and shown back).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
MAX_URL = 2000


class UrlRefused(ValueError):
    """The URL is not one we deliver to (message for the user)."""


def check_url(url: str, allow_loopback_http: bool) -> str:
    """The URL, stripped; ``UrlRefused`` unless https (or loopback http under the test flag)."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise UrlRefused(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError as e:
        raise UrlRefused(f"not a URL: {e}") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise UrlRefused("not an http(s) URL with a host; webhooks need https://")
    if parts.username or parts.password:
        raise UrlRefused("credentials in the URL are not accepted")
    if not _public_literal(host.strip("[]"), allow_loopback_http):
        raise UrlRefused("the webhook URL points at a private or local address")
    if parts.scheme == "https":
        return url
    if allow_loopback_http and host.strip("[]") in LOOPBACK_HOSTS:
        return url
    raise UrlRefused("the webhook URL must use https")


def _public_literal(host: str, allow_loopback: bool) -> bool:
    """False for an IP literal that is not a public address (True for names: the resolver checks them)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return allowed_address(host, allow_loopback)


def allowed_address(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


class GuardedResolver(AbstractResolver):
    """DNS answers restricted to public addresses (loopback too under the test flag)."""

    def __init__(self, allow_loopback: bool):
        self._inner = DefaultResolver()
        self._allow_loopback = allow_loopback
        self.refused: set[str] = set()  # hosts refused (aiohttp hides the resolver's error)

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        answers = await self._inner.resolve(host, port, family)
        kept = [a for a in answers if allowed_address(a["host"], self._allow_loopback)]
        if not kept:
            self.refused.add(host)
            raise OSError(f"{host} resolves to no public address")
        return kept

    async def close(self) -> None:
        await self._inner.close()
