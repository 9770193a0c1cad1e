"""The meeting-bot fleet as a worker pool on Redis (``CUECARD_BOT_QUEUE=redis``).

A bot request on any API instance saves the bot's first snapshot (``launching``, message
``queued``) in the shared store and queues a job; a ``cuecard bot-worker`` on any machine
with free capacity (``bot_max_live`` jobs at once) takes it and runs the bot
(``cuecard/scaleout/bot_worker.py``), saving every state in the store as the in-process bot
does. Workers heartbeat in Redis; a bot whose worker stopped heartbeating for
``bot_heartbeat_timeout_secs`` is marked ``ended`` / ``worker_lost`` (``failed``) by the
sweeper every API instance and every worker runs. Default ``bot_queue=process``: bots run
inside the API process as before, nothing here is loaded.

Decision: Dramatiq 2.2 (Redis broker + its ``AsyncIO`` middleware for the async bot job) over
arq and Celery. arq is asyncio-native but pins ``redis<6``: installing it would downgrade the
project's redis-py 8.1 (the event bus's client); Celery needs kombu/billiard/vine and a
thread-or-prefork pool for an asyncio job. Dramatiq accepts redis-py 8, runs async actors on one
event-loop thread per worker, and its worker's ``queue_prefetch`` caps the jobs a worker holds:
set to ``bot_max_live`` it takes a job only while it has free capacity.

Dead workers: Dramatiq's Redis broker re-queues a dead worker's unacknowledged messages after
its own heartbeat timeout (60 s, or 4 × ours if longer); our sweeper (faster, ``bot_heartbeat_timeout_secs``) has by
then marked the bot failed, and a re-delivered job whose bot is already ``ended`` is dropped —
a bot is never launched twice into one meeting.

Redis keys (prefix ``cuecard:``): ``bot-workers:<name>`` = a live worker's heartbeat (expires
after the timeout); ``bots:running`` hash bot id → ``{"worker", "user_id"}``;
``bots:leave:<id>`` = a leave request (``DELETE /api/bots/{id}``) for the worker running it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from loguru import logger

from cuecard.settings import Settings

QUEUE_NAME = "cuecard_bots"
ACTOR_NAME = "cuecard_run_bot"
PREFIX = "cuecard"
RUNNING = f"{PREFIX}:bots:running"
WORKER_LOST = "worker_lost"
JOB_TIME_LIMIT_MS = 24 * 3600 * 1000  # a bot leaves with its meeting; Dramatiq's default is 10 min


def worker_key(name: str) -> str:
    return f"{PREFIX}:bot-workers:{name}"


def leave_key(bot_id: str) -> str:
    return f"{PREFIX}:bots:leave:{bot_id}"


def make_broker(settings: Settings, job: Callable[[dict], Awaitable[Any]] | None = None):
    """The Dramatiq Redis broker and the bot actor. API instances only send (``job`` None: a
    stub of the same name, never run there); workers pass the real job."""
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware.asyncio import AsyncIO

    if not settings.redis_url:
        raise ValueError("bot_queue=redis needs redis_url (CUECARD_REDIS_URL)")
    # Dramatiq re-queues a dead worker's jobs after its own heartbeat timeout: keep that well past
    # ours, so the sweeper has marked the bot failed and the re-delivered job is dropped.
    redelivery_ms = int(max(60.0, 4 * settings.bot_heartbeat_timeout_secs) * 1000)
    broker = RedisBroker(url=settings.redis_url, namespace=f"{PREFIX}-dramatiq", heartbeat_timeout=redelivery_ms)
    broker.add_middleware(AsyncIO())

    async def never_here(payload: dict) -> None:
        raise RuntimeError("bot jobs run in `cuecard bot-worker`")

    actor = dramatiq.actor(  # type: ignore[call-overload]
        job or never_here,
        broker=broker,
        actor_name=ACTOR_NAME,
        queue_name=QUEUE_NAME,
        max_retries=0,
        time_limit=JOB_TIME_LIMIT_MS,
    )
    return broker, actor


def job_payload(bot, user_id: str) -> dict:
    return {
        "bot_id": bot.id,
        "user_id": user_id,
        "meeting_url": bot.meeting_url,
        "name": bot.name,
        "candidate_name": bot.candidate_name,
        "session_id": bot.session_id,
    }


class BotQueue:
    """What an API instance needs: send a job, ask a queued bot to leave, sweep dead workers' bots."""

    def __init__(self, settings: Settings, store):
        import redis.asyncio as redis

        self.settings = settings
        self.store = store
        self.redis = redis.from_url(settings.redis_url or "", decode_responses=True)
        self.broker, self.actor = make_broker(settings)

    async def enqueue(self, bot, user_id: str) -> dict:
        bot.message = "queued"
        snapshot = bot.snapshot()
        await self.store.bots.save(user_id, snapshot)
        await asyncio.to_thread(self.actor.send, job_payload(bot, user_id))
        return snapshot

    async def request_leave(self, bot_id: str) -> None:
        await self.redis.set(leave_key(bot_id), "1", ex=24 * 3600)

    async def close(self) -> None:
        await self.redis.aclose()
        await asyncio.to_thread(self.broker.close)


async def sweep_once(redis, store, timeout_secs: float, bus=None) -> list[str]:
    """Mark failed every running bot whose worker has no live heartbeat; the bot ids marked.
    With ``bus``, the bot's session also gets the ``bot_ended`` status event the bot itself
    would have published, so live clients see the failure, and the session is closed."""
    marked = []
    for bot_id, raw in (await redis.hgetall(RUNNING)).items():
        entry = json.loads(raw)
        if await redis.exists(worker_key(entry["worker"])):
            continue
        if not await redis.hdel(RUNNING, bot_id):  # another sweeper got there first
            continue
        try:
            record = await store.bots.get(entry["user_id"], bot_id)
        except Exception:
            continue
        snapshot = record.public()
        if snapshot.get("state") == "ended":
            continue
        now = time.time()
        snapshot.update(
            state="ended",
            reason=WORKER_LOST,
            failed=True,
            message=f"its bot worker {entry['worker']!r} stopped heartbeating for {timeout_secs:g} s",
            timestamps={**snapshot.get("timestamps", {}), "ended": round(now, 3)},
        )
        await store.bots.save(entry["user_id"], snapshot)
        await _announce_lost(store, bus, snapshot)
        logger.warning(f"Meeting bot {bot_id}: marked failed ({WORKER_LOST}, worker {entry['worker']})")
        marked.append(bot_id)
    return marked


async def _announce_lost(store, bus, snapshot: dict) -> None:
    from cuecard.events import status_payload
    from cuecard.frames import StatusFrame
    from cuecard.kinds import SessionState

    session_id = snapshot.get("session_id")
    if not session_id:
        return
    extra = {
        "bot_id": snapshot["id"],
        "bot_state": "ended",
        "reason": WORKER_LOST,
        "platform": snapshot.get("platform"),
    }
    try:
        if bus is not None:
            await bus.publish(
                session_id, status_payload(StatusFrame(state="bot_ended", message=snapshot["message"], extra=extra))
            )
        await store.sessions.update(session_id, state=SessionState.COMPLETED)
    except Exception as e:  # the bot's record says it all already
        logger.warning(f"session {session_id} of lost bot {snapshot['id']} not closed: {e}")


async def sweep_forever(redis, store, timeout_secs: float, bus=None) -> None:
    while True:
        try:
            await sweep_once(redis, store, timeout_secs, bus)
        except Exception as e:  # Redis away for a moment: try again next round
            logger.warning(f"bot sweeper: {e}")
        await asyncio.sleep(max(0.5, timeout_secs / 3))


def setup(app) -> None:
    """``bot_queue=redis``: the app's ``BotQueue`` and its dead-worker sweeper (a cleanup context)."""
    from cuecard.api.keys import BOT_QUEUE, SERVICES, SETTINGS

    if app[SETTINGS].bot_queue != "redis":
        return
    if app[SETTINGS].billing == "on":  # bot minutes are metered by the API process's bot task
        raise ValueError("bot_queue=redis does not meter bot minutes yet: use billing=off or bot_queue=process")

    async def queue_ctx(app):
        queue = BotQueue(app[SETTINGS], app[SERVICES].store)
        app[BOT_QUEUE] = queue
        timeout = app[SETTINGS].bot_heartbeat_timeout_secs
        sweeper = asyncio.create_task(sweep_forever(queue.redis, queue.store, timeout, app[SERVICES].bus))
        yield
        sweeper.cancel()
        await asyncio.gather(sweeper, return_exceptions=True)
        await queue.close()

    app.cleanup_ctx.append(queue_ctx)
