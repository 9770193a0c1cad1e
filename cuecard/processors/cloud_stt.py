"""Speech-to-text through an ordered provider chain, with fallback and hybrid refinement.

Used when ``settings.stt_providers`` starts with a streaming provider; ``["local"]`` keeps
``WhisperSTTProcessor`` (``pipeline/stt_stages.py`` builds both). Raw audio streams to the
active provider per track. Every provider is a ``StreamingSTT`` (``services/streaming_stt.py``),
local Whisper too (``services/whisper/stream.py``): the segmenter's ``SpeechSegmentFrame``s and
``UtteranceEndFrame``s go to the active stream's optional ``segment``/``utterance_end`` hooks
(only the local stream has them). The stage has no branch for any one provider.

Output is what the local path emits: interim/final ``TranscriptFrame``s, one line per
utterance (segment_id = line id) on the session audio clock, with provider and confidence;
closed lines are refined in the background (``refined=True``) by a ``Refiner``.

Fallback, per track: an *error* or *connect timeout* is noticed at once; a *stall* (voiced
audio without final text and no result for ``stall_secs``; streams with ``may_stall = False``
are exempt) by a timer per track. The next provider not backing off (``ProviderHealth``) starts
at once and gets the audio without final text re-sent (``caught_up()`` marks where the re-sent
part ends). A failed provider is taken back when its back-off ran out AND the track is at a
pause, checked as audio arrives; the old stream, when it can (``pending``), finishes its own
line. At the end of the input ``last_resort`` (local Whisper) transcribes what no provider did.
``StatusFrame(state="provider")`` whenever a track's provider changes.

Recognition hints: an interviewer track's streams get the vocabulary's ``hints`` (Deepgram
keyterms, Google phrase hints) and ``prompt`` (Whisper hotwords) before they start.

Decision: lines end where the active provider's endpointing says (Deepgram ``speech_final``,
Google final results, the segmenter's utterance ends for the local stream): a provider's final
text and its endpoint come together. Deepgram's speaker labels are used ("Interviewer 1", ...)
unless the track id names the speaker.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

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
from cuecard.processors.stt_track import FallbackParams, Retiring, Track, track_vocabulary
from cuecard.processors.transcript_line import TranscriptLine
from cuecard.services.provider_health import ProviderHealth
from cuecard.services.refiners import Refiner, refine_text
from cuecard.services.streaming_stt import ProviderError, StreamingSTT, StreamResult
from cuecard.services.task_chain import TaskChain
from cuecard.services.track_audio import VOICED_RMS, TrackAudio, rms

__all__ = ["FallbackParams", "ProviderChainSTT"]  # FallbackParams lives in stt_track.py

KEEPALIVE_SECS = 4.0
SEND_CHUNK = SAMPLE_RATE // 4  # at most 250 ms per message when re-sending a backlog


class ProviderChainSTT(FrameProcessor):
    def __init__(
        self,
        chain: list[str],
        make_stream: Callable[[str], StreamingSTT],
        *,
        last_resort: Callable[[], StreamingSTT] | None = None,
        refiner: Refiner | None = None,
        params: FallbackParams | None = None,
        health: ProviderHealth | None = None,
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
        self._last_resort = last_resort
        self._refiner = refiner
        self._p = params or FallbackParams()
        self._health = health or ProviderHealth(
            self._chain, base_secs=self._p.retry_base_secs, max_secs=self._p.retry_max_secs
        )
        # Live: a track's first sample sits at the session clock's time, the clock the
        # segmenter reads too, so segment times cut our audio buffer at the right place.
        self._clock = clock
        self._tracks: dict[str, Track] = {}
        self._tasks = TaskChain()
        self._ending = False
        self.switches: list[dict] = []  # every provider change, for tests and diagnostics

    # -- frames ---------------------------------------------------------------------------------

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._on_audio(getattr(frame, "user_id", "") or CANDIDATE, frame.audio)
        elif isinstance(frame, SpeechSegmentFrame):
            track = self._tracks.get(self._key(frame))
            hook = getattr(track.stream, "segment", None) if track is not None else None
            if track is not None and hook is not None:
                t0 = track.audio.time(track.origin)
                hook(frame.kind, frame.start - t0, frame.end - t0, frame.utterance_id)
        elif isinstance(frame, UtteranceEndFrame):
            # Not passed on: our lines are not the segmenter's utterances. Each closed line
            # sends its own UtteranceEndFrame (id = the line's segment_id), after its text.
            track = self._tracks.get(self._key(frame))
            hook = getattr(track.stream, "utterance_end", None) if track is not None else None
            if hook is not None:
                hook(frame.utterance_id)
        elif isinstance(frame, EndFrame):
            await self._finish_all()
            await self.push_frame(frame, direction)
        elif isinstance(frame, CancelFrame):
            await self._close_all()
            await self.push_frame(frame, direction)
        elif isinstance(frame, StartFrame) and self._vocabulary is not None:
            await self.push_frame(frame, direction)
            await asyncio.to_thread(
                track_vocabulary, self._vocabulary, INTERVIEWER, "hints"
            )  # built once, before any audio
        else:
            await self.push_frame(frame, direction)

    @staticmethod
    def _key(frame) -> str:
        return f"{frame.role}:{frame.speaker}" if frame.speaker else frame.role

    def _on_audio(self, track_id: str, pcm: bytes):
        track = self._tracks.get(track_id)
        if track is None:
            offset = self._clock.now() if self._clock else 0.0
            role, speaker = split_track_id(track_id)
            track = Track(track_id, role, speaker, TrackAudio(offset))
            self._tracks[track_id] = track
            track.settled.clear()  # no recovery probe before the first provider is chosen
            self._tasks.spawn(self._activate(track, 0, reason="start"))
        track.audio.append(pcm)
        self._trim(track)
        track.sent_all.clear()
        track.wake.set()
        self._maybe_recover(track)

    def _trim(self, track: Track):
        keep = track.finalized
        for line in (track.line, *(r.line for r in track.retiring)):
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

    def _available(self, index: int) -> bool:
        return self._health.available(self._chain[index])

    async def _activate(self, track: Track, first: int, *, reason: str, previous: str | None = None):
        """Start the first usable provider at or after ``first`` (then any before it)."""
        track.settled.clear()
        try:
            order = list(range(first, len(self._chain))) + list(range(0, first))
            for index in order:
                if not self._available(index) or not await self._start_stream(track, index):
                    continue
                if previous is None and reason == "start" and track.last_failure:
                    reason = track.last_failure
                await self._announce(track, previous, reason)
                return
            track.active = track.provider = None
            await self.push_frame(
                StatusFrame(
                    state="stt_error",
                    message=f"no speech-to-text provider available ({reason}); audio is kept and re-sent when one recovers",
                    provider=None,
                    extra={"role": track.role},
                )
            )
        finally:
            track.settled.set()

    async def _announce(self, track: Track, previous: str | None, reason: str):
        name = track.provider
        if name == previous:
            return
        switch_secs = None if track.failed_at is None else round(time.monotonic() - track.failed_at, 3)
        track.failed_at = None
        record = {"role": track.role, "from": previous, "to": name, "reason": reason, "switch_secs": switch_secs}
        self.switches.append(record)
        logger.info(f"STT {track.track_id}: provider {previous} -> {name} ({reason}, {switch_secs} s)")
        message = f"speech-to-text: {name}" + (f" (was {previous}: {reason})" if previous else "")
        await self.push_frame(
            StatusFrame(
                state="provider", message=message, provider=name, extra={k: v for k, v in record.items() if k != "to"}
            )
        )

    async def _connect(self, track: Track, index: int) -> StreamingSTT | None:
        """A started stream of provider ``index``, or None (marked failed) within the deadline."""
        name = self._chain[index]
        attempt_started = time.monotonic()
        stream = None
        try:
            stream = self._make_stream(name)
            self._prepare(track, stream)
            await asyncio.wait_for(stream.start(), self._p.connect_timeout_secs)
            return stream
        except TimeoutError:
            why = f"did not connect within {self._p.connect_timeout_secs} s"
        except Exception as e:
            why = f"failed to start: {e}"
        logger.warning(f"STT {track.track_id}: {name} {why}")
        self._health.failed(name)
        if track.failed_at is None:
            track.failed_at = attempt_started
        track.last_failure = f"{name} {why}"
        self._tasks.spawn(self._close_quietly(stream))
        return None

    def _prepare(self, track: Track, stream: StreamingSTT):
        hints = track_vocabulary(self._vocabulary, track.role, "hints") or []
        if hints and hasattr(stream, "hints"):
            stream.hints = list(hints)
        if hasattr(stream, "prompt"):
            stream.prompt = track_vocabulary(self._vocabulary, track.role, "live_prompt")

    async def _start_stream(self, track: Track, index: int) -> bool:
        stream = await self._connect(track, index)
        if stream is None:
            return False
        self._attach(track, index, stream)
        return True

    def _attach(self, track: Track, index: int | None, stream: StreamingSTT):
        track.active = index
        track.stream = stream
        track.provider = stream.name
        track.finishing = False
        # Re-send everything that has no final text yet: the new stream's time 0 is there.
        track.origin = track.sent = max(track.finalized, track.audio.base)
        self._answered(track)
        track.voiced_until = 0
        track.sent_all.clear()
        track.tasks = [
            self._tasks.spawn(self._send_loop(track, stream)),
            self._tasks.spawn(self._read_loop(track, stream)),
        ]
        track.wake.set()

    async def _close_quietly(self, stream):
        if stream is not None:
            try:
                await stream.close()
            except Exception:
                pass

    def _drop_stream(self, track: Track):
        """Detach the current stream (its loops end, it closes in the background)."""
        stream, track.stream = track.stream, None
        self._answered(track)
        current = asyncio.current_task()
        for task in track.tasks:
            if task is not current:
                task.cancel()
        track.tasks = []
        track.sent_all.set()  # whoever waits for this stream's audio re-checks
        self._tasks.spawn(self._close_quietly(stream))

    async def _fail(self, track: Track, stream: StreamingSTT, reason: str):
        """The active stream failed: drop it and move to the next provider at once."""
        if track.stream is not stream:
            return
        name = stream.name
        track.failed_at = time.monotonic()
        logger.warning(f"STT {track.track_id}: {name} failed ({reason}); falling back")
        self._health.failed(name)
        self._drop_stream(track)
        await self._activate(track, (track.active or 0) + 1, reason=reason, previous=name)

    # -- stall detection: a timer per track, armed while a result is owed -------------------------

    def _owe(self, track: Track, stream: StreamingSTT):
        if not getattr(stream, "may_stall", True):
            return
        self._answered(track)
        since = track.unanswered_since = time.monotonic()
        track.stall_timer = asyncio.get_running_loop().call_later(
            self._p.stall_secs, self._stalled, track, stream, since
        )

    def _answered(self, track: Track):
        track.unanswered_since = None
        if track.stall_timer is not None:
            track.stall_timer.cancel()
            track.stall_timer = None

    def _stalled(self, track: Track, stream: StreamingSTT, since: float):
        if track.stream is not stream or track.unanswered_since != since or self._ending:
            return
        track.unanswered_since = track.stall_timer = None
        stalled_for = time.monotonic() - since
        self._tasks.spawn(
            self._fail(track, stream, f"stalled: no result for {stalled_for:.1f} s while speech awaits its final text")
        )

    # -- streaming ------------------------------------------------------------------------------

    async def _send_loop(self, track: Track, stream: StreamingSTT):
        backlog = True
        try:
            while True:
                try:
                    await asyncio.wait_for(track.wake.wait(), KEEPALIVE_SECS)
                except TimeoutError:
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
                    if rms(chunk) >= VOICED_RMS:
                        track.voiced_until = end
                        if track.unanswered_since is None:
                            self._owe(track, stream)
                if backlog:  # the audio re-sent at the start has all gone out
                    backlog = False
                    caught_up = getattr(stream, "caught_up", None)
                    if caught_up is not None:
                        caught_up()
                if track.stream is stream and track.sent >= track.audio.total:
                    track.sent_all.set()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            await self._fail(track, stream, f"send failed: {e}")

    async def _read_loop(self, track: Track, stream: StreamingSTT):
        try:
            async for result in stream.results():
                if track.stream is not stream:
                    return
                self._health.succeeded(stream.name)
                await self._on_result(track, track, stream, result)
                # Still owed a final for voiced audio: the clock restarts, it does not stop.
                if track.voiced_until > track.finalized:
                    self._owe(track, stream)
                else:
                    self._answered(track)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            reason = str(e) if isinstance(e, ProviderError) else f"{type(e).__name__}: {e}"
            await self._fail(track, stream, reason)
            return
        if not track.finishing:
            await self._fail(track, stream, "stream ended")

    def _speaker_label(self, track: Track, result: StreamResult) -> str | None:
        if track.speaker:
            return track.speaker
        # The candidate's microphone carries one person; labels matter on the interviewer side.
        if result.speaker is None or track.role == CANDIDATE:
            return None
        return f"{track.role.capitalize()} {result.speaker + 1}"

    async def _on_result(self, track: Track, target: Track | Retiring, stream: StreamingSTT, result: StreamResult):
        """``target``: the track, or a retiring stream's own line and time base."""
        t0 = track.audio.time(target.origin)
        start, end = t0 + result.start, t0 + result.end
        speaker = self._speaker_label(track, result)
        if result.is_final:
            track.finalized = max(track.finalized, target.origin + int(round(result.end * SAMPLE_RATE)))
        if not result.text:
            if result.is_final and result.end_of_line and target.line is not None:
                await self._close_line(track, stream.name, target)
            return
        line = target.line
        if line is not None and line.texts and result.is_final and speaker != line.speaker:
            await self._close_line(track, stream.name, target)  # one speaker per line
            line = None
        if line is None:
            first = t0 + result.words[0].start if result.words else start
            line = target.line = TranscriptLine(uuid.uuid4().hex[:12], track.role, first, end, speaker)
        if not result.is_final:
            await self.push_frame(line.interim_frame(result.text, end, result.confidence, stream.name))
            return
        line.texts.append(result.text)
        if result.confidence is not None:
            line.confidences.append(result.confidence)
        line.end = max(line.end, end)
        line.speaker = line.speaker or speaker
        if result.end_of_line:
            await self._close_line(track, stream.name, target)
        else:
            await self.push_frame(line.final_frame(stream.name))

    async def _close_line(self, track: Track, provider: str, target: Track | Retiring | None = None):
        target = target or track
        line, target.line = target.line, None
        if line is None or not line.texts:
            return
        await self.push_frame(line.final_frame(provider, closed=True))
        await self.push_frame(UtteranceEndFrame(track.role, line.line_id, line.start, line.end, b"", line.speaker))
        if self._refiner is not None:
            audio = track.audio.slice(track.audio.sample(line.start), track.audio.sample(line.end))
            if audio:
                self._tasks.spawn(self._refine(track, line, audio))

    async def _refine(self, track: Track, line: TranscriptLine, audio: bytes):
        assert self._refiner is not None  # only spawned when a refiner is configured (above)
        vocabulary = self._vocabulary if track.role == INTERVIEWER else None
        result = await refine_text(self._refiner, audio, line.text, vocabulary)
        if result is None or not result.text:
            return
        refined = TranscriptLine(
            line.line_id,
            track.role,
            line.start,
            line.end,
            line.speaker,
            texts=[result.text],
            confidences=[result.confidence],
        )
        await self.push_frame(refined.final_frame(self._refiner.name, closed=True, refined=True))

    # -- recovery: back to a preferred provider, at a pause ----------------------------------------

    def _maybe_recover(self, track: Track):
        """Go back to a preferred provider once its back-off ran out, at a pause only."""
        if self._ending or not track.settled.is_set():
            return
        current = track.active if track.active is not None else len(self._chain)
        preferred = next((i for i in range(current) if self._available(i)), None)
        if preferred is None:
            return
        stream = track.stream
        if stream is not None:
            # A stream that can finish what it owes after the switch (``pending``: it still
            # waits for the speech its re-sent audio belongs to) may leave its line open.
            pending = getattr(stream, "pending", None)
            if (track.line is not None if pending is None else pending) or track.audio.tail_voiced(0.4):
                return
        track.settled.clear()
        self._tasks.spawn(self._recover(track, preferred, track.audio.total))

    async def _recover(self, track: Track, index: int, pause_at: int):
        """Probe the preferred provider; switch only when it connected (the old one keeps
        working meanwhile)."""
        try:
            before = (track.active, track.stream)
            stream = await self._connect(track, index)
            if stream is None:
                track.failed_at = None
                return
            if (track.active, track.stream) != before:
                # The current provider failed while we probed; that fallback already chose.
                await self._close_quietly(stream)
                return
            old = track.stream
            previous = track.provider if old is not None else None
            if old is not None:
                if getattr(old, "pending", None) is not None:
                    retiring = Retiring(old, track.origin, track.line)
                    track.stream, track.line = None, None
                    for task in track.tasks:
                        task.cancel()
                    track.tasks = []
                    track.retiring.append(retiring)
                    self._tasks.spawn(self._retire(track, retiring))
                else:
                    self._drop_stream(track)
                # At a pause: the old stream has (or will have) the audio before it; the new
                # one starts there (audio since then is re-sent to it).
                track.finalized = max(track.finalized, pause_at)
            self._attach(track, index, stream)
            track.failed_at = None
            await self._announce(track, previous, "recovered")
        finally:
            track.settled.set()

    async def _retire(self, track: Track, old: Retiring):
        """The old stream delivers what it owes into its own line, then closes."""
        try:
            await old.stream.finish()
            async for result in old.stream.results():
                await self._on_result(track, old, old.stream, result)
        except Exception as e:
            logger.warning(f"STT {track.track_id}: {old.stream.name} failed while finishing: {e!r}")
        finally:
            await self._close_line(track, old.stream.name, old)
            track.retiring.remove(old)
            await self._close_quietly(old.stream)

    # -- end of session -------------------------------------------------------------------------

    @staticmethod
    async def _within(awaitable: Awaitable, deadline: float | None) -> bool:
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        try:
            await asyncio.wait_for(awaitable, timeout)
            return True
        except TimeoutError:
            return False

    async def _finish_track(self, track: Track):
        """The track's streams flush their last results; one that fails now hands over to the
        next provider, which gets the audio without final text."""
        while True:
            await track.settled.wait()
            stream = track.stream
            if stream is None:
                return
            limit = getattr(stream, "finish_timeout_secs", self._p.finish_timeout_secs)
            deadline = None if limit is None else time.monotonic() + limit
            track.wake.set()
            while track.stream is stream and track.sent < track.audio.total:
                if not await self._within(track.sent_all.wait(), deadline):
                    break
            if track.stream is not stream:
                continue
            reader = track.tasks[-1] if track.tasks else None
            track.finishing = True
            try:
                await stream.finish()
            except Exception as e:
                logger.warning(f"STT {track.track_id}: {stream.name} finish failed: {e!r}")
            if reader is not None:
                await asyncio.wait(
                    {reader}, timeout=None if deadline is None else max(deadline - time.monotonic(), 0.1)
                )
            if track.stream is not stream:
                continue
            if reader is not None and not reader.done():
                track.finishing = False
                await self._fail(track, stream, "no final results at the end of the input")
                continue
            return

    async def _finish_all(self):
        """End of input: every stream flushes its last results; if every provider failed, the
        last resort (local Whisper) transcribes what had no final text, so no speech is lost."""
        for track in self._tracks.values():
            await self._finish_track(track)
        self._ending = True
        for track in self._tracks.values():
            if track.stream is None and track.finalized < track.audio.total and self._last_resort is not None:
                logger.warning(f"STT {track.track_id}: no provider recovered; transcribing the buffered audio locally")
                stream = self._last_resort()
                self._prepare(track, stream)
                await stream.start()
                self._attach(track, None, stream)
                await self._finish_track(track)
            if track.line is not None:
                await self._close_line(track, track.provider or "?")
        await self._close_all(drain=True)

    async def _close_all(self, drain: bool = False):
        self._ending = True
        for track in self._tracks.values():
            self._answered(track)
            for task in track.tasks:
                task.cancel()
            track.tasks = []
            if track.stream is not None:
                await self._close_quietly(track.stream)
                track.stream = None
        if drain:
            await self._tasks.drain()
        else:
            self._tasks.cancel()
