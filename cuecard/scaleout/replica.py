"""Which replica answered: an ``X-Cuecard-Replica`` header on every response.

Several ``cuecard serve`` processes share one store and a Redis event bus
(``CUECARD_REDIS_URL``) behind a reverse proxy (``deploy/haproxy.cfg``); any replica's
WebSocket subscribers see a session's events. The header names the replica that served a
request (``settings.replica_name``, default the host name) so operators and tests can see
where the proxy sent a client.

Decision: an ``on_response_prepare`` signal rather than a middleware — it also runs for the
WebSocket upgrade response and for error responses made by other middlewares, and adds no
per-request await.
"""

from __future__ import annotations

import socket

from aiohttp import web

from cuecard.api.keys import SETTINGS

REPLICA_HEADER = "X-Cuecard-Replica"


def replica_name(app: web.Application) -> str:
    return app[SETTINGS].replica_name or socket.gethostname()


def setup(app: web.Application) -> None:
    name = replica_name(app)

    async def _name_replica(request: web.Request, response: web.StreamResponse) -> None:
        response.headers[REPLICA_HEADER] = name

    app.on_response_prepare.append(_name_replica)
