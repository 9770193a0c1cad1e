"""WebRTC signalling for the browser join (SmallWebRTC offer / trickle-ICE protocol).

``POST /api/offer``   ``{sdp, type:"offer", pc_id?, session_id?, after?, restart_pc?, settings?}``
                      → ``{sdp, type:"answer", pc_id, session_id}``.
                      A known ``pc_id`` renegotiates that connection. Otherwise a new peer
                      connection starts a live ``SessionRunner``: for a new session, or — when
                      ``session_id`` names an existing one — resuming it (rejoin after a drop:
                      same session, transcript kept, ``seq`` continues, and every event with
                      ``seq > after`` still in the event bus history is sent first).
``PATCH /api/offer``  ``{pc_id, candidates:[{candidate, sdp_mid, sdp_mline_index}]}``.
``GET /api/webrtc/config`` → ``{ice_servers}`` (``CUECARD_ICE_SERVERS``) for the page.
``GET /api/live/{session_id}/transcript`` → ``{session_id, state, live, segments:[...]}``
                      from the store, for a page reload.

The four routes are declared in the same ``ApiRoutes`` table as the REST API (tag ``webrtc``),
so ``/api/openapi.json`` documents them and the schemathesis test fuzzes them. Bodies are
validated by the pydantic models below (errors name the field, e.g. ``candidates[0].sdp_mid``);
what a model cannot say (the SDP's media layout, an ICE candidate line) is checked after it.
Without a token the caller is the anonymous local owner (``LOCAL_OWNER``): the live page's
sessions belong to it; with a valid token, to that user (``rest_common.owned_session``, the
one ownership rule, decides rejoin and transcript access). A token that is present but not
valid is a 401, never an anonymous session. A new anonymous session's answer carries its
``session_secret`` (once); rejoin, transcript, feedback, ICE and the WebSocket of that session
need it (``X-Session-Secret`` or ``?secret=``). A ``pc_id`` is bound to its session's owner:
renegotiating it or trickling candidates takes the same credentials (404 otherwise).

Session settings arrive with the session: stored with it (``settings`` of ``POST
/api/sessions``, or the offer's ``settings``, which a new session is created with and a rejoin
merges in) and read when its live runner starts: ``job_id`` (the job drafts are personalised
for) and ``mic_multiple_speakers`` (several people on the microphone: split its track by voice;
default: the server's setting).

Data channel messages from the page: ``{"type":"rename_speaker","speaker","name"}`` (queued
into the pipeline as a ``SpeakerRenameFrame``; the stored transcript is renamed too) and
``{"type":"request_draft"}``; anything else is ignored with a log line.

Decisions:
- A disconnect ends the session's runner cleanly (open speech is flushed and transcribed) and
  keeps the session (state ``ended``); a rejoin starts a new runner on the same session id.
  Keeping the runner alive across a drop would keep stale VAD state and a dead transport.
- One live connection per session: a rejoin while the old connection is still considered
  alive (aiortc notices an abrupt drop only after ~30 s of failed consent checks) ends the old
  runner first, so two pipelines never write the same session.
"""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from aiohttp import web
from aiortc import RTCIceCandidate
from aiortc.sdp import SessionDescription, candidate_from_sdp
from loguru import logger
from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cuecard import frames as cuecard_frames
from cuecard.api.admission import check_capacity
from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import AUTH_ERROR, LIVE_SESSIONS, PEER_CONNECTIONS, RATE_LIMITER, SERVICES, USER_ID
from cuecard.api.live_session import LiveSession
from cuecard.api.rest_billing import check_capture_quota, live_ended, live_started, offline_only
from cuecard.api.rest_common import (
    ANY_OBJ,
    BOOL,
    INT,
    LOCAL_OWNER,
    STR,
    ApiRoutes,
    obj,
    owned_session,
    read_model,
    require_user,
)
from cuecard.api.rest_consent import (
    CONSENT_FIELDS,
    CONSENT_REQUIRED,
    authenticate_capture,
    offer_consent,
    read_object,
    record_consent,
    validate,
)
from cuecard.api.rest_sessions import SEGMENT
from cuecard.api.security import new_capability
from cuecard.billing.quotas import QUOTA_EXCEEDED
from cuecard.kinds import SessionState
from cuecard.pipeline.context import SessionClock, SessionContext, load_candidate
from cuecard.pipeline.recovery import mark_interrupted_sessions
from cuecard.pipeline.session import SessionRunner
from cuecard.store.models import Session
from cuecard.transports.webrtc import CuecardWebRTCTransport, EventOutbox, ice_servers_from

routes = ApiRoutes("webrtc")
END_TIMEOUT_SECS = 30.0
MAX_SDP_CHARS = 200_000
MAX_CANDIDATES = 200
NOT_BLANK = r"\S"  # JSON Schema patterns are unanchored: at least one non-space character


# -- request and response schemas ------------------------------------------------------------


class SessionOptions(BaseModel):
    """Session settings the page may send with its offer (stored with the session)."""

    model_config = ConfigDict(extra="ignore")
    mic_multiple_speakers: bool | None = Field(
        default=None,
        strict=True,
        description="several people speak into the microphone: label its voices apart (default: one speaker, You)",
    )


class OfferIn(BaseModel):
    """The browser's SDP offer; ``pc_id`` renegotiates a known connection, ``session_id``
    rejoins a session (events with ``seq > after`` are replayed first)."""

    model_config = ConfigDict(extra="ignore")
    sdp: str = Field(
        min_length=1,
        max_length=MAX_SDP_CHARS,
        pattern=r"^\s*v=0",
        description="the SDP offer; its first media section must be the microphone's audio",
    )
    type: Literal["offer"]
    pc_id: str | None = Field(default=None, pattern=NOT_BLANK)
    session_id: str | None = Field(default=None, pattern=NOT_BLANK)
    after: int | None = Field(default=0, ge=0, strict=True, description="the last seq the page saw")
    restart_pc: bool = False
    settings: SessionOptions | None = None
    consent: bool | None = CONSENT_FIELDS["consent"][1]
    consent_version: str | None = CONSENT_FIELDS["consent_version"][1]


class IceCandidateIn(BaseModel):
    """One trickled ICE candidate; an empty ``candidate`` marks the end of candidates."""

    model_config = ConfigDict(extra="ignore")
    candidate: str | None = ""
    sdp_mid: str | None = None
    sdp_mline_index: int | None = Field(default=None, strict=True)

    @model_validator(mode="after")
    def _located(self):
        if (self.candidate or "").strip() and self.sdp_mid is None and self.sdp_mline_index is None:
            raise ValueError("sdp_mid or sdp_mline_index is required")
        return self


class CandidatesIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pc_id: str = Field(pattern=NOT_BLANK)
    candidates: list[IceCandidateIn] = Field(max_length=MAX_CANDIDATES)


ANSWER = obj(
    ("sdp", "type", "pc_id", "session_id"),
    sdp=STR,
    type={"type": "string", "enum": ["answer"]},
    pc_id=STR,
    session_id=STR,
    # only when an anonymous session is created: its capability secret, shown this once
    session_secret=STR,
)
CANDIDATES_ADDED = obj(("status", "added"), status={"type": "string", "enum": ["ok"]}, added=INT)
LIVE_TRANSCRIPT = obj(
    ("session_id", "state", "live", "segments"),
    session_id=STR,
    state={"type": ["string", "null"]},
    live=BOOL,
    segments={"type": "array", "items": SEGMENT},
)
WEBRTC_CONFIG = obj(("ice_servers",), ice_servers={"type": "array", "items": ANY_OBJ})


# -- request checks a schema cannot express -------------------------------------------------


def check_offer_media(sdp: str) -> None:
    """aiortc answers even an offer without media; we need the microphone as the first
    media section (see cuecard/transports/webrtc.py for the transceiver layout)."""
    try:
        description = SessionDescription.parse(sdp)
    except Exception as e:
        raise bad_request("sdp could not be parsed as a session description", "sdp", code="invalid_sdp") from e
    if not description.media or description.media[0].kind != "audio":
        raise bad_request("the offer's first media section must be the microphone's audio", "sdp", code="invalid_sdp")


def ice_candidates(body: CandidatesIn) -> list[RTCIceCandidate | None]:
    """``None`` is an end-of-candidates marker."""
    parsed: list[RTCIceCandidate | None] = []
    for i, item in enumerate(body.candidates):
        text = (item.candidate or "").strip()
        if not text:
            parsed.append(None)
            continue
        try:
            candidate = candidate_from_sdp(text.removeprefix("candidate:"))
        except Exception as e:
            raise bad_request("candidate is not an ICE candidate line", f"candidates[{i}].candidate") from e
        candidate.sdpMid, candidate.sdpMLineIndex = item.sdp_mid, item.sdp_mline_index
        parsed.append(candidate)
    return parsed


def caller(request: web.Request) -> str:
    """The token's user, else the anonymous local owner (the live page without an account)."""
    return request.get(USER_ID) or LOCAL_OWNER


async def offer_rate_limit(request: web.Request) -> None:
    limit = request.app[SERVICES].settings.offer_rate_limit_per_minute
    if not await request.app[RATE_LIMITER].hit(f"offer:{request.remote}", limit, 60):
        raise ApiError(429, "rate_limited", "too many WebRTC offers from this address; try again in a minute")


async def require_connection_owner(request: web.Request, live: LiveSession) -> None:
    """A ``pc_id`` is bound to its session's owner: only they (with the capability secret, for
    an anonymous session) may renegotiate it or add candidates; anyone else gets the same 404
    as for an unknown id."""
    if request.get(AUTH_ERROR):
        require_user(request)  # 401: a token that is not valid is never "anonymous"
    try:
        await owned_session(request, caller(request), live.session_id)
    except ApiError:
        raise ApiError(404, "not_found", "no such peer connection", "pc_id") from None


# -- data channel messages from the page -----------------------------------------------------


async def on_page_message(live: LiveSession, message) -> None:
    """Rename a speaker or ask for a draft now: each becomes a frame for the pipeline."""
    if not isinstance(message, dict):
        return
    kind = message.get("type")
    if kind == "rename_speaker":
        speaker, name = message.get("speaker"), message.get("name")
        if isinstance(speaker, str) and isinstance(name, str) and speaker and name.strip():
            logger.info(f"Session {live.session_id}: {speaker!r} is now {name.strip()!r}")
            await live.runner.rename_speaker(speaker, name.strip()[:80])
    elif kind == "request_draft":
        frame_class = getattr(cuecard_frames, "ManualDraftRequestFrame", None)
        if frame_class is None:
            logger.info(f"Session {live.session_id}: draft requested (no drafting stage yet)")
            return
        try:
            frame = frame_class()
        except TypeError:
            frame = frame_class(session_id=live.session_id)
        await live.runner.queue_frame(frame)
    else:
        logger.debug(f"Session {live.session_id}: ignored page message {kind!r}")


# -- live sessions ---------------------------------------------------------------------------


async def end_live_session(app: web.Application, live: LiveSession, state: SessionState = SessionState.ENDED):
    """Flush open speech through the pipeline, stop it, keep the session."""
    if live.ending:
        await live.ended.wait()
        return
    live.ending = True
    try:
        await asyncio.wait_for(live.runner.end(), END_TIMEOUT_SECS)
    except Exception as e:
        logger.warning(f"Session {live.session_id} did not end cleanly ({e!r}); cancelling")
        await live.runner.cancel()
    finally:
        live.outbox.close()
        # The input transport normally closed the peer connection already; closing an aiortc
        # connection twice can wait forever, so only close what is still open, with a bound.
        if live.connection.pc.connectionState != "closed":
            try:
                await asyncio.wait_for(live.connection.disconnect(), 5)
            except Exception as e:
                logger.debug(f"Closing the peer connection of {live.session_id}: {e!r}")
        try:
            services = app[SERVICES]
            await services.store.sessions.update(live.session_id, state=state, ended_at=time.time())
        except Exception as e:
            logger.warning(f"Could not mark session {live.session_id} {state}: {e}")
        await live_ended(app, live.session_id)  # the run's live minutes (billing on only; never raises)
        # Leave the live table last: a rejoin that finds this entry waits for ``ended``, so
        # the old runner's last writes (and the "ended" state) always precede the new ones.
        if app[LIVE_SESSIONS].get(live.session_id) is live:
            del app[LIVE_SESSIONS][live.session_id]
        app[PEER_CONNECTIONS].pop(live.connection.pc_id, None)
        live.ended.set()


async def start_live_session(request: web.Request, offer: OfferIn, session: Session, *, resumed: bool) -> LiveSession:
    app = request.app
    services = app[SERVICES]
    session_id = session.id
    connection = SmallWebRTCConnection(ice_servers=ice_servers_from(services.settings.ice_servers))
    try:
        await connection.initialize(sdp=offer.sdp, type=offer.type)
    except Exception as e:
        await connection._close()
        raise bad_request(f"the SDP offer could not be used: {e}", "sdp", code="invalid_sdp") from e

    transport = CuecardWebRTCTransport(connection)
    user_id = session.user_id or LOCAL_OWNER
    try:
        candidate = await load_candidate(services.store, user_id, session.settings.get("job_id"))
    except Exception as e:  # a missing job must not stop the interview: draft without it
        logger.warning(f"Candidate material not loaded for session {session_id}: {e}")
        candidate = None
    # A resumed session's times go on from where they were: its clock starts at the time
    # elapsed since the session was created (times are seconds since the session started).
    elapsed = time.time() - (session.created_at or time.time())
    mic_multiple = session.settings.get("mic_multiple_speakers")
    context = SessionContext(
        session_id=session_id,
        user_id=user_id,
        clock=SessionClock(elapsed),
        mic_multiple_speakers=mic_multiple if isinstance(mic_multiple, bool) else None,
        offline_only=await offline_only(app, user_id),  # the Free plan with billing on
    )
    if candidate is not None:
        context.candidate = candidate
    runner = SessionRunner(
        services,
        session_id,
        inputs=[transport.input()],
        live=True,
        context=context,
    )
    outbox = EventOutbox(connection)
    live = LiveSession(session_id, connection, transport, runner, outbox)

    # Missed events first (a rejoin), then live ones: the outbox keeps the order.
    if resumed:
        for event in await services.bus.history(session_id, offer.after or 0):
            outbox.send(event)

    async def to_page(event: dict):
        outbox.send(event)

    runner.add_listener(to_page)

    @transport.event_handler("on_app_message")
    async def on_app_message(_transport, message, _sender):
        await on_page_message(live, message)

    @transport.event_handler("on_client_disconnected")
    async def on_client_disconnected(_transport, _connection):
        logger.info(f"Session {session_id}: the page disconnected")
        await end_live_session(app, live)

    app[LIVE_SESSIONS][session_id] = live
    app[PEER_CONNECTIONS][connection.pc_id] = live
    live_started(app, session_id, user_id)  # usage metering (billing on only)
    runner.start()
    return live


# -- handlers --------------------------------------------------------------------------------


@routes.add(
    "POST",
    "/api/offer",
    "WebRTC offer of the live page: answers with the SDP answer and the live "
    "session (new, or rejoined with session_id; a known pc_id renegotiates)",
    body=OfferIn,
    response=ANSWER,
    auth="optional",
    extra_statuses=(402, 503),
    error_schemas={403: CONSENT_REQUIRED, 402: QUOTA_EXCEEDED},
)
async def post_offer(request: web.Request) -> web.Response:
    app = request.app
    owner = authenticate_capture(request) or LOCAL_OWNER  # 401 for a token that is not valid
    await offer_rate_limit(request)  # 429: each offer may start a pipeline
    raw = await read_object(request)
    consent = await offer_consent(request, raw, owner)  # 403 consent_required (rest_consent.py)
    offer = validate(OfferIn, raw)
    if offer.pc_id is None or offer.pc_id not in app[PEER_CONNECTIONS]:
        # Order of checks: auth → consent → quota (402) → capacity (503) → SDP validation.
        await check_capture_quota(app, caller(request), rejoining=offer.session_id)  # billing on only
        check_capacity(app, rejoining=offer.session_id)
    check_offer_media(offer.sdp)
    services = app[SERVICES]

    if offer.pc_id is not None and offer.pc_id in app[PEER_CONNECTIONS]:
        live = app[PEER_CONNECTIONS][offer.pc_id]
        await require_connection_owner(request, live)
        try:
            await live.connection.renegotiate(sdp=offer.sdp, type=offer.type, restart_pc=offer.restart_pc)
        except Exception as e:
            raise bad_request(f"the SDP offer could not be used: {e}", "sdp", code="invalid_sdp") from e
        if live.connection.pc_id != offer.pc_id:  # restart_pc makes a new id
            app[PEER_CONNECTIONS].pop(offer.pc_id, None)
            app[PEER_CONNECTIONS][live.connection.pc_id] = live
        return web.json_response({**live.connection.get_answer(), "session_id": live.session_id})

    options = offer.settings.model_dump(exclude_none=True) if offer.settings else {}
    secret = None
    if offer.session_id is not None:
        session = await owned_session(request, caller(request), offer.session_id)
        previous = app[LIVE_SESSIONS].get(session.id)
        if previous is not None:
            await end_live_session(app, previous)
        changed = {"settings": {**session.settings, **options}} if options else {}
        session = await services.store.sessions.update(session.id, state=SessionState.ACTIVE, **changed)
    else:
        anonymous = caller(request) == LOCAL_OWNER
        secret, secret_hash = new_capability() if anonymous else (None, None)
        session = await services.store.sessions.create(
            title="Live interview",
            source="webrtc",
            user_id=caller(request),
            **({"settings": options} if options else {}),
            **({"capability_hash": secret_hash} if anonymous else {}),
        )

    await record_consent(request, session, consent)  # on the session and in the audit log
    live = await start_live_session(request, offer, session, resumed=offer.session_id is not None)
    answer = {**live.connection.get_answer(), "session_id": live.session_id}
    if secret is not None:
        answer["session_secret"] = secret
    return web.json_response(answer)


@routes.add(
    "PATCH",
    "/api/offer",
    "Trickle ICE: add the page's candidates to its peer connection (the connection's owner only)",
    body=CandidatesIn,
    response=CANDIDATES_ADDED,
    auth="optional",
)
async def patch_offer(request: web.Request) -> web.Response:
    body = await read_model(request, CandidatesIn)
    candidates = ice_candidates(body)
    live = request.app[PEER_CONNECTIONS].get(body.pc_id)
    if live is None:
        raise ApiError(404, "not_found", "no such peer connection", "pc_id")
    await require_connection_owner(request, live)
    for candidate in candidates:
        try:
            await live.connection.add_ice_candidate(candidate)
        except ValueError as e:
            raise bad_request(f"candidate rejected: {e}", "candidates") from e
    return web.json_response({"status": "ok", "added": len(candidates)})


@routes.add(
    "GET",
    "/api/live/{session_id}/transcript",
    "The stored transcript of a live-page session, for a "
    "reload (without a token: only sessions of the anonymous local owner)",
    response=LIVE_TRANSCRIPT,
    auth="optional",
)
async def get_live_transcript(request: web.Request) -> web.Response:
    session = await owned_session(request, caller(request))
    session_id = session.id
    segments = await request.app[SERVICES].store.sessions.list_segments(session_id, limit=10_000)
    return web.json_response(
        {
            "session_id": session_id,
            "state": session.state,
            "live": session_id in request.app[LIVE_SESSIONS],
            "segments": [s.public() for s in segments],
        }
    )


@routes.add(
    "GET", "/api/webrtc/config", "ICE servers for the page's RTCPeerConnection", response=WEBRTC_CONFIG, auth=False
)
async def get_webrtc_config(request: web.Request) -> web.Response:
    """ICE servers for the page's RTCPeerConnection (the same list the server uses).
    TURN credentials are necessarily visible to the page that uses them."""
    return web.json_response({"ice_servers": request.app[SERVICES].settings.ice_servers})


def setup(app: web.Application):
    async def live_sessions(app: web.Application):
        app[LIVE_SESSIONS] = {}
        app[PEER_CONNECTIONS] = {}
        await mark_interrupted_sessions(app[SERVICES])  # live sessions a crash left open
        yield
        # Server shutdown: flush and end every live session while the store is still open.
        await asyncio.gather(
            *(end_live_session(app, live) for live in list(app[LIVE_SESSIONS].values())),
            return_exceptions=True,
        )

    app.cleanup_ctx.append(live_sessions)
    routes.setup(app)
