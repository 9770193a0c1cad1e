"""The OpenAPI 3 document at ``/api/openapi.json``, built from the routes' own declarations
(``ApiRoutes``) and the pydantic models that validate request bodies — so it cannot drift from
what the handlers accept — and a self-contained browse page at ``/api/docs`` (no CDN: the page
renders the document with a few lines of local JavaScript).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from cuecard.api.keys import API_SPECS
from cuecard.api.rest_common import ERROR_STATUSES
from cuecard.api.route_spec import RouteSpec
from cuecard.events import EVENT_MODELS, event_schemas

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
        }
    },
}
REASONS = {
    200: "OK",
    201: "Created",
    204: "No content",
    101: "Switching protocols",
    400: "Bad request",
    401: "Not authenticated",
    403: "Read-only",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    429: "Rate limited",
}


def _model_schema(model: type[BaseModel], components: dict) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _success_content(spec: RouteSpec) -> dict | None:
    if spec.response is None:
        return None
    if spec.content_type == "multi-export":
        text = {"schema": {"type": "string"}}
        return {
            "application/json": {"schema": spec.response},
            "text/markdown": text,
            "application/x-subrip": text,
            "text/vtt": text,
        }
    return {spec.content_type: {"schema": spec.response}}


def _operation(spec: RouteSpec, components: dict) -> dict:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": ["json", "markdown", "srt", "vtt"]}
            if name == "format"
            else {"type": "string", "minLength": 1},
        }
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    op: dict = {
        "operationId": spec.handler.__name__,
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": params + list(spec.query),
        "responses": {},
    }
    if spec.auth == "optional":
        op["security"] = [{"bearerAuth": []}, {}]
    elif spec.auth:
        op["security"] = [{"bearerAuth": []}]
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _model_schema(spec.body, components)}},
        }
    if spec.upload:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    success: dict[str, Any] = {"description": REASONS.get(spec.status, "OK")}
    content = _success_content(spec)
    if content and spec.status != 204:
        success["content"] = content
    op["responses"][str(spec.status)] = success
    for status in sorted({*ERROR_STATUSES, 403, *spec.extra_statuses}):
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        if status == 400:
            # aiohttp's HTTP parser refuses some requests (e.g. a request line over 8190 bytes)
            # before any handler or middleware runs, with a plain-text 400.
            content["text/plain"] = {"schema": {"type": "string"}}
        op["responses"][str(status)] = {"description": REASONS.get(status, "Error"), "content": content}
    for status, schema in spec.error_schemas.items():  # this route may also answer another shape
        json_content = op["responses"][str(status)]["content"]["application/json"]
        json_content["schema"] = {"anyOf": [json_content["schema"], schema]}
    return op


EVENT_STREAM = (
    "Live events of a session. Each is one JSON object (schema `Event`, one of "
    + ", ".join(f"`{m.__name__}`" for m in EVENT_MODELS.values())
    + "): `{type, session_id, seq, ts, ...payload}`, `seq` increasing by one per session. "
    "They arrive as text messages on the WebSocket `GET /api/sessions/{session_id}/events` "
    "(`?after=<seq>` first replays what a reconnecting client missed), as messages on the live page's "
    "WebRTC data channel (`POST /api/offer` with `after` resumes the same way), and as the JSON lines of "
    "`cuecard replay`. Optional payload keys are sent only when set; unknown keys may be added and "
    "should be ignored."
)


def build_document(specs: list[RouteSpec]) -> dict:
    components: dict = {"Error": ERROR, **event_schemas()}
    paths: dict = {}
    for spec in specs:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cuecard API",
            "version": "1.0",
            "description": "Accounts, candidate material, sessions, question banks, exports, live events, "
            "WebRTC signalling of the live page and meeting bots. "
            "Errors are JSON: {error: {code, message, field}}.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "events", "description": EVENT_STREAM}],
        "x-event-stream": {
            "description": EVENT_STREAM,
            "schema": {"$ref": "#/components/schemas/Event"},
            "events": {str(t): {"$ref": f"#/components/schemas/{m.__name__}"} for t, m in EVENT_MODELS.items()},
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(build_document(request.app.get(API_SPECS, [])))


async def docs_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "api_docs.html")


def setup(app: web.Application):
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs_page)
