"""Run one session: build its pipeline around a transport, number and persist its events."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable

from loguru import logger
from pipecat.frames.frames import EndFrame, Frame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.workers.runner import WorkerRunner

from cuecard.frames import SAMPLE_RATE
from cuecard.pipeline.assembly import build_stages
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.services import Services
from cuecard.processors.event_sink import EventSink

EventListener = Callable[[dict], Awaitable[None]]


class SessionRunner:
    """One session's pipeline. ``inputs``/``outputs`` are transport processors (may be empty
    for replay, which queues audio frames itself)."""

    def __init__(
        self,
        services: Services,
        session_id: str,
        *,
        inputs: list[FrameProcessor] = (),
        outputs: list[FrameProcessor] = (),
        live: bool = True,
        persist: bool = True,
        context: SessionContext | None = None,
    ):
        self.services = services
        self.session_id = session_id
        self.context = context or SessionContext(session_id=session_id)
        self.started_at = time.time()
        self._listeners: list[EventListener] = []
        self._persist = persist
        self.sink = EventSink([self._on_event])
        stages = build_stages(services, self.sink, live=live, context=self.context)
        self.pipeline = Pipeline([*inputs, *stages, *outputs])
        self.worker = PipelineWorker(
            self.pipeline,
            params=PipelineParams(audio_in_sample_rate=SAMPLE_RATE, enable_metrics=False),
            idle_timeout_secs=None,
            enable_rtvi=False,
            enable_turn_tracking=False,
            check_dangling_tasks=False,
        )
        self._runner: WorkerRunner | None = None
        self._task: asyncio.Task | None = None

    def add_listener(self, listener: EventListener):
        """Called with every numbered event envelope (after it is published)."""
        self._listeners.append(listener)

    async def _on_event(self, payload: dict):
        event = await self.services.bus.publish(self.session_id, payload)
        if self._persist:
            await self._save(event)
        for listener in self._listeners:
            await listener(event)

    async def _save(self, event: dict):
        store = self.services.store
        kind = event["type"]
        try:
            if kind == "transcript" and event.get("final"):
                await store.upsert_segment(self.session_id, event)
            elif kind == "question":
                await store.upsert_question(self.session_id, event)
            elif kind == "suggestion" and event.get("done"):
                await store.upsert_suggestion(self.session_id, event)
        except Exception as e:  # losing a write must not stop the live session
            logger.exception(f"Could not persist {kind} event: {e}")

    async def run(self):
        self._runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
        await self._runner.add_workers(self.worker)
        await self._runner.run()

    def start(self) -> asyncio.Task:
        self._task = asyncio.get_running_loop().create_task(self.run())
        return self._task

    async def queue_frame(self, frame: Frame):
        await self.worker.queue_frame(frame)

    async def end(self):
        """Finish: flush open speech through every stage, then stop."""
        await self.worker.queue_frame(EndFrame())
        if self._task is not None:
            await self._task

    async def cancel(self):
        await self.worker.cancel()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
