"""Voice activity glue: cut each track's audio into speech segments and utterances.

Pipecat's ``VADProcessor`` follows one stream; a Cuecard session carries two (the candidate's
microphone and the interviewer's tab), interleaved in one pipeline, so this processor keeps one
Silero model and one small state machine per role (``UserAudioRawFrame.user_id``).

Why three kinds of segment frame (see ``SpeechSegmentFrame``): the delay from the end of a
question to its final text is VAD stop time + decode time. Emitting a ``tentative`` segment at
the first short pause lets speech-to-text decode *while* the VAD waits to be sure the pause
lasts; when it does, the ``final`` frame reuses that result. ``partial`` frames while speech
goes on feed the interim transcript.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import soxr
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.frames import CANDIDATE, SAMPLE_RATE, SpeechSegmentFrame, UtteranceEndFrame
from cuecard.pipeline.context import SessionClock

CHUNK = 512  # Silero's window at 16 kHz: 32 ms
CHUNK_SECS = CHUNK / SAMPLE_RATE
UTTERANCE_TAIL_SECS = 0.3
BYTES_PER_SAMPLE = 2


@dataclass
class SegmenterParams:
    confidence: float = 0.6  # probability that starts speech
    release: float = 0.35  # probability under which a chunk counts as silence (hysteresis)
    start_secs: float = 0.064  # speech needed to open a segment
    pause_secs: float = 0.1  # silence that triggers a tentative decode
    stop_secs: float = 0.25  # silence that closes a segment
    utterance_gap_secs: float = 0.9  # silence that closes an utterance
    max_segment_secs: float = 25.0
    # A segment longer than this closes at the next short pause (``pause_secs``) instead of
    # waiting for ``stop_secs``: the final decode of a question's last segment then covers a
    # few seconds of audio, not the whole sentence. Context lost at the cut comes back when
    # the utterance is refined.
    soft_max_segment_secs: float = 4.0
    partial_period_secs: float = 1.0  # 0 disables partial frames
    preroll_secs: float = 0.25  # audio kept from before the detected start
    min_rms: float = 0.0015  # chunks quieter than this are silence whatever the model says


def split_track_id(track_id: str) -> tuple[str, str | None]:
    """``"interviewer:Dana Lee"`` → ``("interviewer", "Dana Lee")``: a transport that knows who
    speaks on a track (a meeting bot with one track per participant) names the speaker after
    the role; a plain role means the speaker is unknown (the diarizer may label it)."""
    role, _, speaker = track_id.partition(":")
    return role, (speaker or None)


class _ToMono16k:
    """Int16 audio of any rate and channel count → 16 kHz mono int16 (a transport normally
    resamples; a frame that was not must not stop the session). One resampling stream per
    input rate keeps the filter state across frames; odd trailing bytes wait for the next."""

    def __init__(self):
        self._streams: dict[int, soxr.ResampleStream] = {}
        self._carry = b""

    def convert(self, audio: bytes, rate: int, channels: int) -> bytes:
        data = self._carry + audio
        channels = max(1, int(channels or 1))
        whole = len(data) // (BYTES_PER_SAMPLE * channels) * BYTES_PER_SAMPLE * channels
        self._carry = data[whole:]
        samples = np.frombuffer(data[:whole], np.int16).astype(np.float32) / 32768.0
        mono = samples.reshape(-1, channels).mean(axis=1)
        if rate > 0 and rate != SAMPLE_RATE:
            stream = self._streams.get(rate)
            if stream is None:
                stream = self._streams[rate] = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")
            mono = stream.resample_chunk(mono)
        return _pcm16(mono)

    def drain(self) -> bytes:
        """What the resampling streams still hold (~66 ms from 8 kHz): the end of the input."""
        held = [stream.resample_chunk(np.zeros(0, np.float32), last=True) for stream in self._streams.values()]
        self._streams.clear()
        return _pcm16(np.concatenate(held)) if held else b""


def _pcm16(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16).tobytes()


@dataclass
class _Track:
    track_id: str
    role: str
    speaker: str | None
    vad: SileroVADAnalyzer
    offset: float  # session time of the track's first sample
    samples: int = 0  # samples seen on this track
    pending: bytearray = field(default_factory=bytearray)  # < one chunk, not yet analysed
    preroll: bytearray = field(default_factory=bytearray)
    speech_run: int = 0
    silence_run: int = 0
    in_segment: bool = False
    segment: bytearray = field(default_factory=bytearray)
    segment_start: float = 0.0
    segment_id: str = ""
    tentative_sent: bool = False
    last_partial_at: float = 0.0
    utterance_id: str | None = None
    utterance: bytearray = field(default_factory=bytearray)
    utterance_start: float = 0.0
    utterance_end: float = 0.0
    converter: _ToMono16k = field(default_factory=lambda: _ToMono16k())

    @property
    def now(self) -> float:
        return self.offset + self.samples / SAMPLE_RATE


class SpeechSegmenter(FrameProcessor):
    """``UserAudioRawFrame`` (per role) → ``SpeechSegmentFrame`` / ``UtteranceEndFrame``.

    Audio frames are consumed, not passed on: nothing downstream needs raw audio, and 50 frames
    a second per track through every processor would cost CPU for nothing.
    """

    def __init__(
        self,
        params: SegmenterParams | None = None,
        *,
        clock: SessionClock | None = None,
        pass_audio: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._params = params or SegmenterParams()
        # Live transports start tracks at different moments; place each track's first sample at
        # the session clock's time. Replay (no clock) starts every track at 0.
        self._clock = clock
        self._pass_audio = pass_audio
        self._tracks: dict[str, _Track] = {}

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            await self._on_audio(getattr(frame, "user_id", "") or CANDIDATE, frame)
            if self._pass_audio:
                await self.push_frame(frame, direction)
            return
        if isinstance(frame, (EndFrame, CancelFrame)):
            if isinstance(frame, EndFrame):
                await self.flush()
        await self.push_frame(frame, direction)

    # -- per track ---------------------------------------------------------------------------

    def _track(self, track_id: str) -> _Track:
        track = self._tracks.get(track_id)
        if track is None:
            offset = self._clock.now() if self._clock else 0.0
            vad = SileroVADAnalyzer(sample_rate=SAMPLE_RATE)
            vad.set_sample_rate(SAMPLE_RATE)
            role, speaker = split_track_id(track_id)
            track = _Track(track_id=track_id, role=role, speaker=speaker, vad=vad, offset=offset)
            self._tracks[track_id] = track
        return track

    async def _on_audio(self, track_id: str, frame: InputAudioRawFrame):
        track = self._track(track_id)
        if frame.sample_rate != SAMPLE_RATE or frame.num_channels != 1:
            track.pending.extend(track.converter.convert(frame.audio, frame.sample_rate, frame.num_channels))
        else:
            track.pending.extend(frame.audio)
        step = CHUNK * BYTES_PER_SAMPLE
        while len(track.pending) >= step:
            chunk = bytes(track.pending[:step])
            del track.pending[:step]
            await self._on_chunk(track, chunk)

    def _is_speech(self, track: _Track, chunk: bytes) -> bool:
        p = self._params
        prob = float(np.asarray(track.vad.voice_confidence(chunk)).reshape(-1)[0])
        samples = np.frombuffer(chunk, np.int16).astype(np.float32) / 32768.0
        if float(np.sqrt(np.mean(samples * samples))) < p.min_rms:
            return False
        threshold = p.release if track.in_segment else p.confidence
        return prob >= threshold

    async def _on_chunk(self, track: _Track, chunk: bytes):
        p = self._params
        speech = self._is_speech(track, chunk)
        track.samples += CHUNK
        if track.utterance_id is not None:
            track.utterance.extend(chunk)

        if not track.in_segment:
            track.preroll.extend(chunk)
            max_preroll = int(p.preroll_secs * SAMPLE_RATE) * BYTES_PER_SAMPLE
            if len(track.preroll) > max_preroll:
                del track.preroll[: len(track.preroll) - max_preroll]
            track.speech_run = track.speech_run + 1 if speech else 0
            if track.speech_run * CHUNK_SECS >= p.start_secs:
                self._open_segment(track)
            elif track.utterance_id is not None:
                track.silence_run += 1
                if track.silence_run * CHUNK_SECS >= p.utterance_gap_secs:
                    await self._close_utterance(track)
            return

        track.segment.extend(chunk)
        if speech:
            if track.silence_run:
                track.tentative_sent = False  # speech resumed: an earlier tentative is stale
            track.silence_run = 0
        else:
            track.silence_run += 1
        silence = track.silence_run * CHUNK_SECS
        length = track.now - track.segment_start
        if (
            silence >= p.stop_secs
            or length >= p.max_segment_secs
            or (silence >= p.pause_secs and length >= p.soft_max_segment_secs)
        ):
            await self._close_segment(track)
        elif silence >= p.pause_secs and not track.tentative_sent:
            track.tentative_sent = True
            await self._emit_segment(track, "tentative")
        elif p.partial_period_secs > 0 and speech and track.now - track.last_partial_at >= p.partial_period_secs:
            track.last_partial_at = track.now
            await self._emit_segment(track, "partial")

    def _open_segment(self, track: _Track):
        track.in_segment = True
        track.segment = bytearray(track.preroll)
        track.preroll.clear()
        track.segment_start = track.now - len(track.segment) / BYTES_PER_SAMPLE / SAMPLE_RATE
        track.segment_id = uuid.uuid4().hex[:12]
        track.silence_run = 0
        track.tentative_sent = False
        track.last_partial_at = track.now
        if track.utterance_id is None:
            track.utterance_id = uuid.uuid4().hex[:12]
            track.utterance = bytearray(track.segment)
            track.utterance_start = track.segment_start

    async def _emit_segment(self, track: _Track, kind: str):
        # A tentative or final segment ends where the silence began: the trailing silence carries
        # no words and would only cost decode time.
        trailing = track.silence_run * CHUNK * BYTES_PER_SAMPLE if kind != "partial" else 0
        keep = max(len(track.segment) - trailing + int(0.08 * SAMPLE_RATE) * BYTES_PER_SAMPLE, 0)
        audio = bytes(track.segment[:keep])
        end = track.segment_start + len(audio) / BYTES_PER_SAMPLE / SAMPLE_RATE
        await self.push_frame(
            SpeechSegmentFrame(
                role=track.role,
                audio=audio,
                start=track.segment_start,
                end=end,
                segment_id=track.segment_id,
                utterance_id=track.utterance_id or track.segment_id,
                kind=kind,
                speaker=track.speaker,
            )
        )
        return end

    async def _close_segment(self, track: _Track):
        track.utterance_end = await self._emit_segment(track, "final")
        track.in_segment = False
        track.segment = bytearray()
        track.speech_run = 0
        # The silence already heard counts towards the utterance gap.
        track.preroll = bytearray()

    async def _close_utterance(self, track: _Track):
        # Keep a little of the silence after the last segment: the VAD's probability drops
        # before a word's last sounds do, and refinement should hear them.
        cut = int((track.utterance_end + UTTERANCE_TAIL_SECS - track.utterance_start) * SAMPLE_RATE)
        cut *= BYTES_PER_SAMPLE
        await self.push_frame(
            UtteranceEndFrame(
                role=track.role,
                utterance_id=track.utterance_id or "",
                start=track.utterance_start,
                end=track.utterance_end,
                audio=bytes(track.utterance[:cut]),
                speaker=track.speaker,
            )
        )
        track.utterance_id = None
        track.utterance = bytearray()
        track.silence_run = 0

    async def flush(self):
        """End of input: close whatever is open so no captured speech is lost."""
        for track in self._tracks.values():
            track.pending.extend(track.converter.drain())
            step = CHUNK * BYTES_PER_SAMPLE
            while len(track.pending) >= step:
                chunk = bytes(track.pending[:step])
                del track.pending[:step]
                await self._on_chunk(track, chunk)
            if track.in_segment:
                track.silence_run = 0
                await self._close_segment(track)
            if track.utterance_id is not None:
                await self._close_utterance(track)
