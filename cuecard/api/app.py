"""The aiohttp application: web client, WebRTC signalling, REST API, meeting bots, health.

``create_app`` only builds the application and calls each feature module's ``setup(app)`` in
order; a module's ``setup`` adds its routes (REST ones through the ``ApiRoutes`` table, so they
are in ``/api/openapi.json``) and, when it owns something with a lifetime, one
``app.cleanup_ctx`` entry that creates it at start-up and releases it at clean-up.

Decision (app state and start-up order):
- Every piece of app state is a typed ``web.AppKey`` declared in ``cuecard.api.keys``, a module
  that imports no route module. Modules share state through those keys instead of importing
  each other (``webrtc_routes`` used to import ``SERVICES`` from here while this module imported
  it: a cycle, held together by function-level imports). ``tests/api/test_import_graph.py``
  keeps ``cuecard.api`` free of import cycles.
- All start-up work is in cleanup contexts, never ``on_startup``/``on_shutdown``: aiohttp runs
  them in the order they were added and unwinds them in reverse. So the order of the calls
  below *is* the start-up order: ``core`` (store, event bus, Whisper) first because every later
  step may use the store, and it is closed last, after live sessions and bots have ended and
  saved their final state. Modules without resources only add routes; their position matters
  only for middleware order (``auth`` adds the auth middleware inside the error middleware).
"""

from __future__ import annotations

from aiohttp import web
from loguru import logger

from cuecard.api import (
    auth,
    bot_routes,
    core,
    events_ws,
    exports,
    metrics_routes,
    openapi,
    rest_banks,
    rest_billing,
    rest_calendar,
    rest_claims,
    rest_consent,
    rest_dashboard,
    rest_import,
    rest_practice,
    rest_profile,
    rest_sessions,
    rest_webhooks,
    security,
    web_client_routes,
    webrtc_routes,
)
from cuecard.api.errors import error_middleware
from cuecard.api.keys import SETTINGS
from cuecard.observability.logs import configure_logging
from cuecard.pipeline.services import Services
from cuecard.scaleout import replica
from cuecard.settings import Settings


def create_app(settings: Settings, services: Services | None = None) -> web.Application:
    """``services``: shared ones the caller owns and closes (tests); otherwise the app's own."""
    app = web.Application(middlewares=[error_middleware], client_max_size=settings.max_upload_bytes)
    app[SETTINGS] = settings
    core.setup(app, services)  # store, event bus, Whisper (+ warm-up), /api/health
    replica.setup(app)  # X-Cuecard-Replica: which replica behind the proxy answered
    metrics_routes.setup(app)  # this app's Prometheus registry (fed by every session), /metrics, tracing
    security.setup(app)  # security headers, Host allowlist, JSON-only bodies, CORS (before auth)
    auth.setup(app)  # auth middleware, JWT secret, rate limiter, /api/auth/*
    rest_sessions.setup(app)  # metrics cache, /api/sessions/*
    rest_claims.setup(app)  # /api/sessions/claim: anonymous live-page sessions to the account
    exports.setup(app)
    rest_consent.setup(app)  # /api/consent, /api/account/settings, the retention purge task
    rest_profile.setup(app)
    rest_import.setup(app)  # /api/profile/import|export, /api/jobs/import
    rest_banks.setup(app)  # installs the starter question bank
    rest_practice.setup(app)  # /api/practice/*, the /practice page
    events_ws.setup(app)  # live events over a WebSocket
    webrtc_routes.setup(app)  # live page signalling; ends live sessions at clean-up
    bot_routes.setup(app)  # meeting bots; they leave their meetings at clean-up
    rest_calendar.setup(app)  # /api/calendar/*, /api/interviews, the interview scheduler (stops before bots leave)
    rest_webhooks.setup(app)  # /api/webhooks/*, the webhook dispatcher
    rest_dashboard.setup(app)  # /dashboard and /api/dashboard/*
    rest_billing.setup(app)  # /api/billing/* and usage metering, only with CUECARD_BILLING=on
    openapi.setup(app)  # /api/openapi.json from the routes declared above, /api/docs
    web_client_routes.setup(app)  # /, /account, /static/
    return app


def serve(settings: Settings):
    settings.ensure_data_dir()
    configure_logging(settings)  # JSON lines when settings.json_logs
    logger.info(f"Cuecard on http://{settings.host}:{settings.port}/ (data in {settings.data_dir})")
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
