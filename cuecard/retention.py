"""Retention: sessions expire a number of days after their last activity, and a purge deletes
them with everything hanging off them.

An account's ``retention_days`` (``PATCH /api/account/settings``) wins; without one, and for
sessions without an account (the anonymous live page, replays), ``Settings.retention_days``
(30 by default). ``0`` keeps sessions until the user deletes them.

What one expired session takes along: the session, its transcript lines, questions and
suggestions (with their feedback), the practice attempts made in it and the saved snapshots
of the bots that wrote into it (``Store.delete_session``), its cached metrics
(``metrics:<id>`` in the app's cache). Exports are made on request and never stored, and no
audio is kept (the pipeline transcribes frames in memory), so there is nothing else on disk
for a session. The STT cache (cloud refinements by audio hash, not linked to a session) loses
entries older than the default retention. Each deletion is one ``retention_delete`` entry in
the audit log (actor ``system``), in the owner's log.

Decisions:
- "Last activity" is the latest of the session's ``created_at``, ``updated_at``, ``ended_at``
  and ``completed_at``: a session rejoined last week is not expired because it was created
  two months ago. Sessions live in this process are never purged.
- The purge walks sessions oldest first and stops at the first one created less than a day
  before now (no retention is shorter than a day), so a run reads only what may be expired.
- The clock is injected (``clock``): tests purge "31 days later" without waiting or patching
  ``time``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from cuecard.store import NotFound, Store
from cuecard.store.models import Session

DAY_SECS = 86_400.0
PAGE = 200
LOCAL_OWNER = "local"  # the anonymous live page's sessions (cuecard.api.rest_common.LOCAL_OWNER)


@dataclass
class PurgeReport:
    deleted: list[str] = field(default_factory=list)
    kept: int = 0
    stt_cache_entries: int = 0


def last_activity(session: Session) -> float:
    extra = session.model_extra or {}
    times = [session.created_at, session.updated_at, extra.get("ended_at"), extra.get("completed_at")]
    return max(float(t) for t in times if isinstance(t, (int, float)))


class RetentionPurge:
    def __init__(
        self,
        store: Store,
        default_days: int,
        *,
        clock: Callable[[], float] = time.time,
        cache: Any = None,
        stt_cache: Callable[[], Any] = lambda: None,  # the STT cache once the pipeline made one
        live_sessions: Callable[[], Iterable[str]] = lambda: (),
    ):
        self.store = store
        self.default_days = default_days
        self.clock = clock
        self.cache = cache
        self.stt_cache = stt_cache
        self.live_sessions = live_sessions

    async def _days_for(self, owner: str | None, known: dict[str | None, int]) -> int:
        if owner not in known:
            days = self.default_days
            if owner and owner != LOCAL_OWNER:
                try:
                    chosen = ((await self.store.accounts.get(owner)).model_extra or {}).get("retention_days")
                except NotFound:  # an owner without an account (a deleted one's leftovers)
                    chosen = None
                if isinstance(chosen, int) and not isinstance(chosen, bool):
                    days = chosen
            known[owner] = days
        return known[owner]

    async def run_once(self) -> PurgeReport:
        """Delete every expired session; what went."""
        now = self.clock()
        report = PurgeReport()
        known: dict[str | None, int] = {}
        live = set(self.live_sessions())
        offset = 0
        while page := await self.store.sessions.list_oldest(PAGE, offset):
            for session in page:
                if session.created_at > now - DAY_SECS:  # nothing newer can be expired
                    return await self._finish(report, now)
                days = await self._days_for(session.user_id, known)
                idle_since = last_activity(session)
                if days == 0 or session.id in live or idle_since > now - days * DAY_SECS:
                    report.kept += 1
                    offset += 1
                    continue
                await self._delete(session, days, idle_since)
                report.deleted.append(session.id)
        return await self._finish(report, now)

    async def _delete(self, session: Session, days: int, idle_since: float) -> None:
        try:
            await self.store.delete_session(session.id)
        except NotFound:  # deleted meanwhile (by its user or another process's purge)
            return
        if self.cache is not None:
            await self.cache.delete(f"metrics:{session.id}")
        await self.store.accounts.audit(
            session.user_id,
            "retention_delete",
            actor="system",
            session_id=session.id,
            retention_days=days,
            last_activity=round(idle_since, 3),
        )

    async def _finish(self, report: PurgeReport, now: float) -> PurgeReport:
        stt_cache = self.stt_cache()
        if stt_cache is not None and self.default_days > 0:
            cutoff = now - self.default_days * DAY_SECS
            report.stt_cache_entries = await asyncio.to_thread(stt_cache.purge_older_than, cutoff)
        if report.deleted:
            logger.info(f"Retention: deleted {len(report.deleted)} expired sessions, kept {report.kept}")
        return report


async def purge_forever(purge: RetentionPurge, interval_secs: float) -> None:
    """The server's background task: a purge at start-up, then every ``interval_secs``."""
    while True:
        try:
            await purge.run_once()
        except Exception as e:  # a failed run (store briefly unavailable) is retried next time
            logger.exception(f"Retention purge failed: {e}")
        await asyncio.sleep(interval_secs)
