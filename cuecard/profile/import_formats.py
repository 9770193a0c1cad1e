"""Profile imports: which format a file is (by its content), and the readers of JSON Resume and
LinkedIn data-export ZIPs into a :class:`Profile` plus what was skipped.

Decisions:
- The format is read from the bytes, never the filename: ``%PDF-`` is a PDF; a ZIP holding
  ``word/document.xml`` is a DOCX, one holding LinkedIn's ``Profile.csv``/``Positions.csv``/
  ``Skills.csv``/``Education.csv`` is a LinkedIn export; a JSON object with any JSON Resume
  section (``basics``, ``work``, ``education``, ``skills``…) is a JSON Resume; other UTF-8 text
  without NUL bytes is a Markdown/text resume. Anything else is ``UnknownFormat`` (415). A
  file that starts like JSON but does not parse is ``ImportRefused`` 422 ``invalid_json``:
  reading it as a text resume would fill the profile with braces.
- LinkedIn ZIPs are checked from their directory before anything is unpacked, with the same
  limits as DOCX resumes (``resume_max_uncompressed_bytes``, ``resume_max_zip_ratio``,
  ``MAX_ZIP_ENTRIES`` from ``cuecard/profile/worker.py``); the CSVs are then read with a byte
  cap per member, so a directory that lies about sizes still cannot make us unpack more.
  Only the CSVs we read are opened; the rest of the export (messages, connections) is never
  decompressed.
- JSON Resume sections the profile has no place for (awards, languages, interests, volunteer,
  publications, references) are reported as skipped with their counts, not silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cuecard.profile.models import Certification, Education, Profile, Project, Role
from cuecard.profile.worker import MAX_ZIP_ENTRIES, RATIO_CHECK_MIN_BYTES, ParseLimits, ParseRefused

JSON_RESUME_SECTIONS = (
    "basics",
    "work",
    "volunteer",
    "education",
    "awards",
    "certificates",
    "publications",
    "skills",
    "languages",
    "interests",
    "references",
    "projects",
)
UNKEPT_JSON_RESUME = ("volunteer", "awards", "publications", "languages", "interests", "references")
LINKEDIN_FILES = ("profile.csv", "positions.csv", "skills.csv", "education.csv")


class ImportRefused(ParseRefused):
    """A file we recognised but cannot take (status 413/415/422, a code, a message)."""


class UnknownFormat(ImportRefused):
    def __init__(self, message: str = "unknown format"):
        super().__init__(
            415,
            "unsupported_format",
            f"{message}: send a JSON Resume, a LinkedIn data-export ZIP, or a PDF, DOCX, Markdown or text resume",
        )


@dataclass
class Imported:
    """A profile read from a file and what of the file was not taken (section -> count)."""

    format: str
    profile: Profile
    skipped: dict[str, int] = field(default_factory=dict)


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnknownFormat("a damaged ZIP file") from None


def detect_format(data: bytes) -> str:
    """``pdf`` | ``docx`` | ``linkedin`` | ``json-resume`` | ``text``; raises ``ImportRefused``."""
    if not data.strip():
        raise ImportRefused(400, "empty_file", "the uploaded file is empty")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        names = [n.lower() for n in _zip_names(data)]
        if "word/document.xml" in names:
            return "docx"
        if any(n.rsplit("/", 1)[-1] in LINKEDIN_FILES for n in names):
            return "linkedin"
        raise UnknownFormat("a ZIP that is neither a DOCX nor a LinkedIn data export")
    if b"\x00" in data[:65536]:
        raise UnknownFormat("a binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnknownFormat("a binary file (not UTF-8 text)") from None
    if text.lstrip().startswith(("{", "[")):
        try:
            parsed = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            raise ImportRefused(422, "invalid_json", f"the file starts like JSON but is not valid JSON: {e}") from None
        if isinstance(parsed, dict) and any(k in parsed for k in JSON_RESUME_SECTIONS):
            return "json-resume"
        raise UnknownFormat("JSON that is not a JSON Resume (no basics, work, education or skills)")
    return "text"


# --- JSON Resume --------------------------------------------------------------------------------


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dicts(value: Any, section: str, skipped: dict[str, int]) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        skipped[section] = skipped.get(section, 0) + 1
        return []
    good = [v for v in value if isinstance(v, dict)]
    if len(good) < len(value):
        skipped[section] = skipped.get(section, 0) + len(value) - len(good)
    return good


def read_json_resume(data: dict) -> Imported:
    skipped: dict[str, int] = {}
    basics: dict = data["basics"] if isinstance(data.get("basics"), dict) else {}
    skills: list[str] = []
    for entry in _dicts(data.get("skills"), "skills", skipped):
        # "name" is often a group ("Web Development") when keywords list the skills themselves
        keywords = [k for k in entry.get("keywords") or [] if isinstance(k, str)]
        for name in keywords or [_s(entry.get("name"))]:
            if name.strip():
                skills.append(name.strip())
    roles = []
    for w in _dicts(data.get("work"), "work", skipped):
        highlights = [_s(h) for h in w.get("highlights") or [] if _s(h)]
        roles.append(
            Role(
                title=_s(w.get("position")),
                employer=_s(w.get("name")) or _s(w.get("company")),
                start=_s(w.get("startDate")),
                end=_s(w.get("endDate")),
                location=_s(w.get("location")),
                achievements=highlights or ([_s(w.get("summary"))] if _s(w.get("summary")) else []),
            )
        )
    education = [
        Education(
            institution=_s(e.get("institution")),
            degree=" ".join(filter(None, [_s(e.get("studyType")), _s(e.get("area"))])),
            start=_s(e.get("startDate")),
            end=_s(e.get("endDate")),
        )
        for e in _dicts(data.get("education"), "education", skipped)
    ]
    projects = [
        Project(
            name=_s(p.get("name")),
            description=_s(p.get("description")),
            start=_s(p.get("startDate")),
            end=_s(p.get("endDate")),
            url=_s(p.get("url")),
        )
        for p in _dicts(data.get("projects"), "projects", skipped)
    ]
    certifications = [
        Certification(name=_s(c.get("name")), issuer=_s(c.get("issuer")), date=_s(c.get("date")), url=_s(c.get("url")))
        for c in _dicts(data.get("certificates"), "certificates", skipped)
    ]
    for section in UNKEPT_JSON_RESUME:
        if isinstance(data.get(section), list) and data[section]:
            skipped[section] = skipped.get(section, 0) + len(data[section])
    profile = Profile(
        name=_s(basics.get("name")),
        headline=_s(basics.get("label")),
        summary=_s(basics.get("summary")),
        email=_s(basics.get("email")),
        skills=skills,
        roles=roles,
        education=education,
        projects=projects,
        certifications=certifications,
    )
    return Imported("json-resume", profile, skipped)


def load_json_resume(data: bytes) -> Imported:
    parsed = json.loads(data.decode("utf-8-sig"))
    return read_json_resume(parsed)


# --- LinkedIn data export -----------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile, limits: ParseLimits) -> None:
    """413 for an export that would unpack too far, from its directory alone (as for DOCX)."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportRefused(413, "file_too_large_unpacked", f"the ZIP has more than {MAX_ZIP_ENTRIES} files")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_zip_ratio:
            raise ImportRefused(
                413,
                "file_too_large_unpacked",
                f"a file of the ZIP expands {ratio:.0f} times (at most {limits.max_zip_ratio:.0f})",
            )
    if total > limits.max_uncompressed_bytes:
        raise ImportRefused(
            413,
            "file_too_large_unpacked",
            f"the ZIP unpacks to {total} bytes (at most {limits.max_uncompressed_bytes})",
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> str:
    """A member's text, never more than ``cap`` bytes unpacked whatever the directory says."""
    try:
        with archive.open(info) as member:
            raw = member.read(cap + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as e:
        # zipfile stops at the size the directory declares and then fails the CRC: a lie is a
        # damaged file, never a longer read
        raise ImportRefused(422, "damaged_zip", f"{info.filename} in the ZIP cannot be read: {e}") from None
    if len(raw) > cap:
        raise ImportRefused(413, "file_too_large_unpacked", f"{info.filename} unpacks to more than {cap} bytes")
    return raw.decode("utf-8-sig", errors="replace")


def _rows(text: str, expected: str) -> list[dict[str, str]]:
    """CSV rows as dicts; LinkedIn puts "Notes:" lines above the header of some files."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if expected.lower() in line.lower()), 0)
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


_LINKEDIN_HEADERS = {
    "profile.csv": "First Name",
    "positions.csv": "Company Name",
    "skills.csv": "Name",
    "education.csv": "School Name",
    "certifications.csv": "Name",
    "projects.csv": "Title",
    "email addresses.csv": "Email Address",
}


def read_linkedin(data: bytes, limits: ParseLimits) -> Imported:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnknownFormat("a damaged ZIP file") from None
    with archive:
        check_zip(archive, limits)
        files: dict[str, list[dict[str, str]]] = {}
        for info in archive.infolist():
            base = info.filename.rsplit("/", 1)[-1].lower()
            if base in _LINKEDIN_HEADERS and not info.is_dir():
                files[base] = _rows(_read_member(archive, info, limits.max_uncompressed_bytes), _LINKEDIN_HEADERS[base])
    return _linkedin_profile(files)


def _linkedin_profile(files: dict[str, list[dict[str, str]]]) -> Imported:
    skipped: dict[str, int] = {}
    me = (files.get("profile.csv") or [{}])[0]
    emails = files.get("email addresses.csv") or []
    primary = next((e for e in emails if e.get("Primary", "").lower() == "yes"), emails[0] if emails else {})
    roles = []
    for row in files.get("positions.csv", []):
        if not (row.get("Company Name") or row.get("Title")):
            skipped["positions"] = skipped.get("positions", 0) + 1
            continue
        description = row.get("Description", "")
        lines = [re.sub(r"^[-•*]\s*", "", line).strip() for line in description.splitlines()]
        roles.append(
            Role(
                title=row.get("Title", ""),
                employer=row.get("Company Name", ""),
                start=row.get("Started On", ""),
                end=row.get("Finished On", ""),
                location=row.get("Location", ""),
                achievements=[line for line in lines if line],
            )
        )
    education = [
        Education(
            institution=row.get("School Name", ""),
            degree=row.get("Degree Name", ""),
            start=row.get("Start Date", "") or row.get("Started On", ""),
            end=row.get("End Date", "") or row.get("Finished On", ""),
        )
        for row in files.get("education.csv", [])
        if row.get("School Name")
    ]
    projects = [
        Project(
            name=row.get("Title", ""),
            description=row.get("Description", ""),
            start=row.get("Started On", ""),
            end=row.get("Finished On", ""),
            url=row.get("Url", ""),
        )
        for row in files.get("projects.csv", [])
        if row.get("Title")
    ]
    certifications = [
        Certification(
            name=row.get("Name", ""),
            issuer=row.get("Authority", ""),
            date=row.get("Started On", ""),
            url=row.get("Url", ""),
        )
        for row in files.get("certifications.csv", [])
        if row.get("Name")
    ]
    profile = Profile(
        name=" ".join(filter(None, [me.get("First Name", ""), me.get("Last Name", "")])),
        headline=me.get("Headline", ""),
        summary=me.get("Summary", ""),
        email=primary.get("Email Address", ""),
        skills=[row["Name"] for row in files.get("skills.csv", []) if row.get("Name")],
        roles=roles,
        education=education,
        projects=projects,
        certifications=certifications,
    )
    return Imported("linkedin", profile, skipped)
