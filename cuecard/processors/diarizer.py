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
- The microphone (``candidate`` track) is one speaker, ``You``, and is not embedded at all,
  unless ``mic_multiple_speakers`` (a setting, or the session's option): then it is clustered
  too (``You``, ``Mic speaker 2``…). One reader's sentence is never split between two labels.
- The shared tab's speakers are ``Interviewer 1``, ``Interviewer 2``…; speech heard before the
  first label is ``Interviewer 1`` (the label the first voice gets), never a bare role.
- ``UtteranceEndFrame.speaker`` gets the label of the utterance's last final segment: the STT
  stage orders an utterance's work by (role, speaker), and the end must follow that last line.
- Labels are internal (``Interviewer 2``); what goes out is the name the user gave that label
  on the page, which arrives as a ``SpeakerRenameFrame`` (queued by the API) and applies from
  the next line on: an utterance already under way keeps the name it started with, so a
  rename never splits a line.
"""

from __future__ import annotations

import asyncio
import time

from loguru import logger
from pipecat.frames.frames import Frame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.diarization.embedding import SpeakerEmbedder, shared_embedder
from cuecard.diarization.track import EmbeddedWindow, TrackDiarizer, main_label
from cuecard.frames import CANDIDATE, SpeakerRenameFrame, SpeechSegmentFrame, UtteranceEndFrame


class SpeakerDiarizer(FrameProcessor):
    def __init__(
        self,
        *,
        embedder: SpeakerEmbedder | None = None,
        threshold: float = 0.75,
        step_secs: float = 1.0,
        mic_multiple_speakers: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._embedder = embedder or shared_embedder()
        self._threshold = threshold
        # Live: 1 s chunks inside long segments keep a 10 s turn at ~10 encoder windows.
        self._step_secs = step_secs
        self.mic_multiple_speakers = mic_multiple_speakers
        self._tracks: dict[str, TrackDiarizer] = {}
        self._last_label: dict[str, str] = {}
        # utterance_id -> (label, name shown) of its last final segment
        self._utterance_label: dict[str, tuple[str, str]] = {}
        self.names: dict[str, str] = {}  # label -> the name the user gave it
        # segment_id -> (audio length, embedding task) started on its tentative frame
        self._pending: dict[str, tuple[int, asyncio.Task]] = {}
        self.embed_ms: list[float] = []  # per embedded segment, for measurements
        # Time a final frame spent in this stage (what diarization adds to transcript latency).
        self.final_ms: list[float] = []

    def _track(self, role: str) -> TrackDiarizer:
        track = self._tracks.get(role)
        if track is None:
            track = TrackDiarizer(role, self._embedder, threshold=self._threshold, step_secs=self._step_secs)
            self._tracks[role] = track
        return track

    def display_name(self, label: str) -> str:
        return self.names.get(label) or label

    def rename(self, speaker: str, name: str) -> list[str]:
        """Name a label (or every label now shown as ``speaker``); the labels renamed."""
        labels = [label for label, shown in self.names.items() if shown == speaker and label != speaker]
        if not labels or speaker in self._known_labels():
            labels.append(speaker)
        for label in labels:
            self.names[label] = name
        return labels

    def _known_labels(self) -> set[str]:
        known = {t.first_label for t in self._tracks.values()}
        for track in self._tracks.values():
            known.update(c.label for c in track.clustering.clusters)
        return known

    def _shown(self, utterance_id: str, label: str) -> str:
        """The name a segment of this utterance goes out with: the one its earlier lines had
        while the label is the same (a rename waits for the next utterance), else the current."""
        held = self._utterance_label.get(utterance_id)
        if held is not None and held[0] == label:
            return held[1]
        return self.display_name(label)

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, SpeechSegmentFrame) and frame.speaker is None:
            try:
                await self._on_segment(frame)
            except Exception as e:  # a failed label must not cost the transcript
                logger.warning(f"Diarization failed for segment {frame.segment_id}: {e}")
                self._label_as_last(frame)
        elif isinstance(frame, UtteranceEndFrame) and frame.speaker is None:
            # The very name its last line went out with (even if renamed since): see above.
            held = self._utterance_label.pop(frame.utterance_id, None)
            frame.speaker = held[1] if held else None
        elif isinstance(frame, SpeakerRenameFrame):
            labels = self.rename(frame.speaker, frame.new_name)
            logger.info(f"Speaker {frame.speaker!r} ({', '.join(labels)}) is now {frame.new_name!r}")
        await self.push_frame(frame, direction)

    async def _embed(self, track: TrackDiarizer, frame: SpeechSegmentFrame) -> list[EmbeddedWindow]:
        started = time.perf_counter()
        windows = await asyncio.to_thread(track.embed_segment, frame.audio, frame.start, frame.end)
        self.embed_ms.append(1000 * (time.perf_counter() - started))
        return windows

    def _labelled(self, frame: SpeechSegmentFrame, label: str):
        frame.speaker = self._shown(frame.utterance_id, label)
        if frame.kind == "final":
            self._utterance_label[frame.utterance_id] = (label, frame.speaker)

    def _label_as_last(self, frame: SpeechSegmentFrame):
        """The track's last speaker (its first one before any label)."""
        self._labelled(frame, self._last_label.get(frame.role) or self._track(frame.role).first_label)

    async def _on_segment(self, frame: SpeechSegmentFrame):
        if frame.role == CANDIDATE and not self.mic_multiple_speakers:
            self._label_as_last(frame)  # one speaker on the microphone: nothing to tell apart
            return
        if frame.kind != "final":
            if frame.kind == "tentative":
                self._start_embedding(frame)
            self._label_as_last(frame)
            return
        track = self._track(frame.role)
        started = time.perf_counter()
        windows = await self._pending_windows(frame)
        if windows is None:
            windows = await self._embed(track, frame)
        label = main_label(track.label(windows, frame.duration, commit=True)) if windows else None
        if label is not None:
            self._last_label[frame.role] = label
            self._labelled(frame, label)
        else:  # too little audio to embed: the track's last speaker
            self._label_as_last(frame)
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
