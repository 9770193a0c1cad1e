"""Webhooks: ``POST/GET /api/webhooks``, ``GET/DELETE /api/webhooks/{id}``, the delivery log
``GET /api/webhooks/{id}/deliveries`` and ``POST .../deliveries/{delivery_id}/redeliver``.

Owner-only like every user resource: another account's webhook or delivery is 404, the same
as a missing one. The signing secret is generated server-side (``whsec_`` + 32 random bytes)
unless given, and shown once in the creation answer; it is stored encrypted (not a queried
field) and never listed. What is delivered, how it is signed and retried:
``cuecard/webhooks``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import SERVICES, SETTINGS, WEBHOOK_DISPATCHER
from cuecard.api.rest_common import (
    INT,
    NUM,
    PAGE_PARAMS,
    STR,
    ApiRoutes,
    not_found,
    obj,
    page,
    page_of,
    paged,
    read_model,
    require_user,
    services,
)
from cuecard.store import NotFound
from cuecard.store.webhooks import DeliveryRecord, WebhookRecord
from cuecard.webhooks.dispatcher import Dispatcher
from cuecard.webhooks.events import EVENT_TYPES
from cuecard.webhooks.urls import UrlRefused, check_url

routes = ApiRoutes("webhooks")

EVENT_TYPE = {"type": "string", "enum": list(EVENT_TYPES)}
WEBHOOK = obj(
    ("id", "url", "events", "created_at"),
    id=STR,
    url=STR,
    events={"type": "array", "items": EVENT_TYPE},
    created_at=NUM,
    updated_at=NUM,
)
CREATED_WEBHOOK = {**WEBHOOK, "required": [*WEBHOOK["required"], "secret"]}
CREATED_WEBHOOK["properties"] = {**WEBHOOK["properties"], "secret": STR}
ATTEMPT = obj(("at", "status"), at=NUM, status={"type": ["integer", "null"]}, error={"type": ["string", "null"]})
DELIVERY = obj(
    ("id", "webhook_id", "event_id", "event_type", "state", "attempts", "created_at"),
    id=STR,
    webhook_id=STR,
    event_id=STR,
    event_type=EVENT_TYPE,
    state={"type": "string", "enum": ["pending", "delivered", "failed"]},
    next_attempt_at={"type": ["number", "null"]},
    last_status={"type": ["integer", "null"]},
    attempts={"type": "array", "items": ATTEMPT},
    redelivery_of=STR,
    created_at=NUM,
    attempt_count=INT,
)


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https endpoint receiving the events",
        json_schema_extra={"format": "uri", "pattern": "^https?://"},
    )
    # plain strings so an unknown type is a 400 naming "events" with the known ones listed
    events: list[str] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description=f"of {', '.join(EVENT_TYPES)}",
        json_schema_extra={"items": {"type": "string", "enum": list(EVENT_TYPES)}},
    )
    secret: str | None = Field(
        default=None, min_length=16, max_length=256, description="signing secret; generated when omitted"
    )


def _view(hook: WebhookRecord) -> dict[str, Any]:
    return hook.public()


def _delivery_view(delivery: DeliveryRecord) -> dict[str, Any]:
    shown = delivery.public()
    shown["attempt_count"] = len(delivery.attempts)
    return shown


def dispatcher(app: web.Application) -> Dispatcher:
    return app[WEBHOOK_DISPATCHER]


async def _own_webhook(request: web.Request, user_id: str) -> WebhookRecord:
    try:
        return await services(request).store.webhooks.get(user_id, request.match_info["webhook_id"])
    except NotFound:
        raise not_found("no such webhook", "webhook_id") from None


@routes.add(
    "POST",
    "/api/webhooks",
    "Register a webhook: url (https), events (session.started, question.detected, suggestion.ready, "
    "session.ended), secret (generated when omitted; shown only in this answer)",
    body=WebhookIn,
    response=CREATED_WEBHOOK,
    status=201,
)
async def create_webhook(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, WebhookIn)
    try:
        url = check_url(body.url, request.app[SETTINGS].webhook_allow_loopback_http)
    except UrlRefused as e:
        raise bad_request(str(e), "url") from None
    unknown = [e for e in body.events if e not in EVENT_TYPES]
    if unknown:
        raise bad_request(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}", "events")
    store = services(request).store.webhooks
    if await store.count(user_id) >= request.app[SETTINGS].webhook_max_per_user:
        raise ApiError(409, "too_many_webhooks", "this account has as many webhooks as allowed")
    secret = body.secret or "whsec_" + secrets.token_urlsafe(32)
    hook = await store.create(user_id, url, list(dict.fromkeys(body.events)), secret)
    return web.json_response({**_view(hook), "secret": secret}, status=201)


@routes.add(
    "GET",
    "/api/webhooks",
    "The account's webhooks (secrets are not shown)",
    response=obj(("items",), items={"type": "array", "items": WEBHOOK}),
)
async def list_webhooks(request: web.Request) -> web.Response:
    user_id = require_user(request)
    hooks = await services(request).store.webhooks.list(user_id)
    return web.json_response({"items": [_view(h) for h in hooks]})


@routes.add("GET", "/api/webhooks/{webhook_id}", "One webhook (its secret is not shown)", response=WEBHOOK)
async def get_webhook(request: web.Request) -> web.Response:
    return web.json_response(_view(await _own_webhook(request, require_user(request))))


@routes.add("DELETE", "/api/webhooks/{webhook_id}", "Delete a webhook and its delivery log", status=204)
async def delete_webhook(request: web.Request) -> web.Response:
    user_id = require_user(request)
    hook = await _own_webhook(request, user_id)
    await services(request).store.webhooks.delete(user_id, hook.id)
    return web.Response(status=204)


@routes.add(
    "GET",
    "/api/webhooks/{webhook_id}/deliveries",
    "The webhook's delivery log, newest first: state, every attempt's time and status code",
    response=page_of(DELIVERY),
    query=PAGE_PARAMS,
)
async def list_deliveries(request: web.Request) -> web.Response:
    hook = await _own_webhook(request, require_user(request))
    limit, offset = page(request)
    store = services(request).store.webhooks
    items = await store.log(hook.id, limit, offset)
    return web.json_response(paged([_delivery_view(d) for d in items], await store.count_log(hook.id), limit, offset))


@routes.add(
    "POST",
    "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    "Send one delivered or failed event again: a new delivery (same event id and body, signed anew)",
    response=DELIVERY,
    status=202,
)
async def redeliver(request: web.Request) -> web.Response:
    user_id = require_user(request)
    hook = await _own_webhook(request, user_id)
    store = services(request).store.webhooks
    try:
        original = await store.get_delivery(user_id, hook.id, request.match_info["delivery_id"])
    except NotFound:
        raise not_found("no such delivery", "delivery_id") from None
    copy = await store.enqueue(
        hook,
        original.event_id,
        original.event_type,
        original.body,
        dispatcher(request.app).clock(),
        dedupe=False,
        redelivery_of=original.id,
    )
    assert copy is not None  # a fresh id never conflicts
    return web.json_response(_delivery_view(copy), status=202)


def setup(app: web.Application):
    settings = app[SETTINGS]

    async def webhook_dispatcher(app: web.Application):
        svc = app[SERVICES]
        worker = app[WEBHOOK_DISPATCHER]
        worker.store, worker.bus = svc.store, svc.bus  # the services exist once the app starts
        task = asyncio.get_running_loop().create_task(worker.run()) if settings.webhook_dispatch else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await worker.close()

    app[WEBHOOK_DISPATCHER] = Dispatcher(None, None, settings)
    app.cleanup_ctx.append(webhook_dispatcher)
    routes.setup(app)
