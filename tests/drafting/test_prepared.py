"""Prepared answers: prediction from job/profile/bank, and matching (partial) interim text."""

from __future__ import annotations

import json

import pytest

from cuecard.drafting.options import OPTIONS
from cuecard.drafting.prepared import BANK_PATH, PreparedAnswers, predict_questions


@pytest.fixture(scope="module")
def prepared():
    from drafting_helpers import load_candidate

    return PreparedAnswers(load_candidate()).prepare()


def test_predictions_come_from_job_stories_and_bank(candidate):
    texts = [q.text for q in predict_questions(candidate)]
    assert "Why do you want to work at Northwind Health?" in texts
    assert "What experience do you have with Kubernetes?" in texts
    assert "Tell me about a time you showed mentoring." in texts
    assert "Tell me about a time you disagreed with a teammate and how you resolved it." in texts
    assert "What is a closure in JavaScript?" not in texts  # no JavaScript in this job or profile
    assert len(texts) == len(set(texts))


def test_bank_is_ours_and_covers_every_type():
    bank = json.loads(BANK_PATH.read_text())["questions"]
    assert {q["type"] for q in bank} == {"technical", "behavioral", "situational", "cultural"}
    assert len(bank) >= 30


def test_every_prepared_question_has_all_options(prepared):
    assert prepared.ready
    assert all(set(q.drafts) == set(OPTIONS) for q in prepared.questions)


@pytest.mark.parametrize(
    "interim, expected",
    [
        ("why do you want to work at northwind", "Why do you want to work at Northwind Health?"),
        (
            "tell me about a time you disagreed with a teammate and how",
            "Tell me about a time you disagreed with a teammate and how you resolved it.",
        ),
        (
            "imagine production goes down during your shift what do you do",
            "Imagine production goes down during your on-call shift. What do you do?",
        ),
        ("what experience do you have with kubernetes", "What experience do you have with Kubernetes?"),
    ],
)
def test_interim_text_matches_its_prepared_question(prepared, interim, expected):
    match = prepared.match(interim)
    assert match is not None and match.question.text == expected


@pytest.mark.parametrize(
    "interim",
    [
        "so our team works on the billing platform",  # a statement
        "tell me about a time you",  # too little to know which
        "what is the capital of the country you grew up in",  # nothing prepared for it
        "Great thanks",
    ],
)
def test_unrelated_or_too_short_text_does_not_match(prepared, interim):
    assert prepared.match(interim) is None


def test_final_text_must_be_near_identical_to_keep_a_prepared_answer(prepared):
    assert prepared.match("Why do you want to work at Northwind Health?", final=True) is not None
    loose = "Why do you want to work at Northwind Health as the manager of a research lab?"
    assert prepared.match(loose, final=True) is None
