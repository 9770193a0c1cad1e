"""Voice the practice dev set (tests/fixtures/practice/{tune,check}.tsv) with espeak-ng.

    python bench/practice/make_practice_audio.py tests/fixtures/practice/tune.tsv /tmp/practice/tune

writes one 16 kHz mono 16-bit WAV per answer (``<id>.wav``) and ``manifest.tsv`` next to them:
the input columns plus ``audio`` (file name relative to the manifest), ready for
``cuecard eval practice /tmp/practice/tune/manifest.tsv``.

Each row names its espeak-ng voice and speed. " ... " in an answer is spoken as a 2.5 s
silence (an SSML break), so hesitant answers have real long pauses; "um"/"uh" are written into
the weak answers' text and spoken as words. The audio is not committed (generated, ~70 MB).
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16_000
PAUSE = '<break time="2500ms"/>'


def to_ssml(text: str) -> str:
    parts = [html.escape(p.strip()) for p in re.split(r"\s*\.\.\.\s*", text)]
    return "<speak>" + f" {PAUSE} ".join(p for p in parts if p) + "</speak>"


def voice(text: str, voice_name: str, speed: int) -> np.ndarray:
    """16 kHz mono int16 speech of ``text``; leading and trailing silence trimmed to 0.2 s."""
    import soxr

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "a.wav"
        subprocess.run(
            ["espeak-ng", "-m", "-v", voice_name, "-s", str(speed), "-w", str(raw), to_ssml(text)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        data, rate = sf.read(str(raw), dtype="float32")
    if data.ndim > 1:
        data = data.mean(axis=1)
    audio = soxr.resample(data, rate, SAMPLE_RATE)
    loud = np.nonzero(np.abs(audio) > 0.01)[0]
    if len(loud):
        pad = int(0.2 * SAMPLE_RATE)
        audio = audio[max(0, loud[0] - pad) : loud[-1] + pad]
    return (np.clip(audio, -1, 1) * 32767).astype(np.int16)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv", type=Path, help="dev-set TSV: id, question, type, grade, voice, speed, answer_text")
    parser.add_argument("out", type=Path, help="directory for the WAVs and manifest.tsv")
    parser.add_argument("--limit", type=int, help="only the first N rows")
    args = parser.parse_args(argv)
    with open(args.tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))[: args.limit]
    args.out.mkdir(parents=True, exist_ok=True)
    for i, row in enumerate(rows, 1):
        path = args.out / f"{row['id']}.wav"
        if not path.exists():
            sf.write(
                str(path), voice(row["answer_text"], row["voice"], int(row["speed"])), SAMPLE_RATE, subtype="PCM_16"
            )
        row["audio"] = path.name
        print(f"{i}/{len(rows)} {path.name}", file=sys.stderr)
    with open(args.out / "manifest.tsv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*rows[0].keys()], delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(args.out / "manifest.tsv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
