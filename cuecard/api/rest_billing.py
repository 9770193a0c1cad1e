"""Plans and billing routes (``/api/billing/*``) and the hooks the capture paths call.

Mounted only with ``CUECARD_BILLING=on``; with billing off (the default) ``setup`` adds no
route and no meter, every hook below is a no-op and no limit applies.

Hooks (each a no-op when billing is off):
- ``check_capture_quota``: ``POST /api/offer`` and ``POST /api/bots``, in the quota slot of
  their check chain (authentication → consent → quota → capacity → validation): 402.
- ``live_started`` / ``live_ended``, ``bot_metered``: a live run or a bot run begins and ends (metering).
- ``practice_quota`` / ``practice_created``: ``POST /api/practice/sessions``.

Decision (a rejoin is not refused for quota): a page that lost its connection rejoins with the
session id; refusing it would cut a running interview, which issue 19 forbids. A rejoin of the
caller's own session started within ``REJOIN_GRACE_SECS`` passes the quota (its minutes are
still metered); an older session is a new capture and is checked.
"""

from __future__ import annotations

import asyncio
import time
from typing import Literal

import stripe
from aiohttp import web
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api import rest_teams
from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import BILLING, SERVICES, SETTINGS, USER_ID
from cuecard.api.rest_common import INT, LOCAL_OWNER, NUM, STR, ApiRoutes, obj, read_model, require_user, services
from cuecard.billing import stripe_billing
from cuecard.billing.metering import Meter
from cuecard.billing.plans import Metric, limits
from cuecard.billing.quotas import capture_minutes, check_capture, check_practice, effective_plan, resets_at
from cuecard.billing.quotas import plan_limits as plan_limits_of
from cuecard.store.usage import month_of

routes = ApiRoutes("billing")

REJOIN_GRACE_SECS = 12 * 3600
NULLABLE_NUM = {"type": ["number", "null"]}
USAGE = obj(
    ("plan", "month", "resets_at", "usage", "limits", "remaining"),
    plan={"type": "string", "enum": ["free", "pro", "team"]},
    month=STR,
    resets_at={"type": "string", "format": "date"},
    usage=obj((), live_minutes=NUM, bot_minutes=NUM, practice_sessions=NUM, llm_tokens=NUM),
    limits=obj((), live_minutes=INT, practice_sessions=INT, cloud_models={"type": "boolean"}),
    remaining=obj((), live_minutes=NULLABLE_NUM, practice_sessions=NULLABLE_NUM),
)


def _caller(request: web.Request) -> str:
    return request.get(USER_ID) or LOCAL_OWNER


@routes.add(
    "GET",
    "/api/billing/usage",
    "The caller's plan, this month's usage, limits and what remains (null = unlimited; "
    "without a token: the anonymous live page's usage)",
    response=USAGE,
    auth="optional",
)
async def get_usage(request: web.Request) -> web.Response:
    user_id = _caller(request)
    store = services(request).store
    plan = await effective_plan(store, user_id)
    plan_limits = limits(request.app[SETTINGS], plan)
    totals = await store.usage.totals(user_id)
    used = {m.value: round(totals.get(m, 0.0), 2) for m in Metric}
    live_used = capture_minutes(totals)
    practice_used = totals.get(Metric.PRACTICE_SESSIONS, 0.0)

    def left(limit: int, used_now: float) -> float | None:
        return None if limit <= 0 else round(max(0.0, limit - used_now), 2)

    return web.json_response(
        {
            "plan": plan,
            "month": month_of(),
            "resets_at": resets_at().isoformat(),
            "usage": used,
            "limits": {
                "live_minutes": plan_limits.live_minutes,
                "practice_sessions": plan_limits.practice_sessions,
                "cloud_models": plan_limits.cloud_models,
            },
            "remaining": {
                "live_minutes": left(plan_limits.live_minutes, live_used),
                "practice_sessions": left(plan_limits.practice_sessions, practice_used),
            },
        }
    )


class CheckoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: Literal["pro", "team"] = Field(description="the plan to subscribe to")


CHECKOUT = obj(("id", "url"), id=STR, url={"type": "string", "format": "uri"})
PORTAL = obj(("url",), url={"type": "string", "format": "uri"})
WEBHOOK_RESULT = obj(
    ("received", "result"), received={"type": "boolean"}, result={"enum": ["applied", "duplicate", "ignored", "stale"]}
)


def _return_url(request: web.Request, outcome: str) -> str:
    """Back to this server's account page (never a URL from the request body: no open redirect)."""
    return f"{request.url.origin()}/account?billing={outcome}"


def _stripe_failure(e: Exception) -> ApiError:
    if isinstance(e, stripe_billing.StripeNotConfigured):
        return ApiError(503, "billing_not_configured", str(e))
    return ApiError(502, "stripe_error", f"Stripe refused the request: {getattr(e, 'user_message', None) or e}")


@routes.add(
    "POST",
    "/api/billing/checkout",
    "A Stripe Checkout Session that subscribes the caller to a plan: open its url",
    body=CheckoutIn,
    response=CHECKOUT,
    extra_statuses=(502, 503),
)
async def post_checkout(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, CheckoutIn)
    store = services(request).store
    account = await store.accounts.get(user_id)
    seats = await rest_teams.owned_seats(store, user_id) if body.plan == "team" else 1
    try:
        session = await stripe_billing.checkout(
            request.app[SETTINGS],
            store,
            user_id,
            account.email,
            body.plan,
            _return_url(request, "success"),
            _return_url(request, "cancelled"),
            quantity=seats,
        )
    except (stripe_billing.StripeNotConfigured, stripe.StripeError) as e:
        raise _stripe_failure(e) from e
    return web.json_response(session)


@routes.add(
    "POST",
    "/api/billing/portal",
    "A link to the Stripe customer portal (invoices, payment method, cancel)",
    response=PORTAL,
    extra_statuses=(409, 502, 503),
)
async def post_portal(request: web.Request) -> web.Response:
    user_id = require_user(request)
    account = await services(request).store.usage.billing_account(user_id)
    customer = (account or {}).get("stripe_customer_id")
    if not customer:
        raise ApiError(409, "no_subscription", "this account has no Stripe customer yet: subscribe through checkout")
    try:
        url = await stripe_billing.portal(request.app[SETTINGS], str(customer), _return_url(request, "portal"))
    except (stripe_billing.StripeNotConfigured, stripe.StripeError) as e:
        raise _stripe_failure(e) from e
    return web.json_response({"url": url})


@routes.add(
    "POST",
    "/api/billing/stripe-webhook",
    "Stripe's webhook (Stripe-Signature checked; each event applied once)",
    response=WEBHOOK_RESULT,
    auth=False,
    extra_statuses=(503,),
)
async def post_stripe_webhook(request: web.Request) -> web.Response:
    payload = await request.read()
    settings = request.app[SETTINGS]
    try:
        event = stripe_billing.verified_event(settings, payload, request.headers.get("Stripe-Signature"))
    except stripe_billing.BadSignature as e:
        raise bad_request(str(e), "Stripe-Signature", code="bad_signature") from e
    except stripe_billing.StripeNotConfigured as e:
        raise _stripe_failure(e) from e
    result = await stripe_billing.handle_event(settings, services(request).store, event)
    return web.json_response({"received": True, "result": result})


# -- hooks for the capture paths ----------------------------------------------------------------


async def check_capture_quota(app: web.Application, user_id: str, rejoining: str | None = None) -> None:
    """402 ``quota_exceeded`` when ``user_id`` used the live minutes of the month."""
    if app.get(BILLING) is None:
        return
    store = app[SERVICES].store
    if rejoining is not None:
        session = await store.sessions.find(rejoining)
        if session is not None and session.user_id == user_id:
            if time.time() - (session.created_at or 0) < REJOIN_GRACE_SECS:
                return
    await check_capture(app[SETTINGS], store, user_id)


async def offline_only(app: web.Application, user_id: str) -> bool:
    """True when the account's plan allows offline models only (Free, billing on)."""
    if app.get(BILLING) is None:
        return False
    _plan, plan_limits = await plan_limits_of(app[SETTINGS], app[SERVICES].store, user_id)
    return not plan_limits.cloud_models


def live_started(app: web.Application, session_id: str, user_id: str) -> None:
    """A live run of the session begins (its pipeline starts)."""
    meter = app.get(BILLING)
    if meter is not None:
        meter.started(Metric.LIVE_MINUTES, session_id, user_id)


async def live_ended(app: web.Application, session_id: str) -> None:
    """The live run ended: its minutes go to the account (never raises)."""
    meter = app.get(BILLING)
    if meter is not None:
        await meter.ended(Metric.LIVE_MINUTES, session_id)


def bot_metered(app: web.Application, bot_id: str, user_id: str, task: asyncio.Task) -> None:
    """Meter a bot's run: from now to the end of its task."""
    meter = app.get(BILLING)
    if meter is None:
        return
    meter.started(Metric.BOT_MINUTES, bot_id, user_id)

    def on_done(_task: asyncio.Task) -> None:
        ending = asyncio.get_running_loop().create_task(meter.ended(Metric.BOT_MINUTES, bot_id))
        _PENDING.add(ending)
        ending.add_done_callback(_PENDING.discard)

    task.add_done_callback(on_done)


_PENDING: set[asyncio.Task] = set()  # bot-minute writes in flight (keeps them referenced)


async def practice_quota(app: web.Application, user_id: str) -> None:
    if app.get(BILLING) is not None:
        await check_practice(app[SETTINGS], app[SERVICES].store, user_id)


async def practice_created(app: web.Application, user_id: str, practice_id: str) -> None:
    meter = app.get(BILLING)
    if meter is None:
        return
    try:
        await meter.practice_session(user_id, practice_id)
    except Exception as e:
        logger.warning(f"practice session {practice_id} not metered: {e!r}")


def setup(app: web.Application) -> None:
    if app[SETTINGS].billing != "on":
        return  # self-hosting: no billing route, no metering, no limit
    app[BILLING] = Meter(lambda: app[SERVICES].store)
    routes.setup(app)
    rest_teams.setup(app)
