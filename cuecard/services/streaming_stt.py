"""What every streaming speech-to-text adapter (Deepgram, Google) gives the STT stage.

The adapters in ``cuecard/services/<vendor>/stt.py`` translate their vendor's protocol into
``StreamResult``s with times in seconds since the start of *their* stream; the STT stage
(``cuecard/processors/cloud_stt.py``) places them on the session clock, because after a
fallback the new stream starts with re-sent audio from an earlier moment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(RuntimeError):
    """A provider failed (refused, dropped, errored). The STT stage falls back on it."""


@dataclass
class StreamWord:
    text: str
    start: float
    end: float
    confidence: float | None = None
    speaker: int | None = None  # the provider's own diarization label, 0-based


@dataclass
class StreamResult:
    """One recognition result.

    ``is_final``: the text of ``[start, end]`` will not change any more (audio before ``end``
    may be dropped from the re-send buffer). ``end_of_line``: the provider's endpointing says
    the speaker paused (Deepgram ``speech_final``; Google's final results), so the line closes.
    """

    text: str
    is_final: bool
    start: float
    end: float
    confidence: float | None = None
    end_of_line: bool = False
    words: list[StreamWord] = field(default_factory=list)

    @property
    def speaker(self) -> int | None:
        """The speaker of most of the words (a line has one speaker)."""
        counts: dict[int, int] = {}
        for w in self.words:
            if w.speaker is not None:
                counts[w.speaker] = counts.get(w.speaker, 0) + 1
        return max(counts, key=lambda speaker: counts[speaker]) if counts else None


class StreamingSTT(Protocol):
    """One streaming recognition session (one track, one connection)."""

    name: str
    model: str
    # Recognition hints (names, jargon) set by the STT stage before ``start()``: Deepgram
    # keyterms, Google phrase hints. Empty: none.
    hints: list[str]

    async def start(self) -> None:
        """Connect; raise ``ProviderError`` (or time out) when the provider is unreachable."""

    async def send(self, audio: bytes) -> None:
        """16 kHz mono s16le audio, in order, any chunk size."""

    def results(self) -> AsyncIterator[StreamResult]:
        """Results until the stream ends; raises ``ProviderError`` when the provider fails."""

    async def finish(self) -> None:
        """No more audio: ask the provider to flush its last results, then end ``results()``."""

    async def close(self) -> None:
        """Drop the connection now (after a failure or at the end)."""
