"""Sessions: create, list, read, update settings, start / pause / resume / complete, delete,
metrics; the transcript, questions and suggestions of a session (paginated); appending
transcript segments; feedback on suggestions.

States (decision): ``pending`` (created through the API, not started yet) → ``active`` ⇄
``paused`` → ``completed``. The issue names active / paused / completed; ``pending`` is added
so that "start" means something for sessions created ahead of the interview. Sessions made by
the live WebRTC route start ``active``. A transition that does not apply answers 409 naming
``state``. Every transition is published as a ``status`` event, so every open page and
WebSocket client of the session follows it.

Appending segments (``POST /api/sessions/{id}/segments``) publishes ``transcript`` events the
same way the live pipeline does (bus first for the ``seq``, then the store), so scripts, the
load test and the two-process test can drive a session without audio.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cuecard.api.errors import ApiError
from cuecard.api.keys import AUTH_ERROR, CACHE, SETTINGS, USER_ID
from cuecard.api.rest_common import (
    ANY_OBJ,
    INT,
    LOCAL_OWNER,
    NUM,
    PAGE_PARAMS,
    STR,
    ApiRoutes,
    obj,
    owned_session,
    page,
    page_of,
    paged,
    read_model,
    require_user,
    services,
)
from cuecard.api.rest_consent import audit_event
from cuecard.api.security import check_json_size
from cuecard.events import StatusPayload, TranscriptPayload
from cuecard.kinds import Role, SessionState
from cuecard.store import Store
from cuecard.store.cache import make_cache
from cuecard.store.models import Session, SessionEvent

routes = ApiRoutes("sessions")

STATES = (SessionState.PENDING, SessionState.ACTIVE, SessionState.PAUSED, SessionState.COMPLETED)
TRANSITIONS = {  # action: (allowed from, to)
    "start": ((SessionState.PENDING,), SessionState.ACTIVE),
    "pause": ((SessionState.ACTIVE,), SessionState.PAUSED),
    "resume": ((SessionState.PAUSED,), SessionState.ACTIVE),
    "complete": ((SessionState.PENDING, SessionState.ACTIVE, SessionState.PAUSED), SessionState.COMPLETED),
}
METRICS_TTL_SECS = 2.0

SESSION = {
    **obj(("id", "state", "created_at"), id=STR, state=STR, title=STR, settings=ANY_OBJ, created_at=NUM),
}
SEGMENT = obj(
    ("segment_id", "text", "start", "end"), segment_id=STR, role=STR, speaker=STR, text=STR, start=NUM, end=NUM, seq=INT
)
QUESTION = obj(("question_id",), question_id=STR, text=STR)
SUGGESTION = obj(("question_id", "option"), question_id=STR, text=STR, feedback={"type": ["object", "null"]})
METRICS = obj(
    ("session_id", "state", "segments", "questions", "suggestions", "words", "speaking_secs", "feedback"),
    session_id=STR,
    state=STR,
    segments=INT,
    questions=INT,
    suggestions=INT,
    words={"type": "object", "additionalProperties": INT},
    speaking_secs={"type": "object", "additionalProperties": NUM},
    feedback=obj(("helpful", "not_helpful"), helpful=INT, not_helpful=INT),
    duration_secs=NUM,
)

_Name = Field(default="", max_length=200)


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(default="", max_length=200)
    settings: dict[str, Any] = Field(default_factory=dict, description="free-form per-session settings")


class SessionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=200)
    settings: dict[str, Any] | None = None


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10_000)
    role: str = Field(default=Role.CANDIDATE.value, pattern=r"^[a-z_]{1,32}$")
    speaker: str = Field(default="", max_length=100)
    start: float = Field(default=0.0, ge=0, le=1e7, allow_inf_nan=False)
    end: float = Field(default=0.0, ge=0, le=1e7, allow_inf_nan=False)
    confidence: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    segment_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,128}$")

    @model_validator(mode="after")
    def _end_after_start(self):
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question_id: str = Field(min_length=1, max_length=128)
    option: int | str = Field(description="which suggested answer option (index or name)")
    helpful: bool


async def _publish_status(request: web.Request, session_id: str, state: str, message: str):
    await services(request).bus.publish(
        session_id, StatusPayload(state=state, message=message, provider=None).payload()
    )


async def _forget_metrics(request: web.Request, session_id: str):
    await request.app[CACHE].delete(f"metrics:{session_id}")


@routes.add(
    "POST", "/api/sessions", "Create a session (state pending)", body=SessionCreate, response=SESSION, status=201
)
async def create_session(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, SessionCreate)
    check_json_size(body.settings, request.app[SETTINGS].max_session_settings_bytes, "settings")  # quota: 413
    record = await services(request).store.sessions.create(
        user_id=user_id, title=body.title, settings=body.settings, state=SessionState.PENDING, source="api"
    )
    return web.json_response(record.public(), status=201)


@routes.add("GET", "/api/sessions", "The user's sessions, newest first", response=page_of(SESSION), query=PAGE_PARAMS)
async def list_sessions(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, offset = page(request)
    sessions = services(request).store.sessions
    items = await sessions.list(user_id, limit, offset)
    return web.json_response(paged([s.public() for s in items], await sessions.count(user_id), limit, offset))


@routes.add("GET", "/api/sessions/{session_id}", "One session", response=SESSION)
async def get_session(request: web.Request) -> web.Response:
    return web.json_response((await owned_session(request, require_user(request))).public())


@routes.add(
    "PATCH", "/api/sessions/{session_id}", "Update a session's title or settings", body=SessionUpdate, response=SESSION
)
async def update_session(request: web.Request) -> web.Response:
    session = await owned_session(request, require_user(request))
    body = await read_model(request, SessionUpdate)
    fields = body.model_dump(exclude_none=True)
    if "settings" in fields:
        fields["settings"] = {**session.settings, **fields["settings"]}
        check_json_size(fields["settings"], request.app[SETTINGS].max_session_settings_bytes, "settings")
    record = await services(request).store.sessions.update(session.id, **fields)
    return web.json_response(record.public())


@routes.add(
    "DELETE",
    "/api/sessions/{session_id}",
    "Delete a session with its transcript, questions and suggestions",
    status=204,
)
async def delete_session(request: web.Request) -> web.Response:
    user_id = require_user(request)
    session = await owned_session(request, user_id)
    store = services(request).store
    await store.delete_session(session.id)
    await audit_event(request, user_id, "delete_session", session_id=session.id)
    await _forget_metrics(request, session.id)
    return web.Response(status=204)


def _transition(action: str):
    allowed, target = TRANSITIONS[action]

    async def handler(request: web.Request) -> web.Response:
        session = await owned_session(request, require_user(request))
        if session.state not in allowed:
            raise ApiError(409, "invalid_state", f"cannot {action} a session that is {session.state}", "state")
        fields: dict[str, Any] = {"state": target}
        now = time.time()
        if action == "start":
            fields["started_at"] = now
        elif action == "complete":
            fields["completed_at"] = now
        record = await services(request).store.sessions.update(session.id, **fields)
        await _publish_status(request, session.id, target, f"session {target}")
        await _forget_metrics(request, session.id)
        return web.json_response(record.public())

    handler.__name__ = f"{action}_session"
    return handler


for _action in TRANSITIONS:
    routes.add(
        "POST",
        f"/api/sessions/{{session_id}}/{_action}",
        f"{_action.capitalize()} the session (409 if its state does not allow it)",
        response=SESSION,
    )(_transition(_action))


async def _children(request: web.Request, kind: str, default: int = 200) -> web.Response:
    session = await owned_session(request, require_user(request))
    limit, offset = page(request, default)
    sessions = services(request).store.sessions
    children: dict[str, tuple[Callable[..., Awaitable[Sequence[SessionEvent]]], Callable[[str], Awaitable[int]]]] = {
        "segments": (sessions.list_segments, sessions.count_segments),
        "questions": (sessions.list_questions, sessions.count_questions),
        "suggestions": (sessions.list_suggestions, sessions.count_suggestions),
    }
    lister, counter = children[kind]
    items = await lister(session.id, limit=limit, offset=offset)
    return web.json_response(paged([i.public() for i in items], await counter(session.id), limit, offset))


@routes.add(
    "GET",
    "/api/sessions/{session_id}/transcript",
    "Final transcript lines, in time order",
    response=page_of(SEGMENT),
    query=PAGE_PARAMS,
)
async def transcript(request: web.Request) -> web.Response:
    return await _children(request, "segments")


@routes.add(
    "GET",
    "/api/sessions/{session_id}/questions",
    "Detected questions, in time order",
    response=page_of(QUESTION),
    query=PAGE_PARAMS,
)
async def questions(request: web.Request) -> web.Response:
    return await _children(request, "questions")


@routes.add(
    "GET",
    "/api/sessions/{session_id}/suggestions",
    "Finished answer suggestions with feedback",
    response=page_of(SUGGESTION),
    query=PAGE_PARAMS,
)
async def suggestions(request: web.Request) -> web.Response:
    return await _children(request, "suggestions")


@routes.add(
    "POST",
    "/api/sessions/{session_id}/segments",
    "Append a final transcript line (published as a transcript event)",
    body=SegmentIn,
    response=SEGMENT,
    status=201,
)
async def append_segment(request: web.Request) -> web.Response:
    session = await owned_session(request, require_user(request))
    if session.state == SessionState.COMPLETED:
        raise ApiError(409, "invalid_state", "the session is completed", "state")
    body = await read_model(request, SegmentIn)
    payload = TranscriptPayload(
        role=body.role,
        speaker=body.speaker or body.role,
        text=body.text,
        start=round(body.start, 3),
        end=round(body.end, 3),
        final=True,
        confidence=body.confidence,
        provider="api",
        segment_id=body.segment_id or uuid.uuid4().hex[:16],
        refined=False,
    ).payload()
    svc = services(request)
    event = await svc.bus.publish(session.id, payload)
    await svc.store.sessions.upsert_segment(session.id, event)
    await _forget_metrics(request, session.id)
    return web.json_response(event, status=201)


@routes.add(
    "POST",
    "/api/sessions/{session_id}/suggestions/feedback",
    "Mark a suggested answer helpful or not "
    "(without a token: only sessions of the anonymous local user, as the live page creates them)",
    body=FeedbackIn,
    response=SUGGESTION,
    auth="optional",
)
async def feedback(request: web.Request) -> web.Response:
    """The live page posts feedback without a token: its sessions belong to the anonymous owner
    ``local`` (the WebRTC route's convention), so no token means "local" here — never anyone
    else's session. A token that is present but invalid still answers 401."""
    if request.get(AUTH_ERROR):
        require_user(request)
    session = await owned_session(request, request.get(USER_ID) or LOCAL_OWNER)
    body = await read_model(request, FeedbackIn)
    record = await services(request).store.sessions.set_feedback(
        session.id, body.question_id, body.option, body.helpful
    )
    if (metrics := services(request).metrics) is not None:  # cuecard_feedback_total
        kind, source = "helpful" if body.helpful else "not_helpful", record.doc().get("source") or "unknown"
        metrics.feedback.labels(kind, str(source)).inc()
    await _forget_metrics(request, session.id)
    return web.json_response(record.public())


async def compute_metrics(store: Store, session: Session) -> dict:
    sessions = store.sessions
    words: dict[str, int] = {}
    speaking: dict[str, float] = {}
    duration = 0.0
    offset = 0
    while batch := await sessions.list_segments(session.id, limit=1000, offset=offset):
        for seg in batch:
            role = seg.role or "unknown"
            words[role] = words.get(role, 0) + len(seg.text.split())
            span = max(0.0, seg.end - seg.start)
            speaking[role] = round(speaking.get(role, 0.0) + span, 3)
            duration = max(duration, seg.end)
        offset += len(batch)
    suggestions = await sessions.list_suggestions(session.id, limit=10_000)
    helpful = sum(1 for s in suggestions if s.feedback is not None and s.feedback.helpful is True)
    unhelpful = sum(1 for s in suggestions if s.feedback is not None and s.feedback.helpful is False)
    return {
        "session_id": session.id,
        "state": session.state,
        "segments": offset,
        "questions": await sessions.count_questions(session.id),
        "suggestions": len(suggestions),
        "words": words,
        "speaking_secs": speaking,
        "feedback": {"helpful": helpful, "not_helpful": unhelpful},
        "duration_secs": round(duration, 3),
    }


@routes.add(
    "GET", "/api/sessions/{session_id}/metrics", "Counts, words and speaking time per role, feedback", response=METRICS
)
async def metrics(request: web.Request) -> web.Response:
    """Cached for a couple of seconds (Redis when configured): pages poll it while live."""
    session = await owned_session(request, require_user(request))
    cache = request.app[CACHE]
    key = f"metrics:{session.id}"
    value = await cache.get(key)
    if value is None:
        value = await compute_metrics(services(request).store, session)
        await cache.set(key, value, METRICS_TTL_SECS)
    return web.json_response(value)


def setup(app: web.Application):
    async def cache(app: web.Application):
        """The metrics cache: Redis when configured (shared by all processes), else in memory."""
        app[CACHE] = make_cache(app[SETTINGS].redis_url)
        yield
        await app[CACHE].close()

    app.cleanup_ctx.append(cache)
    routes.setup(app)
