"""``GET /metrics``: the process's Prometheus metrics (``cuecard.observability.metrics``).

Access (decision): open to requests from this host (a Prometheus next to the server, an
operator's curl), because the figures hold no user data; from anywhere else
``Authorization: Bearer <settings.metrics_token>`` is required: 401 without or with a wrong
token, 403 when no token is configured (metrics are then local-only). A request that came
through a proxy (``Forwarded``/``X-Forwarded-For``) is not local even if the proxy is.

``setup`` also makes the app's ``Metrics`` (a private registry per app), hands it to the
services so every session's observer feeds it, counts HTTP responses by status class, and
installs the tracer when ``settings.tracing`` is on.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from cuecard.api.errors import ApiError
from cuecard.api.keys import BOTS, METRICS, SERVICES, SETTINGS
from cuecard.api.rest_common import STR, ApiRoutes
from cuecard.observability.metrics import CONTENT_TYPE, Metrics
from cuecard.observability.tracing import setup_tracing

routes = ApiRoutes("observability")
LOCAL_ADDRESSES = ("127.0.0.1", "::1", "localhost")


def is_local(request: web.Request) -> bool:
    if "Forwarded" in request.headers or "X-Forwarded-For" in request.headers:
        return False
    return (request.remote or "") in LOCAL_ADDRESSES or (request.remote or "").startswith("127.")


def check_access(request: web.Request) -> None:
    if is_local(request):
        return
    token = request.app[SETTINGS].metrics_token
    if not token:
        raise ApiError(403, "forbidden", "metrics are served to this host only (no metrics token is set)")
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not hmac.compare_digest(given[7:].strip(), token):
        raise ApiError(401, "unauthorized", "Authorization: Bearer <metrics token> is required", "Authorization")


@routes.add(
    "GET",
    "/metrics",
    "Prometheus metrics (text format); open from this host, otherwise the metrics bearer token",
    response=STR,
    auth=False,
    content_type="text/plain",
    extra_statuses=(401, 403),
)
async def metrics(request: web.Request) -> web.Response:
    check_access(request)
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


@web.middleware
async def count_responses(request: web.Request, handler):
    """HTTP responses by status class, for the instance view's error rate."""
    counter = request.app[METRICS].http_responses
    try:
        response = await handler(request)
    except web.HTTPException as e:
        counter.labels(f"{e.status // 100}xx").inc()
        raise
    except Exception:
        counter.labels("5xx").inc()
        raise
    counter.labels(f"{response.status // 100}xx").inc()
    return response


def setup(app: web.Application):
    """After ``core.setup`` (it needs the services)."""
    app[METRICS] = Metrics()
    app[METRICS].count_bots(lambda: sum(1 for bot in app.get(BOTS, {}).values() if not bot.done))
    app.middlewares.append(count_responses)

    async def metrics_ctx(app: web.Application):
        setup_tracing(app[SETTINGS])
        services = app[SERVICES]
        own = services.metrics is None  # shared services (tests) may already feed another app
        if own:
            services.metrics = app[METRICS]
        yield
        if own:
            services.metrics = None

    app.cleanup_ctx.append(metrics_ctx)
    routes.setup(app)
