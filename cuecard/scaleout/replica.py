"""Which replica answered: an ``X-Cuecard-Replica`` header on every response, when
``settings.replica_name`` is set.

Several ``cuecard serve`` processes share one store and a Redis event bus
(``CUECARD_REDIS_URL``) behind a reverse proxy (``deploy/haproxy.cfg``); any replica's
WebSocket subscribers see a session's events. The header names the replica that served a
request so operators and tests can see where the proxy sent a client.

Decisions:
- Opt-in (no header without a name): a default such as the host name would tell every client
  on the internet an internal machine name.
- An ``on_response_prepare`` signal rather than a middleware: it also runs for the WebSocket
  upgrade response and for error responses made by other middlewares.
"""

from __future__ import annotations

from aiohttp import web

from cuecard.api.keys import SETTINGS

REPLICA_HEADER = "X-Cuecard-Replica"


def setup(app: web.Application) -> None:
    name = app[SETTINGS].replica_name
    if not name:
        return

    async def _name_replica(request: web.Request, response: web.StreamResponse) -> None:
        response.headers[REPLICA_HEADER] = name

    app.on_response_prepare.append(_name_replica)
