"""Local Whisper as one more ``StreamingSTT``: the provider chain treats it like any provider.

It differs from a cloud stream in one way: Whisper has no endpointing of its own, so it
decodes the segments the segmenter cuts. The chain passes them on through two optional hooks
every stream may have (Deepgram and Google have neither): ``segment(kind, start, end,
utterance_id)`` and ``utterance_end(utterance_id)``, in seconds of *this* stream. A segment can
arrive before the audio it covers (audio is sent by the chain's send task): a final decode
waits for that audio.

- ``partial`` → an interim result of the growing segment (greedy, at most one at a time).
- ``final`` → a final result (not ``end_of_line``); decodes run in order.
- ``utterance_end`` → an empty ``end_of_line`` result: the line closes.
- The audio re-sent at the start (``caught_up()`` marks its end: it had no final text from the
  failed provider) is decoded at once when the track is silent there, otherwise together with
  the speech segment in progress, so no word is cut at the switch point.
- Audio older than ``keep_secs`` with no decode pending is reported final (an empty result):
  the chain need not keep silence for re-sending.
- ``may_stall = False``: results come only at segment ends, so the chain's stall detection
  does not apply; ``finish_timeout_secs = None``: at the end every decode is awaited.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from loguru import logger

from cuecard.frames import SAMPLE_RATE
from cuecard.services.streaming_stt import StreamResult
from cuecard.services.task_chain import TaskChain
from cuecard.services.track_audio import TrackAudio
from cuecard.services.whisper.engine import PRIORITY_FINAL, PRIORITY_PARTIAL, WhisperEngine

LOCAL = "local"
KEEP_SECS = 30  # > max_segment_secs: a segment's audio is still here when it closes
_END = object()


class LocalWhisperSTT:
    name = LOCAL
    may_stall = False
    finish_timeout_secs = None

    def __init__(self, engine: WhisperEngine, *, beam_size: int = 1, keep_secs: float = KEEP_SECS):
        self.model = getattr(engine, "model_name", LOCAL)
        self.hints: list[str] = []  # unused: Whisper takes a prompt (``prompt``) instead
        self.prompt: str | None = None  # Whisper hotwords (the interviewer's vocabulary)
        self._engine, self._beam, self._keep = engine, beam_size, int(keep_secs * SAMPLE_RATE)
        self._audio = TrackAudio(0.0)
        self._arrived = asyncio.Event()
        self._results: asyncio.Queue = asyncio.Queue()
        self._tasks = TaskChain()
        self._decoded = 0  # samples before this have been decoded
        self._reported = 0  # samples before this were reported final
        self._catchup: int | None = 0  # re-sent audio since here still needs decoding
        self._line_utterance: str | None = None
        self._line_text = False  # the open line has text from this stream
        self._partial_busy = False
        self._closed = False
        self._finishing = False

    # -- StreamingSTT ------------------------------------------------------------------------

    async def start(self) -> None:
        """Nothing to connect: the engine is in this process."""

    async def send(self, audio: bytes) -> None:
        self._audio.append(audio)
        self._arrived.set()
        if self._catchup is None and self._tasks.idle("final"):
            old = self._audio.total - self._keep
            if old > self._reported + SAMPLE_RATE:  # at most once a second
                self._report(old)
                self._audio.trim(old)

    def caught_up(self) -> None:
        """Everything sent so far was the re-sent backlog; what follows is live audio."""
        if self._catchup is None:
            return
        if self._catchup >= self._audio.total:
            self._catchup = None
        elif not self._audio.tail_voiced():
            start, end, self._catchup = self._catchup, self._audio.total, None
            self._tasks.chain("final", self._decode(start, end, None, close=True))

    async def results(self) -> AsyncIterator[StreamResult]:
        while True:
            item = await self._results.get()
            if item is _END:
                return
            yield item

    async def finish(self) -> None:
        """Decode what is left (the re-sent backlog), close the line, end ``results()``."""
        self._finishing = True  # no more audio comes: a decode waits for none beyond it
        self._arrived.set()
        if self._catchup is not None and self._catchup < self._audio.total:
            start, self._catchup = self._catchup, None
            self._tasks.chain("final", self._decode(start, self._audio.total, None, close=True))

        async def end():
            self._close_line()
            self._results.put_nowait(_END)

        self._tasks.chain("final", end())

    async def close(self) -> None:
        self._closed = True
        self._tasks.cancel()
        self._results.put_nowait(_END)

    # -- the segmenter's segments ----------------------------------------------------------------

    def segment(self, kind: str, start: float, end: float, utterance_id: str | None) -> None:
        seg_start, seg_end = self._sample(start), self._sample(end)
        if kind == "partial":
            if not self._partial_busy:
                self._partial_busy = True
                self._tasks.spawn(self._partial(seg_start, seg_end))
        elif kind == "final":
            if self._catchup is not None:
                first, self._catchup = self._catchup, None
            else:
                first = max(seg_start, self._decoded)
            if seg_end > first:  # else: transcribed by the provider before the switch
                self._tasks.chain("final", self._decode(first, seg_end, utterance_id))

    def utterance_end(self, utterance_id: str) -> None:
        async def close():
            if self._line_utterance in (None, utterance_id):
                self._close_line()

        self._tasks.chain("final", close())

    # -- decoding --------------------------------------------------------------------------------

    @staticmethod
    def _sample(t: float) -> int:
        return max(int(round(t * SAMPLE_RATE)), 0)

    def _report(self, end: int):
        self._reported = max(self._reported, end)
        self._put(StreamResult("", is_final=True, start=end / SAMPLE_RATE, end=end / SAMPLE_RATE))

    def _put(self, result: StreamResult):
        if not self._closed:
            self._results.put_nowait(result)

    def _close_line(self):
        if self._line_text:
            t = self._decoded / SAMPLE_RATE
            self._put(StreamResult("", is_final=True, start=t, end=t, end_of_line=True))
        self._line_utterance, self._line_text = None, False

    async def _partial(self, seg_start: int, seg_end: int):
        try:
            first = self._catchup if self._catchup is not None else max(seg_start, self._decoded)
            audio = self._audio.slice(first, seg_end)
            if not audio:
                return
            result = await self._engine.decode(
                audio, priority=PRIORITY_PARTIAL, beam_size=self._beam, hotwords=self.prompt
            )
        except Exception as e:
            logger.debug(f"local interim decode failed: {e}")
            return
        finally:
            self._partial_busy = False
        if result.text:
            self._put(StreamResult(result.text, False, first / SAMPLE_RATE, seg_end / SAMPLE_RATE, result.confidence))

    async def _decode(self, start: int, end: int, utterance_id: str | None, close: bool = False):
        while self._audio.total < end and not (self._closed or self._finishing):  # segment before its audio
            self._arrived.clear()
            await self._arrived.wait()
        audio = self._audio.slice(start, end)
        result = None
        if audio:
            try:
                result = await self._engine.decode(
                    audio, priority=PRIORITY_FINAL, beam_size=self._beam, hotwords=self.prompt
                )
            except Exception as e:
                logger.exception(f"Local decode failed: {e}")
        self._decoded = max(self._decoded, end)
        text = result.text if result is not None else ""
        if text and self._line_text and utterance_id and self._line_utterance not in (None, utterance_id):
            self._close_line()
        if text:
            self._line_utterance = self._line_utterance or utterance_id
            self._line_text = True
        self._put(
            StreamResult(
                text,
                True,
                start / SAMPLE_RATE,
                end / SAMPLE_RATE,
                result.confidence if result is not None and text else None,
                end_of_line=close,
            )
        )
        if close:
            self._line_utterance, self._line_text = None, False
        self._reported = max(self._reported, end)

    @property
    def pending(self) -> bool:
        """The re-sent audio still waits for the speech segment it belongs to. When False,
        the chain may switch away at a pause: ``finish()`` then delivers what is still being
        decoded, and the chain puts it in the old line."""
        return self._catchup is not None
