"""Live events of a session over an authenticated WebSocket: ``GET /api/sessions/{id}/events``.

Every transcript, question, suggestion and status event is sent as one JSON text message with
its ``seq``. ``?after=<seq>`` first replays everything after that number (from the bus's
bounded history: in memory, or the Redis stream shared by all server processes), then streams
live events — a client that reconnects with the last ``seq`` it saw misses nothing, and two
browsers on one session see the same numbered events. The token comes as ``?token=`` (browsers
cannot set headers on a WebSocket) or ``Authorization: Bearer``. Messages from the client are
ignored; closing the socket ends the subscription.

An anonymous live-page session is opened without a token but with its capability secret
(``?secret=``, see ``security``). A token-authenticated socket re-checks its token every
``settings.ws_token_check_secs``: once it has expired or was revoked (logout, refresh-token
reuse), the socket is closed with code 4401 — the client reconnects with a fresh token and
``?after=`` and misses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import WSMsgType, web
from loguru import logger

from cuecard.api.auth import bearer_token, token_still_valid
from cuecard.api.errors import ApiError
from cuecard.api.keys import AUTH_ERROR, SETTINGS, USER_ID
from cuecard.api.rest_common import LOCAL_OWNER, ApiRoutes, owned_session, query_int, require_user, services
from cuecard.api.security import presented_secret

TOKEN_CLOSE_CODE = 4401  # application close code: the token expired or was revoked

routes = ApiRoutes("events")


@routes.add(
    "GET",
    "/api/sessions/{session_id}/events",
    "WebSocket (upgrade required): numbered live events of the session; ?after=<seq> replays missed events. "
    "Token as ?token= or Authorization header. Each message is an Event (components.schemas.Event: "
    "TranscriptEvent, QuestionEvent, SuggestionEvent or StatusEvent).",
    response=None,
    status=101,
    query=[
        {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "token", "in": "query", "schema": {"type": "string"}},
        {"name": "secret", "in": "query", "schema": {"type": "string"}},
    ],
)
async def session_events(request: web.Request) -> web.StreamResponse:
    anonymous = request.get(USER_ID) is None and not request.get(AUTH_ERROR) and presented_secret(request)
    session = await owned_session(request, LOCAL_OWNER if anonymous else require_user(request))
    after = query_int(request, "after", 0, 0, 2**62)
    ws = web.WebSocketResponse(heartbeat=20.0)
    if not ws.can_prepare(request).ok:
        raise ApiError(400, "websocket_required", "this endpoint needs a WebSocket upgrade", "Upgrade")
    await ws.prepare(request)
    bus = services(request).bus

    async def pump():
        async for event in bus.subscribe(session.id, after=after):
            await ws.send_json(event)

    task = asyncio.get_running_loop().create_task(pump())
    # If the stream fails (e.g. Redis went away) the client must learn it now, not on its next message.
    task.add_done_callback(lambda _: asyncio.ensure_future(ws.close(code=1011, message=b"event stream ended")))
    token = None if anonymous else bearer_token(request)
    watch = asyncio.get_running_loop().create_task(_close_when_token_ends(request, ws, token)) if token else None
    try:
        async for msg in ws:
            if msg.type == WSMsgType.ERROR:
                break
            if task.done():
                break
    finally:
        if watch is not None:
            watch.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        if task.done() and not task.cancelled() and task.exception() is not None:
            logger.warning(f"event stream of {session.id} ended: {task.exception()!r}")
        await ws.close()
    return ws


async def _close_when_token_ends(request: web.Request, ws: web.WebSocketResponse, token: str) -> None:
    """Re-check the token while the socket is open; close it once the token is no longer valid."""
    period = request.app[SETTINGS].ws_token_check_secs
    while not ws.closed:
        await asyncio.sleep(period)
        if not await token_still_valid(request, token):
            await ws.close(code=TOKEN_CLOSE_CODE, message=b"token expired or revoked")
            return


def setup(app: web.Application):
    routes.setup(app)
