"""Calendar: ``POST /api/calendar/import`` (an ICS file), ``POST /api/calendar/subscribe`` (a
private ICS URL, fetched again every ``calendar_refresh_secs``), ``GET /api/interviews`` (the
upcoming ones), ``PATCH /api/interviews/{id}`` (opt-ins: prepared answers the evening before,
a bot N minutes before the start).

How interviews are recognised: ``cuecard/calendar/ics.py``; fetching safely:
``cuecard/calendar/fetch.py``; the scheduled actions: ``cuecard/calendar/scheduler.py``.

Decisions:
- The bot opt-in is a capture like ``POST /api/bots``: the PATCH that sets
  ``send_bot_minutes_before`` needs ``consent: true`` (403 ``consent_required`` otherwise,
  the same body as the capture paths). The consent record is stored (encrypted) with the
  interview, audited, and handed to the bot's session when the scheduler sends it.
- The scheduler and the background fetch are ``cleanup_ctx`` tasks of the app; their clock is
  the scheduler's (``CALENDAR_SCHEDULER``), which tests replace with a fake one. "Upcoming"
  uses the same clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any

from aiohttp import web
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.bot_routes import BotCreate, launch_bot
from cuecard.api.errors import ApiError
from cuecard.api.keys import CALENDAR_SCHEDULER, SERVICES, SETTINGS
from cuecard.api.rest_common import (
    BOOL,
    INT,
    NUM,
    STR,
    ApiRoutes,
    not_found,
    obj,
    require_user,
    services,
)
from cuecard.api.rest_consent import (
    CONSENT_FIELDS,
    CONSENT_REQUIRED,
    ConsentRequired,
    audit_event,
    new_consent,
    read_object,
    validate,
)
from cuecard.api.rest_profile import _read_upload
from cuecard.calendar.fetch import FetchRefused, check_url, fetch_ics
from cuecard.calendar.ics import CalendarError, find_interviews, job_for
from cuecard.calendar.scheduler import BotNotSent, Scheduler, arming
from cuecard.store import NotFound
from cuecard.store.interviews import InterviewRecord

routes = ApiRoutes("calendar")

NULL_NUM = {"type": ["number", "null"]}
INTERVIEW = obj(
    ("id", "start", "end", "summary", "company", "title", "meeting_url"),
    id=STR,
    start=NUM,
    end=NUM,
    tz=STR,
    summary=STR,
    company=STR,
    title=STR,
    meeting_url=STR,
    platform=STR,
    location=STR,
    job_id={"type": ["string", "null"]},
    source=STR,
    prepare_answers=BOOL,
    send_bot_minutes_before={"type": ["integer", "null"]},
    bot_consent_recorded=BOOL,
    prepared_at=NULL_NUM,
    prepared={"type": "array"},
    bot_sent_at=NULL_NUM,
    bot_id={"type": ["string", "null"]},
    bot_error={"type": ["string", "null"]},
)
IMPORT_REPORT = obj(
    ("events_read", "found", "created", "updated", "interviews"),
    events_read=INT,
    found=INT,
    created=INT,
    updated=INT,
    interviews={"type": "array", "items": INTERVIEW},
)
SUBSCRIPTION = obj(("id", "host", "created_at"), id=STR, host=STR, created_at=NUM, last_fetched_at=NULL_NUM)


class SubscribeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, description="private ICS URL (https)")


class InterviewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prepare_answers: bool | None = None
    send_bot_minutes_before: int | None = Field(default=None, ge=1, le=240)
    consent: bool | None = CONSENT_FIELDS["consent"][1]
    consent_version: str | None = CONSENT_FIELDS["consent_version"][1]


def view(record: InterviewRecord) -> dict[str, Any]:
    shown = record.public()
    shown.pop("description", None)
    shown["bot_consent_recorded"] = bool((record.model_extra or {}).get("bot_consent"))
    return shown


def _scheduler(app: web.Application) -> Scheduler:
    return app[CALENDAR_SCHEDULER]


async def import_ics(app: web.Application, user_id: str, data: bytes, source: str) -> dict[str, Any]:
    """Find the interviews in ``data`` and upsert them; the import report. ``CalendarError``."""
    store = app[SERVICES].store
    settings = app[SETTINGS]
    jobs = [j.public() for j in await store.material.jobs.list(user_id, 500, 0)]
    now = dt.datetime.fromtimestamp(_scheduler(app).clock(), dt.UTC)
    found, read = await asyncio.to_thread(find_interviews, data, now, settings.calendar_horizon_days, jobs)
    created = updated = 0
    shown = []
    for interview in found:
        job = job_for(interview.company, f"{interview.summary}\n{interview.description}", jobs)
        fields = {**interview.fields(), "job_id": job["id"] if job else None, "source": source}
        record, new = await store.interviews.upsert(user_id, interview.key, fields)
        record = await store.interviews.set_fields(
            record.id, arming(record.doc(), settings.calendar_prepare_hour)
        )  # a moved interview moves its scheduled actions
        created += new
        updated += not new
        shown.append(view(record))
    return {"events_read": read, "found": len(found), "created": created, "updated": updated, "interviews": shown}


@routes.add(
    "POST",
    "/api/calendar/import",
    "Import an ICS file (multipart field 'file' or raw body): the interviews in it are found and saved",
    response=IMPORT_REPORT,
    upload=True,
    extra_statuses=(422,),
)
async def import_calendar(request: web.Request) -> web.Response:
    user_id = require_user(request)
    data, _ = await _read_upload(request)
    if not data.strip():
        raise ApiError(400, "empty_file", "the uploaded calendar is empty", "file")
    if len(data) > request.app[SETTINGS].calendar_max_bytes:
        raise ApiError(413, "too_large", "the calendar is too large", "file")
    try:
        report = await import_ics(request.app, user_id, data, "import")
    except CalendarError as e:
        raise ApiError(422, "invalid_calendar", str(e), "file") from None
    await audit_event(request, user_id, "calendar_import", found=report["found"])
    return web.json_response(report)


@routes.add(
    "POST",
    "/api/calendar/subscribe",
    "Subscribe to a private ICS URL (https): fetched now and every calendar_refresh_secs",
    body=SubscribeIn,
    response=obj(("subscription", "report"), subscription=SUBSCRIPTION, report=IMPORT_REPORT),
    status=201,
    extra_statuses=(422,),
)
async def subscribe(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = validate(SubscribeIn, await read_object(request))
    settings = request.app[SETTINGS]
    try:
        url = check_url(body.url, settings.calendar_allow_loopback_http)
    except FetchRefused as e:
        raise ApiError(400, "url_refused", str(e), "url") from None
    try:
        data = await _fetch(request.app, url)
        report = await import_ics(request.app, user_id, data, "subscription")
    except FetchRefused as e:
        raise ApiError(422, "fetch_failed", str(e), "url") from None
    except CalendarError as e:
        raise ApiError(422, "invalid_calendar", str(e), "url") from None
    now = _scheduler(request.app).clock()
    record = await services(request).store.interviews.subscriptions.create(
        user_id, {"url": url, "host": url.split("/")[2], "last_fetched_at": now}
    )
    await audit_event(request, user_id, "calendar_subscribe", host=url.split("/")[2])
    return web.json_response({"subscription": record.public(), "report": report}, status=201)


@routes.add("DELETE", "/api/calendar/subscriptions/{item_id}", "Stop a calendar subscription", status=204)
async def unsubscribe(request: web.Request) -> web.Response:
    user_id = require_user(request)
    try:
        await services(request).store.interviews.subscriptions.delete(user_id, request.match_info["item_id"])
    except NotFound:
        raise not_found("no such subscription", "item_id") from None
    return web.Response(status=204)


async def _fetch(app: web.Application, url: str) -> bytes:
    settings = app[SETTINGS]
    return await fetch_ics(
        url,
        max_bytes=settings.calendar_max_bytes,
        timeout_secs=settings.calendar_fetch_timeout_secs,
        allow_loopback_http=settings.calendar_allow_loopback_http,
    )


@routes.add(
    "GET",
    "/api/interviews",
    "Upcoming interviews found in the user's calendars, soonest first",
    response=obj(("items",), items={"type": "array", "items": INTERVIEW}),
)
async def list_interviews(request: web.Request) -> web.Response:
    user_id = require_user(request)
    now = _scheduler(request.app).clock()
    items = await services(request).store.interviews.upcoming(user_id, now)
    return web.json_response({"items": [view(r) for r in items]})


@routes.add(
    "PATCH",
    "/api/interviews/{item_id}",
    "Opt-ins of one interview: prepare_answers (the evening before), send_bot_minutes_before "
    "(needs consent: true, as any capture)",
    body=InterviewPatch,
    response=INTERVIEW,
    extra_statuses=(422,),
    error_schemas={403: CONSENT_REQUIRED},
)
async def patch_interview(request: web.Request) -> web.Response:
    user_id = require_user(request)
    raw = await read_object(request)
    body = validate(InterviewPatch, raw)
    store = services(request).store
    try:
        record = await store.interviews.get(user_id, request.match_info["item_id"])
    except NotFound:
        raise not_found("no such interview", "item_id") from None
    extra = record.model_extra or {}
    changes: dict[str, Any] = {}
    if body.prepare_answers is not None:
        changes["prepare_answers"] = body.prepare_answers
    if "send_bot_minutes_before" in raw:
        minutes = body.send_bot_minutes_before
        if minutes is not None:
            if not extra.get("meeting_url"):
                raise ApiError(422, "no_meeting_link", "this interview has no meeting link to send a bot to")
            consent = new_consent(request, raw, user_id, "calendar")
            if consent is None and not extra.get("bot_consent"):
                raise ConsentRequired(
                    "Sending the bot records the meeting: confirm that the other participants know they are "
                    "transcribed, or that local law allows it (send consent: true with consent_version)."
                )
            if consent is not None:
                changes["bot_consent"] = consent
                await audit_event(
                    request, user_id, "consent", interview_id=record.id, version=consent["version"], via="calendar"
                )
            changes["bot_error"] = None  # a new opt-in tries again
        changes["send_bot_minutes_before"] = minutes
    doc = {**record.doc(), **changes}
    changes.update(arming(doc, request.app[SETTINGS].calendar_prepare_hour))
    updated = await store.interviews.set_fields(record.id, changes)
    return web.json_response(view(updated))


# --- background tasks ----------------------------------------------------------------------------


async def _scheduler_loop(app: web.Application) -> None:
    while True:
        await asyncio.sleep(app[SETTINGS].calendar_scheduler_tick_secs)
        try:
            await _scheduler(app).run_due()
        except Exception as e:  # one bad tick must not end the schedule
            logger.exception(f"interview scheduler tick failed: {e}")


async def refresh_subscriptions(app: web.Application) -> int:
    """Fetch every subscription once; how many were imported."""
    store = app[SERVICES].store
    done = 0
    for sub in await store.interviews.all_subscriptions():
        extra = sub.model_extra or {}
        try:
            report = await import_ics(app, sub.user_id, await _fetch(app, sub.url), "subscription")
            await store.interviews.subscriptions.update(
                sub.user_id, sub.id, {"last_fetched_at": _scheduler(app).clock(), "last_error": None}
            )
            done += 1
            logger.debug(f"calendar subscription {sub.id}: {report['found']} interviews")
        except (FetchRefused, CalendarError) as e:
            await store.interviews.subscriptions.update(sub.user_id, sub.id, {"last_error": str(e)})
            logger.info(f"calendar subscription {sub.id} ({extra.get('host')}): {e}")
    return done


async def _refresh_loop(app: web.Application) -> None:
    interval = app[SETTINGS].calendar_refresh_secs
    while True:
        await asyncio.sleep(interval)
        try:
            await refresh_subscriptions(app)
        except Exception as e:
            logger.exception(f"calendar refresh failed: {e}")


def setup(app: web.Application):
    async def send_bot(user_id: str, meeting_url: str, consent: dict | None) -> dict[str, str]:
        """The scheduler's bot: ``launch_bot``, the code path of ``POST /api/bots``."""
        try:
            bot = await launch_bot(app, user_id, BotCreate(meeting_url=meeting_url), consent, "scheduler")
        except ApiError as e:
            raise BotNotSent(f"{e.code}: {e.message}") from None
        return {"bot_id": bot.id, "session_id": bot.session_id}

    app[CALENDAR_SCHEDULER] = Scheduler(app[SETTINGS], lambda: app[SERVICES].store, send_bot)

    async def calendar_tasks(app: web.Application):
        tasks = [asyncio.get_running_loop().create_task(_scheduler_loop(app))]
        if app[SETTINGS].calendar_refresh_secs > 0:
            tasks.append(asyncio.get_running_loop().create_task(_refresh_loop(app)))
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.cleanup_ctx.append(calendar_tasks)
    routes.setup(app)
