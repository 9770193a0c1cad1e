"""``cuecard practice score`` and ``cuecard eval practice`` on a real spoken answer (espeak-ng
voice, committed fixture), transcribed by the project's faster-whisper model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

FIXTURE = Path(__file__).parent.parent / "fixtures" / "practice" / "hash_map_answer.wav"
QUESTION = "How does a hash map handle collisions?"

pytestmark = pytest.mark.slow


def cuecard(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cuecard.cli", *args], capture_output=True, text=True, timeout=600, cwd=cwd
    )


def test_practice_score_prints_a_scorecard_as_json():
    run = cuecard("practice", "score", "--question", QUESTION, str(FIXTURE), "--type", "technical", "--json")
    assert run.returncode == 0, run.stderr
    card = json.loads(run.stdout)
    assert "hash" in card["transcript"].lower() and "collision" in card["transcript"].lower()
    assert [s["name"] for s in card["subscores"]] == ["delivery", "content", "relevance"]
    subs = {s["name"]: s for s in card["subscores"]}
    assert subs["relevance"]["score"] >= 3 and subs["content"]["details"]["cards"]
    assert card["metrics"]["fillers"] >= 1  # the "um" in the recording
    assert 0 < card["overall"] <= 5
    assert card["model_answer"]  # the drafting engine's answer, shown after the score
    assert card["timings"]["score_s"] < 5


def test_practice_score_text_output_and_bad_audio():
    run = cuecard("practice", "score", "--question", QUESTION, str(FIXTURE), "--no-model-answer")
    assert run.returncode == 0, run.stderr
    assert "Overall:" in run.stdout and "Improve:" in run.stdout and "relevance:" in run.stdout
    missing = cuecard("practice", "score", "--question", QUESTION, "/nonexistent/answer.wav")
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_eval_practice_prints_agreement_and_length_alone(tmp_path: Path):
    audio, rate = sf.read(str(FIXTURE), dtype="int16")
    sf.write(str(tmp_path / "full.wav"), audio, rate)
    sf.write(str(tmp_path / "cut.wav"), audio[: int(2.2 * rate)], rate)  # "A hash map hashes each key"
    (tmp_path / "m.tsv").write_text(
        f"question\ttype\taudio\tgrade\n{QUESTION}\ttechnical\tfull.wav\t4\n{QUESTION}\ttechnical\tcut.wav\t1\n"
    )
    run = cuecard("eval", "practice", str(tmp_path / "m.tsv"))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[-1] == "practice scoring: pairwise agreement 1.000 over 1 pairs, Spearman 1.000"
    assert any(line.startswith("length alone: pairwise agreement 1.000 over 1 pairs") for line in lines)
    assert any(line.startswith("score_answer: median") for line in lines)
