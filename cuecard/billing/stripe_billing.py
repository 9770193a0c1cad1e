"""Stripe: Checkout Sessions for a plan, the customer portal, and the webhook that applies
subscription changes to the account's plan at once.

Decision (a ``StripeClient`` per server, calls in a worker thread): the client carries the
API key and, for tests, ``base_addresses={"api": stripe_api_base}`` (a local double of the
Stripe API), so no module-global ``stripe.api_key`` / ``stripe.api_base`` is shared between
apps in one process. Its calls are synchronous (``requests``); a few per checkout, so
``asyncio.to_thread`` costs less than carrying an async HTTP client's lifetime.

Webhooks: ``stripe.Webhook.construct_event`` checks the ``Stripe-Signature`` header
(``t=…,v1=HMAC-SHA256(secret, f"{t}.{payload}")``, 5-minute tolerance); a bad one is 400. Each
event id is claimed once in the store before it is handled (``store.usage.claim_event``): the
same event delivered twice changes nothing. Handling:
- ``customer.subscription.created`` / ``updated``: the plan of the subscription's price
  (``stripe_price_pro`` / ``stripe_price_team``, else its ``metadata.plan``) when its status
  is ``active`` or ``trialing``; ``past_due`` keeps the plan (Stripe retries the payment);
  any other status (canceled, unpaid, incomplete_expired, …) is Free.
- ``customer.subscription.deleted``: Free.
- ``invoice.paid`` / ``invoice.payment_failed``: recorded on the account (``payment_status``);
  the plan follows the subscription events Stripe sends with them.
The account is found by ``metadata.user_id`` (set at checkout) or by its Stripe customer id.
Stripe does not deliver events in order: a subscription event older (``created``) than the
last one applied to the account is recorded as handled and changes nothing (``stale``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import stripe

from cuecard.billing.plans import Plan
from cuecard.settings import Settings
from cuecard.store.facade import Store

ACTIVE = {"active", "trialing"}
KEEPS_PLAN = {"past_due"}
SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
}
INVOICE_EVENTS = {"invoice.paid": "paid", "invoice.payment_failed": "failed"}


class StripeNotConfigured(RuntimeError):
    pass


class BadSignature(ValueError):
    pass


def client(settings: Settings) -> stripe.StripeClient:
    if settings.stripe_secret_key is None:
        raise StripeNotConfigured("CUECARD_STRIPE_SECRET_KEY is not set")
    bases: Any = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    return stripe.StripeClient(settings.stripe_secret_key.get_secret_value(), base_addresses=bases)


def price_of(settings: Settings, plan: str) -> str | None:
    return {Plan.PRO: settings.stripe_price_pro, Plan.TEAM: settings.stripe_price_team}.get(Plan(plan))


def plan_of_price(settings: Settings, price_id: str | None) -> str | None:
    if price_id and price_id == settings.stripe_price_pro:
        return Plan.PRO
    if price_id and price_id == settings.stripe_price_team:
        return Plan.TEAM
    return None


async def customer_for(settings: Settings, store: Store, user_id: str, email: str) -> str:
    """The account's Stripe customer id, created (and kept) on first use."""
    account = await store.usage.billing_account(user_id)
    if account and account.get("stripe_customer_id"):
        return str(account["stripe_customer_id"])
    api = client(settings)
    customer = await asyncio.to_thread(api.v1.customers.create, {"email": email, "metadata": {"user_id": user_id}})
    plan = account.get("plan", Plan.FREE) if account else Plan.FREE
    await store.usage.set_plan(user_id, str(plan), stripe_customer_id=customer.id)
    return str(customer.id)


async def checkout(
    settings: Settings,
    store: Store,
    user_id: str,
    email: str,
    plan: str,
    success_url: str,
    cancel_url: str,
    quantity: int = 1,
) -> dict[str, str]:
    """A Checkout Session; ``quantity``: the seats of a Team subscription (its members)."""
    price = price_of(settings, plan)
    if not price:
        raise StripeNotConfigured(f"no Stripe price is configured for the {plan} plan")
    customer = await customer_for(settings, store, user_id, email)
    params: Any = {
        "mode": "subscription",
        "customer": customer,
        "client_reference_id": user_id,
        "line_items": [{"price": price, "quantity": max(1, quantity)}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": {"user_id": user_id, "plan": plan},
        "subscription_data": {"metadata": {"user_id": user_id, "plan": plan}},
    }
    session = await asyncio.to_thread(client(settings).v1.checkout.sessions.create, params)
    return {"id": str(session.id), "url": str(session.url)}


async def portal(settings: Settings, customer_id: str, return_url: str) -> str:
    params: Any = {"customer": customer_id, "return_url": return_url}
    session = await asyncio.to_thread(client(settings).v1.billing_portal.sessions.create, params)
    return str(session.url)


def verified_event(settings: Settings, payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event of a signed webhook body; ``BadSignature`` for a bad or missing signature."""
    if settings.stripe_webhook_secret is None:
        raise StripeNotConfigured("CUECARD_STRIPE_WEBHOOK_SECRET is not set")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.stripe_webhook_secret.get_secret_value())
    except stripe.SignatureVerificationError as e:
        raise BadSignature(f"the Stripe-Signature does not verify: {e.user_message or e}") from e
    except ValueError as e:  # not JSON
        raise BadSignature(f"the webhook body is not a Stripe event: {e}") from e
    return event.to_dict()


async def _account_of(store: Store, obj: dict[str, Any]) -> str | None:
    user_id = (obj.get("metadata") or {}).get("user_id")
    if user_id:
        return str(user_id)
    customer = obj.get("customer")
    account = await store.usage.by_customer(str(customer)) if customer else None
    return str(account["id"]) if account else None


def _subscription_plan(settings: Settings, subscription: dict[str, Any], current: str) -> str:
    if subscription.get("status") in KEEPS_PLAN:
        return current
    if subscription.get("status") not in ACTIVE:
        return Plan.FREE
    items = (subscription.get("items") or {}).get("data") or []
    price = ((items[0] if items else {}).get("price") or {}).get("id")
    plan = plan_of_price(settings, price) or (subscription.get("metadata") or {}).get("plan")
    return plan if plan in (Plan.PRO, Plan.TEAM) else current


async def handle_event(settings: Settings, store: Store, event: dict[str, Any]) -> str:
    """Apply one verified event once; what happened (``duplicate``, ``ignored``, ``stale``, ``applied``)."""
    kind = str(event.get("type"))
    if kind not in SUBSCRIPTION_EVENTS and kind not in INVOICE_EVENTS:
        return "ignored"
    if not await store.usage.claim_event(str(event["id"]), kind):
        return "duplicate"
    try:
        obj = (event.get("data") or {}).get("object") or {}
        user_id = await _account_of(store, obj)
        if user_id is None:
            return "ignored"
        fields: dict[str, Any] = {"stripe_customer_id": obj["customer"]} if obj.get("customer") else {}
        current = await store.usage.plan(user_id)
        if kind in SUBSCRIPTION_EVENTS:
            created = float(event.get("created") or 0)
            account = await store.usage.billing_account(user_id) or {}
            if created and created < float(account.get("subscription_event_at") or 0):
                return "stale"
            fields["subscription_event_at"] = created
        if kind in INVOICE_EVENTS:
            await store.usage.set_plan(user_id, current, payment_status=INVOICE_EVENTS[kind], **fields)
        elif kind == "customer.subscription.deleted":
            await store.usage.set_plan(user_id, Plan.FREE, subscription_status="canceled", **fields)
        else:
            plan = _subscription_plan(settings, obj, current)
            await store.usage.set_plan(
                user_id,
                plan,
                stripe_subscription_id=obj.get("id"),
                subscription_status=obj.get("status"),
                **fields,
            )
        return "applied"
    except Exception:
        await store.usage.release_event(str(event["id"]))  # Stripe retries: handle it then
        raise
