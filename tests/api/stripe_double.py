"""A TEST DOUBLE of the Stripe API (the real one is unreachable offline): a small aiohttp
server on loopback answering the three calls Cuecard makes — ``POST /v1/customers``,
``POST /v1/checkout/sessions``, ``POST /v1/billing_portal/sessions`` — with objects of the
documented shape, and recording each request (path, form fields, API key) for the tests.
The real ``stripe`` package talks to it through ``CUECARD_STRIPE_API_BASE``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class StripeDouble:
    api_key: str = "sk_test_double"
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def calls_to(self, path: str) -> list[dict[str, str]]:
        return [form for p, form in self.calls if p == path]

    async def _record(self, request: web.Request) -> dict[str, str]:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            raise web.HTTPUnauthorized(
                text='{"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}',
                content_type="application/json",
            )
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.calls.append((request.path, form))
        return form

    async def customers(self, request: web.Request) -> web.Response:
        form = await self._record(request)
        return web.json_response(
            {"id": f"cus_double{next(self._ids)}", "object": "customer", "email": form.get("email")}
        )

    async def checkout_sessions(self, request: web.Request) -> web.Response:
        form = await self._record(request)
        n = next(self._ids)
        return web.json_response(
            {
                "id": f"cs_test_double{n}",
                "object": "checkout.session",
                "mode": form.get("mode"),
                "customer": form.get("customer"),
                "url": f"https://checkout.stripe.test/c/pay/cs_test_double{n}",
            }
        )

    async def portal_sessions(self, request: web.Request) -> web.Response:
        form = await self._record(request)
        n = next(self._ids)
        return web.json_response(
            {
                "id": f"bps_double{n}",
                "object": "billing_portal.session",
                "customer": form.get("customer"),
                "url": f"https://billing.stripe.test/p/session/double{n}",
            }
        )

    async def start(self) -> StripeDouble:
        app = web.Application()
        app.router.add_post("/v1/customers", self.customers)
        app.router.add_post("/v1/checkout/sessions", self.checkout_sessions)
        app.router.add_post("/v1/billing_portal/sessions", self.portal_sessions)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
