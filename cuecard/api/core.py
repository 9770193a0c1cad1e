"""The process-wide ``Services`` (settings, store, event bus, Whisper engine) for the app's
lifetime, the Whisper warm-up, and ``GET /api/health``.

``setup`` must be the first setup that adds a cleanup context: every later start-up step uses
the store, and the services are closed last, after every feature has ended its live work.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from cuecard.api.keys import LIVE_SESSIONS, SERVICES, SETTINGS, WARMUP
from cuecard.api.rest_common import BOOL, INT, STR, ApiRoutes, obj
from cuecard.pipeline.services import Services

routes = ApiRoutes("health")

HEALTH = obj(
    ("status", "stt_model", "stt_loaded", "sessions_live"),
    status={"type": "string", "enum": ["ok"]},
    stt_model=STR,
    stt_loaded=BOOL,
    sessions_live=INT,
)


@routes.add(
    "GET",
    "/api/health",
    "Liveness, the speech-to-text model and the number of live sessions",
    response=HEALTH,
    auth=False,
)
async def health(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    return web.json_response(
        {
            "status": "ok",
            "stt_model": services.settings.whisper_model,
            "stt_loaded": services.engine.loaded,
            "sessions_live": len(request.app.get(LIVE_SESSIONS, {})),
        }
    )


def setup(app: web.Application, services: Services | None = None):
    """``services``: shared ones the caller owns (tests, a second app on the same store);
    without them the app creates its own and closes them at clean-up."""

    async def services_ctx(app: web.Application):
        settings = app[SETTINGS]
        app[SERVICES] = services if services is not None else await Services.create(settings)
        # Load and warm Whisper in the background: the first transcript must not pay for it.
        # (settings.warm_up_stt=False: API-only tests and tools never load the model.)
        warm_up = app[SERVICES].engine.warm_up if settings.warm_up_stt else (lambda: None)
        app[WARMUP] = asyncio.get_running_loop().run_in_executor(None, warm_up)
        yield
        if services is None:
            await app[SERVICES].close()

    app.cleanup_ctx.append(services_ctx)
    routes.setup(app)
