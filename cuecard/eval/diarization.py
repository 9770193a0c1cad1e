"""``cuecard eval diarization MANIFEST.tsv``: diarization error rate of the diarizer.

The manifest is a TSV with ``file`` (audio) and ``rttm`` (reference) columns, paths relative to
the manifest; an optional ``annotated_region_s`` column (``"0.0-30.0"``) gives the scored region,
otherwise the whole file is scored. Each file is run as ONE interviewer track, the way a
session runs: the pipeline's VAD segmenter (same settings) cuts speech segments; the same
``TrackDiarizer`` as the live stage labels them online, in time order, with finer windows
inside long segments (``STEP_SECS`` = 1 s chunks, as live; 0.5 s was no better on AMI dev).
Labels are never revised afterwards: the score is what the page would have shown. DER is pyannote.metrics' ``DiarizationErrorRate(collar=0.25,
skip_overlap=False)``: overlapping speech is scored (our output has one speaker at a time, so
overlap counts as missed speech), accumulated over all files.

Two evaluation-only choices, both decisions with reasons:
- Each file is peak-normalised before the VAD: a browser delivers the shared tab with automatic
  gain control, while the AMI excerpts peak at -11 to -24 dBFS, where Silero misses quiet talk.
- Gaps shorter than ``FILL_GAP_SECS`` between labelled windows are closed (split at the middle):
  the segmenter trims each segment tightly, while reference turns include short pauses.
  This is pyannote's usual ``min_duration_off`` post-processing; it changes no label.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

from cuecard.diarization.embedding import shared_embedder
from cuecard.diarization.track import LabelledWindow, TrackDiarizer
from cuecard.eval.asr import read_manifest
from cuecard.frames import INTERVIEWER, SAMPLE_RATE, SpeechSegmentFrame
from cuecard.processors.speech_segmenter import SegmenterParams, SpeechSegmenter

STEP_SECS = 1.0
FILL_GAP_SECS = 1.0
PEAK = 0.9


class RttmError(ValueError):
    pass


def read_rttm(path: Path) -> Annotation:
    """Reference turns of an RTTM file (``SPEAKER uri channel start duration … name …``)."""
    if not path.is_file():
        raise RttmError(f"{path}: no such file")
    annotation = Annotation(uri=path.stem)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start, duration, name = float(fields[3]), float(fields[4]), fields[7]
        except (IndexError, ValueError) as e:
            raise RttmError(f"{path}:{number}: not an RTTM SPEAKER line: {line!r}") from e
        if duration > 0:
            annotation[Segment(start, start + duration), number] = name
    return annotation


def annotated_region(row: dict, audio_secs: float) -> Timeline:
    text = (row.get("annotated_region_s") or "").strip()
    spans = []
    for part in filter(None, text.replace(",", " ").split()):
        try:
            a, b = (float(x) for x in part.split("-", 1))
            spans.append(Segment(a, b))
        except ValueError:
            raise SystemExit(f"bad annotated_region_s {text!r} for {row['file']}") from None
    return Timeline(spans or [Segment(0.0, audio_secs)])


class _CollectingSegmenter(SpeechSegmenter):
    """The pipeline's segmenter, driven directly: its frames are collected instead of pushed
    down a pipeline (nothing else of a session is needed to score speaker labels)."""

    def __init__(self, params: SegmenterParams):
        super().__init__(params)
        self.segments: list[SpeechSegmentFrame] = []

    async def push_frame(self, frame, direction=None):
        if isinstance(frame, SpeechSegmentFrame) and frame.kind == "final":
            self.segments.append(frame)


def segmenter_params() -> SegmenterParams:
    from cuecard.settings import Settings

    s = Settings()
    return SegmenterParams(
        confidence=s.vad_confidence,
        pause_secs=s.vad_pause_secs,
        stop_secs=s.vad_stop_secs,
        utterance_gap_secs=s.utterance_gap_secs,
        max_segment_secs=s.max_segment_secs,
        partial_period_secs=0,  # partials carry no new speaker information
    )


async def speech_segments(audio: np.ndarray, params: SegmenterParams) -> list[SpeechSegmentFrame]:
    from cuecard.transports.replay import audio_frames

    segmenter = _CollectingSegmenter(params)
    for _, frame in audio_frames({INTERVIEWER: audio}):
        await segmenter._on_audio(INTERVIEWER, frame)
    await segmenter.flush()
    return segmenter.segments


def peak_normalise(audio: np.ndarray, peak: float = PEAK, max_gain: float = 20.0) -> np.ndarray:
    top = int(np.abs(audio.astype(np.int32)).max()) if len(audio) else 0
    if top == 0:
        return audio
    gain = min(max_gain, peak * 32767 / top)
    return np.clip(np.round(audio.astype(np.float32) * gain), -32767, 32767).astype(np.int16)


def fill_gaps(windows: list[LabelledWindow], max_gap: float) -> list[LabelledWindow]:
    out: list[LabelledWindow] = []
    for w in sorted(windows, key=lambda w: w.start):
        w = LabelledWindow(w.start, w.end, w.label)
        if out and 0 < w.start - out[-1].end < max_gap:
            middle = (w.start + out[-1].end) / 2
            out[-1].end, w.start = middle, middle
        out.append(w)
    return out


def to_annotation(windows: list[LabelledWindow], uri: str) -> Annotation:
    annotation = Annotation(uri=uri)
    for i, w in enumerate(windows):
        if w.end > w.start:
            annotation[Segment(w.start, w.end), i] = w.label
    return annotation


def diarize_file(
    audio: np.ndarray,
    params: SegmenterParams,
    threshold: float,
    embed_ms: list[tuple[float, float]],
    segment_secs: list[float],
) -> list[LabelledWindow]:
    """Online labels of one file as one track, as a session would produce them."""
    segments = asyncio.run(speech_segments(peak_normalise(audio), params))
    track = TrackDiarizer(INTERVIEWER, shared_embedder(), threshold=threshold, step_secs=STEP_SECS)
    windows: list[LabelledWindow] = []
    for seg in segments:
        segment_secs.append(seg.duration)
        started, cpu = time.perf_counter(), time.thread_time()
        embedded = track.embed_segment(seg.audio, seg.start, seg.end)
        embed_ms.append((1000 * (time.perf_counter() - started), 1000 * (time.thread_time() - cpu)))
        windows += track.label(embedded, seg.duration, commit=True)
    return fill_gaps(windows, FILL_GAP_SECS)


def main(args) -> int:
    from cuecard.settings import Settings
    from cuecard.transports.replay import AudioFormatError, load_audio

    manifest = Path(args.manifest)
    if not manifest.is_file():
        print(f"cuecard eval diarization: {manifest}: no such file")
        return 2
    rows = read_manifest(manifest, ("file", "rttm"))
    if getattr(args, "limit", None):
        rows = rows[: args.limit]
    threshold = Settings().diarize_threshold
    params = segmenter_params()
    total = DiarizationErrorRate(collar=0.25, skip_overlap=False)
    embed_ms: list[tuple[float, float]] = []  # (wall, CPU of this thread) per segment
    segment_secs: list[float] = []
    scored = 0
    for row in rows:
        try:
            audio = load_audio(manifest.parent / row["file"])
            reference = read_rttm(manifest.parent / row["rttm"])
        except (AudioFormatError, RttmError) as e:
            print(f"{row['file']}\tskipped: {e}", flush=True)
            continue
        hypothesis = to_annotation(diarize_file(audio, params, threshold, embed_ms, segment_secs), reference.uri)
        uem = annotated_region(row, len(audio) / SAMPLE_RATE)
        one = DiarizationErrorRate(collar=0.25, skip_overlap=False)
        parts = one(reference, hypothesis, uem=uem, detailed=True)
        total(reference, hypothesis, uem=uem)
        scored += 1
        ref_secs = parts["total"] or 1.0
        print(
            f"{row['file']}\tDER {100 * parts['diarization error rate']:.1f}%"
            f"\tmiss {100 * parts['missed detection'] / ref_secs:.1f}%"
            f"\tfalse alarm {100 * parts['false alarm'] / ref_secs:.1f}%"
            f"\tconfusion {100 * parts['confusion'] / ref_secs:.1f}%"
            f"\tspeakers {len(hypothesis.labels())} (reference {len(reference.labels())})",
            flush=True,
        )
    if embed_ms:
        # CPU time too: on a loaded machine wall time mostly measures waiting for a core.
        wall, cpu = np.array(embed_ms).T
        print(
            f"embedding per segment: median {statistics.median(wall):.1f} ms "
            f"({statistics.median(cpu):.1f} ms CPU), p95 {np.percentile(wall, 95):.1f} ms "
            f"({np.percentile(cpu, 95):.1f} ms CPU), {len(embed_ms)} segments of median "
            f"{statistics.median(segment_secs):.1f} s (window step {STEP_SECS} s)"
        )
    if scored:
        # The accumulated components (``total[name]`` is typed float | dict for ``total[:]``).
        sums = total.accumulated_
        ref_secs = sums["total"] or 1.0
        print(
            f"total: miss {100 * sums['missed detection'] / ref_secs:.1f}%, false alarm "
            f"{100 * sums['false alarm'] / ref_secs:.1f}%, confusion "
            f"{100 * sums['confusion'] / ref_secs:.1f}% of {ref_secs:.1f} s of reference speech"
        )
    print(f"DER {100 * abs(total):.1f}% over {scored} files")
    return 0 if scored else 1
