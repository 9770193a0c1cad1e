"""The aiohttp application: web client, WebRTC signalling, REST API, health.

Each feature lives in its own module with a ``setup(app)`` function that adds its routes;
``create_app`` is the only place that lists them.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from loguru import logger

from cuecard.api.errors import error_middleware
from cuecard.pipeline.services import Services
from cuecard.settings import Settings

SERVICES = web.AppKey("services", Services)


async def health(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    return web.json_response(
        {
            "status": "ok",
            "stt_model": services.settings.whisper_model,
            "stt_loaded": services.engine.loaded,
            "sessions_live": len(request.app.get("live_sessions", {})),
        }
    )


def create_app(settings: Settings, services: Services | None = None) -> web.Application:
    app = web.Application(
        middlewares=[error_middleware], client_max_size=settings.max_upload_bytes
    )
    app["settings"] = settings

    async def start(app: web.Application):
        if services is None:
            app[SERVICES] = await Services.create(settings)
        else:
            app[SERVICES] = services
        # Load and warm Whisper in the background: the first transcript must not pay for it.
        # (settings.warm_up_stt=False: API-only tests and tools never load the model.)
        warm_up = app[SERVICES].engine.warm_up if settings.warm_up_stt else (lambda: None)
        app["warmup"] = asyncio.get_running_loop().run_in_executor(None, warm_up)

    async def stop(app: web.Application):
        if services is None:
            await app[SERVICES].close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/api/health", health)

    from cuecard.api import webrtc_routes, web_client_routes

    webrtc_routes.setup(app)
    web_client_routes.setup(app)
    from cuecard.api import rest  # REST API, live-events WebSocket, OpenAPI, /account

    rest.setup(app)
    from cuecard.api import bot_routes  # meeting bots: POST/GET/DELETE /api/bots

    bot_routes.setup(app)
    return app


def serve(settings: Settings):
    settings.ensure_data_dir()
    logger.info(f"Cuecard on http://{settings.host}:{settings.port}/ (data in {settings.data_dir})")
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
