"""``cuecard draft`` and ``cuecard eval answers`` end to end, as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
SLOT = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]+>")


def _cuecard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cuecard.cli", *args], capture_output=True, text=True, timeout=300)


def test_draft_json_with_json_resume_markdown_stories_and_job(tmp_path):
    resume = tmp_path / "resume.json"
    resume.write_text(
        json.dumps(
            {
                "basics": {"name": "Sam Okafor", "label": "Data Engineer"},
                "work": [
                    {
                        "name": "Brightline Freight",
                        "position": "Data Engineer",
                        "highlights": ["Moved clickstream ingestion to Kafka with exactly-once sinks"],
                    }
                ],
                "skills": [{"name": "Data", "keywords": ["Python", "Kafka"]}],
            }
        )
    )
    stories = tmp_path / "stories.md"
    stories.write_text(
        "## Fixing the late report\nSituation: The morning report failed when data came late.\n"
        "Task: I owned the pipeline.\nAction: I made every Airflow task idempotent.\n"
        "Result: The report has not failed since.\nSkills: Airflow\n"
    )
    done = _cuecard(
        "draft",
        "--profile",
        str(resume),
        "--stories",
        str(stories),
        "--job",
        str(FIXTURES / "job.txt"),
        "--json",
        "What is Apache Kafka used for?",
        "Tell me about a time you fixed a flaky pipeline.",
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["question_type"] for r in results] == ["technical", "behavioral"]
    kafka, story = results
    assert kafka["coverage"] == "full" and "Kafka" in kafka["topic"]
    assert {o["option"] for o in kafka["options"]} == {"concise", "story", "deep_dive"}
    own = next(o for o in kafka["options"] if o["option"] == "story")["text"]
    assert "Brightline Freight" in own and "exactly-once sinks" in own  # the candidate's own line leads
    for result in results:
        for option in result["options"]:
            assert not SLOT.search(option["text"]) and 0 < option["word_count"] <= 225
            assert set(option) == {"option", "text", "source", "word_count", "speaking_secs"}
    assert "report has not failed" in story["options"][1]["text"]


def test_draft_refuses_a_missing_file_clearly(tmp_path):
    done = _cuecard("draft", "--profile", str(tmp_path / "nope.pdf"), "What is a heap?")
    assert done.returncode == 2 and "nope.pdf" in done.stderr


def test_eval_answers_prints_the_rubric_line(tmp_path):
    questions = tmp_path / "q.tsv"
    questions.write_text(
        "id\tquestion\tasked_by\tlabel\n"
        "a\tWhat's the difference between TCP and UDP?\tinterviewer\ttechnical\n"
        "b\tHow does a B-tree index work?\tinterviewer\ttechnical\n"
        "c\tExplain quantum annealing schedules in photonic chips.\tinterviewer\ttechnical\n"
    )
    done = _cuecard(
        "eval", "answers", str(questions), "--profile", str(FIXTURES / "resume.md"), "--job", str(FIXTURES / "job.txt")
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"answers: useful (\d+)/3 \(on-topic \d+, substantive \d+, grounded 3, placeholders 0\)", last)
    assert int(last.split("useful ")[1].split("/")[0]) == 2  # no notes on the last: honest, not useful
