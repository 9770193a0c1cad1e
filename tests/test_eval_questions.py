"""``cuecard eval questions`` on a small TSV of our own (tests/fixtures)."""

from __future__ import annotations

import re
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from cuecard.eval.questions import main

FIXTURES = Path(__file__).parent / "fixtures"


def test_eval_prints_detection_and_type_lines(capsys):
    args = Namespace(
        manifest=str(FIXTURES / "questions_small.tsv"),
        non_questions=str(FIXTURES / "non_questions_small.tsv"),
        limit=None,
    )
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    last = re.fullmatch(r"type accuracy (\d\.\d{3}) macro-F1 (\d\.\d{3}) over (\d+) questions", lines[-1])
    assert last, lines[-1]
    assert int(last.group(3)) == 9  # interviewer rows only; the candidate's question is not typed
    assert float(last.group(1)) >= 0.75
    detection = next(line for line in lines if line.startswith("detection precision"))
    p, r = map(float, re.match(r"detection precision (\S+) recall (\S+)", detection).groups())
    assert p == 1.0 and r == 1.0
    assert any(line.startswith("situational  precision") for line in lines)
    assert any(line.startswith("classification time mean") for line in lines)
    assert any("candidate_question rows" in line and "/1 " in line for line in lines)


def test_eval_cli_limit_and_bad_manifest(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cuecard.cli",
            "eval",
            "questions",
            str(FIXTURES / "questions_small.tsv"),
            "--limit",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1].endswith("over 3 questions")
    bad = tmp_path / "bad.tsv"
    bad.write_text("id\ttext\n1\tWhat is TCP?\n")
    args = Namespace(manifest=str(bad), non_questions=None, limit=None)
    with pytest.raises(SystemExit, match="missing column"):
        main(args)
    with pytest.raises(SystemExit, match="no such file"):
        main(Namespace(manifest=str(tmp_path / "absent.tsv"), non_questions=None, limit=None))


def test_rows_labelled_none_count_as_non_questions_and_are_not_typed(tmp_path, capsys):
    manifest = tmp_path / "talk.tsv"
    manifest.write_text(
        "id\tquestion\tasked_by\tlabel\n"
        "q1\tWhat would you do if a teammate kept missing deadlines?\tinterviewer\tsituational\n"
        "q2\tHow does a bloom filter work?\tinterviewer\ttechnical\n"
        "n1\tSorry, my dog is barking.\tinterviewer\tnone\n"
        "n2\tCan you hear me okay?\tinterviewer\tnone\n"
        "n3\tDoes that make sense?\tinterviewer\tnone\n"
    )
    assert main(Namespace(manifest=str(manifest), non_questions=None, limit=None)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].endswith("over 2 questions")
    assert "detection precision 1.000 recall 1.000 (2/2 questions, 0/3 non-questions detected)" in lines[-2]
    assert not any(line.startswith("wrong type") and "none" in line for line in lines)


def test_tuning_set_of_interviewer_talk_meets_the_targets(capsys):
    """Our own tuning set (tests/fixtures/interviewer_talk, see its README): the figures it
    was tuned to. A blind check set is kept elsewhere."""
    args = Namespace(manifest=str(FIXTURES / "interviewer_talk" / "tune.tsv"), non_questions=None, limit=None)
    assert main(args) == 0
    out = capsys.readouterr().out
    accuracy = float(re.search(r"type accuracy (\S+)", out).group(1))
    situational_recall = float(re.search(r"situational\s+precision \S+ recall (\S+)", out).group(1))
    p, r = map(float, re.search(r"detection precision (\S+) recall (\S+)", out).groups())
    assert accuracy >= 0.90 and situational_recall >= 0.85, out
    assert p >= 0.95 and r >= 0.95, out
