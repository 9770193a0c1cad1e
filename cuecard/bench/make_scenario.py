"""``cuecard bench make-scenario OUT_DIR --questions FILE [options]``: build a two-track
interview for ``cuecard bench latency``.

The interviewer's questions are spoken by espeak-ng, cycling through several voices; after
each question the candidate "answers" with a real speech recording (default: the LibriSpeech
clean files in ``../shared/data/asr/librispeech-clean``, CC BY 4.0), cut to
``--answer-secs``. Writes:

- ``interviewer.wav``, ``candidate.wav``: same length, 16 kHz mono 16-bit;
- ``questions.tsv``: ``start``, ``end``, ``text``, ``label`` — seconds of the question's
  first and last speech sample (found by energy in the synthesized audio, not by our VAD);
- ``profile.json`` / ``job.json`` when ``--profile`` / ``--job`` are given (copied);
- ``README.md`` with the sources and licences.

``--questions`` is a TSV with ``text`` and ``label`` columns (label: technical, behavioral,
situational, cultural), or ``--bank N`` takes N questions of the built-in starter bank.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from cuecard.frames import SAMPLE_RATE
from cuecard.transports.replay import float_to_pcm16

DEFAULT_ANSWERS = Path(__file__).resolve().parents[2] / ".." / "shared/data/asr/librispeech-clean/manifest.tsv"
DEFAULT_VOICES = ["en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3", "en-us+m5", "en-gb-scotland+f2"]


def speech_bounds(audio: np.ndarray, frame: int = 160, threshold_db: float = -35.0) -> tuple[int, int]:
    """First and last sample of 10 ms frames louder than ``threshold_db`` below the peak."""
    x = audio.astype(np.float32) / 32768.0
    n = max(1, len(x) // frame)
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms / (rms.max() + 1e-12))
    loud = np.nonzero(db > threshold_db)[0]
    if len(loud) == 0:
        return 0, len(x)
    return int(loud[0] * frame), int((loud[-1] + 1) * frame)


def espeak_audio(text: str, voice: str, speed: int) -> np.ndarray:
    """16 kHz int16 speech of ``text``, leading/trailing silence trimmed."""
    import soxr

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "q.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        data, rate = sf.read(str(raw), dtype="float32")
    audio = float_to_pcm16(soxr.resample(data, rate, SAMPLE_RATE))
    a, b = speech_bounds(audio)
    return audio[a:b]


def answer_clips(manifest: Path, seed: int) -> list[Path]:
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    files = [manifest.parent / r["file"] for r in rows]
    random.Random(seed).shuffle(files)
    return files


def load_questions(args) -> list[tuple[str, str]]:
    if args.questions:
        with open(args.questions, newline="") as f:
            return [
                (r["text"].strip(), r["label"].strip()) for r in csv.DictReader(f, delimiter="\t") if r["text"].strip()
            ]
    from cuecard.drafting.prepared import starter_bank

    bank = starter_bank()
    picked = random.Random(args.seed).sample(bank, min(args.bank, len(bank)))
    return [(q["text"], q["type"]) for q in picked]


def build(args) -> Path:
    from cuecard.transports.replay import load_audio

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    questions = load_questions(args)
    clips = answer_clips(Path(args.answers_manifest), args.seed)
    voices = args.voices.split(",")
    gap = int(args.gap_secs * SAMPLE_RATE)
    interviewer, candidate, rows, used = [], [], [], []
    t = int(args.lead_secs * SAMPLE_RATE)
    interviewer.append(np.zeros(t, np.int16))
    candidate.append(np.zeros(t, np.int16))
    for i, (text, label) in enumerate(questions):
        q = espeak_audio(text, voices[i % len(voices)], args.speed)
        rows.append(
            {
                "start": round(t / SAMPLE_RATE, 3),
                "end": round((t + len(q)) / SAMPLE_RATE, 3),
                "text": text,
                "label": label,
            }
        )
        interviewer.append(q)
        candidate.append(np.zeros(len(q), np.int16))
        t += len(q)
        clip_path = clips[i % len(clips)]
        clip = load_audio(clip_path)
        a, b = speech_bounds(clip)
        answer = clip[a : min(b, a + int(args.answer_secs * SAMPLE_RATE))]
        used.append(clip_path.name)
        for track, audio in ((interviewer, np.zeros(gap, np.int16)), (candidate, np.zeros(gap, np.int16))):
            track.append(audio)
        interviewer.append(np.zeros(len(answer), np.int16))
        candidate.append(answer)
        interviewer.append(np.zeros(gap, np.int16))
        candidate.append(np.zeros(gap, np.int16))
        t += 2 * gap + len(answer)
    sf.write(str(out / "interviewer.wav"), np.concatenate(interviewer), SAMPLE_RATE, subtype="PCM_16")
    sf.write(str(out / "candidate.wav"), np.concatenate(candidate), SAMPLE_RATE, subtype="PCM_16")
    with open(out / "questions.tsv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["start", "end", "text", "label"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)
    for name, source in (("profile.json", args.profile), ("job.json", args.job)):
        if source and Path(source).resolve() != (out / name).resolve():
            shutil.copy(source, out / name)
    (out / "README.md").write_text(
        "# Latency scenario (made by `cuecard bench make-scenario`)\n\n"
        f"- interviewer.wav: {len(rows)} questions written for Cuecard, spoken by espeak-ng "
        f"(voices {', '.join(voices[: len(rows)])}, speed {args.speed}).\n"
        f"- candidate.wav: answers cut to at most {args.answer_secs:g} s from LibriSpeech "
        f"(CC BY 4.0, Panayotov et al. 2015): {', '.join(used)}.\n"
        "- questions.tsv: start/end of each question's speech (seconds), text, label.\n"
        "- profile.json / job.json (if present): fictional candidate and job written for Cuecard.\n\n"
        "LICENSE: the LibriSpeech excerpts are CC BY 4.0; everything else here is Apache-2.0 like the project.\n"
    )
    return out


def main(args) -> int:
    parser = argparse.ArgumentParser(
        prog="cuecard bench make-scenario", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--questions", help="TSV with text and label columns")
    source.add_argument("--bank", type=int, help="take N questions from the built-in starter bank")
    parser.add_argument(
        "--answers-manifest",
        default=str(DEFAULT_ANSWERS),
        help="TSV with a file column of real speech recordings (default: LibriSpeech clean)",
    )
    parser.add_argument("--voices", default=",".join(DEFAULT_VOICES), help="espeak-ng voices, cycled")
    parser.add_argument("--speed", type=int, default=165, help="espeak-ng words per minute")
    parser.add_argument("--answer-secs", type=float, default=6.0, help="longest candidate answer")
    parser.add_argument("--gap-secs", type=float, default=1.0, help="silence between turns")
    parser.add_argument("--lead-secs", type=float, default=1.0, help="silence before the first question")
    parser.add_argument("--profile", help="profile.json to include ({profile, stories})")
    parser.add_argument("--job", help="job.json to include")
    parser.add_argument("--seed", type=int, default=7)
    a = parser.parse_args(getattr(args, "args", None) or [])
    out = build(a)
    rows = sum(1 for _ in open(out / "questions.tsv")) - 1
    size = sum(p.stat().st_size for p in out.iterdir())
    print(json.dumps({"scenario": str(out), "questions": rows, "bytes": size}))
    return 0
