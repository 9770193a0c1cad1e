"""Run one session: build its pipeline around a transport, number and persist its events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from loguru import logger
from pipecat.frames.frames import EndFrame, Frame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.workers.runner import WorkerRunner

from cuecard.frames import SAMPLE_RATE, SpeakerRenameFrame, first_speaker
from cuecard.observability.session_observer import SessionObserver
from cuecard.pipeline.assembly import build_stages
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.services import Services
from cuecard.processors.event_sink import EventSink

EventListener = Callable[[dict], Awaitable[None]]
SUMMARY_EVERY_SECS = 30.0  # a running session's measured figures are saved this often


def shown_speaker(line: dict) -> str:
    """Who a transcript line is shown as: its speaker, else its track's (first) speaker."""
    return line.get("speaker") or first_speaker(line.get("role") or "")


async def rename_stored_speaker(store, session_id: str, speaker: str, name: str) -> int:
    """The session's stored transcript lines shown as ``speaker`` take ``name``; how many."""
    sessions = store.sessions
    renamed = 0
    for segment in await sessions.list_segments(session_id, limit=100_000):
        if shown_speaker(segment.doc()) == speaker:
            await sessions.upsert_segment(session_id, {**segment.doc(), "speaker": name})
            renamed += 1
    return renamed


class SessionRunner:
    """One session's pipeline. ``inputs``/``outputs`` are transport processors (may be empty
    for replay, which queues audio frames itself)."""

    def __init__(
        self,
        services: Services,
        session_id: str,
        *,
        inputs: Sequence[FrameProcessor] = (),
        outputs: Sequence[FrameProcessor] = (),
        live: bool = True,
        persist: bool = True,
        context: SessionContext | None = None,
        paced: bool | None = None,
    ):
        """``paced``: audio arrives in real time (default: ``live``; a real-time replay too),
        so latencies are measured (``cuecard.observability``)."""
        self.services = services
        self.session_id = session_id
        self.context = context or SessionContext(session_id=session_id)
        self.started_at = time.time()
        self._listeners: list[EventListener] = []
        self._renamed: dict[str, str] = {}  # name a line may still carry -> the name given since
        self._persist = persist
        self.sink = EventSink([self._on_event])
        self.observer = SessionObserver(
            session_id,
            services.metrics,
            audio_clock=self.context.clock.now,
            paced=live if paced is None else paced,
            tracing=services.settings.tracing,
        )
        stages = build_stages(services, self.sink, live=live, context=self.context)
        self.pipeline = Pipeline([*inputs, *stages, *outputs])
        self.worker = PipelineWorker(
            self.pipeline,
            params=PipelineParams(audio_in_sample_rate=SAMPLE_RATE, enable_metrics=False),
            idle_timeout_secs=None,
            enable_rtvi=False,
            # Pipecat's conversation and turn spans need its turn tracking (cuecard.observability.tracing).
            enable_turn_tracking=services.settings.tracing,
            check_dangling_tasks=False,
            enable_tracing=services.settings.tracing,
            conversation_id=session_id,
        )
        self._runner: WorkerRunner | None = None
        self._summary_saved = time.monotonic()
        self._task: asyncio.Task | None = None

    def add_listener(self, listener: EventListener):
        """Called with every numbered event envelope (after it is published)."""
        self._listeners.append(listener)

    async def rename_speaker(self, speaker: str, name: str):
        """The user named a speaker (``speaker``: a label or the name it is shown with now).
        The stages use the name from the next line on (a ``SpeakerRenameFrame`` for the
        diarizer); lines labelled before (a refinement, a line still being decoded) go out and
        are stored with it too, and the stored transcript takes it at once."""
        for shown, given in list(self._renamed.items()):
            if given == speaker:
                self._renamed[shown] = name
        self._renamed[speaker] = name
        self._renamed = {shown: given for shown, given in self._renamed.items() if shown != given}
        await self.queue_frame(SpeakerRenameFrame(speaker=speaker, new_name=name))
        if self._persist:
            try:
                count = await rename_stored_speaker(self.services.store, self.session_id, speaker, name)
                logger.info(f"Session {self.session_id}: {count} stored lines of {speaker!r} are now {name!r}")
            except Exception as e:  # the live session goes on; the page already shows the name
                logger.exception(f"Could not rename {speaker!r} in the stored transcript: {e}")

    async def _on_event(self, payload: dict):
        if payload.get("type") == "transcript" and shown_speaker(payload) in self._renamed:
            payload = {**payload, "speaker": self._renamed[shown_speaker(payload)]}
        sent = time.perf_counter()
        event = await self.services.bus.publish(self.session_id, payload)
        self.observer.bus_lag(time.perf_counter() - sent)
        await self.observer.on_event(event)
        if self._persist:
            await self._save(event)
            if time.monotonic() - self._summary_saved > SUMMARY_EVERY_SECS:
                await self._save_summary(final=False)
        for listener in self._listeners:
            await listener(event)

    async def _save(self, event: dict):
        sessions = self.services.store.sessions
        kind = event["type"]
        try:
            if kind == "transcript" and event.get("final"):
                await sessions.upsert_segment(self.session_id, event)
            elif kind == "question":
                await sessions.upsert_question(self.session_id, event)
            elif kind == "suggestion" and event.get("done"):
                await sessions.upsert_suggestion(self.session_id, event)
        except Exception as e:  # losing a write must not stop the live session
            logger.exception(f"Could not persist {kind} event: {e}")

    async def run(self):
        metrics = self.services.metrics
        # Every log line of the session (and of the tasks it starts) carries its id.
        with logger.contextualize(session_id=self.session_id):
            if metrics is not None:
                metrics.active_sessions.inc()
            try:
                self._runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
                await self._runner.add_workers(self.worker)
                await self._runner.run()
            finally:
                if metrics is not None:
                    metrics.active_sessions.dec()
                await self._save_summary()

    async def _save_summary(self, final: bool = True):
        """The observer's summary of the session, on its stored record (``observed``); while
        the session runs, every ``SUMMARY_EVERY_SECS`` (the dashboard shows it in progress)."""
        self._summary_saved = time.monotonic()
        try:
            summary = self.observer.finish() if final else self.observer.summary()
            if self._persist:
                await self.services.store.sessions.update(self.session_id, observed=summary)
        except Exception as e:  # a summary must not turn a finished session into a failure
            logger.warning(f"Session {self.session_id}: summary not saved: {e}")

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
