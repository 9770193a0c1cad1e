"""Stripe billing (issue 19, deliverable 4): Checkout and portal against a local TEST DOUBLE
of the Stripe API (``stripe_double.py``; the real ``stripe`` package makes the calls), and
webhooks signed by Stripe's documented scheme (``t=…,v1=HMAC-SHA256(secret, f"{t}.{payload}")``)
and verified by ``stripe.Webhook.construct_event``: bad signatures are 400, plan changes
apply at once, the same event twice changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.api.keys import SERVICES

from .conftest import User, api_settings
from .stripe_double import StripeDouble

WEBHOOK_SECRET = "whsec_test_double_secret"


def signed(event: dict, secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, dict]:
    payload = json.dumps(event).encode()
    t = int(time.time()) if at is None else at
    v1 = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, {"Stripe-Signature": f"t={t},v1={v1}", "Content-Type": "application/json"}


def subscription_event(event_id: str, kind: str, user_id: str | None, customer: str, price: str, status="active"):
    subscription = {
        "id": "sub_1",
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": {"user_id": user_id} if user_id else {},
        "items": {"object": "list", "data": [{"id": "si_1", "price": {"id": price, "object": "price"}}]},
    }
    return {"id": event_id, "object": "event", "type": kind, "created": time.time(), "data": {"object": subscription}}


@pytest.fixture
async def stripe_double():
    double = await StripeDouble().start()
    yield double
    await double.close()


@pytest.fixture
async def billing_client(tmp_path, stripe_double):
    settings = api_settings(
        tmp_path,
        billing="on",
        stripe_secret_key=stripe_double.api_key,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_price_pro="price_pro_double",
        stripe_price_team="price_team_double",
        stripe_api_base=stripe_double.base,
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client


async def new_user(client) -> User:
    email = f"payer{time.monotonic_ns()}@example.org"
    r = await client.post("/api/auth/register", json={"email": email, "password": "correct horse battery"})
    assert r.status == 201, await r.text()
    return User(client, email, "correct horse battery", await r.json())


async def plan(user: User) -> str:
    return (await (await user.req("GET", "/api/billing/usage")).json())["plan"]


async def test_checkout_creates_one_customer_and_a_subscription_session(billing_client, stripe_double):
    user = await new_user(billing_client)
    r = await user.req("POST", "/api/billing/portal")
    assert r.status == 409  # no customer yet
    r = await user.req("POST", "/api/billing/checkout", json={"plan": "pro"})
    assert r.status == 200, await r.text()
    session = await r.json()
    assert session["url"].startswith("https://checkout.stripe.test/") and session["id"].startswith("cs_test_")
    [customer] = stripe_double.calls_to("/v1/customers")
    assert customer["email"] == user.email and customer["metadata[user_id]"] == user.id
    [checkout] = stripe_double.calls_to("/v1/checkout/sessions")
    assert checkout["mode"] == "subscription" and checkout["line_items[0][price]"] == "price_pro_double"
    assert checkout["customer"].startswith("cus_double") and checkout["client_reference_id"] == user.id
    assert checkout["success_url"].endswith("/account?billing=success")
    r = await user.req("POST", "/api/billing/checkout", json={"plan": "team"})
    assert r.status == 200
    assert len(stripe_double.calls_to("/v1/customers")) == 1  # the customer is kept
    assert stripe_double.calls_to("/v1/checkout/sessions")[1]["line_items[0][price]"] == "price_team_double"
    r = await user.req("POST", "/api/billing/portal")
    assert r.status == 200 and (await r.json())["url"].startswith("https://billing.stripe.test/")
    assert stripe_double.calls_to("/v1/billing_portal/sessions")[0]["customer"] == checkout["customer"]
    # bad input: 400, no call to Stripe
    r = await user.req("POST", "/api/billing/checkout", json={"plan": "enterprise"})
    assert r.status == 400 and len(stripe_double.calls_to("/v1/checkout/sessions")) == 2
    assert (await billing_client.post("/api/billing/checkout", json={"plan": "pro"})).status == 401


async def test_webhooks_verify_signatures_apply_plans_at_once_and_are_idempotent(billing_client):
    user = await new_user(billing_client)
    store = billing_client.server.app[SERVICES].store
    await store.usage.set_plan(user.id, "free", stripe_customer_id="cus_known")
    created = subscription_event("evt_1", "customer.subscription.created", user.id, "cus_known", "price_pro_double")

    async def post(payload: bytes, headers: dict):
        return await billing_client.post("/api/billing/stripe-webhook", data=payload, headers=headers)

    # bad signatures: wrong secret, tampered body, stale timestamp, none at all
    payload, headers = signed(created, secret="whsec_wrong")
    assert (await post(payload, headers)).status == 400
    payload, headers = signed(created)
    assert (await post(payload.replace(b"price_pro", b"price_team"), headers)).status == 400
    assert (await post(*signed(created, at=int(time.time()) - 3600))).status == 400
    r = await post(payload, {"Content-Type": "application/json"})
    assert r.status == 400 and (await r.json())["error"]["code"] == "bad_signature"
    assert await plan(user) == "free"

    r = await post(*signed(created))
    assert r.status == 200 and (await r.json())["result"] == "applied"
    assert await plan(user) == "pro"  # at once
    # the same event again changes nothing, even after the plan moved on
    await store.usage.set_plan(user.id, "team")
    r = await post(*signed(created))
    assert r.status == 200 and (await r.json())["result"] == "duplicate"
    assert await plan(user) == "team"

    # found by customer id alone; an update to the Pro price; past_due keeps the plan
    updated = subscription_event("evt_2", "customer.subscription.updated", None, "cus_known", "price_pro_double")
    assert (await (await post(*signed(updated))).json())["result"] == "applied"
    assert await plan(user) == "pro"
    past_due = subscription_event(
        "evt_3", "customer.subscription.updated", None, "cus_known", "price_pro_double", "past_due"
    )
    await post(*signed(past_due))
    assert await plan(user) == "pro"
    failed = {"id": "evt_4", "type": "invoice.payment_failed", "data": {"object": {"customer": "cus_known"}}}
    assert (await (await post(*signed(failed))).json())["result"] == "applied"
    assert (await store.usage.billing_account(user.id) or {})["payment_status"] == "failed"
    paid = {"id": "evt_5", "type": "invoice.paid", "data": {"object": {"customer": "cus_known"}}}
    await post(*signed(paid))
    assert (await store.usage.billing_account(user.id) or {})["payment_status"] == "paid"
    deleted = subscription_event("evt_6", "customer.subscription.deleted", None, "cus_known", "price_pro_double")
    await post(*signed(deleted))
    assert await plan(user) == "free"
    # an older update delivered late changes nothing
    late = subscription_event("evt_9", "customer.subscription.updated", None, "cus_known", "price_team_double")
    late["created"] = 1_000_000_000
    r = await post(*signed(late))
    assert (await r.json())["result"] == "stale" and await plan(user) == "free"
    unrelated = {"id": "evt_7", "type": "charge.refunded", "data": {"object": {"customer": "cus_known"}}}
    assert (await (await post(*signed(unrelated))).json())["result"] == "ignored"
    # a subscription that ended unpaid is Free, and a delivery to nobody we know changes nothing
    stranger = subscription_event("evt_8", "customer.subscription.created", None, "cus_nobody", "price_pro_double")
    assert (await (await post(*signed(stranger))).json())["result"] == "ignored"


async def test_billing_off_has_no_webhook_route(client):
    payload, headers = signed({"id": "evt_1", "type": "invoice.paid", "data": {"object": {}}})
    r = await client.post("/api/billing/stripe-webhook", data=payload, headers=headers)
    assert r.status == 404


async def test_billing_routes_are_in_the_openapi_document_when_on(billing_client):
    doc = await (await billing_client.get("/api/openapi.json")).json()
    for path in ("/api/billing/usage", "/api/billing/checkout", "/api/billing/portal", "/api/billing/stripe-webhook"):
        assert path in doc["paths"], path
    offer = doc["paths"]["/api/offer"]["post"]["responses"]["402"]
    assert "quota_exceeded" in json.dumps(offer)
