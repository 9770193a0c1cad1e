"""Drafted STAR stories and job matching on the committed resume and job fixtures, with the
real embedding model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cuecard.profile.job import parse_job
from cuecard.profile.matching import JobMatch, match
from cuecard.profile.models import Job, Profile, Role, Story
from cuecard.profile.resume import parse_resume
from cuecard.profile.stories import draft_stories, split_star

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def jane() -> Profile:
    return parse_resume((FIXTURES / "resumes" / "jane_doe.md").read_text())


@pytest.fixture(scope="module")
def backend_job() -> Job:
    return parse_job((FIXTURES / "jobs" / "backend_acme.md").read_text())


@pytest.fixture(scope="module")
def jane_match(jane, backend_job) -> JobMatch:
    return match(jane, draft_stories(jane), backend_job)


# --- stories ---------------------------------------------------------------------------------


def test_one_drafted_story_per_achievement_with_stable_ids(jane):
    stories = draft_stories(jane)
    assert len(stories) == 6
    assert all(s.drafted for s in stories)
    assert [s.id for s in stories] == [s.id for s in draft_stories(jane)]
    assert len({s.id for s in stories}) == 6
    first = stories[0]
    assert first.situation == "As Senior Backend Engineer at Acme Payments GmbH (Mar 2019–present)."
    assert first.action == "Led a team of 4 engineers to rebuild the settlement service in Go."
    assert first.result == "Reducing nightly batch time from 6 hours to 40 minutes."
    assert first.role_employer == "Acme Payments GmbH"
    assert first.skills == ["Leadership", "Go"]


def test_stories_never_invent_numbers_or_names(jane):
    """Every number and capitalised word of a draft comes from the resume."""
    source = jane.resume_text
    for story in draft_stories(jane):
        text = " ".join([story.title, story.situation, story.task, story.action, story.result])
        for number in re.findall(r"\d+(?:\.\d+)?", text):
            assert number in source, (number, story)
        for word in re.findall(r"\b[A-Z][a-zA-Z]+\b", text):
            assert word in source or word.lower() in source.lower() or word == "As", (word, story)


@pytest.mark.parametrize(
    "achievement, task, action, result",
    [
        (
            "Cut the monthly warehouse bill by 35% by partitioning the largest tables",
            "",
            "By partitioning the largest tables.",
            "Cut the monthly warehouse bill by 35%.",
        ),
        (
            "Rebuilt the billing pipeline to support multi-currency invoices, which reduced manual fixes",
            "Support multi-currency invoices.",
            "Rebuilt the billing pipeline to support multi-currency invoices.",
            "Reduced manual fixes.",
        ),
        ("Wrote the onboarding guide for new hires", "", "Wrote the onboarding guide for new hires.", ""),
        (
            "Tasked with cutting cloud costs, moved batch jobs to spot instances, saving $40k a year",
            "Cutting cloud costs.",
            "Moved batch jobs to spot instances.",
            "Saving $40k a year.",
        ),
        (
            "Increased signup conversion 18% after redesigning onboarding with the design team",
            "",
            "After redesigning onboarding with the design team.",
            "Increased signup conversion 18%.",
        ),
    ],
)
def test_star_split(achievement, task, action, result):
    assert split_star(achievement) == (task, action, result)


def test_short_labels_are_not_stories():
    profile = Profile(roles=[Role(title="Engineer", employer="X", achievements=["Team player", "On-call"])])
    assert draft_stories(profile) == []


# --- matching --------------------------------------------------------------------------------


def test_coverage_and_gaps(jane_match, backend_job):
    assert jane_match.required_total == len(backend_job.required_skills)
    shown = {s.skill for s in jane_match.skills if s.shown}
    assert {"Go", "Python", "PostgreSQL", "Kubernetes", "Mentoring", "Conflict resolution"} <= shown
    assert "AWS" in jane_match.gaps and "Stakeholder management" in jane_match.gaps
    assert jane_match.preferred_gaps == ["Kafka"]
    assert jane_match.coverage == pytest.approx(jane_match.required_shown / jane_match.required_total, abs=1e-3)
    assert 0.5 < jane_match.coverage < 1.0


def test_evidence_says_where(jane_match):
    by_skill = {s.skill: s for s in jane_match.skills}
    sql = by_skill["SQL"]  # never written as "SQL": shown through PostgreSQL/MySQL
    assert sql.shown and {e.match for e in sql.evidence} == {"implied"}
    conflict = by_skill["Conflict resolution"]
    assert {e.source for e in conflict.evidence} == {"role", "story"}
    assert all(e.match == "synonym" for e in conflict.evidence)
    assert any(e.source == "skills" and e.match == "exact" for e in by_skill["Kubernetes"].evidence)
    role_evidence = [e for e in by_skill["PostgreSQL"].evidence if e.source == "role"]
    assert role_evidence[0].role_employer == "Acme Payments GmbH"


def test_best_stories_per_requirement(jane_match):
    fits = {r.requirement: r for r in jane_match.requirements}
    assert fits["Conflict resolution"].stories[0].title.startswith("Disagreed with the product lead")
    assert fits["Mentor engineers and lead technical design reviews"].stories[0].title.startswith("Mentored")
    assert (
        fits["Own the reliability of our PostgreSQL databases and on-call rotation"]
        .stories[0]
        .title.startswith("Migrated 3 TB")
    )
    assert fits["AWS"].stories == []  # nothing in the stories is about AWS
    for requirement in jane_match.requirements:
        scores = [f.score for f in requirement.stories]
        assert scores == sorted(scores, reverse=True) and all(0.3 <= s <= 1 for s in scores)


def test_semantic_fit_without_shared_words():
    """A hand-written story with no skill words still fits the responsibility it is about."""
    stories = [
        Story(
            id="a",
            title="Calmed an angry customer",
            action="Called the client, listened, and fixed the invoice the same day",
        ),
        Story(
            id="b", title="Sharded the queue", action="Split the message queue into 16 partitions to raise throughput"
        ),
    ]
    job = Job(responsibilities=["Handle escalations from unhappy clients", "Scale our messaging infrastructure"])
    result = match(Profile(), stories, job)
    assert result.coverage is None  # no required skills listed
    assert [r.stories[0].story_id for r in result.requirements] == ["a", "b"]


def test_empty_inputs():
    result = match(Profile(), [], Job(required_skills=["Python"]))
    assert result.coverage == 0.0 and result.gaps == ["Python"]
    assert result.requirements[0].stories == []


def test_without_the_embedding_model_stories_are_ranked_by_shared_skills(jane, backend_job, jane_match, monkeypatch):
    """A missing or damaged model file degrades ranking; coverage and gaps are unchanged."""
    from cuecard.embeddings import minilm

    def refuse():
        raise minilm.EmbeddingModelError("MiniLM ONNX model at /nowhere has sha256 0, expected 1")

    monkeypatch.setattr("cuecard.embeddings.get_encoder", refuse)
    import cuecard.embeddings as embeddings

    embeddings._cache.clear()
    result = match(jane, draft_stories(jane), backend_job)
    assert result.semantic_ranking is False and jane_match.semantic_ranking is True
    assert (result.coverage, result.gaps) == (jane_match.coverage, jane_match.gaps)
    fits = {r.requirement: r for r in result.requirements}
    assert fits["Mentoring"].stories[0].title.startswith("Mentored")
    assert fits["Mentoring"].stories[0].score == 1.0
    assert "AWS" in result.gaps
