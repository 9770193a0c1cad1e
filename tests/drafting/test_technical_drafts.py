"""Spoken technical drafts: every side of a comparison is said, and the short answer is not a
definition plus one clipped sentence."""

from __future__ import annotations

from cuecard.drafting.technical import technical_draft
from cuecard.kinds import AnswerOption
from cuecard.knowledge.retrieval import retrieve


def test_a_three_way_comparison_defines_each():
    r = retrieve("what's the difference between localStorage, sessionStorage and cookies")
    text = technical_draft(r, AnswerOption.STORY, None).lower()
    assert "localstorage" in text and "sessionstorage" in text and "cookie" in text


def test_the_concise_option_uses_its_budget():
    # Before: "Static is normal flow." was all the concise answer said after the definition.
    r = retrieve("What is the difference between relative, fixed, absolute and static positioning?")
    text = technical_draft(r, AnswerOption.CONCISE, None)
    assert "Absolute" in text and len(text.split()) <= 60, text
