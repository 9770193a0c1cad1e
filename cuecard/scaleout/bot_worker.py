"""``cuecard bot-worker``: a Dramatiq worker that runs queued meeting bots (see ``bot_queue``).

One process = up to ``bot_max_live`` bots at once (Dramatiq worker threads and prefetch both
set to it, so a worker holds no job it cannot start). The bots run on Dramatiq's asyncio
event-loop thread with one ``Services`` (store, event bus, Whisper) shared by them. A
heartbeat task refreshes ``bot-workers:<name>`` every third of ``bot_heartbeat_timeout_secs``,
forwards leave requests to this worker's bots and saves their snapshots (participants change
between states; API instances answer ``GET /api/bots/{id}`` from the store). A sweeper marks
failed the bots of workers that stopped heartbeating.

``bot_worker_stop_before_browser`` (tests only, labelled): the job runs the same path — store
check, running-bot registration, ``MeetingBot`` built from the request, its ``launching``
snapshot saved by the bot itself — and then holds there instead of starting the session
pipeline and Chromium, until asked to leave. It lets the queue be tested with several workers
on a small machine without a browser per bot.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
from typing import Any

from loguru import logger

from cuecard.scaleout.bot_queue import RUNNING, leave_key, make_broker, sweep_forever, worker_key
from cuecard.settings import Settings


class WorkerContext:
    """What the bot jobs of this process share; built on the worker's event loop."""

    def __init__(self, settings: Settings, name: str):
        self.settings = settings
        self.name = name
        self.bots: dict[str, Any] = {}  # bot id -> its MeetingBot
        self.services: Any = None
        self.redis: Any = None
        self.tasks: list[asyncio.Task] = []
        self.ready = asyncio.Event()  # set on the worker's loop once open (jobs can come first)

    async def open(self) -> None:
        import redis.asyncio as redis

        from cuecard.pipeline.services import Services

        self.services = await Services.create(self.settings)
        self.redis = redis.from_url(self.settings.redis_url or "", decode_responses=True)
        await self._beat()
        timeout = self.settings.bot_heartbeat_timeout_secs
        self.tasks = [
            asyncio.create_task(self._heartbeat_forever()),
            asyncio.create_task(sweep_forever(self.redis, self.services.store, timeout, self.services.bus)),
        ]
        self.ready.set()

    async def _beat(self) -> None:
        timeout = self.settings.bot_heartbeat_timeout_secs
        await self.redis.set(worker_key(self.name), str(os.getpid()), px=int(timeout * 1000))
        for bot_id, bot in list(self.bots.items()):
            if await self.redis.exists(leave_key(bot_id)):
                bot.request_leave()
            elif not bot.done:  # API instances read bots from the store: keep participants fresh there
                await bot._save()

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.bot_heartbeat_timeout_secs / 3)
            try:
                await self._beat()
            except Exception as e:
                logger.warning(f"bot worker {self.name}: heartbeat failed: {e}")

    async def close(self) -> None:
        for bot in self.bots.values():
            bot.request_leave()
        for _ in range(100):  # the bots leave and save their last state
            if not self.bots:
                break
            await asyncio.sleep(0.1)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.redis is not None:
            await self.redis.delete(worker_key(self.name))
            await self.redis.aclose()
        if self.services is not None:
            await self.services.close()


_context: WorkerContext | None = None


async def run_bot_job(payload: dict) -> None:
    """One queued bot, from the request to its end; its states go to the store."""
    from cuecard.transports.meeting_bot import MeetingBot
    from cuecard.transports.meeting_bot.bot import LAUNCHING

    ctx = _context
    assert ctx is not None, "run_bot_job runs in run_worker"
    await ctx.ready.wait()
    svc = ctx.services
    assert svc is not None and ctx.redis is not None
    bot_id, user_id = payload["bot_id"], payload["user_id"]
    try:
        if (await svc.store.bots.get(user_id, bot_id)).public().get("state") == "ended":
            logger.info(f"bot job {bot_id}: already ended (swept or left), dropped")
            return
    except Exception:
        pass  # no snapshot yet: run it
    await ctx.redis.hset(RUNNING, bot_id, json.dumps({"worker": ctx.name, "user_id": user_id}))
    bot = MeetingBot(
        svc,
        payload["meeting_url"],
        name=payload["name"],
        candidate_name=payload["candidate_name"],
        session_id=payload["session_id"],
        bot_id=bot_id,
        user_id=user_id,
        extra_browser_args=ctx.settings.bot_chromium_extra_args,
    )
    ctx.bots[bot_id] = bot
    try:
        if ctx.settings.bot_worker_stop_before_browser:
            bot.message = f"held by worker {ctx.name} before Chromium (test flag)"
            await bot._publish_state(LAUNCHING)
            await bot._leave.wait()
            bot.reason = "left_by_request"
            await bot._publish_state("ended")
        else:
            bot.message = f"worker {ctx.name}"
            await bot.run()
    finally:
        ctx.bots.pop(bot_id, None)
        try:  # as the in-process bot's run (bot_routes._run_and_audit)
            await svc.store.accounts.audit(
                user_id, "bot_leave", remote=None, bot_id=bot_id, session_id=bot.session_id, reason=bot.reason
            )
        except Exception as e:
            logger.warning(f"bot_leave of {bot_id} not audited: {e}")
        await ctx.redis.hdel(RUNNING, bot_id)
        await ctx.redis.delete(leave_key(bot_id))


def run_worker(settings: Settings, name: str | None = None) -> int:
    """Block until SIGTERM / SIGINT; then the bots leave and the worker stops."""
    import dramatiq
    from dramatiq.asyncio import get_event_loop_thread

    global _context
    name = name or settings.bot_worker_name or f"{socket.gethostname()}-{os.getpid()}"
    settings.ensure_data_dir()
    broker, _ = make_broker(settings, run_bot_job)
    worker = dramatiq.Worker(broker, worker_threads=settings.bot_max_live)
    worker.queue_prefetch = settings.bot_max_live  # hold only the jobs it can start now
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ctx = _context = WorkerContext(settings, name)
    worker.start()  # the AsyncIO middleware starts the event-loop thread here
    loop_thread = get_event_loop_thread()
    assert loop_thread is not None
    asyncio.run_coroutine_threadsafe(ctx.open(), loop_thread.loop).result(60)
    logger.info(f"bot worker {name}: up to {settings.bot_max_live} bots from queue on {settings.redis_url}")
    print(f"bot worker {name} ready", flush=True)
    stop.wait()
    asyncio.run_coroutine_threadsafe(ctx.close(), loop_thread.loop).result(30)
    worker.stop()
    broker.close()
    return 0
