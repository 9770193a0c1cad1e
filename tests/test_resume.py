"""Resume import: real files (Markdown, text, DOCX written by python-docx, PDF written by a
tiny PDF writer below) through extract_text and parse_resume."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest

from cuecard.profile.resume import ResumeFormatError, extract_text, parse_resume

FIXTURES = Path(__file__).parent / "fixtures" / "resumes"


def write_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with a Helvetica text layer, one line per string.

    Written by hand (no PDF library) so the test needs nothing beyond the parser under test.
    """

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 10 Tf", "13 TL", "50 800 Td"]
    for line in lines:
        ops.append(f"({escape(line)}) Tj T*")
    ops.append("ET")
    stream = zlib.compress("\n".join(ops).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def write_docx() -> bytes:
    """A DOCX resume in a third layout: heading styles, list bullets, a role header table."""
    import docx

    document = docx.Document()
    document.add_heading("Lena Okafor", level=0)
    document.add_paragraph("Product-minded Frontend Developer")
    document.add_paragraph("lena.okafor@example.com · +44 20 7946 0000")
    document.add_heading("Professional Experience", level=1)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Frontend Developer, Umbrella Labs"
    table.rows[0].cells[1].text = "Sep 2020 – Present"
    document.add_paragraph(
        "Rewrote the checkout in React and TypeScript, raising mobile conversion by 12%",
        style="List Bullet",
    )
    document.add_paragraph("Made the design system meet WCAG 2.1 AA after an accessibility audit", style="List Bullet")
    document.add_paragraph("Web Developer at Stark Media")
    document.add_paragraph("2018 – 2020")
    document.add_paragraph("Built a Vue.js editor for 40 newsroom journalists", style="List Bullet")
    document.add_heading("Education", level=1)
    document.add_paragraph("BA Interaction Design, Goldsmiths College, 2015 – 2018")
    document.add_heading("Skills", level=1)
    document.add_paragraph("JavaScript; TypeScript; React; Vue; Figma")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_markdown_resume():
    text = extract_text((FIXTURES / "jane_doe.md").read_bytes(), "jane_doe.md")
    profile = parse_resume(text)
    assert profile.name == "Jane Doe"
    assert profile.email == "jane.doe@example.org"
    assert profile.headline.startswith("Senior Backend Engineer")
    assert "eight years" in profile.summary
    assert [(r.title, r.employer, r.start, r.end) for r in profile.roles] == [
        ("Senior Backend Engineer", "Acme Payments GmbH", "Mar 2019", "present"),
        ("Software Engineer", "Globex, Inc.", "2016", "2019"),
    ]
    assert profile.roles[1].location == "Hamburg"
    assert len(profile.roles[0].achievements) == 4
    assert profile.roles[0].achievements[1].startswith("Migrated 3 TB")
    # Skills list first (as written, canonicalised), then vocabulary skills from the text.
    assert profile.skills[:7] == ["Python", "Go", "PostgreSQL", "MySQL", "Kubernetes", "Terraform", "Event sourcing"]
    assert {"Django", "CI/CD", "GitHub Actions", "REST APIs"} <= set(profile.skills)
    assert "Leadership" not in profile.skills  # prose "Led a team" is story material, not a listed skill
    assert [(e.institution, e.degree, e.start, e.end) for e in profile.education] == [
        ("University of Leeds", "BSc Computer Science", "2012", "2016")
    ]


def test_plain_text_resume_with_caps_headings_and_wrapped_bullets():
    text = extract_text((FIXTURES / "raj_patel.txt").read_bytes(), "raj_patel.txt")
    profile = parse_resume(text)
    assert profile.name == "Raj Patel"
    assert profile.headline == "Data Engineer"
    assert [(r.title, r.employer, r.start, r.end) for r in profile.roles] == [
        ("Data Engineer", "Northwind Traders", "Jan 2020", "present"),
        ("Junior Data Analyst", "Contoso Analytics", "06/2017", "12/2019"),
    ]
    assert profile.roles[0].location == "Chicago, IL"
    assert profile.roles[0].achievements[0].endswith("into Snowflake, replacing hand-run scripts")
    assert (
        profile.roles[0].achievements[2] == "Worked with the finance team to define revenue metrics everyone agreed on"
    )
    assert [(e.institution, e.degree) for e in profile.education] == [
        ("Georgia Institute of Technology", "M.S. in Computer Science"),
        ("University of Illinois", "B.S. Statistics"),
    ]
    assert ["Python", "SQL", "Scala", "Airflow", "Spark", "dbt", "Snowflake", "Tableau"] == profile.skills[:8]


def test_docx_resume_generated_with_python_docx():
    text = extract_text(write_docx(), "lena.docx")
    profile = parse_resume(text)
    assert profile.name == "Lena Okafor"
    assert profile.email == "lena.okafor@example.com"
    assert profile.headline == "Product-minded Frontend Developer"
    assert [(r.title, r.employer, r.start, r.end) for r in profile.roles] == [
        ("Frontend Developer", "Umbrella Labs", "Sep 2020", "present"),
        ("Web Developer", "Stark Media", "2018", "2020"),
    ]
    assert profile.roles[0].achievements == [
        "Rewrote the checkout in React and TypeScript, raising mobile conversion by 12%",
        "Made the design system meet WCAG 2.1 AA after an accessibility audit",
    ]
    assert profile.education[0].institution == "Goldsmiths College"
    assert profile.education[0].degree == "BA Interaction Design"
    assert profile.skills[:5] == ["JavaScript", "TypeScript", "React", "Vue", "Figma"]


def test_pdf_resume_written_by_hand():
    lines = (FIXTURES / "maria_garcia_pdf.txt").read_text().splitlines()
    text = extract_text(write_pdf(lines), "Maria Garcia CV.PDF")
    profile = parse_resume(text)
    assert profile.name == "Maria Garcia"
    assert profile.headline == "Engineering Manager"
    assert [(r.title, r.employer, r.start, r.end) for r in profile.roles] == [
        ("Engineering Manager", "Initech", "2021", "present"),
        ("Software Engineer", "Hooli", "2017", "2021"),
    ]
    # The wrapped bullet is one achievement again.
    assert profile.roles[0].achievements[1].startswith("Resolved a conflict between two senior engineers")
    assert profile.roles[0].achievements[1].endswith("shared on-call rotation")
    assert profile.education[0].institution == "Technical University of Munich"
    assert profile.skills[:5] == ["Leadership", "People management", "React", "TypeScript", "AWS"]


def test_unknown_fields_stay_empty():
    profile = parse_resume("Some notes about my career.\nI like building things.\n")
    assert profile.name == "" and profile.email == "" and profile.roles == [] and profile.education == []
    assert profile.skills == []


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"", "cv.pdf", "empty"),
        (b"hello", "cv.pdf", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj garbage", "cv.pdf", "damaged PDF"),
        (b"PK\x03\x04 not really a zip", "cv.docx", "not a valid DOCX"),
        (b"{\\rtf1 hello}", "cv.rtf", "Unsupported resume format"),
        (b"\x00\x01\x02binary", "cv.txt", "binary"),
        (b"   \n  ", "cv.md", "No text"),
    ],
)
def test_bad_files_get_clear_errors(data, filename, message):
    with pytest.raises(ResumeFormatError, match=message):
        extract_text(data, filename)


def test_pdf_without_text_layer_is_reported():
    with pytest.raises(ResumeFormatError, match="scanned"):
        extract_text(write_pdf([]), "scan.pdf")


def test_legacy_doc_gets_a_hint():
    with pytest.raises(ResumeFormatError, match="docx"):
        extract_text(b"\xd0\xcf\x11\xe0 old word file", "cv.doc")


def test_grouped_skills_employer_first_headers_and_education_over_two_lines():
    profile = parse_resume((FIXTURES / "john_smith.txt").read_text())
    assert (profile.name, profile.email, profile.headline) == (
        "John Smith",
        "john.smith@mail.example",
        "Full-Stack Developer",
    )
    assert profile.skills[:8] == [
        "JavaScript",
        "TypeScript",
        "Python",
        "React",
        "Node.js",
        "Express",
        "MongoDB",
        "PostgreSQL",
    ]
    assert [(r.title, r.employer, r.start, r.end, r.location) for r in profile.roles] == [
        ("Senior Software Engineer", "Acme Corp", "2019-03", "2021-05", ""),
        ("Senior Software Engineer", "Initrode Ltd", "January 2018", "March 2019", "San Francisco, CA"),
    ]
    # A prose description line is kept as an achievement; the Projects section is not a role.
    assert profile.roles[0].achievements[0].startswith("Led development of the customer portal")
    assert not any("GitHub stars" in a for r in profile.roles for a in r.achievements)
    assert [(e.institution, e.degree, e.start, e.end) for e in profile.education] == [
        ("Stanford University", "Ph.D., Computer Science", "2010", "2015"),
        ("Harvard College", "A.B. Mathematics", "2006", "2010"),
    ]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("**Data Scientist** | Spotify | Stockholm | 2018 – now", ("Data Scientist", "Spotify", "2018", "present")),
        ("Software Engineer, Google, Mountain View, CA, 2015 - 2018", ("Software Engineer", "Google", "2015", "2018")),
        ("Platform Engineer at Cloudline (2021 to present)", ("Platform Engineer", "Cloudline", "2021", "present")),
        (
            "Globex Corporation\tQA Analyst\tMar. 2012 – Sept 2014",
            ("QA Analyst", "Globex Corporation", "Mar. 2012", "Sept 2014"),
        ),
        ("Google — Software Engineer Intern (Summer 2014)", ("Software Engineer Intern", "Google", "Summer 2014", "")),
    ],
)
def test_one_line_role_headers(header, expected):
    profile = parse_resume(f"Experience\n{header}\n- Did a concrete thing for the team\n")
    role = profile.roles[0]
    assert (role.title, role.employer, role.start, role.end) == expected


def test_huge_or_pathological_text_is_parsed_quickly():
    import time

    texts = [
        "Experience\n" + "Something short here\n" * 5000,
        "*" + "a " * 50000 + "\n" + "_" * 20000,
        (FIXTURES / "jane_doe.md").read_text() * 200,
    ]
    for text in texts:
        start = time.perf_counter()
        parse_resume(text)
        assert time.perf_counter() - start < 3.0


def test_text_encodings():
    text = "Zoë Müller\nzoe@example.org\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("utf-16"), text.encode("cp1252")):
        assert parse_resume(extract_text(data, "cv.txt")).name == "Zoë Müller"


def test_per_role_tech_stack_line_does_not_end_the_experience_section():
    profile = parse_resume(
        "Experience\n"
        "Senior Engineer, Acme Corp, 2019 - 2021\n"
        "- Built the ingestion service\n"
        "Tech stack: Go, Kafka, Cassandra\n"
        "Engineer, Foo Labs, 2017 - 2019\n"
        "- Wrote the billing jobs\n"
        "Skills: Python, Leadership\n"
    )
    assert [(r.title, r.employer) for r in profile.roles] == [
        ("Senior Engineer", "Acme Corp"),
        ("Engineer", "Foo Labs"),
    ]
    assert profile.roles[0].achievements == ["Built the ingestion service"]
    assert {"Go", "Kafka", "Cassandra", "Python", "Leadership"} <= set(profile.skills)


def test_bullet_glyphs_from_word_processors():
    profile = parse_resume(
        "Experience\nEngineer at Foo, 2019 - 2020\n\uf0b7Built the importer\n●  Ran the migration\n"
        "➢ Wrote the runbook\n1. Fixed the flaky tests\n"
    )
    assert profile.roles[0].achievements == [
        "Built the importer",
        "Ran the migration",
        "Wrote the runbook",
        "Fixed the flaky tests",
    ]


def test_docx_page_header_and_text_box_are_read():
    """Templates put contact details in the page header and skills in a sidebar text box."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Sam Rivera | sam@example.org"
    paragraph = document.add_paragraph("Backend Developer")
    paragraph._p.append(
        parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            "<w:p><w:r><w:t>SKILLS</w:t></w:r></w:p><w:p><w:r><w:t>Elixir, Haskell</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    buffer = io.BytesIO()
    document.save(buffer)
    profile = parse_resume(extract_text(buffer.getvalue(), "sam.docx"))
    assert (profile.name, profile.email) == ("Sam Rivera", "sam@example.org")
    assert profile.skills == ["Elixir", "Haskell", "Backend development"]
