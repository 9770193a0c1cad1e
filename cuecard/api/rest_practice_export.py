"""Practice progress and exports: ``GET /api/practice/progress`` (per round, oldest first:
overall and per-competency scores, fillers per minute, words per minute; per question type)
and ``GET /api/practice/sessions/{id}/export/{json|markdown}``. Owner-only like every
practice route (another user's round is 404)."""

from __future__ import annotations

from aiohttp import web

from cuecard.api.errors import bad_request
from cuecard.api.practice_input import load_owned
from cuecard.api.practice_views import PRACTICE, PROGRESS, by_type, public_practice, summarize, to_markdown
from cuecard.api.rest_common import ApiRoutes, page, require_user, services

routes = ApiRoutes("practice")
EXPORT_FORMATS = ("json", "markdown")


@routes.add(
    "GET",
    "/api/practice/progress",
    "Progress over time: per round (oldest first) the overall and per-competency scores, "
    "fillers per minute and words per minute; and per question type",
    response=PROGRESS,
    query=[{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
)
async def progress(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, _ = page(request, default=50)
    practices = await services(request).store.practice.list(user_id, limit, 0)
    points = [summarize(p) for p in reversed(practices)]
    return web.json_response({"sessions": [p for p in points if p["answered"]], "by_type": by_type(practices)})


@routes.add(
    "GET",
    "/api/practice/sessions/{practice_id}/export/{format}",
    "Export a practice round (format: json or markdown)",
    response=PRACTICE,
    content_type="multi-export",
)
async def export_practice(request: web.Request) -> web.Response:
    user_id = require_user(request)
    practice = await load_owned(services(request).store, user_id, request.match_info["practice_id"])
    fmt = request.match_info["format"]
    if fmt not in EXPORT_FORMATS:
        raise bad_request(f"format must be one of {', '.join(EXPORT_FORMATS)}", "format")
    view = public_practice(practice)
    extension = "json" if fmt == "json" else "md"
    headers = {"Content-Disposition": f'attachment; filename="cuecard-practice-{practice.id}.{extension}"'}
    if fmt == "json":
        return web.json_response(view, headers=headers)
    return web.Response(text=to_markdown(view), content_type="text/markdown", headers=headers)


def setup(app: web.Application):
    routes.setup(app)
