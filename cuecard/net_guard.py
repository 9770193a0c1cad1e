"""Keeping outgoing requests to user-given URLs off the server's own network (SSRF guard).

Used by the calendar fetcher (``cuecard/calendar/fetch.py``) and the webhook dispatcher
(``cuecard/webhooks/urls.py``, ``cuecard/webhooks/dispatcher.py``); each keeps its own
reasons for https-only and its test flag in its module docstring.

Decision (one guard for both):
- **https only**; ``allow_loopback_http`` (a test-only setting of each feature) additionally
  accepts ``http://`` to 127.0.0.1 / ::1 / localhost, so a loopback aiohttp server can stand
  in for the remote end. Nothing else becomes reachable with it.
- **Names are checked at connection time** by ``GuardedResolver`` (public addresses only,
  loopback under the flag): aiohttp connects to what the resolver returned, so a DNS answer
  that changes between a check and the connection (rebinding) cannot point it at 127.0.0.1,
  10/8, 169.254.169.254 (cloud metadata) or the like.
- **IP literals are checked by ``check_url``**: aiohttp does not call the resolver for an IP
  literal, so a non-public literal is refused here, when the URL is given and again before
  each request (callers call ``check_url`` right before connecting).
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


class UrlRefused(ValueError):
    """The URL is not one we connect to (message for the user)."""


def check_url(url: str, allow_loopback_http: bool, what: str) -> str:
    """The URL, stripped; ``UrlRefused`` unless https to a name or public address
    (or loopback http under the test flag). ``what`` names the URL in messages ("webhook")."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError as e:
        raise UrlRefused(f"not a URL: {e}") from None
    host = (parts.hostname or "").lower().strip("[]")
    if parts.scheme not in ("http", "https") or not host:
        raise UrlRefused(f"not an http(s) URL with a host; the {what} URL must use https://")
    if parts.username or parts.password:
        raise UrlRefused("credentials in the URL are not accepted")
    if not _public_literal(host, allow_loopback_http):
        raise UrlRefused(f"the {what} URL points at a private or local address ({host} is no public address)")
    if parts.scheme == "https":
        return url
    if allow_loopback_http and host in LOOPBACK_HOSTS:
        return url
    raise UrlRefused(f"the {what} URL must use https")


def _public_literal(host: str, allow_loopback: bool) -> bool:
    """False for an IP literal that is not a public address (True for names: the resolver checks them)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
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
            raise OSError(f"{host} resolves to no public address")  # aiohttp: ClientConnectorError
        return kept

    async def close(self) -> None:
        await self._inner.close()
