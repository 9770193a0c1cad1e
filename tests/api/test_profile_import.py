"""Profile and job imports (issue 16 item 1) over HTTP with real files: a JSON Resume, a LinkedIn
data-export ZIP built here with LinkedIn's CSV names and columns, a DOCX and Markdown resume,
a saved job page with schema.org JSON-LD, a JSON Resume job; and bad inputs (zip bomb,
malformed JSON, unknown formats)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema_rs
import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
SCHEMA = json.loads((FIXTURES / "json-resume-schema.subset.json").read_text())


def linkedin_zip(extra: dict[str, bytes] | None = None) -> bytes:
    files = {
        "Profile.csv": (
            "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,"
            "Twitter Handles,Websites,Instant Messengers\n"
            'Dana,Okafor,,,,"Staff Engineer, Payments","Payments engineer; ledgers, Kafka, Go.",'
            "Financial Services,,Lisbon,,,\n"
        ),
        "Positions.csv": (
            "Company Name,Title,Description,Location,Started On,Finished On\n"
            '"Ledgerly","Senior Backend Engineer","Cut p99 settlement latency from 900 ms to 210 ms by batching '
            'ledger writes\nBuilt the reconciliation service in Go",Lisbon,Apr 2021,\n'
            "Harbor Bank,Platform Engineer,Ran the Kafka clusters for card payments,Porto,Jan 2016,Aug 2017\n"
        ),
        "Skills.csv": "Name\nPython\nKafka\ngolang\nTerraform\n",
        "Education.csv": (
            "School Name,Start Date,End Date,Notes,Degree Name,Activities\n"
            "University of Porto,2013,2017,,BSc Computer Science,\n"
            "Imperial College London,2018,2019,,MSc Distributed Systems,\n"
        ),
        "Certifications.csv": "Name,Url,Authority,Started On,Finished On,License Number\n"
        "Certified Kubernetes Administrator,,CNCF,Mar 2023,,\n",
        "Projects.csv": "Title,Description,Url,Started On,Finished On\n"
        "tinyledger,A double-entry ledger library,https://github.com/danaok/tinyledger,Feb 2020,\n",
        "Connections.csv": "Notes:\nWhen exporting your connection data, ...\n\nFirst Name,Last Name\nA,B\n",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buf.getvalue()


async def _import(user, data: bytes, multipart: bool = False):
    if multipart:
        import aiohttp

        form = aiohttp.FormData()
        form.add_field("file", data, filename="whatever.bin", content_type="application/octet-stream")
        return await user.req("POST", "/api/profile/import", data=form)
    return await user.req(
        "POST", "/api/profile/import", data=data, headers={"Content-Type": "application/octet-stream"}
    )


async def test_json_resume_then_linkedin_merge_without_duplicates_and_export_validates(register):
    user = await register()
    r = await _import(user, (FIXTURES / "resume.json").read_bytes(), multipart=True)
    assert r.status == 200, await r.text()
    report = await r.json()
    assert report["format"] == "json-resume"
    assert report["added"] == {"skills": 4, "roles": 2, "education": 1, "projects": 1, "certifications": 1}
    assert report["skipped"] == {"awards": 1, "languages": 2}
    assert set(report["filled"]) >= {"name", "headline", "summary", "email"}
    profile = report["profile"]
    assert profile["name"] == "Dana Okafor" and "Kafka" in profile["skills"]
    assert profile["roles"][1]["achievements"] == ["Built the parcel-tracking API used by 3 million people a month."]

    # Same file again: nothing changes.
    again = await (await _import(user, (FIXTURES / "resume.json").read_bytes())).json()
    assert again["added"] == {} and again["updated"] == {}
    assert again["duplicates"]["roles"] == 2 and again["duplicates"]["skills"] == 4

    r = await _import(user, linkedin_zip())
    assert r.status == 200, await r.text()
    report = await r.json()
    assert report["format"] == "linkedin"
    # Python, Kafka known; "golang" is Go under the vocabulary's canonical name; Terraform new
    assert report["added"]["skills"] == 1 and report["duplicates"]["skills"] == 3
    # Ledgerly (Apr 2021 = 2021-04-01) is the same role: it gains the Go achievement
    assert report["added"]["roles"] == 1 and report["updated"]["roles"] == 1
    assert report["added"]["education"] == 1 and report["duplicates"]["education"] == 1  # Porto: same degree
    assert report["kept"] == ["headline", "summary"]  # the stored (reviewed) values win
    profile = report["profile"]
    assert [r["employer"] for r in profile["roles"]] == ["Ledgerly", "Parcel Post", "Harbor Bank"]
    ledgerly = profile["roles"][0]
    assert "Built the reconciliation service in Go" in ledgerly["achievements"]
    assert len(ledgerly["achievements"]) == 3
    assert profile["headline"] == "Backend Engineer"
    assert {c["name"] for c in profile["certifications"]} == {
        "AWS Certified Developer",
        "Certified Kubernetes Administrator",
    }
    assert len(profile["projects"]) == 1  # tinyledger once

    r = await user.req("GET", "/api/profile/export?format=json-resume")
    assert r.status == 200
    exported = await r.json()
    jsonschema_rs.validator_for(SCHEMA).validate(exported)
    assert exported["basics"]["email"] == "dana.okafor@example.org"
    assert exported["work"][0]["startDate"] == "2021-04-01"
    assert exported["work"][2] == {
        "name": "Harbor Bank",
        "position": "Platform Engineer",
        "location": "Porto",
        "highlights": ["Ran the Kafka clusters for card payments"],
        "startDate": "2016-01",
        "endDate": "2017-08",
    }
    assert {s["name"] for s in exported["skills"]} == {"Python", "PostgreSQL", "Kafka", "Go", "Terraform"}

    # the export reads back to the same profile (round trip)
    other = await register()
    r = await _import(other, json.dumps(exported).encode())
    back = (await r.json())["profile"]
    assert [(r["employer"], r["title"]) for r in back["roles"]] == [
        (r["employer"], r["title"]) for r in profile["roles"]
    ]
    assert back["skills"] == profile["skills"]


async def test_the_schema_subset_refuses_what_json_resume_refuses():
    validator = jsonschema_rs.validator_for(SCHEMA)
    assert validator.is_valid({"work": [{"startDate": "2019-03"}]})
    assert not validator.is_valid({"work": [{"startDate": "Mar 2019"}]})
    assert not validator.is_valid({"basics": {"email": "not an address"}})
    assert not validator.is_valid({"skills": [{"keywords": "Python"}]})


async def test_resume_files_by_content_not_name(register):
    user = await register()
    markdown = b"# Sam Lee\n\nData Engineer\n\n## Skills\nPython, Airflow, SQL\n"
    r = await _import(user, markdown, multipart=True)  # sent as "whatever.bin"
    assert r.status == 200, await r.text()
    report = await r.json()
    assert report["format"] == "text"
    assert "Airflow" in report["profile"]["skills"]


async def test_bad_inputs_get_clear_4xx_and_keep_the_profile(register, client):
    user = await register()
    assert (await _import(user, (FIXTURES / "resume.json").read_bytes())).status == 200
    before = await (await user.req("GET", "/api/profile")).json()

    cases = {
        "malformed json": (b'{"basics": {"name": "x",', 422, "invalid_json"),
        "other json": (b'{"hello": "world"}', 415, "unsupported_format"),
        "binary": (bytes(range(256)) * 4, 415, "unsupported_format"),
        "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 415, "unsupported_format"),
        "empty": (b"", 400, "empty_file"),
        "other zip": (_zip({"notes.txt": b"hello"}), 415, "unsupported_format"),
        "broken zip": (b"PK\x03\x04" + b"garbage" * 20, 415, "unsupported_format"),
        "zip bomb": (linkedin_zip({"messages.csv": b"\0" * 300_000_000}), 413, "file_too_large_unpacked"),
    }
    for label, (data, status, code) in cases.items():
        r = await _import(user, data)
        body = await r.json()
        assert r.status == status, (label, body)
        assert body["error"]["code"] == code, (label, body)
        assert body["error"]["message"], label

    after = await (await user.req("GET", "/api/profile")).json()
    assert after == before
    r = await client.post("/api/profile/import", data=b"{}", headers={"Content-Type": "application/octet-stream"})
    assert r.status == 401


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buf.getvalue()


async def test_directory_that_lies_about_sizes_is_still_capped(register, settings_api):
    """A Skills.csv whose directory entry claims 10 bytes but unpacks to 60 MB: zipfile reads no
    more than the declared size, the CRC then fails, and the import is a 422, not a long read."""
    from cuecard.profile.import_formats import ImportRefused, read_linkedin
    from cuecard.profile.worker import ParseLimits

    data = bytearray(_zip({"Profile.csv": b"First Name\nX\n", "Skills.csv": b"Name\n" + b"A\n" * 30_000_000}))
    # rewrite the central directory's uncompressed size of Skills.csv to 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    assert data[cd + 46 : cd + 56] == b"Skills.csv"
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ImportRefused) as refused:
        read_linkedin(bytes(data), ParseLimits(max_uncompressed_bytes=50_000_000))
    assert (refused.value.status, refused.value.code) == (422, "damaged_zip")


async def test_job_imports(register):
    user = await register()
    r = await user.req(
        "POST",
        "/api/jobs/import",
        data=(FIXTURES / "job_page.html").read_bytes(),
        headers={"Content-Type": "text/html"},
    )
    assert r.status == 201, await r.text()
    answer = await r.json()
    job = answer["job"]
    assert answer["format"] == "html-jsonld"
    assert job["title"] == "Staff Platform Engineer" and job["company"] == "Northwind Robotics"
    assert job["seniority"] == "staff"
    assert {"Kubernetes", "Terraform", "Go"} <= set(job["required_skills"])
    assert "Design the deployment pipeline for 2,000 robots" in job["responsibilities"]
    assert job["location"] == "Berlin, DE" and job["date_posted"] == "2026-11-20"
    assert "<p>" not in job["text"] and "Own our Kubernetes platform" in job["text"]
    assert (await user.req("GET", f"/api/jobs/{job['id']}")).status == 200

    r = await user.req(
        "POST",
        "/api/jobs/import",
        data=(FIXTURES / "job.json").read_bytes(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 201, await r.text()
    answer = await r.json()
    assert answer["format"] == "json-resume-job"
    assert answer["job"]["company"] == "Riverbank Analytics" and answer["job"]["title"] == "Data Engineer"
    assert {"Airflow", "dbt", "Snowflake"} <= set(answer["job"]["required_skills"])

    saved = b"<!-- saved from url=(0040)https://jobs.example.org/123 -->\n" + (FIXTURES / "job_page.html").read_bytes()
    r = await user.req("POST", "/api/jobs/import", data=saved, headers={"Content-Type": "text/html"})
    assert r.status == 201 and (await r.json())["job"]["company"] == "Northwind Robotics"

    text = b"Backend Engineer at Acme\n\nRequirements:\n- Python and PostgreSQL\n"
    r = await user.req("POST", "/api/jobs/import", data=text, headers={"Content-Type": "text/plain"})
    assert r.status == 201
    assert (await r.json())["format"] == "text"

    for data, status in ((b'{"title": ', 422), (b'{"a": 1}', 415), (b"\x00\x01\x02", 415), (b"  ", 400)):
        r = await user.req("POST", "/api/jobs/import", data=data, headers={"Content-Type": "application/octet-stream"})
        assert r.status == status, (data, await r.text())
    assert (await (await user.req("GET", "/api/jobs")).json())["total"] == 4


async def test_import_routes_are_in_openapi(client):
    spec = await (await client.get("/api/openapi.json")).json()
    for path in ("/api/profile/import", "/api/profile/export", "/api/jobs/import"):
        assert path in spec["paths"], path


def test_draft_profile_reads_json_resume_by_content(tmp_path):
    """``cuecard draft --profile`` (cuecard/profile/files.py): a JSON Resume saved under another
    suffix is still read as one, with the same reader as the API."""
    from cuecard.profile.files import load_profile

    path = tmp_path / "resume.txt"
    path.write_bytes((FIXTURES / "resume.json").read_bytes())
    profile = load_profile(path)
    assert profile.name == "Dana Okafor" and profile.roles[0].employer == "Ledgerly"
    assert profile.projects[0].name == "tinyledger" and profile.certifications[0].issuer == "Amazon Web Services"
