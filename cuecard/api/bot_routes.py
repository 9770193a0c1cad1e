"""Meeting bots over HTTP: ``POST /api/bots`` sends a bot into a meeting, ``GET /api/bots/{id}``
follows it, ``DELETE /api/bots/{id}`` makes it leave.

The bot's transcript and its states are events of its session (``session_id`` in the answer),
so clients follow them like any session's events (WebSocket / event bus).

Decisions:
- Bearer auth like the sessions API: a bot starts a browser on the server and writes into a
  session, so it belongs to a user; another user's bot is a 404.
- Declared in the OpenAPI route table like every REST route. The schema fuzzer cannot make a
  bot browse anywhere: only Meet / Zoom / Teams URLs are accepted (loopback only with
  ``bot_allow_loopback_meetings``), the schema carries no example URL, and the live-bot cap holds.
- At most ``bot_max_live`` live bots per process (429 beyond): measured, a bot's Chromium costs
  about 0.3 core and 0.6 GB, plus its session's Whisper pipeline.
- Every state change saves the bot's snapshot in the store (``store.bots``): a finished
  bot stays readable after a restart and from any server process sharing the store, and
  ``GET /api/bots`` lists a user's bots. A bot that is not live in this process answers with
  its last saved snapshot: if its process died, that state is where it stopped (the store
  cannot tell a dead process from a live one elsewhere, so it is not rewritten).
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import BOT_QUEUE, BOT_TASKS, BOTS, SERVICES, SETTINGS
from cuecard.api.rest_billing import bot_metered, check_capture_quota
from cuecard.api.rest_common import (
    BOOL,
    NUM,
    PAGE_PARAMS,
    STR,
    ApiRoutes,
    obj,
    page,
    page_of,
    paged,
    require_user,
    services,
)
from cuecard.api.rest_consent import (
    CONSENT_FIELDS,
    CONSENT_REQUIRED,
    bot_consent,
    read_object,
    validate,
)
from cuecard.billing.quotas import QUOTA_EXCEEDED
from cuecard.scaleout import bot_queue
from cuecard.store import NotFound
from cuecard.transports.meeting_bot import MeetingBot, UnsupportedMeeting

LEAVE_WAIT_SECS = 10.0

routes = ApiRoutes("bots")

NULL_STR = {"type": ["string", "null"]}
BOT = obj(
    ("id", "state", "session_id", "platform", "name", "participants", "timestamps"),
    id=STR,
    state={"type": "string", "enum": ["launching", "joining", "waiting_for_admission", "in_call", "ended"]},
    reason=NULL_STR,
    failed=BOOL,
    message=STR,
    session_id=STR,
    meeting_url=STR,
    platform=STR,
    name=STR,
    candidate_name=STR,
    consent_posted=BOOL,
    participants={"type": "array", "items": obj(("name", "role"), name=STR, role=STR, speaking=BOOL)},
    tracks={"type": "array", "items": STR},
    created_at=NUM,
    timestamps={"type": "object", "additionalProperties": NUM},
)


class BotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting_url: str = Field(min_length=1, max_length=2000, description="Google Meet, Zoom or Teams link")
    name: str | None = Field(default=None, min_length=1, max_length=100, description="display name")
    session_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    candidate_name: str | None = Field(default=None, min_length=1, max_length=100)
    consent: bool | None = CONSENT_FIELDS["consent"][1]
    consent_version: str | None = CONSENT_FIELDS["consent_version"][1]


@routes.add(
    "POST",
    "/api/bots",
    "Send a meeting bot into a meeting (it joins as a named guest)",
    body=BotCreate,
    response=BOT,
    status=201,
    extra_statuses=(402, 429),
    error_schemas={403: CONSENT_REQUIRED, 402: QUOTA_EXCEEDED},
)
async def create_bot(request: web.Request) -> web.Response:
    # Order of checks: authentication → consent (403) → quota (402, billing on only) → capacity (429)
    # → validation of the body and URL.
    user_id = require_user(request)
    raw = await read_object(request)
    consent = await bot_consent(request, raw, user_id)
    await check_capture_quota(request.app, user_id)
    check_bot_capacity(request.app)
    body = validate(BotCreate, raw)
    for field in ("name", "candidate_name"):
        if getattr(body, field) is not None and not getattr(body, field).strip():
            raise bad_request(f"{field} must not be blank", field)
    bot = await launch_bot(request.app, user_id, body, consent, request.remote)
    return web.json_response(bot.snapshot(), status=201)


def check_bot_capacity(app: web.Application) -> None:
    """429 when this process already runs ``bot_max_live`` live bots (queued bots: the workers' capacity)."""
    if app[SETTINGS].bot_queue == "redis":
        return
    live = [b for b in app[BOTS].values() if not b.done]
    if len(live) >= app[SETTINGS].bot_max_live:
        raise ApiError(429, "too_many_bots", f"{len(live)} bots are already live on this server")


async def launch_bot(
    app: web.Application, user_id: str, body: BotCreate, consent: dict | None, remote: str | None
) -> MeetingBot:
    """Start a bot for ``user_id`` once consent is settled (a new record, or one already on the
    session): the one code path of ``POST /api/bots`` and of the interview scheduler
    (``cuecard/calendar/scheduler.py``, which passes the consent recorded with the opt-in).
    ``ApiError`` for a full server, another user's session or an unsupported meeting URL."""
    check_bot_capacity(app)
    svc = app[SERVICES]
    if body.session_id is not None:
        try:
            existing = await svc.store.sessions.find(body.session_id)
        except Exception:
            existing = None
        if existing is not None and existing.user_id not in (None, user_id):
            raise ApiError(404, "not_found", "no such session", "session_id")
    try:
        bot = MeetingBot(
            svc,
            body.meeting_url.strip(),
            name=body.name,
            candidate_name=body.candidate_name,
            session_id=body.session_id,
            user_id=user_id,
        )
    except UnsupportedMeeting as e:
        raise bad_request(str(e), "meeting_url", code="unsupported_meeting") from e
    store = svc.store
    session = await store.sessions.find(bot.session_id) or await store.sessions.create(
        id=bot.session_id, user_id=user_id, title="Meeting bot", source="bot", meeting_url=bot.meeting_url
    )
    if consent is not None:  # as record_consent does, without a request (the scheduler has none)
        if (session.model_extra or {}).get("consent") != consent:
            await store.sessions.update(session.id, consent=consent)
        await _audit(
            store, user_id, "consent", remote, session_id=session.id, version=consent["version"], via=consent["via"]
        )
    await _audit(
        store, user_id, "bot_join", remote, bot_id=bot.id, session_id=bot.session_id, platform=bot.platform.name
    )
    if app[SETTINGS].bot_queue == "redis":  # a bot worker with free capacity runs it (cuecard/scaleout)
        await app[BOT_QUEUE].enqueue(bot, user_id)
        return bot
    app[BOTS][bot.id] = bot
    task = asyncio.get_running_loop().create_task(_run_and_audit(bot, store, remote))
    app[BOT_TASKS][bot.id] = task
    task.add_done_callback(_log_crash)
    bot_metered(app, bot.id, user_id, task)  # bot minutes (billing on only)
    return bot


async def _audit(store, user_id: str, action: str, remote: str | None, **details) -> None:
    """An audit entry; a failed write is logged, never a failed bot start (as ``audit_event``)."""
    try:
        await store.accounts.audit(user_id, action, actor="user", remote=remote, **details)
    except Exception as e:
        logger.exception(f"audit entry {action} not written: {e}")


async def _run_and_audit(bot: MeetingBot, store, remote: str | None) -> dict:
    """The bot's run, then a ``bot_leave`` audit entry with why it ended."""
    try:
        return await bot.run()
    finally:
        try:
            await store.accounts.audit(
                bot.user_id, "bot_leave", remote=remote, bot_id=bot.id, session_id=bot.session_id, reason=bot.reason
            )
        except Exception as e:
            logger.warning(f"bot_leave of {bot.id} not audited: {e}")


def _log_crash(task: asyncio.Task):
    if not task.cancelled() and task.exception() is not None:
        logger.error(f"Meeting bot task crashed: {task.exception()!r}")


def _live_bot(request: web.Request, user_id: str) -> MeetingBot | None:
    bot = request.app[BOTS].get(request.match_info["bot_id"])
    return bot if bot is not None and bot.user_id == user_id else None


async def _saved_bot(request: web.Request, user_id: str) -> dict:
    try:
        record = await services(request).store.bots.get(user_id, request.match_info["bot_id"])
    except NotFound:
        raise ApiError(404, "not_found", "no such bot", "bot_id") from None
    return record.public()


@routes.add(
    "GET",
    "/api/bots",
    "The user's meeting bots, oldest first (live ones with their current state)",
    response=page_of(BOT),
    query=PAGE_PARAMS,
)
async def list_bots(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, offset = page(request)
    bots = services(request).store.bots
    live = request.app[BOTS]
    items = [live[r.id].snapshot() if r.id in live else r.public() for r in await bots.list(user_id, limit, offset)]
    return web.json_response(paged(items, await bots.count(user_id), limit, offset))


@routes.add("GET", "/api/bots/{bot_id}", "A bot's state, end reason, participants and timestamps", response=BOT)
async def get_bot(request: web.Request) -> web.Response:
    user_id = require_user(request)
    bot = _live_bot(request, user_id)
    return web.json_response(bot.snapshot() if bot else await _saved_bot(request, user_id))


@routes.add(
    "DELETE",
    "/api/bots/{bot_id}",
    "Make the bot leave the meeting; answers once it has left (or after 10 s with its current state)",
    response=BOT,
)
async def delete_bot(request: web.Request) -> web.Response:
    user_id = require_user(request)
    bot = _live_bot(request, user_id)
    if bot is None and request.app[SETTINGS].bot_queue == "redis":  # its worker makes it leave
        await _saved_bot(request, user_id)  # 404 for another user's bot
        await request.app[BOT_QUEUE].request_leave(request.match_info["bot_id"])
    if bot is None:  # not live here: nothing to make leave, its saved state answers
        return web.json_response(await _saved_bot(request, user_id))
    bot.request_leave()
    task = request.app[BOT_TASKS].get(bot.id)
    if task is not None:
        await asyncio.wait({task}, timeout=LEAVE_WAIT_SECS)
    return web.json_response(bot.snapshot())


def setup(app: web.Application):
    async def live_bots(app: web.Application):
        app[BOTS] = {}
        app[BOT_TASKS] = {}
        yield
        # Server shutdown: every bot leaves its meeting and releases its browser (before the
        # store closes: its last state is saved).
        for bot in app[BOTS].values():
            bot.request_leave()
        tasks = [t for t in app[BOT_TASKS].values() if not t.done()]
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=LEAVE_WAIT_SECS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    app.cleanup_ctx.append(live_bots)
    bot_queue.setup(app)  # bot_queue=redis: the queue and the dead-worker sweeper
    routes.setup(app)
