"""Build the spoken jargon set for ``cuecard eval terms``: ``python scripts/make_terms_set.py OUT_DIR``.

The questions are our own (``scripts/terms_questions.tsv``: technical interview questions dense
in knowledge-base names and acronyms). Each is synthesized with espeak-ng in one of several
voices and speeds (rotating), converted with sox to 16 kHz mono 16-bit WAV, and listed in

    OUT_DIR/tune/manifest.tsv   odd ids: the half we tune on
    OUT_DIR/check/manifest.tsv  even ids: the half we only report

(columns ``file`` — relative to the manifest — and ``transcript``, the written question).
A row's ``spoken`` column, when filled, is what espeak reads instead of the written question:
how a person says a name espeak would mispronounce ("engine X" for Nginx, "Postgres Q L").
The reference transcript is always the written question.

Needs the Debian packages ``espeak-ng`` and ``sox``. Deterministic: the same file gives the
same audio. Generated audio is not committed (see tests/fixtures/terms/README.md).
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

QUESTIONS = Path(__file__).with_name("terms_questions.tsv")
# (espeak-ng voice, words per minute): American and British voices, a female variant, and
# speeds from slow to brisk, so a term is not heard in one voice only.
VOICES = [
    ("en-us", 165),
    ("en-gb", 150),
    ("en-us+f3", 175),
    ("en-gb-x-rp", 140),
    ("en-us+m3", 185),
    ("en-gb-scotland", 160),
]


def read_questions(path: Path = QUESTIONS) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def half_of(row: dict) -> str:
    return "tune" if int(row["id"]) % 2 == 1 else "check"


def synthesize(text: str, voice: str, speed: int, out: Path) -> None:
    """espeak-ng → 16 kHz mono s16 WAV with 0.3 s of silence before and 0.5 s after."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
        subprocess.run(
            ["sox", "-G", "-V1", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", "0.3", "0.5"],
            check=True,
        )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    rows = read_questions()
    manifests: dict[str, list[tuple[str, str]]] = {"tune": [], "check": []}
    for i, row in enumerate(rows):
        half = half_of(row)
        voice, speed = VOICES[i % len(VOICES)]
        name = f"wav/q{int(row['id']):03d}.wav"
        target = out_dir / half / name
        target.parent.mkdir(parents=True, exist_ok=True)
        synthesize(row.get("spoken") or row["question"], voice, speed, target)
        manifests[half].append((name, row["question"]))
    for half, entries in manifests.items():
        with open(out_dir / half / "manifest.tsv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter="\t", lineterminator="\n")
            writer.writerow(["file", "transcript"])
            writer.writerows(entries)
        print(f"{out_dir / half / 'manifest.tsv'}: {len(entries)} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
