"""Bringing material in and out: ``POST /api/profile/import`` (JSON Resume, LinkedIn data-export
ZIP, PDF/DOCX/Markdown/text resume — detected by content), ``GET /api/profile/export``
(JSON Resume), ``POST /api/jobs/import`` (a saved job page with schema.org JSON-LD, a JSON
Resume job, or text).

The import merges into the stored profile (rule and reason in
``cuecard/profile/import_merge.py``) and answers with what it took: per section the counts
added, updated (an existing entry gained fields) and already present, the scalar fields it
filled and those it kept, and what it skipped. Resume files go through the same isolated
worker as ``POST /api/profile/resume``; a LinkedIn ZIP gets the DOCX zip limits.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import SETTINGS
from cuecard.api.rest_common import ANY_OBJ, STR, ApiRoutes, obj, require_user, services
from cuecard.api.rest_consent import audit_event
from cuecard.api.rest_profile import JOB, _extract_profile_isolated, _profile_view, _read_upload
from cuecard.profile.import_formats import Imported, ImportRefused, detect_format, load_json_resume, read_linkedin
from cuecard.profile.models import Profile
from cuecard.profile.worker import ParseLimits

routes = ApiRoutes("profile")

COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
REPORT = obj(
    ("format", "added", "updated", "duplicates", "filled", "kept", "skipped", "profile"),
    format=STR,
    added=COUNTS,
    updated=COUNTS,
    duplicates=COUNTS,
    filled={"type": "array", "items": STR},
    kept={"type": "array", "items": STR},
    skipped=COUNTS,
    profile=ANY_OBJ,
)
_RESUME_NAMES = {"pdf": "import.pdf", "docx": "import.docx", "text": "import.md"}


def _refused(e: ImportRefused) -> ApiError:
    return ApiError(e.status, e.code, e.message, "file")


async def _read_profile(request: web.Request, data: bytes) -> Imported:
    kind = detect_format(data)
    limits = ParseLimits.from_settings(request.app[SETTINGS])
    if kind == "json-resume":
        return load_json_resume(data)
    if kind == "linkedin":
        return await asyncio.to_thread(read_linkedin, data, limits)
    return Imported(kind, await _extract_profile_isolated(request, data, _RESUME_NAMES[kind]))


@routes.add(
    "POST",
    "/api/profile/import",
    "Import a JSON Resume, a LinkedIn data-export ZIP or a resume (PDF, DOCX, Markdown, text; format read "
    "from the content; multipart field 'file' or raw body) and merge it into the profile",
    response=REPORT,
    upload=True,
    extra_statuses=(415, 422),
)
async def import_profile(request: web.Request) -> web.Response:
    user_id = require_user(request)
    data, _ = await _read_upload(request)
    try:
        imported = await _read_profile(request, data)
    except ImportRefused as e:
        raise _refused(e) from None
    from cuecard.profile.import_merge import merge

    store = services(request).store
    current = await store.material.get_profile(user_id)
    merged, report = merge(current.profile() if current else Profile(), imported.profile)
    record = await store.material.put_profile(user_id, merged.model_dump())
    await audit_event(request, user_id, "profile_import", format=imported.format, bytes=len(data))
    return web.json_response(
        {"format": imported.format, **report, "skipped": imported.skipped, "profile": _profile_view(record)}
    )


@routes.add(
    "GET",
    "/api/profile/export",
    "The profile as a JSON Resume (format=json-resume, the only format)",
    response=ANY_OBJ,
    query=[{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json-resume"]}}],
)
async def export_profile(request: web.Request) -> web.Response:
    user_id = require_user(request)
    if request.query.get("format", "json-resume") != "json-resume":
        raise bad_request("format must be json-resume", "format", code="unsupported_format")
    from cuecard.profile.export import to_json_resume

    record = await services(request).store.material.get_profile(user_id)
    resume = to_json_resume(record.profile() if record else Profile())
    await audit_event(request, user_id, "profile_export", format="json-resume")
    return web.Response(
        text=json.dumps(resume, ensure_ascii=False, indent=2),
        content_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="resume.json"'},
    )


@routes.add(
    "POST",
    "/api/jobs/import",
    "Import a job: a saved job page (schema.org JobPosting JSON-LD), a JSON Resume job, or text "
    "(format read from the content; multipart field 'file' or raw body)",
    response=obj(("format", "job"), format=STR, job=JOB),
    status=201,
    upload=True,
    extra_statuses=(415, 422),
)
async def import_job_route(request: web.Request) -> web.Response:
    user_id = require_user(request)
    data, _ = await _read_upload(request)
    from cuecard.profile.import_job import import_job

    try:
        kind, job, extra = await asyncio.to_thread(import_job, data)
    except ImportRefused as e:
        raise _refused(e) from None
    record = await services(request).store.material.jobs.create(user_id, {**job.model_dump(), **extra})
    return web.json_response({"format": kind, "job": record.public()}, status=201)


def setup(app: web.Application):
    routes.setup(app)
