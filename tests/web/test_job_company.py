"""Issue 12: the job's company was not read. Common layouts of a pasted posting must give the
company (and the title); lines that only look like names must not."""

from __future__ import annotations

import pytest

from cuecard.profile.job import parse_job

FILLER = "".join(f"Detail {i}: value {i}\n" for i in range(20))


@pytest.mark.parametrize(
    ("text", "title", "company"),
    [
        # "Company: X" below the first fifteen lines (a long header block, or a footer)
        (
            "Senior Backend Engineer\n" + FILLER + "Company: Lumen Pay\n\nRequirements:\n- Go",
            "Senior Backend Engineer",
            "Lumen Pay",
        ),
        ("Job Title: QA Engineer\nCompany name: Tessera Systems\n", "QA Engineer", "Tessera Systems"),
        ("**Title:** QA Engineer\n**Company:** Tessera Systems\n", "QA Engineer", "Tessera Systems"),
        # "X is hiring" in a sentence (the name must not run across lines into the title)
        (
            "Backend Engineer\n\nAcme Robotics is hiring a backend engineer to build our fleet API.\n",
            "Backend Engineer",
            "Acme Robotics",
        ),
        ("Tessera Systems is hiring: QA Engineer\n\nRequirements:\n- Selenium", "QA Engineer", "Tessera Systems"),
        # "About X" as a heading, as a Markdown heading, and with its text on the same line
        (
            "Product Designer\n\nAbout Fernwood Labs\nFernwood Labs builds tools for farmers.\n",
            "Product Designer",
            "Fernwood Labs",
        ),
        ("# Product Designer\n\n## About Fernwood Labs\nWe build tools.\n", "Product Designer", "Fernwood Labs"),
        ("Product Designer\n\nAbout Fernwood Labs: we build tools for farmers.\n", "Product Designer", "Fernwood Labs"),
        # the line right under the title
        (
            "Senior Data Engineer\nBrightwave Analytics\nLondon, UK (Hybrid)\n\nWhat you will do\n- Build pipelines",
            "Senior Data Engineer",
            "Brightwave Analytics",
        ),
        (
            "Frontend Developer\nNimbus Health · Berlin, Germany (Remote)\n\nAbout the job\nWe build React apps.",
            "Frontend Developer",
            "Nimbus Health",
        ),
        ("Frontend Developer\nAcme Widgets Inc.\n", "Frontend Developer", "Acme Widgets Inc."),
    ],
)
def test_company_and_title_from_common_layouts(text, title, company):
    job = parse_job(text)
    assert (job.title, job.company) == (title, company)


@pytest.mark.parametrize(
    "second_line",
    [
        "Remote",
        "Berlin, Germany",
        "Full-time",
        "Responsibilities",
        "We are looking for a developer.",
        "Senior level",
        "Platform Team",
        "Posted 3 days ago",
        "About us",
    ],
)
def test_a_line_under_the_title_that_is_not_a_name_is_not_taken(second_line):
    assert parse_job(f"Frontend Developer\n{second_line}\n\nRequirements:\n- React").company == ""


def test_about_sections_that_name_no_company_are_skipped():
    job = parse_job("Data Scientist\n\nAbout the role\nYou will model demand.\n\nAbout Orbit Health\nWe build.\n")
    assert job.company == "Orbit Health"
