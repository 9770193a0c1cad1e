"""The interview scheduler: the opt-in actions of upcoming interviews at their time.

- ``prepare_answers``: at ``calendar_prepare_hour`` (18:00 by default) local time the evening
  before, in the event's own time zone (the candidate's calendar shows the interview in it),
  the likely questions are predicted and drafted from the profile, stories and the matched job
  (``cuecard/drafting/prepared.py``) and stored with the interview. Decision: the evening
  before gives the candidate a read-through the night before and still reflects profile edits
  made that day; an interview imported after that moment is prepared at once.
- ``send_bot_minutes_before`` N: at start − N minutes the bot is sent through
  ``cuecard.api.bot_routes.launch_bot``, the code path of ``POST /api/bots``, with the consent
  recorded when the user opted in (the opt-in refuses to arm without it).

Each action runs once: the interview records when it ran (``prepared_at``, ``bot_sent_at``) or
why it failed (``bot_error``); ``next_due``/``armed`` then point at the next pending action.
An action whose moment passed by more than ``LATE_LIMIT_SECS`` is dropped, not run late (a bot
sent after the interview ended helps nobody). The clock is injected (``Scheduler(clock=...)``)
so tests run a day of schedule in milliseconds; ``run_due()`` is one tick.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loguru import logger

from cuecard.store.interviews import InterviewRecord

LATE_LIMIT_SECS = 6 * 3600.0
MAX_PREPARED = 12


def prepare_time(start: float, tz: str, hour: int) -> float:
    """Unix time of ``hour``:00 the day before ``start``, in time zone ``tz``."""
    try:
        zone: dt.tzinfo = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local = dt.datetime.fromtimestamp(start, zone)
    evening = (local - dt.timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return evening.timestamp()


def pending_actions(doc: dict[str, Any], prepare_hour: int) -> dict[str, float]:
    """action -> when it is due, for the opted-in actions not done yet."""
    actions: dict[str, float] = {}
    start = float(doc.get("start") or 0)
    if doc.get("prepare_answers") and not doc.get("prepared_at"):
        actions["prepare"] = prepare_time(start, doc.get("tz") or "UTC", prepare_hour)
    minutes = doc.get("send_bot_minutes_before")
    if minutes and doc.get("bot_consent") and not doc.get("bot_sent_at") and not doc.get("bot_error"):
        actions["bot"] = start - 60.0 * float(minutes)
    return actions


def arming(doc: dict[str, Any], prepare_hour: int) -> dict[str, Any]:
    """The ``armed``/``next_due`` fields for the interview's pending actions."""
    actions = pending_actions(doc, prepare_hour)
    return {"armed": 1 if actions else 0, "next_due": min(actions.values()) if actions else None}


class BotNotSent(Exception):
    """The bot could not be started (full server, refused URL…): the reason is kept."""


# (user id, meeting URL, consent record) -> {"bot_id", "session_id"}; raises BotNotSent
SendBot = Callable[[str, str, dict | None], Awaitable[dict[str, str]]]


class Scheduler:
    """Given the settings, how to reach the store, and how to send a bot (the app passes
    ``bot_routes.launch_bot``): nothing here imports the API, so ``cuecard.api.keys`` can name
    this type without a cycle."""

    def __init__(self, settings, store: Callable[[], Any], send_bot: SendBot, clock: Callable[[], float] = time.time):
        self._settings = settings
        self._store_of = store
        self._send_bot_now = send_bot
        self.clock = clock

    @property
    def _store(self):
        return self._store_of()

    async def run_due(self) -> list[tuple[str, str]]:
        """One tick: run what is due; (interview id, action) of what ran."""
        now = self.clock()
        ran: list[tuple[str, str]] = []
        hour = self._settings.calendar_prepare_hour
        for record in await self._store.interviews.due(now):
            doc = record.doc()
            for action, due in sorted(pending_actions(doc, hour).items(), key=lambda kv: kv[1]):
                if due > now:
                    continue
                changes = await self._run(record, action, due, now)
                doc.update(changes)
                ran.append((record.id, action))
            await self._store.interviews.set_fields(record.id, {**arming(doc, hour), **_changes_only(doc, record)})
        return ran

    async def _run(self, record: InterviewRecord, action: str, due: float, now: float) -> dict[str, Any]:
        if now - due > LATE_LIMIT_SECS:
            key = "prepared_at" if action == "prepare" else "bot_error"
            return {key: "missed" if action == "bot" else now, "missed_" + action: True}
        if action == "prepare":
            return await self._prepare(record, now)
        return await self._send_bot(record, now)

    async def _prepare(self, record: InterviewRecord, now: float) -> dict[str, Any]:
        from cuecard.drafting.prepared import PreparedAnswers
        from cuecard.pipeline.context import load_candidate
        from cuecard.store import NotFound

        extra = record.model_extra or {}
        try:
            candidate = await load_candidate(self._store, record.user_id, extra.get("job_id") or None)
        except NotFound:  # the matched job was deleted since: prepare from the newest one
            candidate = await load_candidate(self._store, record.user_id, None)
        prepared = await asyncio.to_thread(lambda: PreparedAnswers(candidate, limit=MAX_PREPARED).prepare())
        answers = [
            {"question": q.text, "type": str(q.qtype), "origin": q.origin, "drafts": q.drafts}
            for q in prepared.questions
        ]
        return {"prepared_at": now, "prepared": answers}

    async def _send_bot(self, record: InterviewRecord, now: float) -> dict[str, Any]:
        extra = record.model_extra or {}
        try:
            sent = await self._send_bot_now(record.user_id, extra.get("meeting_url", ""), extra.get("bot_consent"))
        except BotNotSent as e:
            logger.warning(f"interview {record.id}: bot not sent: {e}")
            return {"bot_error": str(e)}
        return {"bot_sent_at": now, **sent}


def _changes_only(doc: dict[str, Any], record: InterviewRecord) -> dict[str, Any]:
    before = record.doc()
    return {k: v for k, v in doc.items() if before.get(k) != v and k not in record.BOOKKEEPING}
