"""A whole session replayed from files: what ``cuecard replay`` and the evaluations run."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import numpy as np

from cuecard.frames import CANDIDATE, INTERVIEWER
from cuecard.kinds import SessionState
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.services import Services
from cuecard.pipeline.session import SessionRunner
from cuecard.transports.replay import feed


async def replay_tracks(
    services: Services,
    tracks: dict[str, np.ndarray],
    *,
    realtime: bool = False,
    on_event: Callable[[dict], Awaitable[None]] | None = None,
    persist: bool = True,
    session_id: str | None = None,
    on_start: Callable[[float], None] | None = None,
    context: SessionContext | None = None,
) -> list[dict]:
    """Run the live pipeline on ``tracks`` (role → 16 kHz int16) and return all events."""
    if persist:
        record = await services.store.sessions.create(
            title="Replay", source="replay", **({"id": session_id} if session_id else {})
        )
        session_id = record.id
    session_id = session_id or uuid.uuid4().hex
    runner = SessionRunner(services, session_id, live=False, persist=persist, context=context, paced=realtime)
    events: list[dict] = []

    async def collect(event: dict):
        events.append(event)
        if on_event:
            await on_event(event)

    runner.add_listener(collect)
    runner.start()
    t0 = await feed(runner, tracks, realtime=realtime, on_progress=None)
    if on_start:
        on_start(t0)
    await runner.end()
    if persist:
        await services.store.sessions.update(session_id, state=SessionState.COMPLETED)
    return events


def tracks_from(candidate: np.ndarray | None, interviewer: np.ndarray | None) -> dict[str, np.ndarray]:
    tracks: dict[str, np.ndarray] = {}
    if candidate is not None:
        tracks[CANDIDATE] = candidate
    if interviewer is not None:
        tracks[INTERVIEWER] = interviewer
    return tracks
