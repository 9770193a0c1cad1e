"""Consent before capture, the account's privacy settings, and the audit helper routes use.

``GET /api/consent`` → ``{version, text, checkbox, meeting_notice}`` (``cuecard/consent.py``).
``GET|PATCH /api/account/settings`` → ``{retention_days, retention_default_days}``: how long the
account's sessions are kept (``null`` = the server's default, ``0`` = until the user deletes
them); a change is audited as ``settings_change``.

Capture paths (``POST /api/offer``, ``POST /api/bots``) check, in this order:
authentication (an invalid or expired token is 401, never a silent anonymous session) →
consent (``consent: true`` in the body, or a consent already recorded on the session being
rejoined or renegotiated) → quota → validation of the SDP or meeting URL. Without consent the
answer is 403 ``{"error": "consent_required", "message", "consent_version"}``.

Decisions:
- The 403 body is the flat shape the issue specifies (``error`` is the code string), not the
  API's usual ``{"error": {code, message, field}}``: a client tells it apart from every other
  403 by ``error == "consent_required"`` and finds the version to show without a second request.
  It is documented as its own schema (``ConsentRequired``) in ``/api/openapi.json``.
- A ``consent_version`` other than the current one is refused like a missing consent: the
  candidate agreed to a text that is no longer the one shown, so the page asks again. A client
  that sends ``consent: true`` without a version agrees to the current text.
- The record (who, when, which text, from which address) is stored on the session
  (``consent``) and appended to the audit log (``consent``), so it survives in the chain even
  after the session expires.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.keys import AUTH_ERROR, CACHE, LIVE_SESSIONS, PEER_CONNECTIONS, SERVICES, SETTINGS, USER_ID
from cuecard.api.rest_common import (
    INT,
    LOCAL_OWNER,
    STR,
    ApiRoutes,
    obj,
    read_model,
    require_user,
    services,
    validation_error,
)
from cuecard.consent import CONSENT_VERSION, consent_document
from cuecard.retention import RetentionPurge, purge_forever
from cuecard.store.models import Session

routes = ApiRoutes("privacy")

CONSENT_DOC = obj(
    ("version", "text", "checkbox", "meeting_notice"), version=STR, text=STR, checkbox=STR, meeting_notice=STR
)
CONSENT_REQUIRED = obj(
    ("error", "message", "consent_version"),
    error={"type": "string", "enum": ["consent_required"]},
    message=STR,
    consent_version=STR,
)
ACCOUNT_SETTINGS = obj(
    ("retention_days", "retention_default_days"),
    retention_days={"type": ["integer", "null"]},
    retention_default_days=INT,
)
CONSENT_FIELDS = {
    "consent": (bool | None, Field(default=None, description="the candidate confirmed the consent text")),
    "consent_version": (str | None, Field(default=None, max_length=40, description="version of that text")),
}


# --- the audit helper ------------------------------------------------------------------------


async def audit_event(request: web.Request, user_id: str | None, action: str, **details: Any) -> None:
    """Append to the audit log with the caller's address. ``user_id`` is whose log shows it
    (None: nobody's, e.g. a failed login for an unknown email; ``LOCAL_OWNER``: the anonymous
    live page). A failing audit write is logged, never turned into a failed request."""
    actor = "unknown" if user_id is None else ("anonymous" if user_id == LOCAL_OWNER else "user")
    try:
        await services(request).store.accounts.audit(user_id, action, actor=actor, remote=request.remote, **details)
    except Exception as e:
        logger.exception(f"audit entry {action} not written: {e}")


# --- consent on the capture paths --------------------------------------------------------------


class ConsentRequired(web.HTTPForbidden):
    def __init__(self, message: str):
        import json

        body = {"error": "consent_required", "message": message, "consent_version": CONSENT_VERSION}
        super().__init__(text=json.dumps(body), content_type="application/json")


class _AnyObject(BaseModel):
    model_config = ConfigDict(extra="allow")


def authenticate_capture(request: web.Request) -> str | None:
    """The caller's account; ``None`` without a token (the anonymous live page); 401 for a token
    that was sent but is invalid, expired or revoked."""
    if request.get(AUTH_ERROR):
        require_user(request)
    return request.get(USER_ID)


async def read_object(request: web.Request) -> dict[str, Any]:
    """The JSON body as a dict, not validated yet (consent is checked before validation)."""
    return (await read_model(request, _AnyObject)).model_dump()


def validate(model: type[BaseModel], body: dict[str, Any]):
    from pydantic import ValidationError

    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise validation_error(e) from e


def new_consent(request: web.Request, body: dict[str, Any], owner: str, via: str) -> dict[str, Any] | None:
    """The consent record the body gives (``consent: true``), or None when it gives none;
    403 for consent to an outdated text."""
    if body.get("consent") is not True:
        return None
    version = body.get("consent_version")
    if version is not None and version != CONSENT_VERSION:
        raise ConsentRequired(f"the consent text changed (now version {CONSENT_VERSION}): confirm it again")
    return {"version": CONSENT_VERSION, "at": time.time(), "user_id": owner, "remote": request.remote, "via": via}


def has_consent(session: Session | None) -> bool:
    return bool(session is not None and (session.model_extra or {}).get("consent"))


async def require_consent(
    request: web.Request, body: dict[str, Any], owner: str, via: str, session: Session | None
) -> dict[str, Any] | None:
    """A new consent record from the body, else None when ``session`` already has one; else 403."""
    record = new_consent(request, body, owner, via)
    if record is None and not has_consent(session):
        raise ConsentRequired(
            "Confirm that the other participants know they are transcribed, or that local law allows it "
            "(send consent: true with consent_version)."
        )
    return record


async def record_consent(request: web.Request, session: Session, record: dict[str, Any] | None) -> None:
    """Store a new consent record on the session and audit it (nothing when none is new)."""
    if record is None:
        return
    if (session.model_extra or {}).get("consent") != record:
        await services(request).store.sessions.update(session.id, consent=record)
    owner = session.user_id or LOCAL_OWNER
    await audit_event(request, owner, "consent", session_id=session.id, version=record["version"], via=record["via"])


# --- routes ----------------------------------------------------------------------------------


@routes.add(
    "GET",
    "/api/consent",
    "The recording-consent text the page shows before capture, its version and a notice for the meeting chat",
    response=CONSENT_DOC,
    auth=False,
)
async def get_consent(request: web.Request) -> web.Response:
    return web.json_response(consent_document())


class AccountSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retention_days: int | None = Field(
        ge=0,
        le=36_500,
        strict=True,
        description="days sessions are kept after their last activity; 0 = until deleted; null = server default",
    )


def _settings_view(request: web.Request, retention_days: Any) -> dict[str, Any]:
    return {
        "retention_days": retention_days if isinstance(retention_days, int) else None,
        "retention_default_days": request.app[SETTINGS].retention_days,
    }


@routes.add("GET", "/api/account/settings", "The account's privacy settings (retention)", response=ACCOUNT_SETTINGS)
async def get_account_settings(request: web.Request) -> web.Response:
    user = await services(request).store.accounts.get(require_user(request))
    return web.json_response(_settings_view(request, (user.model_extra or {}).get("retention_days")))


@routes.add(
    "PATCH",
    "/api/account/settings",
    "Change the account's privacy settings (retention_days: 0 keeps sessions until deleted)",
    body=AccountSettingsIn,
    response=ACCOUNT_SETTINGS,
)
async def patch_account_settings(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, AccountSettingsIn)
    accounts = services(request).store.accounts
    before = ((await accounts.get(user_id)).model_extra or {}).get("retention_days")
    user = await accounts.update_settings(user_id, retention_days=body.retention_days)
    after = (user.model_extra or {}).get("retention_days")
    await audit_event(request, user_id, "settings_change", setting="retention_days", old=before, new=after)
    return web.json_response(_settings_view(request, after))


def setup(app: web.Application):
    """The routes and the retention purge task (after ``rest_sessions.setup``: it uses the cache)."""

    async def retention_purge(app: web.Application):
        settings, svc = app[SETTINGS], app[SERVICES]
        task = None
        if settings.retention_purge_interval_secs > 0:
            purge = RetentionPurge(
                svc.store,
                settings.retention_days,
                cache=app.get(CACHE),
                stt_cache=lambda: svc.stt_cache,
                live_sessions=lambda: app.get(LIVE_SESSIONS, {}).keys(),
            )
            task = asyncio.get_running_loop().create_task(purge_forever(purge, settings.retention_purge_interval_secs))
        yield
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    app.cleanup_ctx.append(retention_purge)
    routes.setup(app)


async def offer_consent(request: web.Request, body: dict[str, Any], owner: str) -> dict[str, Any] | None:
    """Consent for ``POST /api/offer``: in the body, or recorded on the session the offer
    renegotiates (a known ``pc_id``) or rejoins (``session_id`` of the caller's)."""
    session: Session | None = None
    store = services(request).store
    pc_id, session_id = body.get("pc_id"), body.get("session_id")
    live = request.app[PEER_CONNECTIONS].get(pc_id) if isinstance(pc_id, str) else None
    if live is not None:
        session_id = live.session_id
    if isinstance(session_id, str) and session_id.strip():
        found = await store.sessions.find(session_id)
        session = found if found is not None and (found.user_id or LOCAL_OWNER) == owner else None
    return await require_consent(request, body, owner, "offer", session)


async def bot_consent(request: web.Request, body: dict[str, Any], user_id: str) -> dict[str, Any] | None:
    """Consent for ``POST /api/bots``: in the body, or recorded on the caller's session the
    bot is to write into (``session_id``)."""
    session: Session | None = None
    session_id = body.get("session_id")
    if isinstance(session_id, str) and session_id.strip():
        found = await services(request).store.sessions.find(session_id)
        session = found if found is not None and found.user_id == user_id else None
    return await require_consent(request, body, user_id, "bot", session)
