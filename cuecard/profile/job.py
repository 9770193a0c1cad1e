"""Job description parsing: pasted text -> :class:`Job`.

Decisions:
- Sections are found by their usual headings ("Responsibilities", "What you'll do",
  "Requirements", "Nice to have", …). Skills are vocabulary skills (``data/skills.txt``) found
  in those sections: the requirements section and the responsibilities give required skills,
  the "nice to have" section gives preferred ones. A posting without recognisable sections has
  all its skills treated as required, since that is how a candidate has to read it.
- A line in the requirements section that says "nice to have", "a plus", "bonus" or
  "preferred" makes its skills preferred even when there is no separate section.
- Seniority is read from the title (then from an explicit "Seniority:/Level:" line or a level
  word near the top); years of experience alone are not turned into a level, to avoid guessing.
- The company is taken only from explicit phrases ("Company: X", "About X", "X is hiring",
  "Join X", "Title at X"); otherwise it stays empty.
"""

from __future__ import annotations

import re

from cuecard.profile.models import Job
from cuecard.profile.skills import find_skills

_SECTION_HEADINGS = {
    "responsibilities": (
        "responsibilities", "key responsibilities", "what you'll do", "what you will do",
        "what you’ll do", "your role", "the role", "your responsibilities", "your tasks",
        "duties", "in this role you will", "in this role, you will", "you will", "day to day",
        "what you'll be doing", "what you will be doing", "the job", "your mission",
        "role overview", "job description", "what the job involves", "responsibilities include",
        "key duties", "main responsibilities", "how you'll make an impact", "what you'll work on",
    ),
    "required": (
        "requirements", "required", "must have", "must-have", "must haves", "qualifications",
        "minimum qualifications", "basic qualifications", "required qualifications",
        "required skills", "what we're looking for", "what we are looking for",
        "what we’re looking for", "about you", "you have", "you bring", "what you bring",
        "what you'll bring", "who you are", "skills and experience", "your profile",
        "we're looking for", "we are looking for", "experience", "skills", "what you need",
        "what you'll need", "you'll need", "you will need", "essential", "essential skills",
        "essential requirements", "requirements and skills", "job requirements", "must haves:",
    ),
    "preferred": (
        "nice to have", "nice-to-have", "nice to haves", "preferred", "preferred qualifications",
        "preferred skills", "bonus", "bonus points", "pluses", "it's a plus if", "extra credit",
        "good to have", "desirable", "even better if", "plus", "desired", "desired skills",
        "bonus if you have", "nice to haves:", "preferred experience", "additional qualifications",
    ),
    "other": (
        "about us", "about the company", "who we are", "benefits", "perks", "what we offer",
        "compensation", "salary", "how to apply", "our values", "why join us", "location",
        "equal opportunity", "the team", "about the team",
    ),
}
_HEADING_KIND = {h: kind for kind, heads in _SECTION_HEADINGS.items() for h in heads}
_BULLET = re.compile(r"^\s*(?:[-*+•●▪■◦‣–—·]|\d{1,2}[.)])\s+")
_PREFERRED_MARKER = re.compile(r"\b(?:nice to have|a plus|is a plus|bonus|preferred|ideally|desirable)\b", re.I)

_SENIORITY = (  # first match wins: most specific first
    ("intern", r"\b(?:intern|internship|werkstudent|co-op)\b"),
    ("principal", r"\bprincipal\b"),
    ("staff", r"\bstaff\b"),
    ("manager", r"\b(?:manager|head of|director|vp)\b"),
    ("lead", r"\b(?:lead|tech lead|team lead)\b"),
    ("senior", r"\b(?:senior|sr\.?)\b"),
    ("junior", r"\b(?:junior|jr\.?|entry[- ]level|graduate|new grad|associate)\b"),
    ("mid", r"\b(?:mid|mid-level|intermediate)\b"),
)


def _heading_kind(line: str) -> str | None:
    text = _BULLET.sub("", line).strip().lstrip("#").strip().strip("*_").strip()
    text = text.partition(":")[0]  # "Requirements: SQL, Excel" is a heading with content
    key = " ".join(text.lower().split()).strip(" *_")
    if len(key.split()) > 7:
        return None
    if key in _HEADING_KIND:
        return _HEADING_KIND[key]
    if key.startswith("about ") and len(key.split()) <= 4:
        return "other"
    return None


def _clean(line: str) -> str:
    text = _BULLET.sub("", line.strip()).lstrip("#").strip()
    text = re.sub(r"\*\*|__|`", "", text)
    return " ".join(text.split())


_LEVEL_BEFORE_ROLE = (
    r"\b(?:intern|principal|staff|senior|sr\.?|junior|jr\.?|entry[- ]level|lead|mid-level)\s+"
    r"(?:[\w+#.-]+\s+){0,2}?(?:engineer|developer|analyst|designer|scientist|manager|architect|"
    r"consultant|administrator|specialist|researcher)s?\b"
)


def seniority_of(text: str) -> str:
    for level, pattern in _SENIORITY:
        if re.search(pattern, text, re.I):
            return level
    return ""


def _title_and_company(lines: list[str]) -> tuple[str, str]:
    title = company = ""
    for line in lines[:15]:
        label, sep, value = line.partition(":")
        key = label.strip().lower()
        if sep and key in ("title", "job title", "position", "role"):
            title = title or value.strip()
        elif sep and key in ("company", "employer", "organisation", "organization"):
            company = company or value.strip()
    if not title and lines:
        first = lines[0]
        sentence = first.endswith(".") or re.match(r"(?i)(we|you|our|are|do)\b", first)
        if _heading_kind(first) is None and len(first.split()) <= 12 and ":" not in first and not sentence:
            title = first
    # "Senior Engineer at Acme" / "Senior Engineer - Acme" / "Acme | Senior Engineer"
    if title and not company:
        split = re.split(r"\s+(?:at|@)\s+|\s+[|—–]\s+|\s+-\s+", title, maxsplit=1)
        if len(split) == 2:
            first, second = split[0].strip(), split[1].strip()
            if seniority_of(second) or re.search(r"engineer|developer|manager|analyst|designer|scientist", second, re.I):
                first, second = second, first  # "Acme | Senior Engineer"
            # " at " and "|" name the company; after a dash it may be a team ("Tech Lead -
            # Mobile"), so a dash counts only if the name appears again in the posting.
            strong = re.search(r"\s(?:at|@|\|)\s", title)
            body = "\n".join(lines[1:])
            if strong or re.search(rf"\b{re.escape(second)}\b", body):
                title, company = first, second
    if not company:
        company = _company_from_text("\n".join(lines))
    return title.strip(" .,"), company.strip(" .,")


_COMPANY_NAME = r"(?P<name>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3})"


def _company_from_text(text: str) -> str:
    for pattern in (
        rf"^\s*#*\s*About\s+{_COMPANY_NAME}\s*:?\s*$",
        rf"\b{_COMPANY_NAME}\s+is\s+hiring\b",
        rf"\bJoin\s+{_COMPANY_NAME}\b",
        rf"\bAt\s+{_COMPANY_NAME},\s+we\b",
    ):
        match = re.search(pattern, text, re.M)
        if match and match.group("name").lower() not in ("us", "the team", "our team", "you", "the role"):
            return match.group("name")
    return ""


# Postings are a page or two; longer text is parsed only up to here (kept whole in ``text``).
MAX_PARSED_CHARS = 50_000


def parse_job(text: str) -> Job:
    """Heuristic job from a pasted description; unknown fields stay empty."""
    parsed = text[:MAX_PARSED_CHARS]
    raw_lines = [l for l in parsed.replace("\r\n", "\n").split("\n") if l.strip()]
    lines = [_clean(l) for l in raw_lines]
    job = Job(text=text)
    job.title, job.company = _title_and_company(lines)
    job.seniority = seniority_of(job.title)
    if not job.seniority:
        for line in lines[:15]:
            label, sep, value = line.partition(":")
            if sep and label.strip().lower() in ("seniority", "level", "experience level"):
                job.seniority = seniority_of(value)
                break
    if not job.seniority:
        # "We are hiring a staff engineer": a level word right before a role noun, near the top.
        for line in lines[:3]:
            match = re.search(_LEVEL_BEFORE_ROLE, line, re.I)
            if match:
                job.seniority = seniority_of(match.group(0))
                break

    sections: dict[str, list[str]] = {"responsibilities": [], "required": [], "preferred": [], "none": []}
    current = "none"
    for raw, line in zip(raw_lines, lines):
        kind = _heading_kind(raw)
        if kind is not None:
            current = kind
            # "Requirements: Python, Go" carries content on the heading line.
            _, sep, rest = line.partition(":")
            if sep and rest.strip() and kind in sections:
                sections[kind].append(rest.strip())
            continue
        if current in sections:
            sections[current].append(line)

    job.responsibilities = [l for l in sections["responsibilities"] if len(l.split()) >= 2]
    found_sections = any(sections[k] for k in ("responsibilities", "required", "preferred"))
    required: list[str] = []
    preferred: list[str] = []
    stated_lines = sections["required"] if found_sections else sections["none"]
    for line in stated_lines:
        # Per clause: "SQL, Excel; Python is a plus." makes only Python preferred.
        for clause in re.split(r"[;.]\s+|\.$|\(|\)", line):
            target = preferred if _PREFERRED_MARKER.search(clause) else required
            target.extend(find_skills(clause))
    for line in sections["preferred"]:
        preferred.extend(find_skills(line))
    # Skills the work itself uses are required, unless the posting says they are optional.
    for line in sections["responsibilities"]:
        required.extend(s for s in find_skills(line) if s not in preferred)
    job.required_skills = list(dict.fromkeys(required))
    job.preferred_skills = [s for s in dict.fromkeys(preferred) if s not in job.required_skills]
    return job
