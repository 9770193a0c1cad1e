"""Speech-to-text through an ordered provider chain, with fallback and hybrid refinement.

Used when ``settings.stt_providers`` starts with a streaming provider (``deepgram``,
``google``); the default ``["local"]`` keeps ``WhisperSTTProcessor``. The segmenter runs with
``pass_audio=True``: raw ``UserAudioRawFrame``s stream to the active provider per track, and
its ``SpeechSegmentFrame``s are used only while the local engine is the active provider.

Output is what the local path emits: ``InterimTranscriptFrame`` / ``TranscriptFrame`` with
role, speaker, text = the whole line, segment_id = line id, start/end on the session audio
clock, confidence and provider; closed lines are refined in the background (``refined=True``,
same ``segment_id``) by OpenAI or the local engine with a wider beam.

Fallback, per track:
- *error* (refused, closed, error message) and *connect timeout* are noticed at once;
  *stall* = voiced audio sent has no final text yet and nothing came back for ``stall_secs``
  (a provider may stay quiet over silence once everything voiced is finalised).
- Then the next provider of the chain that is not backing off is started at once; a failed
  provider backs off exponentially (``retry_base_secs``, doubled per failure up to
  ``retry_max_secs``) and is tried again only when its back-off ran out AND the track is at a
  pause (no open line, silence), so a switch back never cuts a sentence.
- No audio is lost: each track keeps its audio since the last *final* result; the next
  streaming provider gets that audio re-sent before live audio. The local engine decodes it:
  at once when the track is silent, otherwise together with the speech segment in progress
  (decoding half a word at the switch point would garble it).
- ``StatusFrame(state="provider", provider=<active>)`` whenever a track's provider changes.

Recognition hints: an interviewer track's streams get the session vocabulary's hints
(``vocabulary.hints()``: Deepgram keyterms, Google phrase hints) before they start, and its
local decodes and local refinements get Whisper hotwords, as in ``WhisperSTTProcessor``.

Decision: lines end where the streaming provider's endpointing says (Deepgram
``speech_final``, Google final results), not at the segmenter's utterance ends: the provider's
final text and its endpoint come together, and two endpointers would split lines
inconsistently. With Deepgram its own speaker labels are used ("Interviewer 1", ...) unless
the track id already names the speaker.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np
from loguru import logger
from pipecat.frames.frames import CancelFrame, EndFrame, Frame, InputAudioRawFrame, StartFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.frames import (
    CANDIDATE,
    INTERVIEWER,
    SAMPLE_RATE,
    SpeechSegmentFrame,
    StatusFrame,
    UtteranceEndFrame,
)
from cuecard.pipeline.context import SessionClock
from cuecard.processors.speech_segmenter import split_track_id
from cuecard.processors.transcript_line import TranscriptLine
from cuecard.services.streaming_stt import ProviderError, StreamingSTT, StreamResult
from cuecard.services.transcript_cache import TranscriptCache
from cuecard.services.whisper.engine import (
    PRIORITY_FINAL,
    PRIORITY_PARTIAL,
    PRIORITY_REFINE,
    Transcription,
    WhisperEngine,
)

LOCAL = "local"
BYTES = 2
# RMS (full scale 1.0) above which sent audio counts as "voiced" for stall detection: a
# provider owes us a result only for speech, and may stay quiet over silence.
VOICED_RMS = 0.01
LOCAL_KEEP_SECS = 30  # > max_segment_secs: a segment's audio is still here when it closes
KEEPALIVE_SECS = 4.0
SEND_CHUNK = SAMPLE_RATE // 4  # at most 250 ms per message when re-sending a backlog


def _rms(pcm: bytes) -> float:
    if len(pcm) < BYTES:
        return 0.0
    x = np.frombuffer(pcm[: len(pcm) // BYTES * BYTES], np.int16).astype(np.float32) / 32768.0
    return float(np.sqrt(np.mean(x * x)))


@dataclass
class FallbackParams:
    connect_timeout_secs: float = 1.5
    stall_secs: float = 1.5
    retry_base_secs: float = 2.0
    retry_max_secs: float = 60.0
    max_buffer_secs: float = 120.0  # audio kept for re-sending; beyond it the oldest is dropped
    beam_size: int = 1  # local engine, when it is the active provider
    finish_timeout_secs: float = 3.0


class Refiner(Protocol):
    name: str
    model: str

    async def refine(self, pcm: bytes) -> Transcription: ...


class LocalRefiner:
    """The local engine with a wider beam; results also go to the persistent cache so a replay
    in a new process does not decode the same line again."""

    name = LOCAL

    def __init__(self, engine: WhisperEngine, beam_size: int, cache: TranscriptCache | None):
        self._engine, self._beam, self._cache = engine, beam_size, cache
        self.model = f"{engine.model_name}:beam{beam_size}"

    accepts_hotwords = True

    async def refine(self, pcm: bytes, hotwords: str | None = None) -> Transcription:
        # A biased decode is another model's output: cached under its own name.
        model = self.model if not hotwords else f"{self.model}:hints-{hashlib.sha1(hotwords.encode()).hexdigest()[:12]}"
        if self._cache is not None:
            hit = self._cache.get(pcm, self.name, model)
            if hit is not None:
                return Transcription(hit.text, hit.confidence or 0.0, 0.0, self.model, cached=True)
        result = await self._engine.decode(pcm, priority=PRIORITY_REFINE, beam_size=self._beam, hotwords=hotwords)
        if self._cache is not None:
            self._cache.put(pcm, self.name, model, result.text, result.confidence)
        return result


class TrackAudio:
    """A track's audio by sample index since its first frame, trimmed from the front."""

    def __init__(self, offset: float):
        self.offset = offset  # session time of sample 0
        self.base = 0  # sample index of data[0]
        self.data = bytearray()

    @property
    def total(self) -> int:
        return self.base + len(self.data) // BYTES

    def append(self, pcm: bytes):
        self.data.extend(pcm)

    def slice(self, start: int, end: int) -> bytes:
        a, b = max(start, self.base) - self.base, max(min(end, self.total), self.base) - self.base
        return bytes(self.data[a * BYTES : b * BYTES]) if b > a else b""

    def trim(self, before: int):
        cut = min(max(before, self.base), self.total) - self.base
        if cut > 0:
            del self.data[: cut * BYTES]
            self.base += cut

    def time(self, sample: int) -> float:
        return self.offset + sample / SAMPLE_RATE

    def sample(self, t: float) -> int:
        return int(round((t - self.offset) * SAMPLE_RATE))

    def tail_voiced(self, secs: float = 0.3) -> bool:
        return _rms(self.slice(self.total - int(secs * SAMPLE_RATE), self.total)) >= VOICED_RMS


@dataclass
class _Health:
    retry_at: float = 0.0
    delay: float = 0.0
    failures: int = 0


@dataclass
class _Track:
    track_id: str
    role: str
    speaker: str | None
    audio: TrackAudio
    active: int | None = None  # index in the chain
    stream: StreamingSTT | None = None
    origin: int = 0  # sample index where the current stream's time 0 is
    sent: int = 0  # samples sent to the current stream
    finalized: int = 0  # everything before this sample has final text
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task] = field(default_factory=list)
    # Stall clock: since the last result while voiced audio has no final text yet (or since
    # the first voiced audio after it). A provider may stay quiet only when all is finalised.
    unanswered_since: float | None = None
    voiced_until: int = 0  # end (sample) of the last voiced chunk sent to the current stream
    line: TranscriptLine | None = None  # open line of the streaming provider
    local_line: TranscriptLine | None = None  # open line of the local engine (also after a switch back)
    catchup_from: int | None = None  # local engine: audio since here still needs decoding
    local_chain: asyncio.Task | None = None
    partial_busy: bool = False
    switching: bool = False
    failed_at: float | None = None  # monotonic time of the failure being recovered from
    last_failure: str = ""
    finishing: bool = False  # we sent the provider's close message: its stream may end


class ProviderChainSTT(FrameProcessor):
    def __init__(
        self,
        chain: list[str],
        make_stream: Callable[[str], StreamingSTT],
        engine: WhisperEngine,
        *,
        refiner: Refiner | None = None,
        params: FallbackParams | None = None,
        clock: SessionClock | None = None,
        vocabulary=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._vocabulary = vocabulary  # SessionVocabulary | None: hints for the interviewer only
        if not chain:
            raise ValueError("stt_providers is empty: name at least one provider")
        self._chain = list(chain)
        self._make_stream = make_stream
        self._engine = engine
        self._refiner = refiner
        self._p = params or FallbackParams()
        # Live: a track's first sample sits at the session clock's time, the clock the
        # segmenter reads too, so segment times cut our audio buffer at the right place.
        self._clock = clock
        self._tracks: dict[str, _Track] = {}
        self._health: dict[str, _Health] = {name: _Health() for name in self._chain}
        self._background: set[asyncio.Task] = set()
        self._watchdog: asyncio.Task | None = None
        self._ending = False
        self.switches: list[dict] = []  # every provider change, for tests and diagnostics

    # -- frames ---------------------------------------------------------------------------------

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._on_audio(getattr(frame, "user_id", "") or CANDIDATE, frame.audio)
        elif isinstance(frame, SpeechSegmentFrame):
            track = self._tracks.get(self._key(frame))
            if track is not None and self._is_local(track):
                self._on_local_segment(track, frame)
        elif isinstance(frame, UtteranceEndFrame):
            # Not passed on: our lines are not the segmenter's utterances. Each closed line
            # sends its own UtteranceEndFrame (id = the line's segment_id), after its text.
            track = self._tracks.get(self._key(frame))
            if track is not None and self._is_local(track):
                self._local_then(track, self._close_local_utterance(track, frame.utterance_id))
        elif isinstance(frame, EndFrame):
            await self._finish_all()
            await self.push_frame(frame, direction)
        elif isinstance(frame, CancelFrame):
            await self._close_all()
            await self.push_frame(frame, direction)
        elif isinstance(frame, StartFrame) and self._vocabulary is not None:
            await self.push_frame(frame, direction)
            await asyncio.to_thread(self._hints, INTERVIEWER)  # built once, before any audio
        else:
            await self.push_frame(frame, direction)

    # -- recognition hints (the interviewer's track only) -----------------------------------------

    def _hints(self, role: str) -> list[str]:
        if role != INTERVIEWER or self._vocabulary is None:
            return []
        try:
            return self._vocabulary.hints()
        except Exception as e:  # hints are a refinement: never lose speech over them
            logger.warning(f"No recognition hints: {e}")
            return []

    def _hotwords(self, role: str) -> str | None:
        if role != INTERVIEWER or self._vocabulary is None:
            return None
        try:
            return self._vocabulary.live_prompt()
        except Exception as e:
            logger.warning(f"No recognition hints: {e}")
            return None

    @staticmethod
    def _key(frame) -> str:
        return f"{frame.role}:{frame.speaker}" if frame.speaker else frame.role

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def _on_audio(self, track_id: str, pcm: bytes):
        track = self._tracks.get(track_id)
        if track is None:
            offset = self._clock.now() if self._clock else 0.0
            role, speaker = split_track_id(track_id)
            track = _Track(track_id, role, speaker, TrackAudio(offset))
            self._tracks[track_id] = track
            if self._watchdog is None:
                self._watchdog = self._spawn(self._watch())
            self._spawn(self._activate(track, 0, reason="start"))
        track.audio.append(pcm)
        self._trim(track)
        track.wake.set()

    def _trim(self, track: _Track):
        keep = track.finalized
        if self._is_local(track) and track.catchup_from is None:
            # The local engine works on the segmenter's segments (at most max_segment_secs);
            # silence between them needs no keeping.
            keep = max(keep, track.audio.total - LOCAL_KEEP_SECS * SAMPLE_RATE)
        for line in (track.line, track.local_line):
            if line is not None:
                keep = min(keep, track.audio.sample(line.start))
        limit = track.audio.total - int(self._p.max_buffer_secs * SAMPLE_RATE)
        if keep < limit:
            if track.finalized < limit - SAMPLE_RATE:  # say it once per episode, not per frame
                logger.warning(
                    f"STT {track.track_id}: no final text for {self._p.max_buffer_secs:.0f} s;"
                    " dropping the oldest buffered audio"
                )
            keep = limit
            track.finalized = max(track.finalized, limit)
        track.audio.trim(min(keep, track.sent) if track.stream else keep)

    # -- choosing a provider --------------------------------------------------------------------

    def _is_local(self, track: _Track) -> bool:
        return track.active is not None and self._chain[track.active] == LOCAL

    def _available(self, index: int) -> bool:
        return self._health[self._chain[index]].retry_at <= time.monotonic()

    def _mark_failed(self, name: str):
        h = self._health[name]
        h.failures += 1
        h.delay = min(self._p.retry_max_secs, h.delay * 2 if h.delay else self._p.retry_base_secs)
        h.retry_at = time.monotonic() + h.delay

    def _mark_healthy(self, name: str):
        self._health[name] = _Health()

    async def _activate(self, track: _Track, first: int, *, reason: str, previous: str | None = None):
        """Start the first usable provider at or after ``first`` (then any before it)."""
        track.switching = True
        try:
            order = list(range(first, len(self._chain))) + list(range(0, first))
            for index in order:
                name = self._chain[index]
                if not self._available(index) and name != LOCAL:
                    continue
                if name == LOCAL:
                    await self._start_local(track, index)
                elif not await self._start_stream(track, index):
                    continue
                if previous is None and reason == "start" and track.last_failure:
                    reason = track.last_failure
                await self._announce(track, previous, reason)
                return
            track.active = None
            await self.push_frame(
                StatusFrame(
                    state="stt_error",
                    message=f"no speech-to-text provider available ({reason}); audio is kept and re-sent when one recovers",
                    provider=None,
                    extra={"role": track.role},
                )
            )
        finally:
            track.switching = False

    async def _announce(self, track: _Track, previous: str | None, reason: str):
        name = self._chain[track.active]
        if name == previous:
            return
        switch_secs = None if track.failed_at is None else round(time.monotonic() - track.failed_at, 3)
        track.failed_at = None
        record = {"role": track.role, "from": previous, "to": name, "reason": reason, "switch_secs": switch_secs}
        self.switches.append(record)
        logger.info(f"STT {track.track_id}: provider {previous} -> {name} ({reason}, {switch_secs} s)")
        message = f"speech-to-text: {name}" + (f" (was {previous}: {reason})" if previous else "")
        await self.push_frame(
            StatusFrame(state="provider", message=message, provider=name, extra={k: v for k, v in record.items() if k != "to"})
        )

    async def _connect(self, track: _Track, index: int) -> StreamingSTT | None:
        """A started stream of provider ``index``, or None (marked failed) within the deadline."""
        name = self._chain[index]
        attempt_started = time.monotonic()
        stream = None
        try:
            stream = self._make_stream(name)
            hints = self._hints(track.role)
            if hints and hasattr(stream, "hints"):
                stream.hints = list(hints)
            await asyncio.wait_for(stream.start(), self._p.connect_timeout_secs)
            return stream
        except asyncio.TimeoutError:
            why = f"did not connect within {self._p.connect_timeout_secs} s"
        except Exception as e:
            why = f"failed to start: {e}"
        logger.warning(f"STT {track.track_id}: {name} {why}")
        self._mark_failed(name)
        if track.failed_at is None:
            track.failed_at = attempt_started
        track.last_failure = f"{name} {why}"
        self._spawn(self._close_quietly(stream))
        return None

    async def _start_stream(self, track: _Track, index: int) -> bool:
        stream = await self._connect(track, index)
        if stream is None:
            return False
        self._attach(track, index, stream)
        return True

    def _attach(self, track: _Track, index: int, stream: StreamingSTT):
        track.active = index
        track.stream = stream
        track.catchup_from = None
        track.finishing = False
        # Re-send everything that has no final text yet: the new stream's time 0 is there.
        track.origin = track.sent = max(track.finalized, track.audio.base)
        track.unanswered_since = None
        track.voiced_until = 0
        track.tasks = [
            self._spawn(self._send_loop(track, stream)),
            self._spawn(self._read_loop(track, stream)),
        ]
        track.wake.set()

    async def _close_quietly(self, stream):
        if stream is not None:
            try:
                await stream.close()
            except Exception:
                pass

    async def _fail(self, track: _Track, stream: StreamingSTT, reason: str):
        """The active stream failed: drop it and move to the next provider at once."""
        if track.stream is not stream:
            return
        name = stream.name
        track.failed_at = time.monotonic()
        logger.warning(f"STT {track.track_id}: {name} failed ({reason}); falling back")
        self._mark_failed(name)
        track.stream = None
        current = asyncio.current_task()
        for task in track.tasks:
            if task is not current:
                task.cancel()
        track.tasks = []
        self._spawn(self._close_quietly(stream))
        await self._activate(track, (track.active or 0) + 1, reason=reason, previous=name)

    # -- streaming ------------------------------------------------------------------------------

    async def _send_loop(self, track: _Track, stream: StreamingSTT):
        try:
            while True:
                try:
                    await asyncio.wait_for(track.wake.wait(), KEEPALIVE_SECS)
                except asyncio.TimeoutError:
                    # The track sends no audio (muted, tab share paused): Deepgram closes an
                    # idle stream after ~10 s, so tell it we are still here.
                    keep_alive = getattr(stream, "keep_alive", None)
                    if keep_alive is not None:
                        await keep_alive()
                    continue
                track.wake.clear()
                while track.sent < track.audio.total and track.stream is stream:
                    end = min(track.audio.total, track.sent + SEND_CHUNK)
                    chunk = track.audio.slice(track.sent, end)
                    await stream.send(chunk)
                    track.sent = end
                    if _rms(chunk) >= VOICED_RMS:
                        track.voiced_until = end
                        if track.unanswered_since is None:
                            track.unanswered_since = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            await self._fail(track, stream, f"send failed: {e}")

    async def _read_loop(self, track: _Track, stream: StreamingSTT):
        try:
            async for result in stream.results():
                if track.stream is not stream:
                    return
                self._mark_healthy(stream.name)
                await self._on_result(track, result)
                # Still owed a final for voiced audio: the clock restarts, it does not stop.
                track.unanswered_since = time.monotonic() if track.voiced_until > track.finalized else None
        except asyncio.CancelledError:
            raise
        except Exception as e:
            reason = str(e) if isinstance(e, ProviderError) else f"{type(e).__name__}: {e}"
            await self._fail(track, stream, reason)
            return
        if not track.finishing:
            await self._fail(track, stream, "stream ended")

    def _speaker_label(self, track: _Track, result: StreamResult) -> str | None:
        if track.speaker:
            return track.speaker
        # The candidate's microphone carries one person; labels matter on the interviewer side.
        if result.speaker is None or track.role == CANDIDATE:
            return None
        return f"{track.role.capitalize()} {result.speaker + 1}"

    async def _on_result(self, track: _Track, result: StreamResult):
        t0 = track.audio.time(track.origin)
        start, end = t0 + result.start, t0 + result.end
        speaker = self._speaker_label(track, result)
        if result.is_final:
            track.finalized = max(track.finalized, track.origin + int(round(result.end * SAMPLE_RATE)))
        if not result.text:
            if result.is_final and result.end_of_line and track.line is not None:
                await self._close_line(track)
            return
        line = track.line
        if line is not None and line.texts and result.is_final and speaker != line.speaker:
            await self._close_line(track)  # one speaker per line
            line = None
        if line is None:
            first = t0 + result.words[0].start if result.words else start
            line = track.line = TranscriptLine(uuid.uuid4().hex[:12], track.role, first, end, speaker)
        stream_name = self._chain[track.active] if track.active is not None else "?"
        if not result.is_final:
            await self.push_frame(line.interim_frame(result.text, end, result.confidence, stream_name))
            return
        line.texts.append(result.text)
        if result.confidence is not None:
            line.confidences.append(result.confidence)
        line.end = max(line.end, end)
        line.speaker = line.speaker or speaker
        if result.end_of_line:
            await self._close_line(track, stream_name)
        else:
            await self.push_frame(line.final_frame(stream_name))

    async def _close_line(self, track: _Track, provider: str | None = None, *, local=False):
        if local:
            line, track.local_line = track.local_line, None
        else:
            line, track.line = track.line, None
        if line is None or not line.texts:
            return
        provider = provider or (self._chain[track.active] if track.active is not None else LOCAL)
        await self.push_frame(line.final_frame(provider, closed=True))
        await self.push_frame(UtteranceEndFrame(track.role, line.line_id, line.start, line.end, b"", line.speaker))
        if self._refiner is not None:
            audio = track.audio.slice(track.audio.sample(line.start), track.audio.sample(line.end))
            if audio:
                self._spawn(self._refine(track, line, audio))

    async def _refine(self, track: _Track, line: TranscriptLine, audio: bytes):
        try:
            hotwords = None
            if getattr(self._refiner, "accepts_hotwords", False) and track.role == INTERVIEWER and self._vocabulary is not None:
                hotwords = await asyncio.to_thread(self._vocabulary.refine_prompt, line.text)
            if hotwords:
                result = await self._refiner.refine(audio, hotwords=hotwords)
            else:
                result = await self._refiner.refine(audio)
        except Exception as e:
            logger.warning(f"Refinement by {self._refiner.name} failed, keeping the live text: {e}")
            return
        if not result.text:
            return
        refined = TranscriptLine(
            line.line_id, track.role, line.start, line.end, line.speaker,
            texts=[result.text], confidences=[result.confidence],
        )
        await self.push_frame(refined.final_frame(self._refiner.name, closed=True, refined=True))

    # -- the local engine as a provider ------------------------------------------------------------

    async def _start_local(self, track: _Track, index: int):
        track.active = index
        track.stream = None
        # The line the failed provider had open continues, now filled by the local engine.
        if track.line is not None:
            track.local_line, track.line = track.line, None
        pending_from = max(track.finalized, track.audio.base)
        if pending_from >= track.audio.total:
            return
        if track.audio.tail_voiced():
            # Speech is going on: decode the backlog together with the segment in progress
            # when the segmenter closes it, so no word is cut at the switch point.
            track.catchup_from = pending_from
        else:
            end = track.audio.total
            audio = track.audio.slice(pending_from, end)
            self._local_then(track, self._decode_local(track, audio, pending_from, end, None, close=True))

    def _local_then(self, track: _Track, coro):
        """Local decodes of one track run in order (lines stay in order)."""
        previous = track.local_chain

        async def after():
            if previous is not None:
                try:
                    await previous
                except Exception:
                    pass
            await coro

        track.local_chain = self._spawn(after())

    def _on_local_segment(self, track: _Track, frame: SpeechSegmentFrame):
        seg_start, seg_end = track.audio.sample(frame.start), track.audio.sample(frame.end)
        if frame.kind == "partial":
            if not track.partial_busy:
                track.partial_busy = True
                self._spawn(self._local_partial(track, frame, seg_start, seg_end))
        elif frame.kind == "final":
            if track.catchup_from is not None:
                start, track.catchup_from = track.catchup_from, None
            else:
                start = max(seg_start, track.finalized)
            if seg_end <= start:
                return  # already transcribed by the provider before the switch
            # Sliced now: after a switch back to a streaming provider the buffer may be trimmed
            # before this decode runs.
            audio = track.audio.slice(start, seg_end)
            self._local_then(track, self._decode_local(track, audio, start, seg_end, frame.utterance_id))

    async def _local_partial(self, track: _Track, frame: SpeechSegmentFrame, seg_start: int, seg_end: int):
        try:
            start = track.catchup_from if track.catchup_from is not None else max(seg_start, track.finalized)
            audio = track.audio.slice(start, seg_end)
            if not audio:
                return
            result = await self._engine.decode(
                audio, priority=PRIORITY_PARTIAL, beam_size=self._p.beam_size, hotwords=self._hotwords(track.role)
            )
        except Exception as e:
            logger.debug(f"local interim decode failed: {e}")
            return
        finally:
            track.partial_busy = False
        if not result.text or not self._is_local(track):
            return
        line = track.local_line or TranscriptLine(
            uuid.uuid4().hex[:12], track.role, track.audio.time(start), frame.end, track.speaker
        )
        track.local_line = line
        await self.push_frame(line.interim_frame(result.text, frame.end, result.confidence, LOCAL))

    async def _decode_local(
        self, track: _Track, audio: bytes, start: int, end: int, utterance_id: str | None, close=False
    ):
        result = None
        if audio:
            try:
                result = await self._engine.decode(
                    audio, priority=PRIORITY_FINAL, beam_size=self._p.beam_size, hotwords=self._hotwords(track.role)
                )
            except Exception as e:
                logger.exception(f"Local decode failed: {e}")
                await self.push_frame(StatusFrame(state="stt_error", message=str(e), provider=LOCAL))
        track.finalized = max(track.finalized, end)
        if result is not None and result.text:
            line = track.local_line
            if line is not None and line.texts and utterance_id and line.utterance_id not in (None, utterance_id):
                await self._close_line(track, LOCAL, local=True)
                line = None
            if line is None:
                line = track.local_line = TranscriptLine(
                    uuid.uuid4().hex[:12], track.role, track.audio.time(start),
                    track.audio.time(end), track.speaker,
                )
            line.utterance_id = line.utterance_id or utterance_id
            line.texts.append(result.text)
            line.confidences.append(result.confidence)
            line.end = track.audio.time(end)
            await self.push_frame(line.final_frame(LOCAL))
        if close:
            await self._close_line(track, LOCAL, local=True)

    async def _close_local_utterance(self, track: _Track, utterance_id: str):
        line = track.local_line
        if line is not None and line.utterance_id in (None, utterance_id) and line.texts:
            await self._close_line(track, LOCAL, local=True)

    # -- watchdog: stalls and recovery ----------------------------------------------------------

    async def _watch(self):
        while not self._ending:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            for track in list(self._tracks.values()):
                if track.switching:
                    continue
                stream = track.stream
                if stream is not None and track.unanswered_since is not None:
                    if now - track.unanswered_since >= self._p.stall_secs:
                        stalled_for = now - track.unanswered_since
                        track.unanswered_since = None
                        self._spawn(self._fail(track, stream, f"stalled: no result for {stalled_for:.1f} s while speech awaits its final text"))
                        continue
                try:
                    self._maybe_recover(track)
                except Exception:  # the watchdog must outlive any one bad decision
                    logger.exception(f"STT {track.track_id}: recovery check failed")

    def _maybe_recover(self, track: _Track):
        """Go back to a preferred provider once its back-off ran out, at a pause only."""
        current = track.active if track.active is not None else len(self._chain)
        preferred = next((i for i in range(current) if self._available(i)), None)
        if preferred is None or track.catchup_from is not None:
            return
        # At a pause only; local decodes still running finish into their own line.
        if track.active is not None and (track.line is not None or track.audio.tail_voiced(0.4)):
            return
        track.switching = True
        self._spawn(self._recover(track, preferred, track.audio.total))

    async def _recover(self, track: _Track, index: int, pause_at: int):
        """Probe the preferred provider; switch only when it connected (the old one keeps
        working meanwhile)."""
        try:
            name = self._chain[index]
            before = (track.active, track.stream)
            stream = None if name == LOCAL else await self._connect(track, index)
            if name != LOCAL and stream is None:
                track.failed_at = None
                return
            if (track.active, track.stream) != before:
                # The current provider failed while we probed; that fallback already chose.
                await self._close_quietly(stream)
                return
            previous = self._chain[track.active] if track.active is not None else None
            old = track.stream
            if old is not None:
                track.stream = None
                for task in track.tasks:
                    task.cancel()
                track.tasks = []
                self._spawn(self._close_quietly(old))
            if previous == LOCAL:
                # The local engine has every segment that closed before the pause; the new
                # stream starts at the pause (audio since then is re-sent to it).
                track.finalized = max(track.finalized, pause_at)
            if stream is None:
                await self._start_local(track, index)
            else:
                self._attach(track, index, stream)
            track.failed_at = None
            await self._announce(track, previous, "recovered")
        finally:
            track.switching = False

    # -- end of session -------------------------------------------------------------------------

    async def _finish_all(self):
        """End of input: every stream flushes its last results; if one fails now, the next
        provider (usually the local engine) transcribes what it had not finalised."""
        for track in self._tracks.values():
            deadline = time.monotonic() + self._p.finish_timeout_secs
            while time.monotonic() < deadline:
                while track.switching and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                stream = track.stream
                if stream is None:
                    break
                while track.sent < track.audio.total and track.stream is stream and time.monotonic() < deadline:
                    track.wake.set()
                    await asyncio.sleep(0.01)
                if track.stream is not stream:
                    continue
                reader = track.tasks[-1] if track.tasks else None
                track.finishing = True
                try:
                    await stream.finish()
                except Exception as e:
                    logger.warning(f"STT {track.track_id}: {stream.name} finish failed: {e!r}")
                if reader is not None:
                    await asyncio.wait({reader}, timeout=max(deadline - time.monotonic(), 0.1))
                if track.stream is stream:
                    if reader is not None and not reader.done():
                        track.finishing = False
                        await self._fail(track, stream, "no final results at the end of the input")
                        continue
                    break
        self._ending = True
        for track in self._tracks.values():
            if track.active is None and track.finalized < track.audio.total:
                # Every provider failed and none is local: the local engine is still in the
                # process, and captured speech must not be lost at the end.
                logger.warning(f"STT {track.track_id}: no provider recovered; decoding the buffered audio locally")
                track.catchup_from = max(track.finalized, track.audio.base)
                if track.line is not None:
                    track.local_line, track.line = track.line, None
            if (self._is_local(track) or track.active is None) and track.catchup_from is not None:
                start, track.catchup_from = track.catchup_from, None
                audio = track.audio.slice(start, track.audio.total)
                self._local_then(track, self._decode_local(track, audio, start, track.audio.total, None, close=True))
            if track.local_chain is not None:
                await asyncio.gather(track.local_chain, return_exceptions=True)
            if track.local_line is not None:
                await self._close_line(track, LOCAL, local=True)
            if track.line is not None:
                await self._close_line(track)
        await self._close_all(drain=True)

    async def _close_all(self, drain: bool = False):
        self._ending = True
        for track in self._tracks.values():
            for task in track.tasks:
                task.cancel()
            track.tasks = []
            if track.stream is not None:
                await self._close_quietly(track.stream)
                track.stream = None
        if self._watchdog is not None:
            self._watchdog.cancel()
        if drain:
            pending = [t for t in self._background if t is not asyncio.current_task() and t is not self._watchdog]
            while pending:
                await asyncio.gather(*pending, return_exceptions=True)
                pending = [t for t in self._background if not t.done() and t is not self._watchdog]
        else:
            for task in list(self._background):
                task.cancel()
