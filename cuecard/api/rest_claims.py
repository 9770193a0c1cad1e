"""Claiming sessions started without an account: ``POST /api/sessions/claim``.

The live page works without an account: its sessions then belong to the anonymous local owner
(``LOCAL_OWNER``) and are reachable only without a token, so they are missing from the history
of the account the candidate signs in to afterwards. The page remembers the ids of the
anonymous sessions it started (in the browser's ``localStorage``); once signed in, the account
page offers to move them to the account through this route.

Decisions:
- Only sessions owned by the anonymous local owner move, and only those whose ids are given:
  an id that is unknown, already claimed, or someone else's is listed in ``skipped`` with no
  reason, so the route tells nothing about other people's sessions.
- Claiming needs each session's capability secret (``session_secrets``, id → secret), the one
  ``POST /api/offer`` returned when it created the session (issue 14): the id alone, which
  may show up in logs or a shared link, opens nothing.
"""

from __future__ import annotations

import time
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.rest_common import LOCAL_OWNER, STR, ApiRoutes, obj, read_model, require_user, services
from cuecard.api.rest_consent import audit_event
from cuecard.api.security import capability_matches

routes = ApiRoutes("sessions")

MAX_CLAIM = 100
SessionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_ids: list[SessionId] = Field(
        min_length=1,
        max_length=MAX_CLAIM,
        description="ids of sessions this browser started without an account",
    )
    session_secrets: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict,
        max_length=MAX_CLAIM,
        description="each session's capability secret, by id (from POST /api/offer)",
    )


IDS = {"type": "array", "items": STR}
CLAIMED = obj(("claimed", "skipped"), claimed=IDS, skipped=IDS)


@routes.add(
    "POST",
    "/api/sessions/claim",
    "Move sessions started on the live page without an account "
    "(owned by the anonymous local user), given their ids, to the caller; other ids are skipped",
    body=ClaimIn,
    response=CLAIMED,
)
async def claim_sessions(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, ClaimIn)
    store = services(request).store
    claimed: list[str] = []
    skipped: list[str] = []
    for session_id in dict.fromkeys(body.session_ids):
        session = await store.sessions.find(session_id)
        secret = body.session_secrets.get(session_id)
        if (
            session is None
            or session.user_id != LOCAL_OWNER
            or not capability_matches(getattr(session, "capability_hash", None), secret)
        ):
            skipped.append(session_id)
            continue
        await store.sessions.update(session_id, user_id=user_id, claimed_at=time.time())
        claimed.append(session_id)
    if claimed:
        await audit_event(request, user_id, "claim_sessions", session_ids=claimed)
    return web.json_response({"claimed": claimed, "skipped": skipped})


def setup(app: web.Application):
    routes.setup(app)
