"""Registers the REST API, the live-events WebSocket, the OpenAPI document and the account page,
and the process-wide helpers they share (auth middleware, JWT secret, cache, rate limiter,
starter question bank). ``create_app`` calls ``setup(app)`` once.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from cuecard.api import auth, events_ws, exports, openapi, rest_banks, rest_profile, rest_sessions
from cuecard.store.cache import make_cache
from cuecard.store.ratelimit import make_rate_limiter

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"


async def account_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "account.html")


def setup(app: web.Application):
    settings = app["settings"]
    app.middlewares.append(auth.auth_middleware)

    async def start(app: web.Application):
        # Runs after create_app's own start-up hook, so the store is open.
        app[auth.JWT_SECRET] = auth.load_secret(settings)
        app[rest_sessions.CACHE] = make_cache(settings.redis_url)
        app[auth.RATE_LIMITER] = make_rate_limiter(settings.redis_url)
        from cuecard.api.app import SERVICES

        await rest_banks.install_starter_bank(app[SERVICES].store)

    async def stop(app: web.Application):
        for key in (rest_sessions.CACHE, auth.RATE_LIMITER):
            if key in app:
                await app[key].close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    for module in (auth, rest_sessions, exports, rest_profile, rest_banks, events_ws):
        module.routes.setup(app)
    openapi.setup(app)
    app.router.add_get("/account", account_page)
