"""Offline composer: structure by type, personalization, no invented facts, word limits."""

from __future__ import annotations

import json
import re

import pytest

from cuecard.drafting.composer import DATA_DIR, Composer
from cuecard.drafting.options import MAX_WORDS, OPTIONS, enforce_word_limit, speaking_secs, word_count
from cuecard.profile.models import CandidateContext, Job, Profile, Role

QUESTIONS = {
    "behavioral": "Tell me about a time you disagreed with a product manager about a launch.",
    "situational": "What would you do if a teammate kept missing their commitments?",
    "technical": "How does caching make an API faster, and what can go wrong?",
    "cultural": "Why do you want to join our company?",
}


@pytest.fixture(scope="module")
def composer():
    from drafting_helpers import load_candidate

    return Composer(load_candidate())


def test_behavioral_is_labelled_star_from_the_matching_story(composer):
    story = composer.draft(QUESTIONS["behavioral"], "behavioral", "story")
    labels = [line.split(":")[0] for line in story.splitlines()[:4]]
    assert labels == ["Situation", "Task", "Action", "Result"]
    assert "billing export" in story and "pilot" in story  # the disagreement story, not another


def test_situational_gives_approach_then_reasoning(composer):
    text = composer.draft(QUESTIONS["situational"], "situational", "story")
    lines = text.splitlines()
    assert lines[0].startswith("Approach: first I would talk privately and ask what is getting in the way")
    assert lines[1].startswith("Reasoning:")


def test_technical_is_definition_example_tradeoff_with_own_work(composer):
    text = composer.draft(QUESTIONS["technical"], "technical", "story")
    labels = [line.split(":")[0] for line in text.splitlines()[:3]]
    assert labels == ["Definition", "Example", "Trade-off"]
    assert "cache" in text.splitlines()[0].lower()
    assert "900 ms to 180 ms" in text  # the candidate's own caching result


def test_cultural_ties_motivation_to_this_company_and_role(composer):
    text = composer.draft(QUESTIONS["cultural"], "cultural", "concise")
    assert text.startswith("Motivation:")
    assert "Staff Platform Engineer" in text and "Northwind Health" in text
    assert "Fernhill Logistics" in text  # fit backed by the candidate's current role


def test_options_differ_and_respect_the_word_limit(composer):
    for qtype, question in QUESTIONS.items():
        drafts = composer.drafts(question, qtype)
        assert set(drafts) == set(OPTIONS)
        assert word_count(drafts["concise"]) < word_count(drafts["deep_dive"])
        for text in drafts.values():
            assert 0 < word_count(text) <= MAX_WORDS
            assert speaking_secs(text) <= 90


def test_enforce_word_limit_cuts_at_a_sentence_end():
    text = " ".join(f"Sentence number {i} has six words." for i in range(60))  # 360 words
    cut = enforce_word_limit(text)
    assert word_count(cut) <= MAX_WORDS and cut.endswith(".")
    assert word_count(cut) > MAX_WORDS - 7
    one_long = "word " * 400
    assert word_count(enforce_word_limit(one_long)) == MAX_WORDS


def _allowed_vocabulary(candidate: CandidateContext, question: str) -> str:
    """Everything the composer may quote: the material, the question, our own guidance data."""
    guidance = json.dumps(json.loads((DATA_DIR / "key_points.json").read_text()))
    return " ".join([candidate.model_dump_json(), question, guidance])


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


def _names(text: str) -> set[str]:
    """Capitalised words not at a sentence or label start: names of employers, titles, places."""
    found = set()
    for line in text.splitlines():
        for match in re.finditer(r"(?<![.:!?\[]\s)(?<!^)\b[A-Z][a-zA-Z]+", line):
            found.add(match.group())
    return found


def test_never_invents_employers_titles_dates_or_numbers():
    sparse = CandidateContext(
        profile=Profile(name="Ada", skills=["Go", "SQL"], roles=[
            Role(title="Developer", employer="Quillon", achievements=["Rewrote the billing job in Go"])]),
        stories=[],
        job=Job(title="Engineer", company="Marlow", required_skills=["Go", "Kafka"]),
    )
    rich = CandidateContext(**json.loads((__import__("drafting_helpers").SCENARIO / "profile.json").read_text()))
    for candidate in (sparse, rich, CandidateContext()):
        composer = Composer(candidate)
        for qtype, question in QUESTIONS.items():
            for option, text in composer.drafts(question, qtype).items():
                allowed = _allowed_vocabulary(candidate, question)
                assert _numbers(text) <= _numbers(allowed), (qtype, option, text)
                unknown = {n for n in _names(text) if n not in allowed}
                assert not unknown, (qtype, option, unknown, text)
    # and, concretely: the sparse profile's draft names only its own employer and no result
    text = Composer(sparse).draft(QUESTIONS["behavioral"], "behavioral", "story")
    assert "Quillon" in text and "Fernhill" not in text and not _numbers(text)
    assert "[" in text  # missing facts become prompts for the candidate, not inventions


def test_empty_material_still_gives_structured_guidance_not_filler():
    composer = Composer(CandidateContext())
    text = composer.draft(QUESTIONS["behavioral"], "behavioral", "story")
    assert text.startswith("Situation: [")
    assert "Points to land:" in text and "disagreement" in text  # theme-specific points
