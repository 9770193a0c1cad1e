"""Speaker labels within a track: who of several interviewers on the shared tab is talking.

Sits between the segmenter and speech-to-text, so that each transcript line gets one speaker
and the STT stage can start a new line when the speaker changes within an utterance.

- A ``tentative`` segment (the first short pause) starts embedding its audio in a worker
  thread (GE2E on onnxruntime) and goes on at once with the track's current label: the STT
  stage only starts a speculative decode on it and does not read its speaker. The ``final``
  frame (``vad_stop_secs`` later, with the same audio) picks up the finished embeddings, so the
  embedding time is off the critical path; a final frame with no usable tentative (speech
  resumed, a max-length cut) is embedded then. Only final frames move the clustering.
- ``partial`` segments reuse the track's last label: they only feed interim text, and
  embedding every second of speech twice would cost CPU for nothing.
- A frame whose ``speaker`` the transport already set (a meeting bot with one track per
  participant, Deepgram's own labels) is left alone.
- ``UtteranceEndFrame.speaker`` gets the label of the utterance's last final segment: the STT
  stage orders an utterance's work by (role, speaker), and the end must follow that last line.
- Labels are internal (``Interviewer 2``); what goes out is the name the user gave that label
  on the page (``context.settings_overrides["speaker_names"]``), read at every frame so a
  rename applies from the next line on.
"""

from __future__ import annotations

import asyncio
import time

from loguru import logger
from pipecat.frames.frames import Frame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.diarization.embedding import SpeakerEmbedder, shared_embedder
from cuecard.diarization.track import EmbeddedWindow, TrackDiarizer, main_label
from cuecard.frames import SpeechSegmentFrame, UtteranceEndFrame
from cuecard.pipeline.context import SessionContext


class SpeakerDiarizer(FrameProcessor):
    def __init__(
        self,
        context: SessionContext | None = None,
        *,
        embedder: SpeakerEmbedder | None = None,
        threshold: float = 0.75,
        step_secs: float = 1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._context = context
        self._embedder = embedder or shared_embedder()
        self._threshold = threshold
        # Live: 1 s chunks inside long segments keep a 10 s turn at ~10 encoder windows.
        self._step_secs = step_secs
        self._tracks: dict[str, TrackDiarizer] = {}
        self._last_label: dict[str, str] = {}
        self._utterance_label: dict[str, str] = {}
        # segment_id -> (audio length, embedding task) started on its tentative frame
        self._pending: dict[str, tuple[int, asyncio.Task]] = {}
        self.embed_ms: list[float] = []  # per embedded segment, for measurements
        # Time a final frame spent in this stage (what diarization adds to transcript latency).
        self.final_ms: list[float] = []

    def _track(self, role: str) -> TrackDiarizer:
        track = self._tracks.get(role)
        if track is None:
            track = TrackDiarizer(
                role, self._embedder, threshold=self._threshold, step_secs=self._step_secs
            )
            self._tracks[role] = track
        return track

    def display_name(self, label: str | None) -> str | None:
        if label is None or self._context is None:
            return label
        names = self._context.settings_overrides.get("speaker_names") or {}
        return names.get(label) or label

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, SpeechSegmentFrame) and frame.speaker is None:
            try:
                await self._on_segment(frame)
            except Exception as e:  # a failed label must not cost the transcript
                logger.warning(f"Diarization failed for segment {frame.segment_id}: {e}")
        elif isinstance(frame, UtteranceEndFrame) and frame.speaker is None:
            # The very name its last line went out with (even if renamed since): see above.
            frame.speaker = self._utterance_label.pop(frame.utterance_id, None)
        await self.push_frame(frame, direction)

    async def _embed(self, track: TrackDiarizer, frame: SpeechSegmentFrame) -> list[EmbeddedWindow]:
        started = time.perf_counter()
        windows = await asyncio.to_thread(track.embed_segment, frame.audio, frame.start, frame.end)
        self.embed_ms.append(1000 * (time.perf_counter() - started))
        return windows

    async def _on_segment(self, frame: SpeechSegmentFrame):
        role = frame.role
        if frame.kind != "final":
            if frame.kind == "tentative":
                self._start_embedding(frame)
            frame.speaker = self.display_name(self._last_label.get(role))
            return
        track = self._track(role)
        started = time.perf_counter()
        windows = await self._pending_windows(frame)
        if windows is None:
            windows = await self._embed(track, frame)
        if not windows:  # too little audio to embed: the track's last speaker
            frame.speaker = self.display_name(self._last_label.get(role))
        else:
            label = main_label(track.label(windows, frame.duration, commit=True))
            self._last_label[role] = label
            frame.speaker = self.display_name(label)
        self._utterance_label[frame.utterance_id] = frame.speaker
        self.final_ms.append(1000 * (time.perf_counter() - started))

    def _start_embedding(self, frame: SpeechSegmentFrame):
        old = self._pending.pop(frame.segment_id, None)
        if old is not None:
            old[1].cancel()  # speech resumed after an earlier pause: that audio is stale
        task = asyncio.get_running_loop().create_task(self._embed(self._track(frame.role), frame))
        self._pending[frame.segment_id] = (len(frame.audio), task)

    async def _pending_windows(self, frame: SpeechSegmentFrame) -> list[EmbeddedWindow] | None:
        pending = self._pending.pop(frame.segment_id, None)
        if pending is None:
            return None
        length, task = pending
        if length != len(frame.audio):
            task.cancel()
            return None
        try:
            return await task
        except Exception as e:
            logger.warning(f"Background speaker embedding failed, embedding again: {e}")
            return None

    async def cleanup(self):
        for _, task in self._pending.values():
            task.cancel()
        self._pending.clear()
        await super().cleanup()
