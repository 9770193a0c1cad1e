"""Meeting bots over HTTP: ``POST /api/bots`` sends a bot into a meeting, ``GET /api/bots/{id}``
follows it, ``DELETE /api/bots/{id}`` makes it leave.

The bot's transcript and its states are events of its session (``session_id`` in the answer),
so clients follow them like any session's events (WebSocket / event bus).

Decisions:
- Bearer auth like the sessions API: a bot starts a browser on the server and writes into a
  session, so it belongs to a user; another user's bot is a 404.
- Not in the OpenAPI route table: the schema fuzzer of the REST tests would launch a Chromium
  for every valid request it invents. Documented here and in the README instead.
- At most ``bot_max_live`` live bots per process (429 beyond): measured, a bot's Chromium costs
  about 0.3 core and 0.6 GB, plus its session's Whisper pipeline.
- Finished bots stay readable (state ``ended`` with its reason) until the process restarts.
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web
from loguru import logger

from cuecard.api.errors import ApiError, bad_request, read_json
from cuecard.api.rest_common import require_user, services
from cuecard.transports.meeting_bot import MeetingBot, UnsupportedMeeting

BOTS = web.AppKey("bots", dict)
BOT_TASKS = web.AppKey("bot_tasks", dict)

FIELDS = {"meeting_url", "name", "session_id", "candidate_name"}
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME = 100
LEAVE_WAIT_SECS = 10.0


def _optional_text(body: dict, field: str, limit: int = MAX_NAME) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{field} must be a non-empty string", field)
    if len(value) > limit:
        raise bad_request(f"{field} is longer than {limit} characters", field)
    return value.strip()


async def create_bot(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_json(request)
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise bad_request(f"unknown field {unknown[0]}", unknown[0])
    url = body.get("meeting_url")
    if not isinstance(url, str) or not url.strip():
        raise bad_request("meeting_url is required", "meeting_url")
    if len(url) > 2000:
        raise bad_request("meeting_url is too long", "meeting_url")
    name = _optional_text(body, "name")
    candidate_name = _optional_text(body, "candidate_name")
    session_id = _optional_text(body, "session_id", 64)
    if session_id is not None and not SESSION_ID.match(session_id):
        raise bad_request("session_id may only contain letters, digits, '-' and '_'", "session_id")
    svc = services(request)
    if session_id is not None:
        try:
            existing = await svc.store.get_session(session_id)
        except Exception:
            existing = None
        if existing is not None and existing.get("user_id") not in (None, user_id):
            raise ApiError(404, "not_found", "no such session", "session_id")
    live = [b for b in request.app[BOTS].values() if not b.done]
    if len(live) >= svc.settings.bot_max_live:
        raise ApiError(429, "too_many_bots", f"{len(live)} bots are already live on this server")
    try:
        bot = MeetingBot(
            svc, url.strip(), name=name, candidate_name=candidate_name, session_id=session_id, user_id=user_id
        )
    except UnsupportedMeeting as e:
        raise bad_request(str(e), "meeting_url", code="unsupported_meeting")
    request.app[BOTS][bot.id] = bot
    task = asyncio.get_running_loop().create_task(bot.run())
    request.app[BOT_TASKS][bot.id] = task
    task.add_done_callback(_log_crash)
    return web.json_response(bot.snapshot(), status=201)


def _log_crash(task: asyncio.Task):
    if not task.cancelled() and task.exception() is not None:
        logger.error(f"Meeting bot task crashed: {task.exception()!r}")


def _own_bot(request: web.Request) -> MeetingBot:
    user_id = require_user(request)
    bot = request.app[BOTS].get(request.match_info["bot_id"])
    if bot is None or bot.user_id != user_id:
        raise ApiError(404, "not_found", "no such bot", "bot_id")
    return bot


async def get_bot(request: web.Request) -> web.Response:
    return web.json_response(_own_bot(request).snapshot())


async def delete_bot(request: web.Request) -> web.Response:
    """Ask the bot to leave; answers once it has left (or after 10 s with its current state)."""
    bot = _own_bot(request)
    bot.request_leave()
    task = request.app[BOT_TASKS].get(bot.id)
    if task is not None:
        await asyncio.wait({task}, timeout=LEAVE_WAIT_SECS)
    return web.json_response(bot.snapshot())


def setup(app: web.Application):
    app[BOTS] = {}
    app[BOT_TASKS] = {}

    async def leave_all(app: web.Application):
        # Server shutdown: every bot leaves its meeting and releases its browser.
        for bot in app[BOTS].values():
            bot.request_leave()
        tasks = [t for t in app[BOT_TASKS].values() if not t.done()]
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=LEAVE_WAIT_SECS)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    app.on_shutdown.append(leave_all)
    app.router.add_post("/api/bots", create_bot)
    app.router.add_get("/api/bots/{bot_id}", get_bot)
    app.router.add_delete("/api/bots/{bot_id}", delete_bot)
