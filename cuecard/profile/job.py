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
- The company is taken from explicit phrases: a "Company: X" (or "Company name:", "Employer:")
  line anywhere, "Title at X" / "X | Title", "About X" (a heading, or "About X: ..."),
  "X is hiring", "Join X", "At X, we"; else from the line right under the title when that
  line looks like a name (one to five capitalised words, no digits, not a heading, a role, a
  location or a work-type word: "Brightwave Analytics", "Nimbus Health · Berlin (Remote)").
  Otherwise it stays empty.
"""

from __future__ import annotations

import re

from cuecard.profile.models import Job
from cuecard.profile.skills import find_skills

_SECTION_HEADINGS = {
    "responsibilities": (
        "responsibilities",
        "key responsibilities",
        "what you'll do",
        "what you will do",
        "what you’ll do",
        "your role",
        "the role",
        "your responsibilities",
        "your tasks",
        "duties",
        "in this role you will",
        "in this role, you will",
        "you will",
        "day to day",
        "what you'll be doing",
        "what you will be doing",
        "the job",
        "your mission",
        "role overview",
        "job description",
        "what the job involves",
        "responsibilities include",
        "key duties",
        "main responsibilities",
        "how you'll make an impact",
        "what you'll work on",
    ),
    "required": (
        "requirements",
        "required",
        "must have",
        "must-have",
        "must haves",
        "qualifications",
        "minimum qualifications",
        "basic qualifications",
        "required qualifications",
        "required skills",
        "what we're looking for",
        "what we are looking for",
        "what we’re looking for",
        "about you",
        "you have",
        "you bring",
        "what you bring",
        "what you'll bring",
        "who you are",
        "skills and experience",
        "your profile",
        "we're looking for",
        "we are looking for",
        "experience",
        "skills",
        "what you need",
        "what you'll need",
        "you'll need",
        "you will need",
        "essential",
        "essential skills",
        "essential requirements",
        "requirements and skills",
        "job requirements",
        "must haves:",
    ),
    "preferred": (
        "nice to have",
        "nice-to-have",
        "nice to haves",
        "preferred",
        "preferred qualifications",
        "preferred skills",
        "bonus",
        "bonus points",
        "pluses",
        "it's a plus if",
        "extra credit",
        "good to have",
        "desirable",
        "even better if",
        "plus",
        "desired",
        "desired skills",
        "bonus if you have",
        "nice to haves:",
        "preferred experience",
        "additional qualifications",
    ),
    "other": (
        "about us",
        "about the company",
        "who we are",
        "benefits",
        "perks",
        "what we offer",
        "compensation",
        "salary",
        "how to apply",
        "our values",
        "why join us",
        "location",
        "equal opportunity",
        "the team",
        "about the team",
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


_TITLE_KEYS = ("title", "job title", "position", "role", "job", "vacancy")
_COMPANY_KEYS = ("company", "company name", "employer", "organisation", "organization", "hiring company")
_ROLE_WORDS = re.compile(
    r"engineer|developer|manager|analyst|designer|scientist|architect|consultant|administrator|"
    r"specialist|researcher|intern\b|lead\b|director|officer|technician|recruiter",
    re.I,
)
# Words that make the line under the title something other than a company name.
_NOT_A_NAME = frozenset(
    "remote hybrid onsite on-site office full-time part-time fulltime parttime full part time contract "
    "permanent temporary freelance internship worldwide anywhere location locations team department "
    "salary posted apply job description overview summary usa us uk eu europe emea apac latam "
    "hiring urgent new".split()
)
_NAME_JOINERS = ("&", "and", "of", "the", "de", "du", "von", "van", "und", "+")
_COMPANY_SUFFIX_DOT = ("Inc.", "Ltd.", "Co.", "Corp.", "S.A.", "N.V.", "L.P.", "Pty.")


def _labelled(line: str, keys: tuple[str, ...]) -> str:
    label, sep, value = line.partition(":")
    if sep and label.strip().lower() in keys:
        return value.strip()
    return ""


def _company_line(line: str) -> str:
    """The company named by the line under the title ("Brightwave Analytics", "Nimbus Health ·
    Berlin, Germany (Remote)"), or "" when the line does not look like a name."""
    text = re.split(r"\s+[·•|—–-]\s+|\s*\(|\s+in\s+", line, maxsplit=1)[0].strip()
    if not text or re.search(r"[:,;\d@/]", text) or text.endswith(("!", "?")):
        return ""
    if text.endswith(".") and not text.endswith(_COMPANY_SUFFIX_DOT):
        return ""
    words = text.split()
    if not 1 <= len(words) <= 5 or _heading_kind(text) is not None:
        return ""
    if seniority_of(text) or _ROLE_WORDS.search(text):
        return ""
    if any(w.lower().strip(".") in _NOT_A_NAME for w in words):
        return ""
    if not all(w[0].isupper() or w.lower() in _NAME_JOINERS for w in words) or not words[0][0].isupper():
        return ""
    return text


def _title_and_company(lines: list[str]) -> tuple[str, str]:
    title = company = ""
    for line in lines[:15]:
        title = title or _labelled(line, _TITLE_KEYS)
    for line in lines:  # "Company: X" is explicit wherever it stands (often in a footer)
        value = _labelled(line, _COMPANY_KEYS)
        if value and len(value.split()) <= 6:
            company = value
            break
    title_from_first_line = False
    if not title and lines:
        first = lines[0]
        hiring = re.match(
            rf"^{_COMPANY_NAME}[ \t]+is[ \t]+hiring(?:[ \t]+an?)?[ \t]*[:!—–-][ \t]*(?P<title>.+)$", first
        )
        sentence = first.endswith(".") or re.match(r"(?i)(we|you|our|are|do)\b", first)
        if hiring and len(hiring.group("title").split()) <= 12:
            title = hiring.group("title")  # "Acme is hiring: QA Engineer"
            company = company or hiring.group("name")
        elif _heading_kind(first) is None and len(first.split()) <= 12 and ":" not in first and not sentence:
            title = first
            title_from_first_line = True
    # "Senior Engineer at Acme" / "Senior Engineer - Acme" / "Acme | Senior Engineer"
    if title and not company:
        split = re.split(r"\s+(?:at|@)\s+|\s+[|—–]\s+|\s+-\s+", title, maxsplit=1)
        if len(split) == 2:
            first, second = split[0].strip(), split[1].strip()
            if seniority_of(second) or re.search(
                r"engineer|developer|manager|analyst|designer|scientist", second, re.I
            ):
                first, second = second, first  # "Acme | Senior Engineer"
            # " at " and "|" name the company; after a dash it may be a team ("Tech Lead -
            # Mobile"), so a dash counts only if the name appears again in the posting.
            strong = re.search(r"\s(?:at|@|\|)\s", title)
            body = "\n".join(lines[1:])
            if strong or re.search(rf"\b{re.escape(second)}\b", body):
                title, company = first, second
    if not company:
        company = _company_from_text("\n".join(lines))
    if not company and title_from_first_line and len(lines) > 1:
        company = _company_line(lines[1])
    company = company.strip(" ,")
    if not company.endswith(_COMPANY_SUFFIX_DOT):
        company = company.rstrip(" .")
    return title.strip(" .,"), company


# Words of a name are separated by spaces or tabs only: a name never runs across lines.
_COMPANY_NAME = r"(?P<name>[A-Z][\w&.'-]*(?:[ \t]+(?:&[ \t]+)?[A-Z][\w&.'-]*){0,3})"
_NOT_COMPANY = (
    "us",
    "the team",
    "our team",
    "you",
    "the role",
    "the job",
    "the position",
    "the opportunity",
    "this role",
    "the company",
    "our company",
    "our client",
    "the client",
    "the candidate",
    "benefits",
    "our mission",
    "our values",
    "your team",
    "a team",
    "the department",
)


def _company_from_text(text: str) -> str:
    for pattern in (
        rf"^[ \t]*#*[ \t]*About[ \t]+{_COMPANY_NAME}[ \t]*(?::.*)?$",
        rf"\b{_COMPANY_NAME}[ \t]+is[ \t]+hiring\b",
        rf"\bJoin[ \t]+{_COMPANY_NAME}\b",
        rf"\bAt[ \t]+{_COMPANY_NAME},[ \t]+we\b",
    ):
        for match in re.finditer(pattern, text, re.M):
            if match.group("name").lower() not in _NOT_COMPANY:
                return match.group("name")
    return ""


# Postings are a page or two; longer text is parsed only up to here (kept whole in ``text``).
MAX_PARSED_CHARS = 50_000


def parse_job(text: str) -> Job:
    """Heuristic job from a pasted description; unknown fields stay empty."""
    parsed = text[:MAX_PARSED_CHARS]
    raw_lines = [line for line in parsed.replace("\r\n", "\n").split("\n") if line.strip()]
    lines = [_clean(line) for line in raw_lines]
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
    for raw, line in zip(raw_lines, lines, strict=True):
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

    job.responsibilities = [line for line in sections["responsibilities"] if len(line.split()) >= 2]
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
