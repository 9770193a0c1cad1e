"""Question classifier, detector and model file: our own example questions (not the evaluation lists)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cuecard.understanding.classifier import classify
from cuecard.understanding.detector import detect
from cuecard.understanding.model import MODEL_PATH, SHA_PATH, ModelIntegrityError, QuestionModel

ROOT = Path(__file__).resolve().parent.parent

TYPED = [
    ("How does a hash map handle collisions?", "technical"),
    ("So, um, walk me through how you'd design a rate limiter for a public API.", "technical"),
    ("What's the difference between a left join and an inner join?", "technical"),
    ("How do you calculate the dose for a pediatric patient by weight?", "technical"),
    ("Tell me about a time you had to win over a skeptical stakeholder.", "behavioral"),
    ("Describe a situation where you made a mistake that affected a customer. What did you learn?", "behavioral"),
    ("Give me an example of when you had to meet a really tight deadline.", "behavioral"),
    ("What would you do if your manager asked you to ship something you thought was unsafe?", "situational"),
    ("Imagine two senior people on your team give you opposite instructions. How do you handle it?", "situational"),
    ("Suppose a parent emails you furious about a grade. What's your first step?", "situational"),
    ("Why do you want to work for us?", "cultural"),
    ("Where do you see yourself in five years?", "cultural"),
    ("What kind of team culture helps you do your best work?", "cultural"),
]

# How interviewers really talk (issue 11 item 2): hypotheticals, imperatives, fillers and
# follow-ups, and behavioral questions about technical work.
SPOKEN = [
    ("Imagine you join and the team has been skipping code review for months. What do you do?", "situational"),
    ("Picture this: your biggest customer calls the CEO about a bug you shipped. How do you handle it?", "situational"),
    (
        "Let's say a colleague keeps pushing straight to main without telling anyone. How would you approach that?",
        "situational",
    ),
    ("Talk me through how you'd design a service that sends reminder emails to millions of users.", "technical"),
    ("Walk me through how a request gets from the browser to our database and back.", "technical"),
    ("Okay, cool, how would you test that?", "technical"),
    ("Tell me about a time you had to debug a memory leak in production.", "behavioral"),
    ("Describe an experience solving a hard technical problem.", "behavioral"),
    ("So when was the last time you had to roll back a deploy, and what happened?", "behavioral"),
    ("Walk me through your background, just the highlights.", "cultural"),
]


@pytest.mark.parametrize("text,expected", TYPED)
def test_type_of_clear_questions(text, expected):
    _check_type(text, expected)


@pytest.mark.parametrize("text,expected", SPOKEN)
def test_type_holds_for_spoken_hypotheticals_imperatives_and_tech_stories(text, expected):
    assert detect(text).is_question
    _check_type(text, expected)


def _check_type(text, expected):
    result = classify(text)
    assert result.type == expected, result.scores
    assert 0.0 <= result.confidence <= 1.0
    assert abs(sum(result.scores.values()) - 1.0) < 1e-3
    assert result.confidence == max(result.scores.values())


@pytest.mark.parametrize(
    "text,topic",
    [
        ("Tell me about a time you had a conflict with your manager.", "conflict with a manager"),
        ("Can you explain closures in JavaScript?", "closures in JavaScript"),
        ("What's the difference between TCP and UDP?", "TCP and UDP"),
        ("What would you do if a patient refuses their medication?", "patient refuses their medication"),
    ],
)
def test_topic_is_the_subject_in_the_interviewers_words(text, topic):
    assert classify(text).topic == topic


@pytest.mark.parametrize(
    "text",
    [
        "Walk me through your last project.",
        "I'd love to hear about a time you led without authority.",
        "what made you move from nursing into health informatics",  # no punctuation (ASR)
        "DESCRIBE HOW YOU WOULD BACK UP A DATABASE",  # read-speech style transcript
        "Explain event sourcing.",
    ],
)
def test_requests_and_unpunctuated_questions_are_detected(text):
    assert detect(text).is_question


@pytest.mark.parametrize(
    "text",
    [
        "Great, thanks. So our team works on the checkout service.",
        "Mm-hmm.",
        "How are you doing today?",
        "THE OLD FERRYMAN ROWED SLOWLY ACROSS THE GREY WATER AND SAID NOTHING",
        "What a lovely morning it was when they set out.",
        "I think the main tradeoff is consistency versus latency.",
    ],
)
def test_statements_small_talk_and_narrative_are_not_questions(text):
    assert not detect(text).is_question


@pytest.mark.parametrize(
    "text",
    [
        "Give me a second to take notes.",
        "Can you hear me okay?",
        "Let me share my screen.",
        "Sorry, my dog is barking.",
        "We have about ten minutes left.",
        "Does that make sense?",
        "Okay, sounds good, does that all make sense?",
        "Is it okay if I record this for my notes?",
        "How was your weekend?",
        "Could you paste that into the chat?",
        "Let's see. Okay, where were we.",
        "hang on one sec i'm just writing that down",
    ],
)
def test_interviewer_small_talk_and_check_ins_stay_quiet(text):
    assert not detect(text).is_question, detect(text).sentence_scores


@pytest.mark.parametrize(
    "text",
    [
        "Can you see the bug in this function?",
        "Is the audio pipeline something you've worked on?",
        "Sorry, how would you shard that table?",
        "so we have a lot of slow builds here, like half an hour in CI, how would you speed that up",
    ],
)
def test_questions_that_start_like_small_talk_are_still_questions(text):
    assert detect(text).is_question


def test_classification_is_fast():
    classify("warm up")
    times = []
    for text, _ in TYPED * 4:
        started = time.perf_counter()
        classify(text)
        times.append(time.perf_counter() - started)
    assert statistics.fmean(times) < 0.020


def test_model_file_is_checked_before_loading(tmp_path):
    model = tmp_path / "m.npz"
    sha = tmp_path / "m.sha256"
    shutil.copy(MODEL_PATH, model)
    shutil.copy(SHA_PATH, sha)
    assert QuestionModel.load(model, sha).types == ("technical", "behavioral", "situational", "cultural")
    data = bytearray(model.read_bytes())
    data[-10] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        QuestionModel.load(model, sha)
    with pytest.raises(ModelIntegrityError, match="missing"):
        QuestionModel.load(tmp_path / "absent.npz", sha)


# --- the training data overlap check (scripts/check_training_overlap.py) ---------------------
SCRIPT = ROOT / "scripts" / "check_training_overlap.py"


def _overlap_check(tmp_path, training_texts, literals, questions):
    training = tmp_path / "training.tsv"
    training.write_text(
        "text\tis_question\ttype\tkind\n" + "".join(f"{t}\t1\ttechnical\tquestion\n" for t in training_texts)
    )
    compose = tmp_path / "compose.py"
    compose.write_text("SLOTS = [" + ", ".join(repr(x) for x in literals) + "]\n")
    evaluation = tmp_path / "eval.tsv"
    evaluation.write_text("id\tquestion\n" + "".join(f"e{i}\t{q}\n" for i, q in enumerate(questions)))
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(evaluation), "--training", str(training), "--compose", str(compose)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_overlap_check_passes_on_unrelated_examples(tmp_path):
    out = _overlap_check(
        tmp_path,
        ["How does a bloom filter work?"],
        ["What would you do if {s}?", "a teammate misses standup"],
        ["Explain the difference between a thread and a process.", "Why should we hire you?"],
    )
    assert out.returncode == 0, out.stdout


def test_overlap_check_fails_on_a_planted_run_of_six_words(tmp_path):
    planted = "So, walk me through what happens when you type a URL and press enter."
    out = _overlap_check(
        tmp_path,
        ["How does a bloom filter work?", planted],
        [],
        ["What happens when you type a URL and press Enter in the browser?"],
    )
    assert out.returncode == 1
    assert "run: what happens when you type a" in out.stdout and "training.tsv:3" in out.stdout, out.stdout


def test_overlap_check_fails_on_a_one_word_twin_and_on_template_literals(tmp_path):
    out = _overlap_check(
        tmp_path,
        ["What is your favourite gardening tool?"],
        ["Tell me about {x}.", "the oddest pet you have ever owned"],
        ["What is your favourite kitchen tool?", "Describe the oddest pet you have ever owned."],
    )
    assert out.returncode == 1
    assert "twin" in out.stdout and "the oddest pet you have ever" in out.stdout
    # a placeholder breaks a run: "{x}" joins no words across it
    out = _overlap_check(
        tmp_path, [], ["Tell me about {x} you have ever owned today"], ["Tell me about the pets you have ever owned."]
    )
    assert out.returncode == 0, out.stdout
