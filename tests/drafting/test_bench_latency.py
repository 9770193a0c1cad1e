"""``cuecard bench make-scenario`` and ``cuecard bench latency``."""

from __future__ import annotations

import argparse
import asyncio
import csv
from pathlib import Path

import pytest
import soundfile as sf
from drafting_helpers import SCENARIO

from cuecard.bench import latency, make_scenario


def test_make_scenario_writes_two_aligned_tracks_and_question_times(tmp_path, capsys):
    questions = tmp_path / "q.tsv"
    questions.write_text("text\tlabel\nWhy do you want this job?\tcultural\nWhat is a cache?\ttechnical\n")
    out = tmp_path / "scenario"
    assert (
        make_scenario.main(
            argparse.Namespace(
                args=[
                    str(out),
                    "--questions",
                    str(questions),
                    "--answer-secs",
                    "1",
                    "--gap-secs",
                    "0.5",
                    "--profile",
                    str(SCENARIO / "profile.json"),
                    # Real speech the repository ships (tests must pass without ../shared).
                    "--answers-manifest",
                    str(Path(__file__).resolve().parents[1] / "fixtures/asr/manifest.tsv"),
                ]
            )
        )
        == 0
    )
    inter, rate = sf.read(out / "interviewer.wav", dtype="int16")
    cand, rate2 = sf.read(out / "candidate.wav", dtype="int16")
    assert rate == rate2 == 16000 and inter.ndim == cand.ndim == 1 and len(inter) == len(cand)
    rows = list(csv.DictReader(open(out / "questions.tsv"), delimiter="\t"))
    assert [r["label"] for r in rows] == ["cultural", "technical"]
    for row in rows:
        a, b = int(float(row["start"]) * 16000), int(float(row["end"]) * 16000)
        assert abs(inter[a:b]).max() > 1000  # the question is spoken there
        assert abs(cand[a:b]).max() == 0  # and the candidate is silent meanwhile
    assert abs(cand).max() > 1000  # real speech answers
    assert (out / "profile.json").is_file() and "CC BY 4.0" in (out / "README.md").read_text()


def test_report_lines_and_last_line(capsys):
    rows = [
        {"start": 1.0, "end": 3.0, "text": "Why here?", "label": "cultural"},
        {"start": 6.0, "end": 8.0, "text": "What is a cache?", "label": "technical"},
        {"start": 11.0, "end": 12.0, "text": "Tell me more.", "label": "behavioral"},
    ]
    q = lambda qid, start, end, status="confirmed", t="cultural": {  # noqa: E731
        "type": "question",
        "question_id": qid,
        "start": start,
        "end": end,
        "status": status,
        "question_type": t,
    }
    s = lambda qid, source="composer", text="x": {  # noqa: E731
        "type": "suggestion",
        "question_id": qid,
        "source": source,
        "text": text,
    }
    timeline = [
        (2.5, q("a", 1.0, 2.6, "tentative")),
        (2.7, s("a", "prepared")),  # before the end: negative
        (3.6, q("a", 1.0, 3.0)),
        (8.5, q("b", 6.0, 8.0, t="technical")),
        (8.52, s("b", text="")),
        (8.6, s("b")),
        (12.5, q("c", 11.0, 12.0, t="behavioral")),
        (12.6, q("c", 11.0, 12.0, "withdrawn")),
    ]
    latency.report(rows, timeline, None)
    lines = capsys.readouterr().out.strip().splitlines()
    assert "detected" in lines[0] and "-300 ms" in lines[0] and "prepared" in lines[0]
    assert "technical" in lines[1] and "+600 ms" in lines[1]
    assert "MISSED" in lines[2]  # withdrawn is not detected
    assert lines[-1] == (
        "end-of-question to lasting draft: p50 150 ms, p95 555 ms, replaced 0.00 per question, detected 2/3"
    )


def test_lasting_draft_is_the_one_still_shown_after_the_question_not_the_first(capsys):
    """A draft flashed early and replaced is not the answer the candidate used: the bench used
    to report the first one (-2.3 s) while the usable draft came seconds after the question."""
    rows = [{"start": 1.0, "end": 5.0, "text": "When will you use a heap?", "label": "technical"}]
    q = lambda qid, status="confirmed": {  # noqa: E731
        "type": "question",
        "question_id": qid,
        "start": 1.0,
        "end": 5.0,
        "status": status,
        "question_type": "technical",
    }
    s = lambda qid, at_text="x", **extra: {  # noqa: E731
        "type": "suggestion",
        "question_id": qid,
        "option": "concise",
        "source": "composer",
        "text": at_text,
        **extra,
    }
    timeline = [
        (2.6, q("a", "tentative")),
        (2.7, s("a")),  # draft 1 (cultural guess)
        (3.5, q("a", "withdrawn")),
        (3.5, s("a", "", withdrawn=True)),  # gone
        (3.9, q("b", "tentative")),
        (4.0, s("b")),  # draft 2
        (4.5, s("b", "y", replaces=True)),  # draft 3
        (5.6, q("b")),
        (5.7, s("b", "z", replaces=True)),  # draft 4: the lasting one
    ]
    latency.report(rows, timeline, None)
    lines = capsys.readouterr().out.strip().splitlines()
    assert "first  -2300 ms" in lines[0] and "lasting   +700 ms" in lines[0] and "replaced 3" in lines[0]
    assert lines[-2] == "end-of-question to first draft: p50 -2300 ms, p95 -2300 ms"
    assert lines[-1] == (
        "end-of-question to lasting draft: p50 700 ms, p95 700 ms, replaced 3.00 per question, detected 1/1"
    )


@pytest.mark.slow
def test_bench_latency_on_the_committed_scenario(settings, capsys):
    """The full pipeline, real time, on the committed scenario (about 20 s)."""
    assert asyncio.run(latency.run(SCENARIO, llm_delay=None, cold=False, settings=settings)) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("end-of-question to lasting draft: p50 ")
    detected = int(last.rsplit("detected ", 1)[1].split("/")[0])
    assert detected >= 3, last
    assert "p50 nan" not in last  # suggestions reached the sink for the detected questions
