"""Per-track state of the provider-chain STT stage (``cloud_stt.py``) and its parameters.

A track (one role/speaker's audio) has its audio buffer (``TrackAudio``), the active stream
and where that stream's time 0 sits in the buffer, how far audio was sent and finalised, its
open line, and the streams it switched away from that still finish their own line.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from cuecard.processors.transcript_line import TranscriptLine
from cuecard.services.streaming_stt import StreamingSTT
from cuecard.services.track_audio import TrackAudio


@dataclass
class FallbackParams:
    connect_timeout_secs: float = 1.5
    stall_secs: float = 1.5
    retry_base_secs: float = 2.0
    retry_max_secs: float = 60.0
    max_buffer_secs: float = 120.0  # audio kept for re-sending; beyond it the oldest is dropped
    finish_timeout_secs: float = 3.0  # per stream, unless it sets its own (``None``: wait)


@dataclass
class Track:
    track_id: str
    role: str
    speaker: str | None
    audio: TrackAudio
    active: int | None = None  # index in the chain (None: no provider of the chain)
    stream: StreamingSTT | None = None
    provider: str | None = None  # the active stream's name
    origin: int = 0  # sample index where the current stream's time 0 is
    sent: int = 0  # samples sent to the current stream
    finalized: int = 0  # everything before this sample has final text
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # audio to send
    sent_all: asyncio.Event = field(default_factory=asyncio.Event)  # the stream has all audio
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # no switch in progress
    tasks: list[asyncio.Task] = field(default_factory=list)
    # Stall clock: since the last result while voiced audio has no final text yet (or since
    # the first voiced audio after it). A provider may stay quiet only when all is finalised.
    unanswered_since: float | None = None
    stall_timer: asyncio.TimerHandle | None = None
    voiced_until: int = 0  # end (sample) of the last voiced chunk sent to the current stream
    line: TranscriptLine | None = None  # the open line
    retiring: list[Retiring] = field(default_factory=list)
    failed_at: float | None = None  # monotonic time of the failure being recovered from
    last_failure: str = ""
    finishing: bool = False  # we asked the stream to finish: its results may end

    def __post_init__(self):
        self.settled.set()


@dataclass
class Retiring:
    """A stream switched away from at a pause that still owes results: they fill its own
    line, on its own time base, while the new stream takes the track."""

    stream: StreamingSTT
    origin: int
    line: TranscriptLine | None


def track_vocabulary(vocabulary: Any, role: str, what: str) -> Any:
    """The session vocabulary's ``hints()`` or ``live_prompt()`` for the interviewer's track;
    None for the candidate's. Hints are a refinement: a failure never loses speech."""
    if role != "interviewer" or vocabulary is None:
        return None
    try:
        return getattr(vocabulary, what)()
    except Exception as e:
        logger.warning(f"No recognition hints: {e}")
        return None
