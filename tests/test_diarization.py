"""Speaker diarization: the committed GE2E ONNX model, online clustering on real voices
(LibriSpeech clips in tests/fixtures/speakers), the pipeline stage, and the DER evaluation."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
from pipecat.tests.utils import run_test

from cuecard.diarization import frontend
from cuecard.diarization.embedding import (
    MODEL_PATH,
    ModelIntegrityError,
    SpeakerEmbedder,
    shared_embedder,
    verify_model,
)
from cuecard.diarization.track import TrackDiarizer
from cuecard.frames import (
    CANDIDATE,
    INTERVIEWER,
    SAMPLE_RATE,
    SpeakerRenameFrame,
    SpeechSegmentFrame,
    UtteranceEndFrame,
)
from cuecard.processors.diarizer import SpeakerDiarizer

SPEAKERS = Path(__file__).parent / "fixtures" / "speakers"
# Two male LibriSpeech speakers, two 4 s clips each.
A1, A2 = "1688-142285-0000", "1688-142285-0001"
B1, B2 = "2414-128291-0000", "2414-128291-0001"


def clip(name: str) -> np.ndarray:
    data, rate = sf.read(str(SPEAKERS / f"{name}.flac"), dtype="int16")
    assert rate == SAMPLE_RATE
    return data


@pytest.fixture(scope="module")
def embedder() -> SpeakerEmbedder:
    return shared_embedder()


# -- model --------------------------------------------------------------------------------------


def test_model_loads_and_its_sha256_is_checked(tmp_path):
    assert MODEL_PATH.stat().st_size < 20_000_000
    assert verify_model() == MODEL_PATH
    SpeakerEmbedder()  # loads on onnxruntime
    damaged = tmp_path / "model.onnx"
    data = bytearray(MODEL_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        SpeakerEmbedder(damaged)
    with pytest.raises(ModelIntegrityError, match="not found"):
        SpeakerEmbedder(tmp_path / "missing.onnx")


def test_frontend_framing_and_partials_follow_resemblyzer():
    wav = np.zeros(SAMPLE_RATE * 3, dtype=np.float32)
    assert frontend.mel_spectrogram(wav).shape == (1 + len(wav) // 160, 40)
    # 3 s at 1.3 partials/s: partials start every 77 frames; a last partial 75% covered stays
    # (154..314 covers 91% of its 1.6 s), a less covered one is dropped (values as Resemblyzer's).
    assert [s.start for s in frontend.partial_slices(len(wav))] == [0, 77, 154]
    assert [s.start for s in frontend.partial_slices(SAMPLE_RATE * 3 - 6000)] == [0, 77]
    assert frontend.partial_mels(wav).shape == (3, 160, 40)
    quiet = np.full(1000, 0.001, dtype=np.float32)
    loud = np.full(1000, 0.5, dtype=np.float32)
    assert np.sqrt(np.mean((frontend.normalize_volume(quiet) * 32767) ** 2)) == pytest.approx(
        32767 * 10 ** (-30 / 20), rel=1e-3
    )
    assert np.array_equal(frontend.normalize_volume(loud), loud)  # never lowered


def test_embeddings_separate_two_real_speakers(embedder):
    vectors = {n: embedder.embed(clip(n)) for n in (A1, A2, B1, B2)}
    for v in vectors.values():
        assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)
    same = min(vectors[A1] @ vectors[A2], vectors[B1] @ vectors[B2])
    different = max(vectors[a] @ vectors[b] for a in (A1, A2) for b in (B1, B2))
    assert same > 0.75 and different < 0.65, (same, different)


# -- clustering ---------------------------------------------------------------------------------


def test_same_speaker_clusters_together_and_labels_stay_stable(embedder):
    track = TrackDiarizer(INTERVIEWER, embedder)
    labels = [{w.label for w in track.label_segment(clip(n), 0.0, 4.0)} for n in (A1, B1, A2, B2, A1)]
    assert labels == [{"Interviewer 1"}, {"Interviewer 2"}, {"Interviewer 1"}, {"Interviewer 2"}, {"Interviewer 1"}]
    assert len(track.clustering.clusters) == 2
    # A look without commit gives the label a commit would, and learns nothing.
    before = [(c.label, c.seconds) for c in track.clustering.clusters]
    assert {w.label for w in track.label_segment(clip(B2), 20.0, 24.0, commit=False)} == {"Interviewer 2"}
    assert [(c.label, c.seconds) for c in track.clustering.clusters] == before


def test_mic_track_clustering_is_you_then_another_mic_speaker(embedder):
    """What the microphone's clustering says when the session splits it by voice
    (``mic_multiple_speakers``); never "Candidate", never "Candidate 2"."""
    track = TrackDiarizer(CANDIDATE, embedder)
    assert track.first_label == "You"
    assert {w.label for w in track.label_segment(clip(A1), 0.0, 4.0)} == {"You"}
    assert {w.label for w in track.label_segment(clip(A2), 5.0, 9.0)} == {"You"}
    assert {w.label for w in track.label_segment(clip(B1), 10.0, 14.0)} == {"Mic speaker 2"}


def test_long_segment_with_a_speaker_change_gets_window_labels(embedder):
    track = TrackDiarizer(INTERVIEWER, embedder, step_secs=0.5)
    track.label_segment(clip(A1), 0.0, 4.0)
    track.label_segment(clip(B1), 4.0, 8.0)
    both = np.concatenate([clip(A2), clip(B2)])
    windows = track.label_segment(both, 10.0, 18.0)
    first = {w.label for w in windows if w.end <= 13.0}
    second = {w.label for w in windows if w.start >= 15.0}
    assert first == {"Interviewer 1"} and second == {"Interviewer 2"}, windows


# -- pipeline stage -----------------------------------------------------------------------------


def segment(name: str, kind: str, start: float, seg_id: str, utt: str, role=INTERVIEWER, speaker=None):
    audio = clip(name).tobytes()
    return SpeechSegmentFrame(
        role=role,
        audio=audio,
        start=start,
        end=start + len(audio) / 2 / SAMPLE_RATE,
        segment_id=seg_id,
        utterance_id=utt,
        kind=kind,
        speaker=speaker,
    )


async def test_diarizer_stage_labels_segments_and_applies_renames():
    diarizer = SpeakerDiarizer()
    frames = [
        segment(A1, "partial", 0.0, "s1", "u1"),  # nothing known yet: the first interviewer
        segment(A1, "tentative", 0.0, "s1", "u1"),
        segment(A1, "final", 0.0, "s1", "u1"),
        UtteranceEndFrame(INTERVIEWER, "u1", 0.0, 4.0),
        segment(B1, "final", 5.0, "s2", "u2"),
        segment(B2, "partial", 9.5, "s3", "u2"),  # reuses the track's last label
        segment(A2, "final", 10.0, "s4", "u3", role=CANDIDATE),
        segment(B2, "final", 15.0, "s5", "u4", speaker="Dana Lee"),  # named by the transport
    ]
    down, _ = await run_test(diarizer, frames_to_send=frames)
    speakers = [(type(f).__name__, getattr(f, "kind", ""), f.speaker) for f in down]
    assert speakers == [
        ("SpeechSegmentFrame", "partial", "Interviewer 1"),
        ("SpeechSegmentFrame", "tentative", "Interviewer 1"),  # numbered from the first line
        ("SpeechSegmentFrame", "final", "Interviewer 1"),
        ("UtteranceEndFrame", "", "Interviewer 1"),
        ("SpeechSegmentFrame", "final", "Interviewer 2"),
        ("SpeechSegmentFrame", "partial", "Interviewer 2"),
        ("SpeechSegmentFrame", "final", "You"),
        ("SpeechSegmentFrame", "final", "Dana Lee"),
    ]
    # Embedded: the tentative s1 (in the background; its final reused it) and s2; not the
    # partials, not s1 again, not the microphone, not the segment the transport had named.
    assert len(diarizer.embed_ms) == 2 and len(diarizer.final_ms) == 2


async def test_first_interviewer_line_is_interviewer_1():
    """The page once showed "Interviewer" on the first line and "Interviewer 1" after."""
    down, _ = await run_test(
        SpeakerDiarizer(),
        frames_to_send=[
            segment(A1, "partial", 0.0, "s1", "u1"),
            segment(A1, "final", 0.0, "s1", "u1"),
            UtteranceEndFrame(INTERVIEWER, "u1", 0.0, 4.0),
        ],
    )
    assert [f.speaker for f in down] == ["Interviewer 1", "Interviewer 1", "Interviewer 1"]


async def test_mic_track_is_one_speaker_you_unless_several_people_share_it():
    """Two voices on the microphone: one speaker, "You" (a sentence of one reader was once
    split between "Candidate" and "Candidate 2"); split only with mic_multiple_speakers."""
    frames = lambda: [  # noqa: E731
        segment(A1, "partial", 0.0, "m1", "u1", role=CANDIDATE),
        segment(A1, "final", 0.0, "m1", "u1", role=CANDIDATE),
        segment(A2, "final", 5.0, "m2", "u2", role=CANDIDATE),
        segment(B1, "final", 10.0, "m3", "u3", role=CANDIDATE),
        segment(B2, "final", 15.0, "m4", "u4", role=CANDIDATE),
        UtteranceEndFrame(CANDIDATE, "u4", 15.0, 19.0),
    ]
    one = SpeakerDiarizer()
    down, _ = await run_test(one, frames_to_send=frames())
    assert [f.speaker for f in down] == ["You"] * 6
    assert one.embed_ms == []  # nothing to tell apart: no embedding

    several = SpeakerDiarizer(mic_multiple_speakers=True)
    down, _ = await run_test(several, frames_to_send=frames())
    assert [f.speaker for f in down if isinstance(f, SpeechSegmentFrame)] == [
        "You",
        "You",
        "You",
        "Mic speaker 2",
        "Mic speaker 2",
    ]


async def test_rename_frame_changes_later_labels_from_the_next_line_on():
    diarizer = SpeakerDiarizer()
    await run_test(
        diarizer,
        frames_to_send=[
            segment(A1, "final", 0.0, "s1", "u1"),
            UtteranceEndFrame(INTERVIEWER, "u1", 0.0, 4.0),
            segment(B1, "final", 5.0, "s2", "u2"),  # Interviewer 2: its utterance is still open
        ],
    )
    down, _ = await run_test(
        diarizer,
        frames_to_send=[
            SpeakerRenameFrame(speaker="Interviewer 2", new_name="Sam"),
            SpeakerRenameFrame(speaker="You", new_name="Jordan"),
            segment(B2, "final", 9.0, "s3", "u2"),  # same utterance: the line keeps its name
            UtteranceEndFrame(INTERVIEWER, "u2", 5.0, 13.0),
            segment(B1, "partial", 14.0, "s4", "u3"),
            segment(B1, "final", 14.0, "s4", "u3"),
            segment(A2, "final", 20.0, "s5", "u4", role=CANDIDATE),
        ],
    )
    assert any(isinstance(f, SpeakerRenameFrame) for f in down)  # passed on to later stages
    assert [f.speaker for f in down if isinstance(f, (SpeechSegmentFrame, UtteranceEndFrame))] == [
        "Interviewer 2",
        "Interviewer 2",
        "Sam",
        "Sam",
        "Jordan",
    ]
    # The page renames by the name it shows: "Sam" is Interviewer 2.
    down, _ = await run_test(
        diarizer,
        frames_to_send=[
            SpeakerRenameFrame(speaker="Sam", new_name="Sam Lee"),
            segment(B2, "final", 25.0, "s6", "u5"),
        ],
    )
    assert [f.speaker for f in down if isinstance(f, SpeechSegmentFrame)] == ["Sam Lee"]
    assert diarizer.names == {"Interviewer 2": "Sam Lee", "You": "Jordan"}


# -- evaluation ---------------------------------------------------------------------------------


def write_conversation(folder: Path) -> Path:
    """A 2-speaker conversation made of the fixture clips, 1.5 s apart, with its exact RTTM."""
    gap = np.zeros(SAMPLE_RATE * 3 // 2, dtype=np.int16)
    parts, turns, t = [], [], 0.5
    parts.append(np.zeros(SAMPLE_RATE // 2, dtype=np.int16))
    for name, who in ((A1, "ann"), (B1, "bob"), (A2, "ann"), (B2, "bob")):
        audio = clip(name)
        parts += [audio, gap]
        turns.append(f"SPEAKER conv 1 {t:.3f} {len(audio) / SAMPLE_RATE:.3f} <NA> <NA> {who} <NA> <NA>")
        t += len(audio) / SAMPLE_RATE + 1.5
    sf.write(str(folder / "conv.wav"), np.concatenate(parts), SAMPLE_RATE, subtype="PCM_16")
    (folder / "conv.rttm").write_text("\n".join(turns) + "\n")
    manifest = folder / "manifest.tsv"
    manifest.write_text("file\trttm\nconv.wav\tconv.rttm\nmissing.wav\tconv.rttm\n")
    return manifest


def test_eval_diarization_prints_per_file_results_and_der_last(tmp_path, capsys):
    from cuecard.eval.diarization import main

    manifest = write_conversation(tmp_path)
    assert main(SimpleNamespace(manifest=str(manifest), limit=None)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("conv.wav\tDER ") and "speakers 2 (reference 2)" in lines[0]
    assert lines[1].startswith("missing.wav\tskipped:")
    match = re.fullmatch(r"DER (\d+\.\d)% over 1 files", lines[-1])
    assert match, lines[-1]
    # Two clean voices: only turn edges (inside the 0.25 s collar or VAD padding) may be wrong.
    assert float(match.group(1)) < 10.0, lines


def test_eval_diarization_rejects_a_manifest_without_rttm_column(tmp_path):
    from cuecard.eval.diarization import main

    manifest = tmp_path / "m.tsv"
    manifest.write_text("file\ttranscript\na.wav\thello\n")
    with pytest.raises(SystemExit, match="rttm"):
        main(SimpleNamespace(manifest=str(manifest), limit=None))
    assert main(SimpleNamespace(manifest=str(tmp_path / "none.tsv"), limit=None)) == 2


def test_bad_rttm_line_is_a_clear_error(tmp_path):
    from cuecard.eval.diarization import RttmError, read_rttm

    bad = tmp_path / "x.rttm"
    bad.write_text("SPEAKER x 1 zero 1.0 <NA> <NA> a <NA> <NA>\n")
    with pytest.raises(RttmError, match="x.rttm:1"):
        read_rttm(bad)


# -- whole pipeline -----------------------------------------------------------------------------


@pytest.mark.slow
async def test_replayed_panel_gets_one_label_per_voice_on_transcript_lines(settings):
    """Two interviewers on the shared tab, then the first again; the candidate on the mic.
    (Refinement and interims off: they cost Whisper time and say nothing about speakers.)"""
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services

    assert settings.diarize
    quick = settings.model_copy(update={"refine_utterances": False, "interim_period_secs": 0.0})
    services = await Services.create(quick)

    pause = np.zeros(SAMPLE_RATE * 3 // 2, dtype=np.int16)
    interviewer = np.concatenate([clip(A1), pause, clip(B1), pause, clip(A2), pause])
    candidate = np.concatenate([np.zeros(len(interviewer), dtype=np.int16), clip(B2)])
    try:
        events = await replay_tracks(services, {INTERVIEWER: interviewer, CANDIDATE: candidate}, persist=False)
    finally:
        await services.close()
    lines: dict[str, dict] = {}
    for e in events:
        if e["type"] == "transcript" and e.get("final"):
            lines[e["segment_id"]] = e
    ordered = sorted(lines.values(), key=lambda e: e["start"])
    speakers = [(e["role"], e["speaker"]) for e in ordered]
    # Consecutive lines of one voice may be one or several lines: compare the runs.
    runs = [s for i, s in enumerate(speakers) if i == 0 or s != speakers[i - 1]]
    assert runs == [
        (INTERVIEWER, "Interviewer 1"),
        (INTERVIEWER, "Interviewer 2"),
        (INTERVIEWER, "Interviewer 1"),
        (CANDIDATE, "You"),
    ], [(e["start"], e["speaker"], e["text"]) for e in ordered]


@pytest.mark.slow
async def test_an_utterance_split_between_two_voices_refines_each_line(settings):
    """Two voices with only a short pause between them: one utterance for the segmenter, two
    lines after diarization. Each line is still re-decoded over its own audio (a wrong split by
    the diarizer once cost the whole utterance its refinement)."""
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.services.whisper.engine import PRIORITY_REFINE

    services = await Services.create(settings.model_copy(update={"interim_period_secs": 0.0}))
    refinements: list[float] = []  # seconds of audio of each refinement decode
    decode = services.engine.decode

    async def counting_decode(audio, *, priority, **options):
        if priority >= PRIORITY_REFINE:
            refinements.append(len(audio) / 2 / SAMPLE_RATE)
        return await decode(audio, priority=priority, **options)

    services.engine.decode = counting_decode
    short = np.zeros(SAMPLE_RATE * 2 // 5, dtype=np.int16)  # 0.4 s < utterance_gap_secs
    long = np.zeros(SAMPLE_RATE * 3 // 2, dtype=np.int16)
    # Both voices are known before the utterance that holds both of them.
    interviewer = np.concatenate([clip(A1), long, clip(B1), long, clip(A2), short, clip(B2), long])
    try:
        events = await replay_tracks(services, {INTERVIEWER: interviewer}, persist=False)
    finally:
        await services.close()
    lines = sorted(
        {e["segment_id"]: e for e in events if e["type"] == "transcript" and e.get("final")}.values(),
        key=lambda e: e["start"],
    )
    described = [(e["start"], e["end"], e["speaker"], e["text"]) for e in lines]
    pairs = [(a, b) for a, b in zip(lines, lines[1:], strict=False) if b["start"] - a["end"] < 0.5]
    assert any(a["speaker"] != b["speaker"] for a, b in pairs), described  # the split happened
    # Every line is re-decoded once (the refinement beam differs from the live beam), and over
    # its own span, not over the whole utterance.
    assert len(refinements) == len(lines), (refinements, described)
    longest_line = max(e["end"] - e["start"] for e in lines)
    assert max(refinements) < longest_line + 1.0, (refinements, described)
