"""The profile as a JSON Resume (https://jsonresume.org/schema, v1.0.0).

Dates are written as the schema's ``iso8601`` pattern wants (``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``): "Mar 2019" becomes "2019-03"; a date we cannot read ("present", "Summer")
is left out rather than written in a shape validators refuse. An email that is not an address
is left out for the same reason. Empty sections are left out.
"""

from __future__ import annotations

import re
from typing import Any

from cuecard.profile.models import Profile

_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_ISO = re.compile(r"^([12]\d{3})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?")
_MONTH_YEAR = re.compile(r"^([a-z]{3})[a-z]*\.?\s+([12]\d{3})$", re.I)
_SLASH = re.compile(r"^(\d{1,2})/([12]\d{3})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def iso_date(text: str) -> str:
    """``YYYY[-MM[-DD]]`` for a date as written in a resume or export, or ""."""
    text = (text or "").strip()
    if m := _MONTH_YEAR.match(text):
        number = _MONTHS.get(m.group(1).lower())
        return f"{m.group(2)}-{number:02d}" if number else m.group(2)
    if m := _SLASH.match(text):
        return f"{m.group(2)}-{int(m.group(1)):02d}" if 1 <= int(m.group(1)) <= 12 else m.group(2)
    if m := _ISO.match(text):
        year, month, day = m.groups()
        if month and 1 <= int(month) <= 12:
            if day and 1 <= int(day) <= 31:
                return f"{year}-{int(month):02d}-{int(day):02d}"
            return f"{year}-{int(month):02d}"
        return year
    return ""


def _url(text: str) -> str:
    return text if re.match(r"^https?://\S+$", text or "") else ""


def _dated(entry: dict[str, Any], start: str, end: str, start_key="startDate", end_key="endDate") -> dict[str, Any]:
    if iso_date(start):
        entry[start_key] = iso_date(start)
    if iso_date(end):
        entry[end_key] = iso_date(end)
    return {k: v for k, v in entry.items() if v not in ("", [], None)}


def to_json_resume(profile: Profile) -> dict[str, Any]:
    basics = {"name": profile.name, "label": profile.headline, "summary": profile.summary}
    if _EMAIL.match(profile.email):
        basics["email"] = profile.email
    resume: dict[str, Any] = {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": {k: v for k, v in basics.items() if v},
        "work": [
            _dated(
                {"name": r.employer, "position": r.title, "location": r.location, "highlights": r.achievements},
                r.start,
                r.end,
            )
            for r in profile.roles
        ],
        "education": [
            _dated({"institution": e.institution, "studyType": e.degree}, e.start, e.end) for e in profile.education
        ],
        "skills": [{"name": s} for s in profile.skills],
        "projects": [
            _dated({"name": p.name, "description": p.description, "url": _url(p.url)}, p.start, p.end)
            for p in profile.projects
        ],
        "certificates": [
            _dated({"name": c.name, "issuer": c.issuer, "url": _url(c.url)}, c.date, "", start_key="date")
            for c in profile.certifications
        ],
        "meta": {"version": "v1.0.0", "canonical": "https://jsonresume.org/schema"},
    }
    return {k: v for k, v in resume.items() if v not in ([], {})}
