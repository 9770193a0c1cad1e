"""Last stage of a session: every frame that is an event (``cuecard.events``) goes to the
session's listeners — the event bus (page, WebSocket, replay stdout) and the store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from loguru import logger
from pipecat.frames.frames import Frame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.events import payload_for

Listener = Callable[[dict], Awaitable[None]]


class EventSink(FrameProcessor):
    def __init__(self, listeners: list[Listener] | None = None, **kwargs):
        super().__init__(**kwargs)
        self._listeners: list[Listener] = list(listeners or [])

    def add_listener(self, listener: Listener):
        self._listeners.append(listener)

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        payload = payload_for(frame)
        if payload is not None:
            for listener in self._listeners:
                try:
                    await listener(payload)
                except Exception as e:  # one broken listener must not stop the session
                    logger.exception(f"Event listener {listener} failed: {e}")
        await self.push_frame(frame, direction)
