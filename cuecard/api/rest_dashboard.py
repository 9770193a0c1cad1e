"""``/dashboard`` and its JSON API (``/api/dashboard/...``).

A signed-in user sees their own sessions: per session a timeline (who spoke when, the
questions, when each draft appeared and how long after the question), and over their last
sessions the latency percentiles, recognition confidence and refinement share, and the drafts
they marked helpful. An admin also sees the instance.

Everything of a user's sessions is computed from what the store holds: the transcript lines,
questions and suggestions (with their feedback), and the summary the session observer wrote
on the session record when the session ended (``observed``: the measured delays, which no
stored event carries). Sessions that ended before this existed simply have no delays.

Decisions:
- Admins are named by email in ``settings.admin_emails`` (``CUECARD_ADMIN_EMAILS``): no role
  field in the account store, nothing a user can grant themselves, and a deployment changes
  it with its configuration.
- The instance view reads this process's Prometheus registry (active sessions and bots,
  latency quantiles interpolated from the histogram buckets, provider switches, error states,
  HTTP status classes), i.e. exactly what ``/metrics`` exports, rather than scanning every
  user's sessions in the store; several server processes are summed by Prometheus/Grafana
  (``deploy/``), not here.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cuecard.api.errors import ApiError
from cuecard.api.keys import BOTS, LIVE_SESSIONS, METRICS, SETTINGS
from cuecard.api.rest_common import (
    ANY_OBJ,
    BOOL,
    INT,
    STR,
    ApiRoutes,
    obj,
    owned_session,
    query_int,
    require_user,
    services,
)
from cuecard.api.web_client_routes import WEB_CLIENT
from cuecard.kinds import QuestionStatus
from cuecard.observability.metrics import counter_values, histogram_quantiles
from cuecard.observability.session_observer import percentiles
from cuecard.store.models import Session

routes = ApiRoutes("dashboard")
NULLABLE_NUM = {"type": ["number", "null"]}
PCTL = obj(("p50", "p95", "n"), p50=NULLABLE_NUM, p95=NULLABLE_NUM, n=INT)
SESSION_ROW = obj(
    ("id", "title", "created_at", "state"),
    id=STR,
    title=STR,
    created_at={"type": "number"},
    state=STR,
    questions=INT,
    draft_latency=PCTL,
    transcript_delay=PCTL,
    rtf=NULLABLE_NUM,
    refined_share=NULLABLE_NUM,
    mean_confidence=NULLABLE_NUM,
    helpful=INT,
    not_helpful=INT,
)
OVERVIEW = obj(
    ("admin", "sessions", "draft_latency", "transcript_delay", "helpful"),
    admin=BOOL,
    sessions={"type": "array", "items": SESSION_ROW},
    draft_latency=PCTL,
    transcript_delay=PCTL,
    helpful={"type": "array", "items": ANY_OBJ},
)
TIMELINE = obj(
    ("session", "lines", "questions", "drafts", "observed"),
    session=SESSION_ROW,
    lines={"type": "array", "items": ANY_OBJ},
    questions={"type": "array", "items": ANY_OBJ},
    drafts={"type": "array", "items": ANY_OBJ},
    observed={"type": ["object", "null"]},
)
INSTANCE = obj(
    ("active_sessions", "active_bots", "draft_latency", "transcript_delay", "provider_switches", "errors"),
    active_sessions=INT,
    active_bots=INT,
    live_sessions=INT,
    draft_latency=ANY_OBJ,
    transcript_delay=ANY_OBJ,
    llm_first_token=ANY_OBJ,
    provider_switches={"type": "array", "items": ANY_OBJ},
    errors={"type": "array", "items": ANY_OBJ},
    http_responses={"type": "array", "items": ANY_OBJ},
    questions={"type": "array", "items": ANY_OBJ},
    feedback={"type": "array", "items": ANY_OBJ},
)
LAST_PARAM = [{"name": "last", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}]


async def is_admin(request: web.Request, user_id: str) -> bool:
    admins = {e.lower() for e in request.app[SETTINGS].admin_emails}
    if not admins:
        return False
    try:
        user = await services(request).store.accounts.get(user_id)
    except Exception:
        return False
    return user.email.lower() in admins


def observed(session: Session) -> dict[str, Any] | None:
    value = session.doc().get("observed")
    return value if isinstance(value, dict) else None


async def session_row(request: web.Request, session: Session) -> dict[str, Any]:
    summary = observed(session) or {}
    suggestions = await services(request).store.sessions.list_suggestions(session.id, limit=10_000)
    marks = [s.feedback.helpful for s in suggestions if s.feedback is not None]
    return {
        "id": session.id,
        "title": session.title or "",
        "created_at": float(session.created_at or 0),
        "state": session.state,
        "questions": len(summary.get("questions") or []),
        "draft_latency": summary.get("draft_latency") or percentiles([]),
        "transcript_delay": summary.get("transcript_delay") or percentiles([]),
        "rtf": summary.get("rtf"),
        "refined_share": summary.get("refined_share"),
        "mean_confidence": summary.get("mean_confidence"),
        "helpful": sum(1 for m in marks if m),
        "not_helpful": sum(1 for m in marks if not m),
    }


@routes.add(
    "GET",
    "/api/dashboard/sessions",
    "Your last sessions with their latencies, recognition quality and feedback, and percentiles over them",
    response=OVERVIEW,
    query=LAST_PARAM,
)
async def overview(request: web.Request) -> web.Response:
    user_id = require_user(request)
    last = query_int(request, "last", 20, 1, 200)
    store = services(request).store
    sessions = await store.sessions.list(user_id, limit=last)
    rows, drafts, lines, helpful = [], [], [], []
    for session in sessions:
        rows.append(await session_row(request, session))
        summary = observed(session) or {}
        drafts += [q["delay"] for q in summary.get("questions") or [] if q.get("delay") is not None]
        lines += [d for _, d in summary.get("transcript_delays") or []]
        for s in await store.sessions.list_suggestions(session.id, limit=10_000):
            if s.feedback is not None and s.feedback.helpful:
                doc = s.doc()
                helpful.append(
                    {
                        "session_id": session.id,
                        "question_id": s.question_id,
                        "option": s.option,
                        "source": doc.get("source"),
                        "text": (doc.get("text") or "")[:300],
                    }
                )
    return web.json_response(
        {
            "admin": await is_admin(request, user_id),
            "sessions": rows,
            "draft_latency": percentiles(drafts),
            "transcript_delay": percentiles(lines),
            "helpful": helpful[:100],
        }
    )


@routes.add(
    "GET",
    "/api/dashboard/sessions/{session_id}",
    "One of your sessions as a timeline: lines, questions, drafts with their delays, measured figures",
    response=TIMELINE,
)
async def timeline(request: web.Request) -> web.Response:
    user_id = require_user(request)
    session = await owned_session(request, user_id)
    store = services(request).store.sessions
    summary = observed(session)
    lines = [
        {
            "role": seg.role,
            "speaker": seg.speaker,
            "start": seg.start,
            "end": seg.end,
            "text": seg.text,
            "confidence": seg.doc().get("confidence"),
            "refined": bool(seg.doc().get("refined")),
        }
        for seg in await store.list_segments(session.id, limit=100_000)
    ]
    measured = {q["question_id"]: q for q in (summary or {}).get("questions") or []}
    questions = []
    for q in await store.list_questions(session.id, limit=10_000):
        doc = q.doc()
        if doc.get("status") == QuestionStatus.WITHDRAWN:
            continue
        m = measured.get(q.question_id, {})
        questions.append(
            {
                "question_id": q.question_id,
                "text": q.text,
                "type": doc.get("question_type"),
                "start": doc.get("start"),
                "end": doc.get("end"),
                "first_draft_at": m.get("first_draft_at"),
                "lasting_at": m.get("lasting_at"),
                "delay": m.get("delay"),
                "source": m.get("source"),
                "replaced": m.get("replaced"),
            }
        )
    drafts = [
        {
            "question_id": s.question_id,
            "option": s.option,
            "source": s.doc().get("source"),
            "text": (s.text or "")[:300],
            "helpful": None if s.feedback is None else s.feedback.helpful,
        }
        for s in await store.list_suggestions(session.id, limit=10_000)
        if s.text
    ]
    return web.json_response(
        {
            "session": await session_row(request, session),
            "lines": lines,
            "questions": questions,
            "drafts": drafts,
            "observed": summary,
        }
    )


@routes.add(
    "GET",
    "/api/dashboard/instance",
    "The instance (admins only): active sessions and bots, latency percentiles, provider switches, errors",
    response=INSTANCE,
)
async def instance(request: web.Request) -> web.Response:
    user_id = require_user(request)
    if not await is_admin(request, user_id):
        raise ApiError(403, "forbidden", "the instance view is for admins (settings.admin_emails)")
    metrics = request.app[METRICS]
    return web.json_response(
        {
            "active_sessions": int(metrics.registry.get_sample_value("cuecard_active_sessions") or 0),
            "active_bots": sum(1 for bot in request.app.get(BOTS, {}).values() if not bot.done),
            "live_sessions": len(request.app.get(LIVE_SESSIONS, {})),
            "draft_latency": histogram_quantiles(metrics, "cuecard_draft_latency_seconds"),
            "transcript_delay": histogram_quantiles(metrics, "cuecard_final_transcript_delay_seconds"),
            "llm_first_token": histogram_quantiles(metrics, "cuecard_llm_first_token_seconds"),
            "provider_switches": counter_values(metrics, "cuecard_stt_provider_switches_total"),
            "errors": counter_values(metrics, "cuecard_session_errors_total"),
            "http_responses": counter_values(metrics, "cuecard_http_responses_total"),
            "questions": counter_values(metrics, "cuecard_questions_detected_total"),
            "feedback": counter_values(metrics, "cuecard_feedback_total"),
        }
    )


async def dashboard_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "dashboard.html", headers={"Cache-Control": "no-cache"})


def setup(app: web.Application):
    routes.setup(app)
    app.router.add_get("/dashboard", dashboard_page)
