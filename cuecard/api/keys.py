"""Every piece of the aiohttp application's state, as typed ``web.AppKey``s (the only place that
declares them; no string keys). Who sets what:

- ``SETTINGS``: ``create_app``, before any ``setup``.
- ``SERVICES``, ``WARMUP``: ``core.setup`` (first cleanup context: everything after it may use them).
- ``JWT_SECRET``, ``RATE_LIMITER``: ``auth.setup``.  ``CACHE``: ``rest_sessions.setup``.
- ``API_SPECS``: every ``ApiRoutes.setup`` (the OpenAPI document's source).
- ``LIVE_SESSIONS``, ``PEER_CONNECTIONS``: ``webrtc_routes.setup``.
- ``BOTS``, ``BOT_TASKS``: ``bot_routes.setup``.
- ``METRICS``: ``metrics_routes.setup`` (also hands it to ``SERVICES.metrics``).
- ``PRACTICE_LOCKS``, ``PRACTICE_TASKS``: ``rest_practice.setup``.
- ``BILLING``: ``rest_billing.setup``, only when billing is on (``app.get(BILLING)`` is None otherwise).

Per-request state is typed the same way (``web.RequestKey``): the auth middleware sets
``USER_ID`` and ``TOKEN_CLAIMS`` for a valid bearer token, ``AUTH_ERROR`` for an invalid one.

This module imports no route module, so any module may import it without a cycle.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from cuecard.api.live_session import LiveSession
from cuecard.api.route_spec import RouteSpec
from cuecard.api.security_login import LoginThrottle
from cuecard.billing.metering import Meter
from cuecard.calendar.scheduler import Scheduler
from cuecard.observability.metrics import Metrics
from cuecard.pipeline.services import Services
from cuecard.scaleout.bot_queue import BotQueue
from cuecard.settings import Settings
from cuecard.store.cache import MemoryCache, RedisCache
from cuecard.store.ratelimit import MemoryRateLimiter, RedisRateLimiter
from cuecard.transports.meeting_bot import MeetingBot
from cuecard.webhooks.dispatcher import Dispatcher

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
WARMUP = web.AppKey[asyncio.Future[None]]("warmup")  # Whisper load + warm-up in a worker thread

API_SPECS = web.AppKey[list[RouteSpec]]("api_specs")

JWT_SECRET = web.AppKey("jwt_secret", str)
RATE_LIMITER = web.AppKey[MemoryRateLimiter | RedisRateLimiter]("rate_limiter")
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)  # auth.setup
CACHE = web.AppKey[MemoryCache | RedisCache]("cache")

LIVE_SESSIONS = web.AppKey[dict[str, LiveSession]]("live_sessions")  # session_id -> LiveSession
PEER_CONNECTIONS = web.AppKey[dict[str, LiveSession]]("peer_connections")  # pc_id -> LiveSession

BOTS = web.AppKey[dict[str, MeetingBot]]("bots")  # bot id -> MeetingBot (this process's)
BOT_TASKS = web.AppKey[dict[str, asyncio.Task[dict]]]("bot_tasks")  # bot id -> its run() task
BOT_QUEUE = web.AppKey[BotQueue]("bot_queue")  # bot_queue=redis only (cuecard/scaleout/bot_queue.py)
PRACTICE_LOCKS = web.AppKey[dict[str, asyncio.Lock]]("practice_locks")  # practice id -> its writer lock
PRACTICE_TASKS = web.AppKey[set[asyncio.Future[None]]]("practice_tasks")  # scorer warm-ups running

CALENDAR_SCHEDULER = web.AppKey("calendar_scheduler", Scheduler)  # rest_calendar.setup: opt-ins, its clock

WEBHOOK_DISPATCHER = web.AppKey("webhook_dispatcher", Dispatcher)  # rest_webhooks.setup: deliveries, its clock

METRICS = web.AppKey("metrics", Metrics)  # metrics_routes.setup: this app's Prometheus registry

BILLING = web.AppKey("billing", Meter)  # rest_billing.setup, only with CUECARD_BILLING=on: usage meter

USER_ID = web.RequestKey("user_id", str)  # the caller's account id
TOKEN_CLAIMS = web.RequestKey[dict[str, Any]]("token_claims")  # the access token's claims
AUTH_ERROR = web.RequestKey("auth_error", str)  # why the given token was refused
