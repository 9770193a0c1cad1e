"""Job description parsing on postings written for these tests."""

from __future__ import annotations

from pathlib import Path

from cuecard.profile.job import parse_job

FIXTURES = Path(__file__).parent / "fixtures" / "jobs"


def test_markdown_posting_with_sections():
    job = parse_job((FIXTURES / "backend_acme.md").read_text())
    assert job.title == "Senior Backend Engineer"
    assert job.company == "Lumen Pay"
    assert job.seniority == "senior"
    assert {"Go", "Python", "SQL", "Kubernetes", "AWS", "PostgreSQL", "Mentoring", "Conflict resolution"} <= set(
        job.required_skills
    )
    assert job.preferred_skills == ["Terraform", "Kafka"]
    assert job.responsibilities == [
        "Design and build payment services in Go and Python",
        "Own the reliability of our PostgreSQL databases and on-call rotation",
        "Mentor engineers and lead technical design reviews",
        "Work with product and finance stakeholders to shape the roadmap",
    ]
    # Benefits and the company blurb are not requirements.
    assert not any("holiday" in r for r in job.responsibilities)


def test_plain_posting_with_inline_requirements_and_plus_clause():
    job = parse_job((FIXTURES / "data_analyst.txt").read_text())
    assert (job.title, job.company, job.seniority) == ("Junior Data Analyst", "Northwind Foods", "junior")
    assert job.required_skills[:3] == ["SQL", "Excel", "Tableau"]
    # "Python is a plus" wins over Python being used in a responsibility.
    assert "Python" not in job.required_skills
    assert job.preferred_skills == ["Python", "dbt", "A/B testing"]
    assert len(job.responsibilities) == 3


def test_posting_without_sections_and_explicit_fields():
    job = parse_job(
        "Position: Staff Platform Engineer\nCompany: Quill Robotics\n\n"
        "You will scale our Kubernetes clusters and write Rust services. Kafka experience is a plus."
    )
    assert (job.title, job.company, job.seniority) == ("Staff Platform Engineer", "Quill Robotics", "staff")
    assert job.required_skills == ["Kubernetes", "Rust"]
    assert job.preferred_skills == ["Kafka"]


def test_unknown_fields_stay_empty():
    job = parse_job("We are a friendly team.\nGreat snacks.")
    assert (job.title, job.company, job.seniority) == ("", "", "")
    assert job.required_skills == job.preferred_skills == job.responsibilities == []


def test_seniority_levels_from_title():
    cases = {
        "Software Engineering Intern": "intern",
        "Principal Data Scientist": "principal",
        "Engineering Manager, Payments": "manager",
        "Tech Lead - Mobile": "lead",
        "Sr. Frontend Developer": "senior",
        "Entry-level QA Analyst": "junior",
        "Backend Developer": "",
    }
    for title, level in cases.items():
        assert parse_job(title + "\n\nRequirements:\n- Python").seniority == level, title


def test_dash_in_title_names_a_company_only_if_the_posting_names_it_again():
    assert parse_job("Tech Lead - Mobile\n\nRequirements:\n- Swift").company == ""
    job = parse_job("Data Engineer — Orbit Health\n\nAt Orbit Health, we build clinic software.\n")
    assert (job.title, job.company) == ("Data Engineer", "Orbit Health")


def test_caps_and_bold_headings_with_other_wordings():
    job = parse_job(
        "Site Reliability Engineer | Parcel Co\n\n"
        "RESPONSIBILITIES INCLUDE:\n• Keep the Kubernetes fleet healthy\n• Improve alerting\n\n"
        "**What you'll need**\n- Linux and Terraform\n\n"
        "Desired:\n- Go\n"
    )
    assert (job.title, job.company) == ("Site Reliability Engineer", "Parcel Co")
    assert job.responsibilities == ["Keep the Kubernetes fleet healthy", "Improve alerting"]
    assert job.required_skills == ["Linux", "Terraform", "Kubernetes"]
    assert job.preferred_skills == ["Go"]
