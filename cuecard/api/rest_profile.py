"""The candidate's material: profile (with resume upload), STAR stories, jobs (with matching),
practice attempts, and the user's audit log.

Stories, jobs and attempts share one CRUD shape (list / create / read / PATCH / delete), made
by ``crud``. PATCH merges the body into the stored record and validates the merged result
with the same model as create, so a partial update can never store what create would refuse.

Resume parsing, job parsing, story drafting and matching belong to ``cuecard.profile.*`` and
are imported lazily: the API still works (profile = the uploaded text) when they are absent.
A file the parser cannot read is the user's bad input, so any parser failure answers 400
naming ``file`` (and is logged) rather than 500.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from aiohttp import web
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import SETTINGS
from cuecard.api.rest_common import (
    ANY_OBJ,
    BOOL,
    NUM,
    PAGE_PARAMS,
    STR,
    ApiRoutes,
    not_found,
    obj,
    owned_session,
    page,
    page_of,
    paged,
    read_model,
    read_upload,
    require_user,
    services,
    validation_error,
)
from cuecard.api.rest_consent import audit_event
from cuecard.pipeline.context import load_candidate
from cuecard.profile.models import Job, Profile, Story
from cuecard.store import NotFound, Store
from cuecard.store.models import Owned, ProfileRecord
from cuecard.store.repository import OwnedDocuments

routes = ApiRoutes("profile")


class ProfileIn(Profile):
    model_config = ConfigDict(extra="forbid")


class StoryIn(Story):
    model_config = ConfigDict(extra="forbid")


class JobIn(Job):
    model_config = ConfigDict(extra="forbid")


class AttemptIn(BaseModel):
    """One practice answer to a question (typed or transcribed), with an optional self-score."""

    model_config = ConfigDict(extra="forbid")
    question_text: str = Field(default="", max_length=2000)
    answer_text: str = Field(default="", max_length=50_000)
    bank_question_id: str = Field(default="", max_length=128)
    session_id: str = Field(default="", max_length=128)
    score: int | None = Field(default=None, ge=0, le=100)
    notes: str = Field(default="", max_length=5000)


class _AnyObject(BaseModel):
    model_config = ConfigDict(extra="allow")


RECORD = obj(("id", "created_at"), id=STR, created_at=NUM, updated_at=NUM)  # plus the model's fields
PROFILE = obj(("name", "skills", "roles"), name=STR, skills={"type": "array"}, roles={"type": "array"})
STORY = JOB = ATTEMPT = RECORD
AUDIT = obj(("id", "action", "created_at"), id=STR, action=STR, created_at=NUM, details=ANY_OBJ)


def _check_fields(model: type[BaseModel], data: dict) -> dict:
    try:
        return model.model_validate(data).model_dump()
    except ValidationError as e:
        raise validation_error(e) from e


async def _validate_owned(request: web.Request, user_id: str, fields: dict) -> None:
    """A record may point at a session only if that session is the user's."""
    if fields.get("session_id"):
        await owned_session(request, user_id, fields["session_id"])


def crud(
    path: str,
    slug: str,
    documents: Callable[[Store], OwnedDocuments],
    model: type[BaseModel],
    schema: dict,
    name: str,
    hook=None,
):
    """List / create / read / PATCH / delete of a user's documents under ``path``."""
    item_path = f"{path}/{{item_id}}"

    def docs(request: web.Request) -> OwnedDocuments:
        return documents(services(request).store)

    async def get_item(request: web.Request, user_id: str) -> Owned:
        item_id = request.match_info["item_id"]
        try:
            return await docs(request).get(user_id, item_id)
        except NotFound:
            raise not_found(f"{name} {item_id} not found", "item_id") from None

    @routes.add("GET", path, f"List {name}s", response=page_of(schema), query=PAGE_PARAMS)
    async def list_items(request: web.Request) -> web.Response:
        user_id = require_user(request)
        limit, offset = page(request)
        items = await docs(request).list(user_id, limit, offset)
        return web.json_response(paged([i.public() for i in items], await docs(request).count(user_id), limit, offset))

    @routes.add("POST", path, f"Create a {name}", body=model, response=schema, status=201)
    async def create_item(request: web.Request) -> web.Response:
        user_id = require_user(request)
        fields = (await read_model(request, model)).model_dump()  # an "id" in it is ignored
        if hook:
            fields = await hook(request, user_id, fields)
        await _validate_owned(request, user_id, fields)
        record = await docs(request).create(user_id, fields)
        return web.json_response(record.public(), status=201)

    @routes.add("GET", item_path, f"One {name}", response=schema)
    async def read_item(request: web.Request) -> web.Response:
        return web.json_response((await get_item(request, require_user(request))).public())

    @routes.add("PATCH", item_path, f"Update fields of a {name}", body=model, response=schema)
    async def update_item(request: web.Request) -> web.Response:
        user_id = require_user(request)
        current = await get_item(request, user_id)
        patch = {
            k: v
            for k, v in (await read_model(request, _AnyObject)).model_dump().items()
            if k not in current.BOOKKEEPING
        }  # the store's, never the user's to set
        kept = {k: v for k, v in current.content().items() if k in model.model_fields}
        fields = _check_fields(model, {**kept, **patch})
        await _validate_owned(request, user_id, fields)
        record = await docs(request).update(user_id, current.id, fields)
        return web.json_response(record.public())

    @routes.add("DELETE", item_path, f"Delete a {name}", status=204)
    async def delete_item(request: web.Request) -> web.Response:
        user_id = require_user(request)
        current = await get_item(request, user_id)
        await docs(request).delete(user_id, current.id)
        return web.Response(status=204)

    for fn in (list_items, create_item, read_item, update_item, delete_item):
        fn.__name__ = f"{fn.__name__}_{slug}"


async def _parse_job_text(request: web.Request, user_id: str, fields: dict) -> dict:
    """A job posted as text only is parsed (title, skills…); fields the user gave win."""
    if fields.get("text") and not fields.get("title"):
        try:
            from cuecard.profile.job import parse_job
        except ImportError:
            return fields
        try:
            parsed = parse_job(fields["text"]).model_dump()
        except Exception as e:  # the parser failing on odd text must not lose the job
            logger.warning(f"parse_job failed: {e}")
            return fields
        return {**parsed, **{k: v for k, v in fields.items() if v}}
    return fields


crud("/api/stories", "stories", lambda store: store.material.stories, StoryIn, STORY, "story")
crud("/api/jobs", "jobs", lambda store: store.material.jobs, JobIn, JOB, "job", hook=_parse_job_text)
crud("/api/attempts", "attempts", lambda store: store.material.attempts, AttemptIn, ATTEMPT, "practice attempt")


# --- profile ---------------------------------------------------------------------------------


def _profile_view(record: ProfileRecord | None) -> dict:
    if record is None:
        return Profile().model_dump()
    return {**record.profile().model_dump(), "updated_at": record.updated_at}


@routes.add("GET", "/api/profile", "The candidate profile (empty fields when none yet)", response=PROFILE)
async def get_profile(request: web.Request) -> web.Response:
    user_id = require_user(request)
    return web.json_response(_profile_view(await services(request).store.material.get_profile(user_id)))


@routes.add(
    "PUT",
    "/api/profile",
    "Replace the candidate profile (e.g. after reviewing the parsed resume)",
    body=ProfileIn,
    response=PROFILE,
)
async def put_profile(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, ProfileIn)
    record = await services(request).store.material.put_profile(user_id, body.model_dump())
    return web.json_response(_profile_view(record))


@routes.add("DELETE", "/api/profile", "Delete the candidate profile", status=204)
async def delete_profile(request: web.Request) -> web.Response:
    user_id = require_user(request)
    if not await services(request).store.material.delete_profile(user_id):
        raise not_found("no profile", "profile")
    return web.Response(status=204)


async def _read_upload(request: web.Request) -> tuple[bytes, str]:
    """(data, filename) from a multipart ``file`` field or a raw body with ``?filename=``."""
    return await read_upload(request, request.app[SETTINGS].max_upload_bytes, "resume", "resume.txt")


async def _extract_profile_isolated(request: web.Request, data: bytes, filename: str) -> Profile:
    """The resume parsed in a worker process with limits (cuecard/profile/worker.py): the event
    loop keeps answering, and a hostile file gets a 413/422 naming the limit it broke."""
    from cuecard.profile.worker import ParseLimits, ParseRefused, parse_resume_isolated

    try:
        fields, text = await parse_resume_isolated(data, filename, ParseLimits.from_settings(request.app[SETTINGS]))
    except ParseRefused as e:
        raise ApiError(e.status, e.code, e.message, "file") from None
    profile = Profile.model_validate(fields)
    if not profile.resume_text:
        profile.resume_text = text
    return profile


@routes.add(
    "POST",
    "/api/profile/resume",
    "Upload a resume (PDF, DOCX or text; multipart field 'file' or raw "
    "body with ?filename=): parses it into the profile, optionally drafts STAR stories (?draft_stories=true)",
    response=obj(("profile", "stories"), profile=PROFILE, stories={"type": "array"}),
    upload=True,
    extra_statuses=(422,),
    query=[
        {"name": "filename", "in": "query", "schema": {"type": "string"}},
        {"name": "draft_stories", "in": "query", "schema": {"type": "boolean"}},
    ],
)
async def upload_resume(request: web.Request) -> web.Response:
    user_id = require_user(request)
    data, filename = await _read_upload(request)
    if not data:
        raise bad_request("the uploaded file is empty", "file")
    profile = await _extract_profile_isolated(request, data, filename)
    store = services(request).store
    record = await store.material.put_profile(user_id, profile.model_dump())
    drafted = []
    if request.query.get("draft_stories", "false").lower() in ("1", "true", "yes"):
        try:
            from cuecard.profile.stories import draft_stories

            stories = draft_stories(profile)
        except ImportError:
            stories = []
        except Exception as e:
            logger.warning(f"drafting stories failed: {e!r}")
            stories = []
        for story in stories:
            fields = story.model_dump() if isinstance(story, BaseModel) else dict(story)
            fields["drafted"] = True
            drafted.append((await store.material.stories.create(user_id, fields)).public())
    # the file's type, not its name: a name often is the person's (the audit log is not encrypted)
    await audit_event(
        request, user_id, "resume_upload", file_type=filename.rsplit(".", 1)[-1].lower()[:8], bytes=len(data)
    )
    return web.json_response({"profile": _profile_view(record), "stories": drafted})


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@routes.add(
    "GET",
    "/api/jobs/{item_id}/match",
    "How the profile and stories match the job (needs the matching module; 'available' is false without it)",
    response=obj(("job_id", "available"), job_id=STR, available=BOOL, result={}),
)
async def match_job(request: web.Request) -> web.Response:
    user_id = require_user(request)
    store = services(request).store
    job_id = request.match_info["item_id"]
    try:
        candidate = await load_candidate(store, user_id, job_id)
    except NotFound:
        raise not_found(f"job {job_id} not found", "item_id") from None
    assert candidate.job is not None  # a job id given: load_candidate found that job or raised NotFound
    try:
        from cuecard.profile.matching import match
    except ImportError:
        return web.json_response({"job_id": job_id, "available": False, "result": None})
    # Matching embeds text (and loads the model on first use): keep it off the event loop.
    result = await asyncio.to_thread(match, candidate.profile, candidate.stories, candidate.job)
    return web.json_response({"job_id": job_id, "available": True, "result": _jsonable(result)})


@routes.add(
    "GET",
    "/api/audit",
    "The user's audit log (logins, exports, deletions), newest first",
    response=page_of(AUDIT),
    query=PAGE_PARAMS,
)
async def audit_log(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, offset = page(request)
    accounts = services(request).store.accounts
    items = await accounts.list_audit(user_id, limit, offset)
    return web.json_response(paged([i.public() for i in items], await accounts.count_audit(user_id), limit, offset))


def setup(app: web.Application):
    routes.setup(app)
