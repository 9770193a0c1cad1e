"""Start-up recovery: live sessions a crashed server left open are marked ``interrupted``.

A live session (the page's WebRTC join, a meeting bot) is ``active`` while its runner runs and
becomes ``ended`` when the runner ends cleanly. A server killed mid-session (``kill -9``, power
loss, OOM) never writes that end, so at the next start-up every live session still ``active``
was cut off: it is marked ``interrupted`` (state field) and a ``status`` event with state
``interrupted`` is published on its event bus, so a page resuming its event stream sees why it
stopped. A rejoin (``POST /api/offer`` with its ``session_id``) makes it active again and goes
on with the same numbering (the bus resumes ``seq`` above the stored events) and clock (times
are seconds since the session was created).

What survives the kill: every final transcript line, question and finished suggestion is
written to the store (``SessionRunner._save``) before it is sent to the page's data channel,
and each write is its own committed SQLite transaction. With ``journal_mode=WAL`` and
``synchronous=NORMAL`` a committed transaction is in the WAL file (the OS page cache) when the
commit returns, so a killed *process* loses nothing committed; only a power loss or kernel
crash can lose the last transactions (``synchronous=FULL`` would fsync each commit; not worth
an fsync per transcript line for this product). tests/test_crash_survival.py checks it with a
real ``kill -9``.

Decisions:
- Only sessions with a live source (``webrtc``, ``bot``) are marked; API-driven sessions
  (``POST /api/sessions/{id}/start``) have no runner in the server and keep their state.
- With several server processes over one store (``CUECARD_REDIS_URL`` set), a starting process
  cannot tell a session cut off by a crash from one live in another process, so nothing is
  marked there (a known limit: it would need a per-process lease).
"""

from __future__ import annotations

import time

from loguru import logger

from cuecard.events import StatusPayload
from cuecard.kinds import SessionState

LIVE_SOURCES = ("webrtc", "bot")
INTERRUPTED_MESSAGE = "the server stopped during this session; rejoin to continue it"


async def mark_interrupted_sessions(services) -> list[str]:
    """Mark every live session left ``active`` by a previous server run; their ids."""
    if services.settings.redis_url:
        return []
    marked: list[str] = []
    for session in await services.store.sessions.list_in_states([SessionState.ACTIVE]):
        if session.source not in LIVE_SOURCES:
            continue
        try:
            await services.store.sessions.update(session.id, state=SessionState.INTERRUPTED, interrupted_at=time.time())
            await services.bus.publish(
                session.id,
                StatusPayload(state=SessionState.INTERRUPTED, message=INTERRUPTED_MESSAGE, provider=None).payload(),
            )
            marked.append(session.id)
        except Exception as e:  # one bad record must not stop the server starting
            logger.warning(f"Could not mark session {session.id} interrupted: {e}")
    if marked:
        logger.info(f"{len(marked)} live session(s) were interrupted by the last stop: {', '.join(marked)}")
    return marked
