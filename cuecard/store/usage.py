"""Usage and plans: what each account used per calendar month (UTC), and its billing plan.

Decision (one document per metered item, not one counter per month): the backends have no
atomic increment, so a monthly counter updated by two processes would lose writes. Instead
each item has its own document with a deterministic id — ``<user>:<month>:<kind>:<ref>`` —
and ``record`` *replaces* its amount: a live session's minutes are written again with the
new total each time one of its runs ends, so a retried write or a second process never
counts them twice. One-off items (a practice round, one LLM call's tokens) get a fresh
``ref``. A month's usage is the sum of its items (a few hundred documents at most).

Plans live in ``billing_accounts`` (one document per account, id = the account id), with the
Stripe customer and subscription ids when there are any.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from cuecard.store.backend import Collection, Conflict, new_id
from cuecard.store.repository import Repository

USAGE = Collection("usage", ("user_id", "month", "kind"), (("user_id", "month"),))
BILLING_ACCOUNTS = Collection("billing_accounts", ("user_id", "stripe_customer_id"), (("stripe_customer_id",),))
# Stripe webhook events already handled (id = the event id): the same event twice changes nothing.
STRIPE_EVENTS = Collection("stripe_events", ("type",), ())
USAGE_PAGE = 500
FREE = "free"


def month_of(at: float | None = None) -> str:
    """``YYYY-MM`` of a unix time (now by default), UTC."""
    return datetime.fromtimestamp(time.time() if at is None else at, UTC).strftime("%Y-%m")


class Usage(Repository):
    COLLECTIONS = (USAGE, BILLING_ACCOUNTS, STRIPE_EVENTS)

    async def record(
        self, user_id: str, kind: str, amount: float, ref: str | None = None, at: float | None = None
    ) -> None:
        """Set the amount of one item (``ref``: the session id for minutes; a new id if None)."""
        month = month_of(at)
        ref = ref or new_id()
        doc = {
            "id": f"{user_id}:{month}:{kind}:{ref}",
            "user_id": user_id,
            "month": month,
            "kind": kind,
            "ref": ref,
            "amount": float(amount),
            "created_at": time.time(),
        }
        await self._db.put(USAGE, doc)

    async def amount(self, user_id: str, kind: str, ref: str, at: float | None = None) -> float:
        """The recorded amount of one item (0 when none)."""
        doc = await self._db.get(USAGE, f"{user_id}:{month_of(at)}:{kind}:{ref}")
        return float(doc["amount"]) if doc else 0.0

    async def totals(self, user_id: str, month: str | None = None) -> dict[str, float]:
        """Kind -> summed amount for the account's month (this month by default)."""
        month = month or month_of()
        sums: dict[str, float] = {}
        offset = 0
        while page := await self._db.find(USAGE, {"user_id": user_id, "month": month}, (), USAGE_PAGE, offset):
            offset += len(page)
            for doc in page:
                sums[doc["kind"]] = sums.get(doc["kind"], 0.0) + float(doc.get("amount", 0))
            if len(page) < USAGE_PAGE:
                break
        return sums

    async def plan(self, user_id: str) -> str:
        doc = await self._db.get(BILLING_ACCOUNTS, user_id)
        return str(doc.get("plan") or FREE) if doc else FREE

    async def billing_account(self, user_id: str) -> dict[str, Any] | None:
        return await self._db.get(BILLING_ACCOUNTS, user_id)

    async def set_plan(self, user_id: str, plan: str, **fields: Any) -> None:
        """Set the account's plan (and Stripe ids or status) at once."""
        now = time.time()
        if await self._db.update(BILLING_ACCOUNTS, user_id, {"plan": plan, "updated_at": now, **fields}) is None:
            doc = {"id": user_id, "user_id": user_id, "plan": plan, "created_at": now, "updated_at": now, **fields}
            await self._db.put(BILLING_ACCOUNTS, doc)

    async def by_customer(self, customer_id: str) -> dict[str, Any] | None:
        """The billing account of a Stripe customer id."""
        found = await self._db.find(BILLING_ACCOUNTS, {"stripe_customer_id": customer_id}, (), 1)
        return found[0] if found else None

    async def claim_event(self, event_id: str, event_type: str) -> bool:
        """True the first time an event id is claimed, False ever after (idempotent webhooks)."""
        try:
            await self._db.insert(STRIPE_EVENTS, {"id": event_id, "type": event_type, "created_at": time.time()})
        except Conflict:
            return False
        return True

    async def release_event(self, event_id: str) -> None:
        """Forget a claim whose handling failed, so Stripe's retry is handled."""
        await self._db.delete(STRIPE_EVENTS, {"id": event_id})

    async def delete_all(self, user_id: str) -> int:
        gone = await self._db.delete(USAGE, {"user_id": user_id})
        return gone + await self._db.delete(BILLING_ACCOUNTS, {"id": user_id})
