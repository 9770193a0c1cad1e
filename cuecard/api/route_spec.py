"""``RouteSpec``: one API route as declared through ``ApiRoutes.add`` (handler, summary, request
model, response schema, statuses). The OpenAPI document is built from these records; they are
kept under the ``API_SPECS`` app key. Only the record lives here, so ``cuecard.api.keys`` can
name its type without importing the route table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RouteSpec:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: dict | None = None  # JSON schema of the success body (None = no body)
    status: int = 200
    auth: bool | str = True  # True: bearer token required; "optional": anonymous allowed; False: none
    query: list[dict] = field(default_factory=list)  # OpenAPI parameter objects
    upload: bool = False  # raw or multipart file body
    content_type: str = "application/json"
    extra_statuses: tuple[int, ...] = ()
    # error bodies other than the usual Error object, per status (e.g. 403 consent_required)
    error_schemas: dict[int, dict] = field(default_factory=dict)
