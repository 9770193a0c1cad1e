"""What every REST module shares: the route table that the OpenAPI document is built from,
the current user, body/query validation with errors that name the field, pagination.

Decision: routes are declared through ``ApiRoutes.add`` with their request model, response
schema and status codes, and the same table both registers the aiohttp handler and feeds
``/api/openapi.json``. A route cannot exist without being documented, and the schemathesis test
checks the document against the real responses.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError

from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import API_SPECS, AUTH_ERROR, SERVICES, SETTINGS, USER_ID
from cuecard.api.route_spec import Handler, RouteSpec
from cuecard.api.security import capability_matches, presented_secret
from cuecard.pipeline.services import Services
from cuecard.store.models import Session

ERROR_STATUSES = (400, 401, 404, 405, 409, 413, 415, 429)
LOCAL_OWNER = "local"  # owner of sessions started on the live page without an account


class ApiRoutes:
    def __init__(self, tag: str):
        self.tag = tag
        self.specs: list[RouteSpec] = []

    def add(self, method: str, path: str, summary: str, **kw: Any):
        def register(handler: Handler) -> Handler:
            self.specs.append(RouteSpec(method.upper(), path, handler, summary, self.tag, **kw))
            return handler

        return register

    def setup(self, app: web.Application):
        for spec in self.specs:
            app.router.add_route(spec.method, spec.path, spec.handler)
        app.setdefault(API_SPECS, []).extend(self.specs)


# --- request context -----------------------------------------------------------------------


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


def require_user(request: web.Request) -> str:
    user_id = request.get(USER_ID)
    if user_id is None:
        message = request.get(AUTH_ERROR) or "a bearer access token is required"
        raise ApiError(401, "unauthorized", message, "Authorization")
    return user_id


async def read_model(request: web.Request, model: type[BaseModel]):
    """The JSON body validated by ``model``: 413 over ``max_body_bytes``, 400 naming the field."""
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"request body is larger than {limit} bytes")
    raw = await read_bounded(request, limit)
    try:
        body = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:  # RecursionError: absurd nesting
        raise bad_request("request body is not valid JSON", code="invalid_json") from e
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object", code="invalid_json")
    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise validation_error(e) from e


async def read_bounded(request: web.Request, limit: int, field: str | None = None) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` (chunked bodies have no length)."""
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"request body is larger than {limit} bytes", field)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_upload(request: web.Request, limit: int, multipart_name: str, raw_name: str) -> tuple[bytes, str]:
    """(data, filename) from a multipart ``file`` field or a raw body with ``?filename=``; 413
    over ``limit``. ``multipart_name`` / ``raw_name``: the filename when none is given."""
    too_large = f"upload is larger than {limit} bytes"
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", too_large, "file")
    if request.content_type.startswith("multipart/"):
        try:
            reader = await request.multipart()
            async for part in reader:
                if isinstance(part, BodyPartReader) and part.name == "file":
                    data = bytearray()
                    while chunk := await part.read_chunk(64 * 1024):
                        data += chunk
                        if len(data) > limit:
                            raise ApiError(413, "too_large", too_large, "file")
                    return bytes(data), part.filename or multipart_name
        except ApiError:
            raise
        except Exception as e:
            raise bad_request("malformed multipart body", "file") from e
        raise bad_request("multipart body has no 'file' field", "file")
    return await read_bounded(request, limit, "file"), request.query.get("filename", raw_name)


def field_path(loc: tuple) -> str | None:
    """``("candidates", 0, "sdp_mid")`` → ``"candidates[0].sdp_mid"``."""
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or None


def validation_error(e: ValidationError) -> ApiError:
    first = e.errors()[0]
    where = field_path(first["loc"])
    return bad_request(f"{where}: {first['msg']}" if where else first["msg"], where)


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer", name) from None
    if not low <= value <= high:
        raise bad_request(f"{name} must be between {low} and {high}", name)
    return value


def page(request: web.Request, default: int = 50) -> tuple[int, int]:
    return query_int(request, "limit", default, 1, 1000), query_int(request, "offset", 0, 0, 10**9)


def paged(items: list, total: int, limit: int, offset: int) -> dict:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def not_found(message: str, field: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message, field)


async def owned_session(request: web.Request, user_id: str, session_id: str | None = None) -> Session:
    """The session (in the path by default) if it belongs to ``user_id``; else 404, the same as
    for a missing one, so other users' session ids cannot be probed (never says whose).

    The one ownership rule of the API: the stored ``user_id`` must equal the caller's exactly.
    The anonymous live page is the caller ``LOCAL_OWNER``; it owns the sessions it started
    (stored with ``user_id="local"``), never a session stored without an owner (replays,
    command-line bots) nor anyone else's — and only with the session's capability secret
    (``X-Session-Secret`` or ``?secret=``, see ``security``): the id alone opens nothing.
    """
    session_id = session_id or request.match_info["session_id"]
    session = await services(request).store.sessions.find(session_id)
    if session is None or session.user_id != user_id:
        raise not_found(f"session {session_id} not found", "session_id")
    if user_id == LOCAL_OWNER and not capability_matches(
        getattr(session, "capability_hash", None), presented_secret(request)
    ):
        raise not_found(f"session {session_id} not found", "session_id")
    return session


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


# --- schema fragments for the OpenAPI document ---------------------------------------------

PAGE_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10**9}},
]


def obj(required: tuple[str, ...] = (), **props: dict) -> dict:
    return {"type": "object", "required": list(required), "properties": props}


def page_of(item: dict) -> dict:
    return obj(
        ("items", "total", "limit", "offset"),
        items={"type": "array", "items": item},
        total={"type": "integer"},
        limit={"type": "integer"},
        offset={"type": "integer"},
    )


STR = {"type": "string"}
NUM = {"type": "number"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
ANY_OBJ = {"type": "object"}
