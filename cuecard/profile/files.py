"""The candidate's material read from files, for the command line (``cuecard draft``,
``cuecard eval answers``) — the same shapes the API stores.

- Profile: a resume in Markdown, text, PDF or DOCX (parsed by :mod:`cuecard.profile.resume`),
  or a JSON Resume ``resume.json`` (https://jsonresume.org/schema: ``basics``, ``work`` with
  ``highlights``, ``education``, ``skills`` with ``keywords``), read field by field.
- Stories: JSON or YAML (a list of STAR stories, or ``{"stories": [...]}``), or Markdown with
  one ``## Title`` per story and ``Situation:``/``Task:``/``Action:``/``Result:``/``Skills:``
  lines under it.
- Job: a JSON object with the :class:`~cuecard.profile.models.Job` fields, or the job
  description as text (parsed by :mod:`cuecard.profile.job`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from cuecard.profile.job import parse_job
from cuecard.profile.models import Education, Job, Profile, Role, Story
from cuecard.profile.resume import extract_text, parse_resume
from cuecard.profile.worker import ParseLimits, ParseRefused, check_archive


class MaterialFileError(ValueError):
    """A file that cannot be read as the material it was given for."""


def _json_resume(data: dict) -> Profile:
    basics = data.get("basics") or {}
    skills: list[str] = []
    for entry in data.get("skills") or []:
        # "name" is often a group ("Web Development") when keywords list the skills themselves
        keywords = entry.get("keywords") or []
        for name in keywords or [entry.get("name", "")]:
            if name and name not in skills:
                skills.append(name)
    roles = [
        Role(
            title=w.get("position", ""),
            employer=w.get("name", "") or w.get("company", ""),
            start=w.get("startDate", ""),
            end=w.get("endDate", ""),
            location=w.get("location", ""),
            achievements=[h for h in (w.get("highlights") or []) if h] or ([w["summary"]] if w.get("summary") else []),
        )
        for w in data.get("work") or []
    ]
    education = [
        Education(
            institution=e.get("institution", ""),
            degree=" ".join(filter(None, [e.get("studyType", ""), e.get("area", "")])),
            start=e.get("startDate", ""),
            end=e.get("endDate", ""),
        )
        for e in data.get("education") or []
    ]
    return Profile(
        name=basics.get("name", ""),
        headline=basics.get("label", ""),
        summary=basics.get("summary", ""),
        email=basics.get("email", ""),
        skills=skills,
        roles=roles,
        education=education,
    )


def load_profile(path: str | Path) -> Profile:
    path = Path(path)
    data = path.read_bytes()
    # JSON by content, not only by suffix (a resume.json saved as .txt, or a JSON Resume URL download)
    if path.suffix.lower() == ".json" or data.lstrip()[:1] == b"{":
        try:
            parsed = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise MaterialFileError(f"{path}: not valid JSON ({e})") from e
        if not isinstance(parsed, dict):
            raise MaterialFileError(f"{path}: expected a JSON object (a JSON Resume or a profile)")
        from cuecard.profile.import_formats import JSON_RESUME_SECTIONS, read_json_resume

        if any(k in parsed for k in JSON_RESUME_SECTIONS):
            return read_json_resume(parsed).profile  # the API's reader: projects and certificates too
        return Profile(**parsed.get("profile", parsed))
    try:
        # The zip-bomb check of uploads (profile/worker.py) for files given on the command line too.
        check_archive(data, path.name, ParseLimits())
        text = extract_text(data, path.name)
    except ParseRefused as e:
        raise MaterialFileError(f"{path}: {e.message}") from e
    except Exception as e:
        raise MaterialFileError(f"{path}: {e}") from e
    profile = parse_resume(text)
    profile.resume_text = text
    return profile


_STAR_LINE = re.compile(r"^\s*[-*]?\s*\**(situation|task|action|result|skills)\**\s*:\s*(.*)$", re.IGNORECASE)


def _markdown_stories(text: str) -> list[Story]:
    stories: list[Story] = []
    current: dict | None = None
    for line in text.splitlines():
        heading = re.match(r"^#{1,3}\s+(.*)", line)
        if heading:
            current = {"title": heading.group(1).strip()}
            stories.append(current)  # type: ignore[arg-type]
            continue
        part = _STAR_LINE.match(line)
        if part and current is not None:
            key, value = part.group(1).lower(), part.group(2).strip()
            current[key] = [s.strip() for s in value.split(",") if s.strip()] if key == "skills" else value
    return [Story(id=f"story-{i + 1}", **s) for i, s in enumerate(stories)]  # type: ignore[arg-type]


def load_stories(path: str | Path) -> list[Story]:
    path = Path(path)
    text = path.read_text()
    if path.suffix.lower() in {".md", ".markdown", ".txt"}:
        return _markdown_stories(text)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise MaterialFileError(f"{path}: {e}") from e
    if isinstance(data, dict):
        data = data.get("stories", [])
    if not isinstance(data, list):
        raise MaterialFileError(f"{path}: expected a list of stories")
    return [Story(**{"id": f"story-{i + 1}", **s}) for i, s in enumerate(data)]


def load_job(path: str | Path) -> Job:
    path = Path(path)
    text = path.read_text()
    if path.suffix.lower() == ".json":
        try:
            return Job(**json.loads(text))
        except (json.JSONDecodeError, TypeError) as e:
            raise MaterialFileError(f"{path}: {e}") from e
    return parse_job(text)
