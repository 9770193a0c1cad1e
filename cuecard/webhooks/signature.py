"""The ``Cuecard-Signature`` header of a webhook delivery, and its check for receivers.

Format: ``Cuecard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``,
where ``body`` is the exact bytes of the request body. A receiver recomputes the HMAC over the
raw body it received (before any JSON parsing), compares in constant time, and refuses a ``t``
further than ``tolerance`` seconds from its clock, so a captured request cannot be replayed
later. Several ``v1=`` entries are accepted (room for a secret rotation).

Decision: the scheme is Stripe's (timestamp in the signed string, one header): receivers
already have code and habits for it; ``verify`` returns a bool instead of raising, so the
receiver's recipe is one ``if``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Cuecard-Signature"


def _mac(secret: str, t: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, t: int | None = None) -> str:
    """The header value for ``body`` at time ``t`` (now by default)."""
    t = int(time.time()) if t is None else int(t)
    return f"t={t},v1={_mac(secret, t, body)}"


def verify(secret: str, header: str, body: bytes, tolerance: float = 300, now: float | None = None) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its time is within ``tolerance``
    seconds of ``now`` (the current time by default)."""
    t: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                t = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if t is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = _mac(secret, t, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
