"""Admission control for live sessions: a session beyond capacity is refused with **503**,
``Retry-After`` and a clear message, so the sessions already running keep their latency.

Two checks, both before the SDP is looked at (order on ``POST /api/offer``: authentication →
consent → quota → capacity → SDP validation), and neither applies to a renegotiation of a
connection that is already live nor to a rejoin that replaces the session's own live runner:
- ``max_live_sessions`` (``CUECARD_MAX_LIVE_SESSIONS``; 0 = unlimited): live sessions this
  process runs at once. Default from ``cuecard bench sessions --find-capacity`` (see settings).
- ``admission_max_cpu`` (``CUECARD_ADMISSION_MAX_CPU``; 0 = off): refuse while this process
  used more than that fraction of the machine's cores over the last few seconds. Cheap: one
  reading of ``time.process_time()`` per offer. Off by default because it reads the process's
  own use only: on a machine shared with other work it would not see the contention anyway.

Decision: a per-process count rather than a cluster-wide one (Redis): each process holds its
own pipelines and CPU, which is what runs out.
"""

from __future__ import annotations

import os
import time

from aiohttp import web

from cuecard.api.errors import ApiError
from cuecard.api.keys import LIVE_SESSIONS, SETTINGS

RETRY_AFTER_SECS = 30
CPU_WINDOW_SECS = 5.0


class CpuMeter:
    """The process's CPU use, in cores, over the last ``CPU_WINDOW_SECS`` (or more)."""

    def __init__(self):
        self._mark = (time.monotonic(), time.process_time())
        self._last_cores = 0.0

    def cores(self) -> float:
        now, cpu = time.monotonic(), time.process_time()
        wall = now - self._mark[0]
        if wall >= CPU_WINDOW_SECS:
            self._last_cores = (cpu - self._mark[1]) / wall
            self._mark = (now, cpu)
        return self._last_cores


_meter = CpuMeter()


def at_capacity(message: str) -> ApiError:
    error = ApiError(503, "at_capacity", message)
    error.headers["Retry-After"] = str(RETRY_AFTER_SECS)
    return error


def check_capacity(app: web.Application, rejoining: str | None = None) -> None:
    """Raise 503 when one more live session would exceed this server's capacity.
    ``rejoining``: a session id whose own live runner (if any) the new one replaces."""
    settings = app[SETTINGS]
    live = app[LIVE_SESSIONS]
    running = len(live) - (1 if rejoining is not None and rejoining in live else 0)
    limit = settings.max_live_sessions
    if limit > 0 and running >= limit:
        raise at_capacity(
            f"this server is at capacity ({running} live sessions of {limit}); "
            f"try again in {RETRY_AFTER_SECS} s or use another server"
        )
    if settings.admission_max_cpu > 0 and running > 0:
        used = _meter.cores() / (os.cpu_count() or 1)
        if used > settings.admission_max_cpu:
            raise at_capacity(f"this server is busy (CPU {used:.0%} of its cores); try again in {RETRY_AFTER_SECS} s")
