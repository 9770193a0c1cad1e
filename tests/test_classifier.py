"""Question classifier, detector and model file: our own example questions (not the evaluation lists)."""

from __future__ import annotations

import shutil
import statistics
import time

import pytest

from cuecard.understanding.classifier import classify
from cuecard.understanding.detector import detect
from cuecard.understanding.model import MODEL_PATH, SHA_PATH, ModelIntegrityError, QuestionModel

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


@pytest.mark.parametrize("text,expected", TYPED)
def test_type_of_clear_questions(text, expected):
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
