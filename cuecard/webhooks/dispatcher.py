"""The webhook dispatcher: follows the sessions of webhook owners on the event bus, queues one
delivery per (webhook, event) in the store, and sends due deliveries with retries.

Decisions:
- **Finding sessions.** The bus is per session and has no "session created" event, so every
  ``webhook_scan_secs`` the dispatcher lists the newest sessions of each account that has a
  webhook (``SCAN_SESSIONS`` per account) and follows those in a live state with
  ``bus.subscribe(session, after=0)``: the bus's history replays what happened before the
  scan found it. Only owners' sessions are followed: nobody else's events are read.
- **Queue in the store, not in memory.** A delivery is a document (``store/webhooks.py``) with
  ``state`` and ``next_attempt_at``; the send loop asks the store for due ones every
  ``webhook_tick_secs``. A restart loses nothing queued, and the delivery log is the same
  document. Its id is derived from (webhook, event id), so an event seen twice (replayed
  history after a restart) is queued once.
- **Retries.** Anything but a 2xx (including a timeout, a refused connection, a 3xx: redirects
  are not followed) is a failed attempt; the next one comes after
  ``webhook_backoff_base_secs * 2**(attempts-1)`` capped at ``webhook_backoff_max_secs``,
  until ``webhook_retry_window_secs`` (24 h) after the event; then the delivery is ``failed``.
  Each attempt is re-signed with its own time (a receiver's replay window stays short).
- **Time is injectable** (``clock``, ``sleep``): the tests drive the schedule on a fake clock.
- Not handled: several server replicas each running a dispatcher would each send a due
  delivery (the store has no claim primitive yet); run one dispatcher (``webhook_dispatch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from loguru import logger

from cuecard.kinds import SessionState
from cuecard.settings import Settings
from cuecard.store.backend import NotFound
from cuecard.store.webhooks import DELIVERED, FAILED, PENDING, DeliveryRecord, WebhookRecord
from cuecard.webhooks.events import SESSION_ENDED, SESSION_STARTED, webhook_event
from cuecard.webhooks.signature import HEADER, sign
from cuecard.webhooks.urls import GuardedResolver, UrlRefused, check_url

SCAN_SESSIONS = 20
LIVE_STATES = frozenset({SessionState.ACTIVE, SessionState.PAUSED})  # pending: not started yet
USER_AGENT = "Cuecard-Webhooks/1"
FINISHED_KEPT = 10_000
ERROR_TEXT = 300  # characters of an error kept in the log


class Dispatcher:
    def __init__(
        self,
        store,
        bus,
        settings: Settings,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.store = store
        self.bus = bus
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self._followed: dict[str, asyncio.Task] = {}
        self._finished: dict[str, None] = {}  # ended sessions, oldest first (not followed again)
        self._http: aiohttp.ClientSession | None = None
        self._resolver: GuardedResolver | None = None

    # --- following sessions ---------------------------------------------------------------------
    async def scan(self) -> int:
        """Follow the live sessions of every webhook owner not followed yet; how many were new."""
        owners = {hook.user_id for hook in await self.store.webhooks.all()}
        started = 0
        for owner in owners:
            for session in await self.store.sessions.list(owner, limit=SCAN_SESSIONS):
                if session.id in self._followed or session.id in self._finished:
                    continue
                if session.state not in LIVE_STATES:
                    continue
                self._followed[session.id] = asyncio.get_running_loop().create_task(self._follow(owner, session.id))
                started += 1
        return started

    async def _follow(self, owner: str, session_id: str) -> None:
        try:
            await self.publish(owner, SESSION_STARTED, f"{session_id}:started", {"session_id": session_id})
            async for event in self.bus.subscribe(session_id, after=0):
                found = webhook_event(event)
                if found is None:
                    continue
                kind, event_id = found
                await self.publish(owner, kind, event_id, event)
                if kind == SESSION_ENDED:
                    self._finished[session_id] = None
                    while len(self._finished) > FINISHED_KEPT:  # the oldest go; their events are queued already
                        del self._finished[next(iter(self._finished))]
                    return
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the next scan follows the session again (queued events are deduped)
            logger.warning(f"webhooks: following session {session_id} failed: {e!r}")
        finally:
            self._followed.pop(session_id, None)

    async def publish(self, user_id: str, kind: str, event_id: str, data: dict[str, Any]) -> int:
        """Queue ``kind`` for every webhook of ``user_id`` that takes it; how many were queued."""
        now = self.clock()
        queued = 0
        for hook in await self.store.webhooks.list(user_id):
            if kind not in hook.events:
                continue
            body = json.dumps({"id": event_id, "type": kind, "created": int(now), "data": data}, separators=(",", ":"))
            queued += await self.store.webhooks.enqueue(hook, event_id, kind, body, now) is not None
        return queued

    # --- sending ---------------------------------------------------------------------------------
    def backoff(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones."""
        s = self.settings
        return min(s.webhook_backoff_base_secs * 2 ** max(attempts - 1, 0), s.webhook_backoff_max_secs)

    async def run_due(self) -> int:
        """Attempt every due delivery once; how many were attempted."""
        due = await self.store.webhooks.due(self.clock())
        results = await asyncio.gather(*(self._attempt(d) for d in due), return_exceptions=True)
        for delivery, result in zip(due, results, strict=True):
            if isinstance(result, Exception):  # stays pending: tried again at the next tick
                logger.warning(f"webhooks: delivery {delivery.id} could not be attempted: {result!r}")
        return len(due)

    async def _attempt(self, delivery: DeliveryRecord) -> None:
        hook = await self.store.webhooks.find(delivery.webhook_id)
        if hook is None:  # deleted meanwhile (its log goes with it)
            return
        now = self.clock()
        status, error = await self._send(hook, delivery)
        attempts = [*delivery.attempts, {"at": now, "status": status, "error": error}]
        fields: dict[str, Any] = {"attempts": attempts, "last_status": status}
        if status is not None and 200 <= status < 300:
            fields.update(state=DELIVERED, next_attempt_at=None, delivered_at=now)
        else:
            next_at = now + self.backoff(len(attempts))
            if next_at - delivery.created_at > self.settings.webhook_retry_window_secs:
                fields.update(state=FAILED, next_attempt_at=None)
            else:
                fields.update(state=PENDING, next_attempt_at=next_at)
        with contextlib.suppress(NotFound):  # the webhook (and its log) was deleted during the attempt
            await self.store.webhooks.set_delivery(delivery.id, fields)

    async def _send(self, hook: WebhookRecord, delivery: DeliveryRecord) -> tuple[int | None, str | None]:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            HEADER: sign(hook.secret, body, int(self.clock())),
            "Cuecard-Event": delivery.event_type,
            "Cuecard-Delivery": delivery.id,
        }
        try:
            check_url(hook.url, self.settings.webhook_allow_loopback_http)  # IP literals skip the resolver
            async with self._client().post(hook.url, data=body, headers=headers, allow_redirects=False) as r:
                await r.content.read(64 * 1024)  # the answer is not kept; read a little to reuse the connection
                return r.status, None if r.status < 300 else f"HTTP {r.status}"
        except (aiohttp.ClientError, TimeoutError, OSError, UrlRefused) as e:
            host = urlsplit(hook.url).hostname or ""
            if self._resolver is not None and host in self._resolver.refused:
                return None, f"{host} resolves to no public address"
            return None, (str(e) or type(e).__name__)[:ERROR_TEXT]

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._resolver = GuardedResolver(self.settings.webhook_allow_loopback_http)
            connector = aiohttp.TCPConnector(resolver=self._resolver)
            timeout = aiohttp.ClientTimeout(total=self.settings.webhook_timeout_secs)
            self._http = aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False)
        return self._http

    # --- lifetime --------------------------------------------------------------------------------
    async def _every(self, period: float, step: Callable[[], Awaitable[Any]], what: str) -> None:
        while True:
            await self.sleep(period)
            try:
                await step()
            except Exception as e:  # one bad tick must not end the loop
                logger.exception(f"webhooks: {what} failed: {e}")

    async def run(self) -> None:
        """The scan and send loops, until cancelled."""
        s = self.settings
        try:
            await asyncio.gather(
                self._every(s.webhook_scan_secs, self.scan, "session scan"),
                self._every(s.webhook_tick_secs, self.run_due, "delivery tick"),
            )
        finally:
            await self.close()

    async def close(self) -> None:
        for task in list(self._followed.values()):
            task.cancel()
        for task in list(self._followed.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._followed.clear()
        if self._http is not None:
            await self._http.close()
