"""JSON errors for every bad request: ``{"error": {"code", "message", "field"}}``, never a 500
for bad input."""

from __future__ import annotations

import json

from aiohttp import web
from loguru import logger


class ApiError(web.HTTPException):
    """Raise with a status, a machine-readable code and the offending field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        self.status_code = status
        self.code, self.message, self.field = code, message, field
        body = {"error": {"code": code, "message": message, "field": field}}
        super().__init__(text=json.dumps(body), content_type="application/json")


def bad_request(message: str, field: str | None = None, code: str = "invalid") -> ApiError:
    return ApiError(400, code, message, field)


async def read_json(request: web.Request) -> dict:
    """The request body as a JSON object, or a 400/413 naming what is wrong."""
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "too_large", "request body is too large") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:  # RecursionError: absurd nesting
        raise bad_request("request body is not valid JSON", code="invalid_json") from e
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object", code="invalid_json")
    return body


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError:
        raise
    except web.HTTPException as e:
        if e.status >= 400 and request.path.startswith("/api") and e.content_type != "application/json":
            code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(e.status, "http_error")
            raise ApiError(e.status, code, e.reason) from e
        raise
    except Exception as e:
        logger.exception(f"Unhandled error on {request.method} {request.path}: {e}")
        return web.json_response(
            {"error": {"code": "internal", "message": "internal error", "field": None}}, status=500
        )
