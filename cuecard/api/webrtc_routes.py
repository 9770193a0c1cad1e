"""WebRTC signalling for the browser join (SmallWebRTC offer / trickle-ICE protocol).

``POST /api/offer``   ``{sdp, type:"offer", pc_id?, session_id?, after?, restart_pc?}``
                      → ``{sdp, type:"answer", pc_id, session_id}``.
                      A known ``pc_id`` renegotiates that connection. Otherwise a new peer
                      connection starts a live ``SessionRunner``: for a new session, or — when
                      ``session_id`` names an existing one — resuming it (rejoin after a drop:
                      same session, transcript kept, ``seq`` continues, and every event with
                      ``seq > after`` still in the event bus history is sent first).
``PATCH /api/offer``  ``{pc_id, candidates:[{candidate, sdp_mid, sdp_mline_index}]}``.
``GET /api/webrtc/config`` → ``{ice_servers}`` (``CUECARD_ICE_SERVERS``) for the page.
``GET /api/live/{session_id}/transcript`` → ``{session_id, state, segments:[...]}`` from the
                      store, for a page reload (no auth yet; the REST issue adds
                      ``/api/sessions/...`` with users).

Data channel messages from the page: ``{"type":"rename_speaker","speaker","name"}`` and
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
import inspect
import time
from dataclasses import dataclass, field

from aiohttp import web
from aiortc.sdp import SessionDescription, candidate_from_sdp
from loguru import logger
from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection

from cuecard import frames as cuecard_frames
from cuecard.api.app import SERVICES
from cuecard.api.errors import ApiError, bad_request, read_json
from cuecard.pipeline.context import SessionClock, SessionContext, load_candidate
from cuecard.pipeline.session import SessionRunner
from cuecard.store.base import NotFound
from cuecard.transports.webrtc import CuecardWebRTCTransport, EventOutbox, ice_servers_from

LIVE_SESSIONS = "live_sessions"  # session_id -> LiveSession (health reports its size)
PEER_CONNECTIONS = web.AppKey("peer_connections", dict)  # pc_id -> LiveSession
END_TIMEOUT_SECS = 30.0
MAX_SDP_CHARS = 200_000
MAX_CANDIDATES = 200


@dataclass
class LiveSession:
    session_id: str
    connection: SmallWebRTCConnection
    transport: CuecardWebRTCTransport
    runner: SessionRunner
    outbox: EventOutbox
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    ending: bool = False


# -- request parsing -----------------------------------------------------------------------


def _optional_str(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{name} must be a non-empty string", name)
    return value


def check_offer_media(sdp: str) -> None:
    """aiortc answers even an offer without media; we need the microphone as the first
    media section (see cuecard/transports/webrtc.py for the transceiver layout)."""
    try:
        description = SessionDescription.parse(sdp)
    except Exception:
        raise bad_request("sdp could not be parsed as a session description", "sdp", code="invalid_sdp")
    if not description.media or description.media[0].kind != "audio":
        raise bad_request(
            "the offer's first media section must be the microphone's audio", "sdp", code="invalid_sdp"
        )


def parse_offer(body: dict) -> dict:
    sdp = body.get("sdp")
    if not isinstance(sdp, str) or not sdp.strip():
        raise bad_request("sdp is required: the browser's SDP offer", "sdp")
    if len(sdp) > MAX_SDP_CHARS:
        raise bad_request("sdp is too long", "sdp")
    if not sdp.lstrip().startswith("v=0"):
        raise bad_request("sdp is not a session description (must start with v=0)", "sdp")
    if body.get("type") != "offer":
        raise bad_request('type must be "offer"', "type")
    after = body.get("after", 0)
    if after is None:
        after = 0
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise bad_request("after must be a non-negative integer (the last seq seen)", "after")
    offer = {
        "sdp": sdp,
        "type": "offer",
        "pc_id": _optional_str(body, "pc_id"),
        "session_id": _optional_str(body, "session_id"),
        "after": after,
        "restart_pc": bool(body.get("restart_pc", False)),
    }
    check_offer_media(sdp)
    return offer


def parse_candidates(body: dict) -> tuple[str, list]:
    """``(pc_id, [RTCIceCandidate | None])``; ``None`` is an end-of-candidates marker."""
    pc_id = _optional_str(body, "pc_id")
    if pc_id is None:
        raise bad_request("pc_id is required", "pc_id")
    raw = body.get("candidates")
    if not isinstance(raw, list) or len(raw) > MAX_CANDIDATES:
        raise bad_request(f"candidates must be a list of at most {MAX_CANDIDATES}", "candidates")
    parsed = []
    for i, item in enumerate(raw):
        where = f"candidates[{i}]"
        if not isinstance(item, dict):
            raise bad_request("each candidate must be an object", where)
        text = item.get("candidate") or ""
        if not isinstance(text, str):
            raise bad_request("candidate must be a string", f"{where}.candidate")
        if not text.strip():
            parsed.append(None)
            continue
        mid, mline = item.get("sdp_mid"), item.get("sdp_mline_index")
        if mid is not None and not isinstance(mid, str):
            raise bad_request("sdp_mid must be a string", f"{where}.sdp_mid")
        if mline is not None and (isinstance(mline, bool) or not isinstance(mline, int)):
            raise bad_request("sdp_mline_index must be an integer", f"{where}.sdp_mline_index")
        if mid is None and mline is None:
            raise bad_request("sdp_mid or sdp_mline_index is required", where)
        try:
            candidate = candidate_from_sdp(text.strip().removeprefix("candidate:"))
        except Exception:
            raise bad_request("candidate is not an ICE candidate line", f"{where}.candidate")
        candidate.sdpMid, candidate.sdpMLineIndex = mid, mline
        parsed.append(candidate)
    return pc_id, parsed


# -- data channel messages from the page -----------------------------------------------------


async def on_page_message(live: LiveSession, message) -> None:
    """Rename a speaker or ask for a draft now. Keep small: the stages read the context."""
    if not isinstance(message, dict):
        return
    kind = message.get("type")
    if kind == "rename_speaker":
        speaker, name = message.get("speaker"), message.get("name")
        if isinstance(speaker, str) and isinstance(name, str) and speaker and name.strip():
            names = live.runner.context.settings_overrides.setdefault("speaker_names", {})
            names[speaker] = name.strip()[:80]
            logger.info(f"Session {live.session_id}: {speaker!r} is now {name.strip()!r}")
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


async def _bus_history(bus, session_id: str, after: int) -> list[dict]:
    history = getattr(bus, "history", None)
    if history is None:
        return []
    result = history(session_id, after)
    if inspect.isawaitable(result):
        result = await result
    return list(result)


async def end_live_session(app: web.Application, live: LiveSession, state: str = "ended"):
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
            await services.store.update_session(live.session_id, {"state": state, "ended_at": time.time()})
        except Exception as e:
            logger.warning(f"Could not mark session {live.session_id} {state}: {e}")
        # Leave the live table last: a rejoin that finds this entry waits for ``ended``, so
        # the old runner's last writes (and the "ended" state) always precede the new ones.
        if app[LIVE_SESSIONS].get(live.session_id) is live:
            del app[LIVE_SESSIONS][live.session_id]
        app[PEER_CONNECTIONS].pop(live.connection.pc_id, None)
        live.ended.set()


async def start_live_session(
    request: web.Request, offer: dict, session: dict, *, resumed: bool
) -> LiveSession:
    app = request.app
    services = app[SERVICES]
    session_id = session["id"]
    connection = SmallWebRTCConnection(ice_servers=ice_servers_from(services.settings.ice_servers))
    try:
        await connection.initialize(sdp=offer["sdp"], type=offer["type"])
    except Exception as e:
        await connection._close()
        raise bad_request(f"the SDP offer could not be used: {e}", "sdp", code="invalid_sdp")

    transport = CuecardWebRTCTransport(connection)
    user_id = session.get("user_id") or "local"
    try:
        candidate = await load_candidate(
            services.store, user_id, (session.get("settings") or {}).get("job_id")
        )
    except Exception as e:  # a missing job must not stop the interview: draft without it
        logger.warning(f"Candidate material not loaded for session {session_id}: {e}")
        candidate = None
    # A resumed session's times go on from where they were: its clock starts at the time
    # elapsed since the session was created (times are seconds since the session started).
    elapsed = time.time() - float(session.get("created_at") or time.time())
    context = SessionContext(session_id=session_id, user_id=user_id, clock=SessionClock(elapsed))
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
        for event in await _bus_history(services.bus, session_id, offer["after"]):
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
    runner.start()
    return live


# -- handlers --------------------------------------------------------------------------------


async def post_offer(request: web.Request) -> web.Response:
    app = request.app
    offer = parse_offer(await read_json(request))
    services = app[SERVICES]

    if offer["pc_id"] is not None and offer["pc_id"] in app[PEER_CONNECTIONS]:
        live = app[PEER_CONNECTIONS][offer["pc_id"]]
        try:
            await live.connection.renegotiate(
                sdp=offer["sdp"], type=offer["type"], restart_pc=offer["restart_pc"]
            )
        except Exception as e:
            raise bad_request(f"the SDP offer could not be used: {e}", "sdp", code="invalid_sdp")
        if live.connection.pc_id != offer["pc_id"]:  # restart_pc makes a new id
            app[PEER_CONNECTIONS].pop(offer["pc_id"], None)
            app[PEER_CONNECTIONS][live.connection.pc_id] = live
        return web.json_response({**live.connection.get_answer(), "session_id": live.session_id})

    if offer["session_id"] is not None:
        session = await owned_session(request, offer["session_id"], "no such session to rejoin")
        previous = app[LIVE_SESSIONS].get(session["id"])
        if previous is not None:
            await end_live_session(app, previous)
        await services.store.update_session(session["id"], {"state": "active"})
    else:
        session = await services.store.create_session(
            {"title": "Live interview", "source": "webrtc", "user_id": request.get("user_id", "local")}
        )

    live = await start_live_session(request, offer, session, resumed=offer["session_id"] is not None)
    return web.json_response({**live.connection.get_answer(), "session_id": live.session_id})


async def owned_session(request: web.Request, session_id: str, message: str) -> dict:
    """The session if the caller owns it (a logged-in user, or the anonymous local user for
    sessions started without a token); otherwise the same 404 as a missing one, so ids of
    other users' sessions cannot be probed."""
    try:
        session = await request.app[SERVICES].store.get_session(session_id)
    except NotFound:
        session = None
    if session is None or (session.get("user_id") or "local") != request.get("user_id", "local"):
        raise ApiError(404, "not_found", message, "session_id")
    return session


async def patch_offer(request: web.Request) -> web.Response:
    pc_id, candidates = parse_candidates(await read_json(request))
    live = request.app[PEER_CONNECTIONS].get(pc_id)
    if live is None:
        raise ApiError(404, "not_found", "no such peer connection", "pc_id")
    for candidate in candidates:
        try:
            await live.connection.add_ice_candidate(candidate)
        except ValueError as e:
            raise bad_request(f"candidate rejected: {e}", "candidates")
    return web.json_response({"status": "ok", "added": len(candidates)})


async def get_live_transcript(request: web.Request) -> web.Response:
    session_id = request.match_info["session_id"]
    store = request.app[SERVICES].store
    session = await owned_session(request, session_id, "no such session")
    segments = await store.list_segments(session_id, limit=10_000)
    return web.json_response(
        {
            "session_id": session_id,
            "state": session.get("state"),
            "live": session_id in request.app[LIVE_SESSIONS],
            "segments": segments,
        }
    )


async def get_webrtc_config(request: web.Request) -> web.Response:
    """ICE servers for the page's RTCPeerConnection (the same list the server uses).
    TURN credentials are necessarily visible to the page that uses them."""
    return web.json_response({"ice_servers": request.app[SERVICES].settings.ice_servers})


def setup(app: web.Application):
    app[LIVE_SESSIONS] = {}
    app[PEER_CONNECTIONS] = {}

    async def end_all(app: web.Application):
        await asyncio.gather(
            *(end_live_session(app, live) for live in list(app[LIVE_SESSIONS].values())),
            return_exceptions=True,
        )

    app.on_shutdown.append(end_all)
    app.router.add_post("/api/offer", post_offer)
    app.router.add_patch("/api/offer", patch_offer)
    app.router.add_get("/api/live/{session_id}/transcript", get_live_transcript)
    app.router.add_get("/api/webrtc/config", get_webrtc_config)
