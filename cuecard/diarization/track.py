"""Diarization of one track: speech segment → windows → embeddings → stable speaker labels.

Used by the live stage (``cuecard/processors/diarizer.py``) and by ``cuecard eval
diarization`` alike, so the evaluation measures what a session shows.

Windows: a segment up to ``single_window_secs`` long is one window (its whole audio is the
best evidence of one voice). A longer segment may hold a change of speaker (the segmenter
only cuts at pauses, and people talk over each other), so it is cut into ``step_secs`` chunks,
each labelled from the 1.6 s of audio centred on it (GE2E's partial length).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cuecard.diarization.clustering import OnlineSpeakerClustering
from cuecard.diarization.embedding import SpeakerEmbedder, as_float
from cuecard.frames import CANDIDATE, MIC_OTHERS_PREFIX, MIC_SPEAKER, SAMPLE_RATE, first_speaker

CONTEXT_SECS = 1.6
CANDIDATE_MARGIN = 0.1


@dataclass
class LabelledWindow:
    start: float
    end: float
    label: str


@dataclass
class EmbeddedWindow:
    start: float
    end: float
    embedding: np.ndarray


def clustering_for(role: str, threshold: float) -> OnlineSpeakerClustering:
    """``You`` on the microphone (the candidate's track; a second voice → ``Mic speaker 2``);
    ``Interviewer 1``, ``Interviewer 2``… on the interviewer's (shared tab) track.
    (The live stage clusters the microphone only with ``mic_multiple_speakers``.)"""
    if role == CANDIDATE:
        # Stricter about a second voice (threshold - 0.1): a false second speaker would split
        # the candidate's own lines and stop their refinement, while a second person on the
        # candidate's microphone is rare.
        return OnlineSpeakerClustering(
            MIC_OTHERS_PREFIX, first_label=MIC_SPEAKER, threshold=threshold - CANDIDATE_MARGIN
        )
    return OnlineSpeakerClustering(role.capitalize() if role else "Speaker", threshold=threshold)


def window_spans(start: float, end: float, step_secs: float, single_window_secs: float):
    """``(chunk_start, chunk_end, context_start, context_end)`` in seconds for one segment."""
    if end - start <= single_window_secs:
        return [(start, end, start, end)]
    n = max(1, int(round((end - start) / step_secs)))
    bounds = np.linspace(start, end, n + 1)
    spans = []
    for chunk_start, chunk_end in zip(bounds[:-1], bounds[1:], strict=True):
        middle = (chunk_start + chunk_end) / 2
        context_end = min(end, max(start, middle - CONTEXT_SECS / 2) + CONTEXT_SECS)
        context_start = max(start, context_end - CONTEXT_SECS)
        spans.append((float(chunk_start), float(chunk_end), float(context_start), float(context_end)))
    return spans


class TrackDiarizer:
    def __init__(
        self,
        role: str,
        embedder: SpeakerEmbedder,
        *,
        threshold: float = 0.75,
        step_secs: float = 1.0,
        single_window_secs: float = 2.0,
    ):
        self.role = role
        self.embedder = embedder
        self.clustering = clustering_for(role, threshold)
        self.step_secs = step_secs
        self.single_window_secs = single_window_secs
        # What the track's speech is called before (or without) any label: its first speaker.
        self.first_label = first_speaker(role)

    def embed_segment(self, audio: bytes | np.ndarray, start: float, end: float) -> list[EmbeddedWindow]:
        """Embeddings of the segment's windows (the costly part: run it off the event loop)."""
        samples = as_float(audio)
        end = min(end, start + len(samples) / SAMPLE_RATE)
        spans = window_spans(start, end, self.step_secs, self.single_window_secs)
        cuts = [samples[int((cs - start) * SAMPLE_RATE) : int((ce - start) * SAMPLE_RATE)] for _, _, cs, ce in spans]
        keep = [i for i, c in enumerate(cuts) if len(c) >= 400]  # at least one STFT frame
        if not keep:
            return []
        vectors = self.embedder.embed_windows([cuts[i] for i in keep])
        return [EmbeddedWindow(spans[i][0], spans[i][1], v) for i, v in zip(keep, vectors, strict=True)]

    def label(self, windows: list[EmbeddedWindow], segment_secs: float, *, commit: bool) -> list[LabelledWindow]:
        """Labels in time order (see ``OnlineSpeakerClustering.assign_segment``)."""
        if not windows:
            return []
        labels = self.clustering.assign_segment(
            np.stack([w.embedding for w in windows]),
            [max(w.end - w.start, 1e-3) for w in windows],
            segment_secs,
            commit=commit,
        )
        return [LabelledWindow(w.start, w.end, label) for w, label in zip(windows, labels, strict=True)]

    def label_segment(self, audio, start: float, end: float, *, commit: bool = True) -> list[LabelledWindow]:
        return self.label(self.embed_segment(audio, start, end), end - start, commit=commit)


def main_label(windows: list[LabelledWindow]) -> str | None:
    """The label that covers most of a segment (one transcript line has one speaker)."""
    totals: dict[str, float] = {}
    for w in windows:
        totals[w.label] = totals.get(w.label, 0.0) + (w.end - w.start)
    return max(totals, key=totals.__getitem__) if totals else None
