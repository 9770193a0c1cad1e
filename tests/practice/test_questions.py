"""Practice question generation and follow-ups (real knowledge base and skill matching)."""

from __future__ import annotations

from cuecard.practice import PracticeQuestion, follow_up, generate_questions
from cuecard.practice.questions import question_key
from cuecard.profile.models import Job, Profile, Story

JOB = Job(
    title="Backend Engineer",
    company="Acme Freight",
    required_skills=["Kafka", "PostgreSQL", "Kubernetes", "stakeholder management"],
    responsibilities=["Own the shipment tracking API", "Mentor junior engineers"],
)
PROFILE = Profile(skills=["PostgreSQL", "Python"])
STORIES = [Story(id="s1", title="Cut checkout latency by 40%", skills=["performance"])]


def test_questions_come_from_the_job_gaps_stories_and_company():
    questions = generate_questions(JOB, PROFILE, STORIES, [], n=12, types=None, difficulty="medium", recent=set())
    assert len(questions) == 12 and all(isinstance(q, PracticeQuestion) for q in questions)
    sources = {q.source for q in questions}
    assert {"skill", "gap", "story", "company"} <= sources
    technical = [q for q in questions if q.qtype == "technical" and q.source == "skill"]
    assert technical and all(q.card_id for q in technical)  # asked through a knowledge card
    assert not any("stakeholder management works" in q.text.lower() for q in questions)
    gaps = [q for q in questions if q.source == "gap"]
    assert all(q.topic in {"Kafka", "Kubernetes", "stakeholder management"} for q in gaps)  # PostgreSQL is shown
    assert any("Acme Freight" in q.text for q in questions if q.qtype == "cultural")
    assert any("cut checkout latency" in q.text.lower() for q in questions if q.source == "story")


def test_types_are_respected_and_interleaved():
    questions = generate_questions(JOB, PROFILE, STORIES, [], n=4, types=["technical", "behavioral"], recent=set())
    assert [q.qtype for q in questions] == ["technical", "behavioral", "technical", "behavioral"]


def test_never_a_recent_question_nor_a_repeat():
    first = generate_questions(JOB, PROFILE, STORIES, [], n=6, types=None, recent=set())
    recent = {q.text for q in first}
    second = generate_questions(JOB, PROFILE, STORIES, [], n=6, types=None, recent=recent)
    keys = [question_key(q.text) for q in second]
    assert len(second) == 6 and len(set(keys)) == 6
    assert not set(keys) & {question_key(t) for t in recent}


def test_bank_questions_first_and_without_material():
    bank = ["Why do you want this job?", {"text": "How does TCP handle packet loss?", "type": "technical"}]
    questions = generate_questions(None, None, [], bank, n=5, types=None, recent=set())
    assert len(questions) == 5
    banked = [q for q in questions if q.source == "bank"]
    assert {q.text for q in banked} == {"Why do you want this job?", "How does TCP handle packet loss?"}
    assert generate_questions(None, None, [], [], n=3, types=["behavioral"], recent=set())  # generic set


def test_hard_questions_compare_with_a_contrasting_card():
    questions = generate_questions(JOB, None, [], [], n=8, types=["technical"], difficulty="hard", recent=set())
    assert any(" or " in q.text and "differ" in q.text for q in questions)


def test_same_seed_same_questions():
    a = generate_questions(JOB, PROFILE, STORIES, [], n=6, types=None, recent=set(), seed=3)
    b = generate_questions(JOB, PROFILE, STORIES, [], n=6, types=None, recent=set(), seed=3)
    assert [q.text for q in a] == [q.text for q in b]


def test_follow_up_on_a_quantified_claim():
    answer = "I profiled the service first. Then we cut latency by 40 percent, which the team loved."
    assert follow_up("Tell me about a time…", answer) == (
        "You said you cut latency by 40 percent — how did you measure it, and what was the baseline?"
    )


def test_follow_up_on_a_named_action_in_second_person():
    answer = "So I introduced feature flags for our mobile releases and my manager agreed."
    text = follow_up("Tell me about a time you improved a process.", answer)
    assert text is not None and text.startswith("You said you introduced feature flags for your mobile releases")
    assert "why that approach" in text


def test_no_follow_up_without_a_claim():
    assert follow_up("Why this company?", "Um, the salary is good and it is remote.") is None
