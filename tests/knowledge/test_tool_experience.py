""" "Have you used <a known technology>?" asks what the candidate knows: typed technical."""

from __future__ import annotations

from cuecard.understanding.classifier import asks_about_tool_experience, classify


def test_experience_with_a_named_technology_is_technical():
    assert asks_about_tool_experience("Have you used different HTML templating languages before?")
    assert classify("Have you ever worked with retina graphics?").type == "technical"


def test_story_questions_and_unknown_objects_are_left_to_the_model():
    assert not asks_about_tool_experience("Have you ever worked with a difficult colleague? What happened?")
    assert not asks_about_tool_experience("Have you used our product, and what did you think?")
    assert not asks_about_tool_experience("Have you led people before?")
    assert classify("Tell me about a time you had a conflict with a teammate.").type == "behavioral"
