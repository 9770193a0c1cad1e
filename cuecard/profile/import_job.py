"""Job imports: a saved job page (schema.org ``JobPosting`` JSON-LD in the HTML), a JSON Resume
job (https://github.com/jsonresume/job-schema), or plain text — detected by content.

Decisions:
- JSON-LD is read with the standard library's ``html.parser`` (the ``<script
  type="application/ld+json">`` blocks, then ``@graph`` and lists walked for a ``JobPosting``):
  job boards (LinkedIn, Greenhouse, Lever, Workday, Indeed) all publish it for Google Jobs, so
  the structured fields are there and no site-specific scraping is needed. A page without a
  ``JobPosting`` falls back to its visible text, parsed like a pasted description.
- Declared skills (``skills``, ``qualifications``) are kept and the text is still parsed by
  :func:`cuecard.profile.job.parse_job` for skills the posting only mentions in prose; the
  declared title and company win over the parser's guesses.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from cuecard.profile.import_formats import ImportRefused, UnknownFormat
from cuecard.profile.job import parse_job, seniority_of
from cuecard.profile.models import Job
from cuecard.profile.skills import find_skills

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
_SKIP = {"script", "style", "noscript", "template", "head"}


class _PageReader(HTMLParser):
    """Visible text (blocks on their own lines, list items as bullets) and JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.json_ld: list[str] = []
        self._skip = 0
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and (dict(attrs).get("type") or "").lower().strip() == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        elif tag in _SKIP:
            self._skip += 1
        if tag in _BLOCK:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_ld:
            self._in_ld = False
        elif tag in _SKIP and self._skip:
            self._skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data
        elif not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line and line != "-")


def html_to_text(html: str) -> str:
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    return reader.text()


def _walk(node: Any):
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in node:
                yield from _walk(node[key])


def _is_posting(node: dict) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "JobPosting" in kinds


def _texts(value: Any) -> list[str]:
    """A schema.org text-or-list field as lines (HTML in it made text)."""
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        return _texts(value.get("name") or value.get("description") or "")
    if isinstance(value, str) and value.strip():
        text = html_to_text(value) if "<" in value else value
        return [line.lstrip("-• ").strip() for line in text.splitlines() if line.strip()]
    return []


def _place(posting: dict) -> str:
    places = posting.get("jobLocation")
    for place in places if isinstance(places, list) else [places]:
        if isinstance(place, dict):
            address = place.get("address")
            if isinstance(address, dict):
                return ", ".join(
                    str(address[k])
                    for k in ("addressLocality", "addressRegion", "addressCountry")
                    if isinstance(address.get(k), str)
                )
            if isinstance(address, str):
                return address
    return "remote" if posting.get("jobLocationType") == "TELECOMMUTE" else ""


def _job(
    title: str,
    company: str,
    description: str,
    skills: list[str],
    responsibilities: list[str],
    qualifications: list[str],
    extra: dict[str, str],
) -> tuple[Job, dict[str, str]]:
    header = [f"{title} at {company}" if company else title]
    header += [f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in extra.items() if v]
    body = [description]
    if responsibilities:
        body.append("Responsibilities:\n" + "\n".join(f"- {r}" for r in responsibilities))
    if qualifications:
        body.append("Qualifications:\n" + "\n".join(f"- {q}" for q in qualifications))
    if skills:
        body.append("Skills: " + ", ".join(skills))
    text = "\n\n".join(part for part in ["\n".join(header), *body] if part.strip())
    parsed = parse_job(text)
    declared = [s for line in skills + qualifications for s in find_skills(line)] + [
        s for s in skills if not find_skills(s)
    ]
    required = list(dict.fromkeys([*declared, *parsed.required_skills]))
    job = Job(
        title=title or parsed.title,
        company=company or parsed.company,
        seniority=seniority_of(title) or parsed.seniority,
        required_skills=required,
        preferred_skills=[s for s in parsed.preferred_skills if s not in required],
        responsibilities=responsibilities or parsed.responsibilities,
        text=text,
    )
    return job, {k: v for k, v in extra.items() if v}


def _from_posting(posting: dict) -> tuple[Job, dict[str, str]]:
    org = posting.get("hiringOrganization")
    company = org.get("name", "") if isinstance(org, dict) else org if isinstance(org, str) else ""
    description = "\n".join(_texts(posting.get("description")))
    return _job(
        " ".join(_texts(posting.get("title"))[:1]),
        str(company).strip(),
        description,
        _texts(posting.get("skills")),
        _texts(posting.get("responsibilities")),
        _texts(posting.get("qualifications")) + _texts(posting.get("experienceRequirements")),
        {"location": _place(posting), "date_posted": str(posting.get("datePosted") or "")[:32]},
    )


def _from_job_schema(data: dict) -> tuple[Job, dict[str, str]]:
    skills = []
    for entry in data.get("skills") or []:
        if isinstance(entry, dict):
            skills += [k for k in entry.get("keywords") or [] if isinstance(k, str)] or _texts(entry.get("name"))
        else:
            skills += _texts(entry)
    location = data.get("location")
    place = (
        ", ".join(str(location[k]) for k in ("city", "region", "countryCode") if isinstance(location.get(k), str))
        if isinstance(location, dict)
        else ""
    )
    return _job(
        " ".join(_texts(data.get("title") or data.get("position") or data.get("name"))[:1]),
        " ".join(_texts(data.get("company"))[:1]),
        "\n".join(_texts(data.get("description"))),
        skills,
        _texts(data.get("responsibilities")),
        _texts(data.get("qualifications")),
        {"location": place, "date_posted": str(data.get("date") or "")[:32]},
    )


def import_job(data: bytes) -> tuple[str, Job, dict[str, str]]:
    """(format, job, extra fields such as location and date_posted); ``ImportRefused`` when the
    bytes are not a job we can read."""
    if not data.strip():
        raise ImportRefused(400, "empty_file", "the uploaded job is empty")
    if b"\x00" in data[:65536]:
        raise UnknownFormat("a binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnknownFormat("a binary file (not UTF-8 text)") from None
    head = text.lstrip()[:1000].lower()
    if head.startswith(("{", "[")):
        try:
            parsed = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            raise ImportRefused(422, "invalid_json", f"the job is not valid JSON: {e}") from None
        if not isinstance(parsed, dict):
            raise UnknownFormat("JSON that is not a job object")
        if _is_posting(parsed):
            job, extra = _from_posting(parsed)
            return "schema.org", job, extra
        if any(k in parsed for k in ("title", "position", "name")) and any(
            k in parsed for k in ("company", "description", "skills", "responsibilities", "qualifications")
        ):
            job, extra = _from_job_schema(parsed)
            return "json-resume-job", job, extra
        raise UnknownFormat("JSON that is neither a JSON Resume job nor a schema.org JobPosting")
    # a page saved by a browser may start with "<!-- saved from url=… -->" or an XML prolog
    if head.startswith("<") or "<html" in head:
        reader = _PageReader()
        reader.feed(text)
        reader.close()
        for block in reader.json_ld:
            try:
                node = json.loads(block)
            except (json.JSONDecodeError, RecursionError):
                continue  # a broken JSON-LD block of the page; another may hold the posting
            posting = next((n for n in _walk(node) if _is_posting(n)), None)
            if posting is not None:
                job, extra = _from_posting(posting)
                return "html-jsonld", job, extra
        visible = reader.text()
        if not visible.strip():
            raise ImportRefused(422, "no_job_found", "the page holds no JobPosting data and no text")
        return "html-text", parse_job(visible), {}
    return "text", parse_job(text), {}
