"""Webhooks (an account's endpoints) and their deliveries (one event to one endpoint, with every
attempt made).

Plain columns are only what queries need: ``user_id``; for deliveries ``webhook_id`` (the log
of one webhook), ``state`` and ``next_attempt_at`` (the dispatcher's due-work query across
users). Everything else — the URL, the signing ``secret``, the event body, the attempt log — is
not a queried field, so ``EncryptedBackend`` seals it under the owner's data key.

A delivery's id is derived from the webhook and the event's id (``delivery_id``), so an event
the dispatcher sees twice (a replayed bus history after a restart, two server processes on one
Redis bus) is queued once: the second ``insert`` is a ``Conflict``.
"""

from __future__ import annotations

import builtins
import hashlib
import time
from typing import Any

from cuecard.store.backend import Collection, Conflict, new_id
from cuecard.store.models import Owned
from cuecard.store.repository import OwnedDocuments, Repository

WEBHOOKS = Collection("webhooks", ("user_id",), (("user_id", "created_at"),))
DELIVERIES = Collection(
    "webhook_deliveries",
    ("user_id", "webhook_id", "state", "next_attempt_at"),
    (("webhook_id", "created_at"), ("state", "next_attempt_at"), ("user_id", "created_at")),
)

PENDING = "pending"  # waiting for its next attempt
DELIVERED = "delivered"  # a 2xx answer
FAILED = "failed"  # gave up: the retry window passed


class WebhookRecord(Owned):
    HIDDEN = ("user_id", "secret")  # the secret is shown once, when the webhook is created
    url: str = ""
    events: list[str] = []
    secret: str = ""


class DeliveryRecord(Owned):
    HIDDEN = ("user_id", "body")
    webhook_id: str
    state: str = PENDING
    next_attempt_at: float | None = None
    event_type: str = ""
    event_id: str = ""
    body: str = ""  # the JSON sent, exactly these bytes are signed
    attempts: list[dict[str, Any]] = []


def delivery_id(webhook_id: str, event_id: str) -> str:
    return "dl_" + hashlib.sha256(f"{webhook_id}|{event_id}".encode()).hexdigest()[:24]


class Webhooks(Repository):
    COLLECTIONS = (WEBHOOKS, DELIVERIES)

    def __init__(self, backend):
        super().__init__(backend)
        self.hooks = OwnedDocuments(backend, WEBHOOKS, WebhookRecord)
        self.deliveries = OwnedDocuments(backend, DELIVERIES, DeliveryRecord, order=(("created_at", -1),))

    async def create(self, user_id: str, url: str, events: list[str], secret: str) -> WebhookRecord:
        return await self.hooks.create(user_id, {"url": url, "events": events, "secret": secret})

    async def get(self, user_id: str, webhook_id: str) -> WebhookRecord:
        """``NotFound`` when absent or another user's."""
        return await self.hooks.get(user_id, webhook_id)

    async def find(self, webhook_id: str) -> WebhookRecord | None:
        return await self._get(WEBHOOKS, WebhookRecord, webhook_id)

    async def list(self, user_id: str, limit: int = 100, offset: int = 0) -> builtins.list[WebhookRecord]:
        return await self.hooks.list(user_id, limit, offset)

    async def count(self, user_id: str) -> int:
        return await self.hooks.count(user_id)

    async def all(self, limit: int = 10_000) -> builtins.list[WebhookRecord]:
        return await self._find(WEBHOOKS, WebhookRecord, {}, limit=limit)

    async def delete(self, user_id: str, webhook_id: str) -> None:
        """The webhook and its delivery log."""
        await self.hooks.delete(user_id, webhook_id)
        await self._db.delete(DELIVERIES, {"webhook_id": webhook_id})

    async def enqueue(
        self,
        hook: WebhookRecord,
        event_id: str,
        event_type: str,
        body: str,
        now: float,
        dedupe: bool = True,
        **extra: Any,
    ) -> DeliveryRecord | None:
        """A pending delivery due now; None when this event was already queued for this webhook
        (``dedupe`` False: always a new delivery, as for a redelivery)."""
        record = DeliveryRecord.model_validate(
            {
                **extra,
                "id": delivery_id(hook.id, event_id) if dedupe else "dl_" + new_id(),
                "event_id": event_id,
                "user_id": hook.user_id,
                "webhook_id": hook.id,
                "created_at": now,
                "updated_at": now,
                "state": PENDING,
                "next_attempt_at": now,
                "event_type": event_type,
                "body": body,
                "attempts": [],
            }
        )
        try:
            await self._db.insert(DELIVERIES, record.doc())
        except Conflict:
            return None
        return record

    async def get_delivery(self, user_id: str, webhook_id: str, delivery: str) -> DeliveryRecord:
        record = await self.deliveries.get(user_id, delivery)
        if record.webhook_id != webhook_id:
            raise DELIVERIES.missing(delivery)
        return record

    async def log(self, webhook_id: str, limit: int = 50, offset: int = 0) -> builtins.list[DeliveryRecord]:
        """Newest first."""
        return await self._find(
            DELIVERIES, DeliveryRecord, {"webhook_id": webhook_id}, (("created_at", -1),), limit, offset
        )

    async def count_log(self, webhook_id: str) -> int:
        return await self._db.count(DELIVERIES, {"webhook_id": webhook_id})

    async def due(self, now: float, limit: int = 100) -> builtins.list[DeliveryRecord]:
        """Pending deliveries whose next attempt is due, across users, earliest first."""
        pending = await self._find(DELIVERIES, DeliveryRecord, {"state": PENDING}, (("next_attempt_at", 1),), limit)
        return [d for d in pending if d.next_attempt_at is not None and d.next_attempt_at <= now]

    async def set_delivery(self, delivery: str, fields: dict[str, Any]) -> DeliveryRecord:
        return await self._update(DELIVERIES, DeliveryRecord, delivery, {**fields, "updated_at": time.time()})

    async def delete_all(self, user_id: str) -> None:
        await self.deliveries.delete_all(user_id)
        await self.hooks.delete_all(user_id)
