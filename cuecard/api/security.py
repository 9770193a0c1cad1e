"""HTTP hardening around every route: security headers, the Host allowlist, JSON-only bodies,
a CORS allowlist, and the capability secret of anonymous live sessions.

Decisions:
- Headers are set in ``on_response_prepare``, not in a middleware: that signal also fires for
  static files, WebSocket upgrades and errors raised as exceptions, so no response escapes.
  ``Server`` is overwritten with ``Cuecard`` (aiohttp only fills it in when it is unset, and
  its default names the Python and aiohttp versions).
- The Content-Security-Policy allows scripts and styles only from the server itself (no
  ``unsafe-inline``, no ``unsafe-eval``): the pages keep every script and style in files
  under ``/static/``. ``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for old
  browsers) stops click-jacking. HSTS only with ``settings.hsts`` (the server speaks plain
  HTTP; a TLS proxy in front turns it on).
- Host allowlist against DNS rebinding: a page on an attacker's name that resolves to
  127.0.0.1 sends its own name as ``Host``; only localhost names, ``settings.host`` and
  ``settings.allowed_hosts`` are answered (400 ``host_not_allowed`` otherwise).
- JSON bodies only as ``application/json`` (415 otherwise, upload routes excepted): a
  cross-site form or ``fetch`` with ``text/plain`` is a "simple" request that browsers send
  without asking; ``application/json`` forces a CORS preflight, which the allowlist refuses.
- CORS: no origin is allowed by default (the web client is same-origin);
  ``settings.cors_origins`` lists the origins that may call the API with credentials headers.
- Anonymous live sessions (owner ``LOCAL_OWNER``) carry a capability secret: 256 random bits
  returned once by ``POST /api/offer``; only its SHA-256 is stored (``capability_hash``).
  Reading, rejoining, feedback, ICE and the WebSocket of such a session need it as the
  ``X-Session-Secret`` header or ``?secret=`` (a WebSocket cannot set headers). A hash, not
  the secret: a leaked database does not open the sessions; SHA-256 without salt suffices for
  a random 256-bit value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from aiohttp import web

from cuecard.api.errors import ApiError
from cuecard.api.keys import API_SPECS, SETTINGS

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SECRET_HEADER = "X-Session-Secret"
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"
CORS_HEADERS = "Authorization, Content-Type, X-Session-Secret"


# -- headers -----------------------------------------------------------------------------------


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = "Cuecard"
    settings = request.app[SETTINGS]
    if settings.hsts:
        response.headers["Strict-Transport-Security"] = HSTS
    origin = request.headers.get("Origin")
    if origin and origin in settings.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"


# -- Host allowlist ------------------------------------------------------------------------------


def host_name(host_header: str) -> str:
    """``Host`` without its port, lower case; ``[::1]:8600`` → ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(request: web.Request) -> bool:
    settings = request.app[SETTINGS]
    if "*" in settings.allowed_hosts:
        return True
    allowed = {*LOCAL_HOSTS, settings.host.lower(), *(h.lower() for h in settings.allowed_hosts)}
    return host_name(request.headers.get("Host", "")) in allowed


# -- JSON content type ---------------------------------------------------------------------------


def _upload_handlers(app: web.Application) -> set[Any]:
    return {spec.handler for spec in app.get(API_SPECS, []) if spec.upload}


def is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def has_body(request: web.Request) -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"


@web.middleware
async def security_middleware(request: web.Request, handler):
    """Host allowlist, CORS preflights and JSON-only bodies (before the route runs)."""
    if not host_allowed(request):
        raise ApiError(400, "host_not_allowed", "this server does not answer to that Host name", "Host")
    settings = request.app[SETTINGS]
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        if request.headers.get("Origin") not in settings.cors_origins:
            raise ApiError(403, "cors_denied", "cross-origin requests from this origin are not allowed", "Origin")
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": CORS_METHODS,
                "Access-Control-Allow-Headers": CORS_HEADERS,
                "Access-Control-Max-Age": "600",
            },
        )
    if (
        request.path.startswith("/api/")
        and request.method in BODY_METHODS
        and has_body(request)
        and not is_json_type(request.content_type)
        and getattr(request.match_info, "handler", None) not in _upload_handlers(request.app)
    ):
        raise ApiError(
            415, "unsupported_media_type", "request bodies must be JSON sent as application/json", "Content-Type"
        )
    return await handler(request)


# -- JSON parsing and stored sizes ---------------------------------------------------------------


def check_json_size(value: Any, limit: int, field: str) -> None:
    """413 when ``value`` takes more than ``limit`` bytes as JSON (storage quota of one field)."""
    size = len(json.dumps(value, separators=(",", ":")).encode())
    if size > limit:
        raise ApiError(413, "too_large", f"{field} is {size} bytes as JSON; at most {limit} are stored", field)


# -- capability secrets of anonymous sessions ---------------------------------------------------


def new_capability() -> tuple[str, str]:
    """(secret for the page, hash to store)."""
    secret = secrets.token_urlsafe(32)
    return secret, capability_hash(secret)


def capability_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def presented_secret(request: web.Request) -> str | None:
    return request.headers.get(SECRET_HEADER) or request.query.get("secret") or None


def capability_matches(stored_hash: Any, secret: str | None) -> bool:
    """Constant-time comparison; a session without a stored hash opens for no secret."""
    if not isinstance(stored_hash, str) or not stored_hash or not secret:
        return False
    return hmac.compare_digest(stored_hash, capability_hash(secret))


def setup(app: web.Application) -> None:
    app.on_response_prepare.append(add_security_headers)
    app.middlewares.append(security_middleware)
