"""Which webhook URLs are accepted, and a resolver that keeps deliveries off private networks.

Decision (SSRF guard):
- **https only** in production. The body carries the user's interview (questions, drafted
  answers) and the signature only proves origin, not secrecy; over http it would cross the
  network in clear.
- ``webhook_allow_loopback_http`` (a ``Settings`` flag, off by default, set by the tests)
  additionally accepts ``http://`` to 127.0.0.1 / ::1 / localhost, so a loopback aiohttp
  server can be the receiver in tests. Nothing else becomes reachable with it: not other
  private ranges, not another scheme.
- The guard itself (shared with the calendar fetcher) is ``cuecard/net_guard.py``.
- **Addresses are checked at connection time** by ``GuardedResolver`` (only public addresses,
  loopback under the flag): a host that resolves, or later re-resolves (DNS rebinding), to
  127.0.0.1, 10/8, 169.254.169.254 (cloud metadata) is refused. aiohttp does not call the
  resolver for IP literals, so ``check_url`` refuses a non-public literal itself, both when
  the webhook is registered and again before every attempt.
  Redirects are not followed (a 3xx is recorded as a failed attempt).
- No credentials in the URL (they would be stored and shown back).
"""

from __future__ import annotations

from cuecard.net_guard import GuardedResolver, UrlRefused, allowed_address
from cuecard.net_guard import check_url as _check_public_url

__all__ = ["MAX_URL", "GuardedResolver", "UrlRefused", "allowed_address", "check_url"]

MAX_URL = 2000


def check_url(url: str, allow_loopback_http: bool) -> str:
    """The URL, stripped; ``UrlRefused`` unless https (or loopback http under the test flag)."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise UrlRefused(f"the URL is longer than {MAX_URL} characters")
    return _check_public_url(url, allow_loopback_http, "webhook")
