"""Resume import: bytes of a PDF, DOCX, Markdown or text file -> text -> :class:`Profile`.

Decisions:
- Pure-Python parsers only (``pypdf``, ``python-docx``): nothing to install beside the wheel.
- Parsing is heuristic and conservative: a field that cannot be found stays empty rather than
  guessed, because the user reviews and corrects the result and a wrong value is worse than a
  blank one. It handles the common layouts: sections announced by a heading (Markdown ``#``,
  ALL CAPS, "Experience:", DOCX heading styles), roles written as one line
  ("Title — Employer (dates)", "Title | Employer | dates", "Title at Employer, dates") or over
  two or three lines (employer / title / dates in any order), bullet achievements with
  wrapped continuation lines, and a "Skills:" list (comma, semicolon, pipe or bullet
  separated, optionally grouped as "Languages: …").
- Scanned PDFs (images without a text layer) yield no text and are reported as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cuecard.profile.models import Education, Profile, Role
from cuecard.profile.resume_text import SUPPORTED_SUFFIXES, ResumeFormatError, extract_text  # noqa: F401  (re-exported)
from cuecard.profile.skills import canonical, find_skills

_BULLET = re.compile(r"^\s*(?:(?:[-*+o]|\d{1,2}[.)])\s+|[•●▪■◦‣–—·►▸➢➤✓✔❖\uf0b7\uf0a7\uf076\uf0d8\uf0fc]\s*)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+?\d[\d ()./-]{7,}\d)")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:linkedin|github|gitlab)\.com/\S*", re.I)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|fall|autumn|winter)\.?"
)
_DATE = rf"(?:{_MONTH}\s+(?:19|20)\d{{2}}|\d{{1,2}}/(?:19|20)\d{{2}}|(?:19|20)\d{{2}}[-/.]\d{{1,2}}|(?:19|20)\d{{2}})"
_OPEN_END = r"(?:present|current|now|today|ongoing)"
_DATE_RANGE = re.compile(rf"(?P<start>{_DATE})\s*(?:-|–|—|to|until|till|→)+\s*(?P<end>{_DATE}|{_OPEN_END})", re.I)
_SINGLE_DATE = re.compile(rf"(?<![\w/-])(?P<start>{_DATE})(?![\w/])", re.I)

_SECTION_NAMES = {
    "summary": (
        "summary",
        "profile",
        "about",
        "about me",
        "professional summary",
        "objective",
        "career objective",
        "overview",
        "personal statement",
        "career summary",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "relevant experience",
        "experience highlights",
        "professional background",
        "positions",
    ),
    "education": ("education", "education and training", "academic background", "qualifications", "degrees"),
    "skills": (
        "skills",
        "technical skills",
        "core skills",
        "key skills",
        "skills and tools",
        "technologies",
        "tech stack",
        "tools",
        "core competencies",
        "competencies",
        "expertise",
        "skills & tools",
        "tools & technologies",
        "technical expertise",
    ),
    "other": (
        "projects",
        "personal projects",
        "side projects",
        "certifications",
        "certificates",
        "languages",
        "interests",
        "hobbies",
        "publications",
        "awards",
        "honors",
        "references",
        "volunteering",
        "volunteer experience",
        "activities",
        "courses",
        "patents",
        "talks",
        "contact",
        "links",
    ),
}
_SECTION_BY_NAME = {name: kind for kind, names in _SECTION_NAMES.items() for name in names}

_TITLE_WORDS = re.compile(
    r"\b(?:engineer|developer|programmer|manager|lead|head|director|architect|analyst|"
    r"scientist|designer|intern|internship|consultant|specialist|administrator|admin|"
    r"coordinator|associate|assistant|officer|vp|vice president|president|founder|co-founder|"
    r"cto|ceo|cfo|coo|researcher|owner|sre|devops|tester|technician|teacher|lecturer|"
    r"professor|fellow|contractor|freelancer?|advisor|strategist|recruiter|writer|editor|"
    r"accountant|nurse|executive|representative|partner|principal|staff|student|member|"
    r"trainee|apprentice|practitioner|operator|instructor|tutor|maintainer)s?\b",
    re.I,
)
_COMPANY_WORDS = re.compile(
    r"\b(?:inc|llc|ltd|gmbh|ag|corp|corporation|co|company|plc|sa|sas|bv|srl|limited|group|"
    r"labs?|technologies|systems|solutions|software|studios?|bank|university|agency)\b\.?",
    re.I,
)
_INSTITUTION_WORDS = re.compile(
    r"\b(?:university|universit[äa]t|universidad|college|institute|school|academy|"
    r"polytechnic|hochschule|conservatory|bootcamp|[ée]cole)\b",
    re.I,
)
_DEGREE_WORDS = re.compile(
    r"(?:\b(?:bachelor|master|doctor|doctorate|diploma|associate|degree|certificate|"
    r"mba|phd|msc|bsc|meng|beng|ba|ma|bs|ms|mphil|jd|md|a-levels?|abitur|high school)\b|"
    r"\b(?:a|b|m|ph)\.\s?(?:sc|a|b|s|eng|d)\b\.?)",
    re.I,
)


@dataclass
class _Line:
    text: str  # without bullet and markdown decoration
    bullet: bool
    heading: bool  # written as a heading (#, ALL CAPS, **bold** alone on a line)
    indented: bool = False  # starts with white space (a wrapped bullet in text files)


@dataclass
class _Section:
    kind: str  # header | summary | experience | education | skills | other
    title: str
    lines: list[_Line] = field(default_factory=list)
    inline: str = ""  # text after "Skills:" on the heading line


def _clean(text: str) -> str:
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"(?<!\w)\*([^*\s](?:[^*]*[^*\s])?)\*(?!\w)", r"\1", text)  # *emphasis*
    text = re.sub(r"(?<!\w)_([^_\s](?:[^_]*[^_\s])?)_(?!\w)", r"\1", text)  # _emphasis_
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # [label](url)
    # Tabs and wide gaps separate columns ("Employer<tab>Title<tab>Dates"): keep them as a
    # three-space gap, which _parts splits on; other white space collapses.
    columns = re.split(r"\t+|\s{3,}", text)
    return "   ".join(" ".join(c.split()) for c in columns if c.strip())


def _to_line(raw: str) -> _Line | None:
    stripped = raw.strip()
    if not stripped or re.fullmatch(r"[-=_*~#|:.]{3,}", stripped):
        return None
    heading = stripped.startswith("#") or bool(re.fullmatch(r"(\*\*|__)[^*_]+(\*\*|__):?", stripped))
    stripped = stripped.lstrip("#").strip()
    bullet = bool(_BULLET.match(stripped)) and not _DATE_RANGE.match(stripped)
    if bullet:
        stripped = _BULLET.sub("", stripped, count=1)
    text = _clean(stripped)
    if not text:
        return None
    letters = [c for c in text if c.isalpha()]
    if not bullet and len(letters) >= 4 and all(c.isupper() for c in letters) and len(text) <= 40:
        heading = True
    return _Line(text, bullet, heading, indented=raw[:1] in (" ", "\t"))


def _section_of(line: _Line) -> tuple[str, str] | None:
    """(kind, inline text) if the line starts a section."""
    head, sep, rest = line.text.partition(":")
    key = " ".join(head.lower().replace("&", "and").split()).strip(" .")
    key_amp = " ".join(head.lower().split()).strip(" .")
    kind = _SECTION_BY_NAME.get(key) or _SECTION_BY_NAME.get(key_amp)
    if kind is None or line.bullet:
        return None
    if sep and rest.strip():
        # "Skills: Python, Go" starts a section with inline content; other sections do not
        # use that form, and "Summary: ..." prose is accepted too.
        return (kind, rest.strip()) if kind in ("skills", "summary") else None
    if line.heading or sep or len(line.text.split()) <= 4:
        return kind, ""
    return None


# Inside a role, "Tech stack: Go, Kafka" lists that role's tools; it must not end the
# experience section (the next role would be read as skills). Only these labels start a
# real Skills section from within Experience.
_SKILLS_SECTION_LABELS = ("skills", "technical skills", "key skills", "core skills", "skills and tools")


def _sections(text: str) -> list[_Section]:
    sections = [_Section("header", "")]
    role_tool_lists: list[_Section] = []
    for raw in text.split("\n"):
        line = _to_line(raw)
        if line is None:
            continue
        found = _section_of(line)
        label = " ".join(line.text.partition(":")[0].lower().replace("&", "and").split())
        if (
            found
            and found[0] == "skills"
            and found[1]
            and sections[-1].kind == "experience"
            and label not in _SKILLS_SECTION_LABELS
        ):
            role_tool_lists.append(_Section("skills", line.text, inline=found[1]))
        elif found:
            sections.append(_Section(found[0], line.text, inline=found[1]))
        else:
            sections[-1].lines.append(line)
    return sections + role_tool_lists


def _join_wrapped(lines: list[_Line]) -> list[_Line]:
    """Glue continuation lines (wrapped bullets in PDFs and text files) to their bullet."""
    out: list[_Line] = []
    for line in lines:
        if (
            out
            and out[-1].bullet
            and not line.bullet
            and not line.heading
            and (line.text[:1].islower() or line.indented)
            and not _DATE_RANGE.search(line.text)
            and not _looks_like_role_header(line.text)
        ):
            out[-1] = _Line(out[-1].text + " " + line.text, True, False, out[-1].indented)
        else:
            out.append(line)
    return out


def _looks_like_role_header(text: str) -> bool:
    return bool(_TITLE_WORDS.search(text)) and len(text.split()) <= 12 and not text.endswith(".")


# Resumes are a few pages; a longer text is parsed only up to here so that a huge upload
# cannot tie up the server (it is still kept whole in ``resume_text``).
MAX_PARSED_CHARS = 100_000


def parse_resume(text: str) -> Profile:
    """Heuristic profile from resume text; unknown fields stay empty."""
    full_text, text = text, text[:MAX_PARSED_CHARS]
    sections = _sections(text)
    header = sections[0]
    profile = Profile(resume_text=full_text)
    email = _EMAIL.search(text)
    profile.email = email.group(0) if email else ""
    profile.name, profile.headline = _name_and_headline(header.lines)
    summaries: list[str] = []
    skills: list[str] = []
    for section in sections[1:]:
        if section.kind == "summary":
            summaries.extend(x for x in [section.inline] + [line.text for line in section.lines] if x)
        elif section.kind == "experience":
            profile.roles.extend(_parse_roles(_join_wrapped(section.lines)))
        elif section.kind == "education":
            profile.education.extend(_parse_education(section.lines))
        elif section.kind == "skills":
            skills.extend(_skills_list(section))
    # A summary paragraph sometimes sits in the header without a heading.
    if not summaries:
        prose = [line.text for line in header.lines if len(line.text.split()) >= 12 and not _is_contact(line.text)]
        summaries.extend(prose)
    profile.summary = " ".join(summaries)
    # Vocabulary skills mentioned anywhere (technical only: "led a team" in prose is a claim
    # for a story, not a listed skill), after the explicit list, without duplicates.
    for name in find_skills(text, kinds=("technical",)):
        skills.append(name)
    seen: set[str] = set()
    for skill in skills:
        key = canonical(skill).lower()
        if key and key not in seen:
            seen.add(key)
            profile.skills.append(canonical(skill))
    return profile


def _is_contact(text: str) -> bool:
    return bool(_EMAIL.search(text) or _URL.search(text) or _PHONE.search(text))


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 4 or any(ch.isdigit() for ch in text) or _is_contact(text):
        return False
    if _TITLE_WORDS.search(text) or text.lower() in ("curriculum vitae", "resume", "résumé"):
        return False
    return all(re.fullmatch(r"[A-ZÀ-Ý][\w'’.-]*|[a-z]{1,3}|[A-ZÀ-Ý]\.", w) for w in words)


def _name_and_headline(lines: list[_Line]) -> tuple[str, str]:
    candidates = [
        line.text for line in lines if line.text.lower() not in ("curriculum vitae", "resume", "résumé", "cv")
    ]
    name = ""
    rest = candidates
    for i, text in enumerate(candidates[:3]):
        # "Jane Doe | jane@x.org" keeps the part before the contact details.
        first = re.split(r"\s[|·•]\s|\s{2,}", text)[0].strip(" ,")
        if _looks_like_name(first):
            # An ALL CAPS name is shown in title case; the letters are the resume's own.
            name = first.title() if first.isupper() else first
            rest = candidates[i + 1 :]
            break
    headline = ""
    for text in rest[:3]:
        parts = [p.strip() for p in re.split(r"\s[|·•]\s", text)]
        kept = [p for p in parts if p and not _is_contact(p)]
        if kept and len(" ".join(kept).split()) <= 14 and not text.endswith("."):
            headline = " · ".join(kept) if len(kept) == len(parts) else kept[0]
            break
    return name, headline


# --- experience ------------------------------------------------------------------------------


def _split_dates(text: str) -> tuple[str, str, str]:
    """(text without dates, start, end) for a role or education header line."""
    match = _DATE_RANGE.search(text)
    if match:
        start, end = match.group("start"), match.group("end")
        end = "present" if re.fullmatch(_OPEN_END, end, re.I) else end
    else:
        match = _SINGLE_DATE.search(text)
        if not match:
            return text, "", ""
        start, end = match.group("start"), ""
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    rest = re.sub(r"\(\s*\)|\[\s*\]", "", rest)
    return rest.strip(" ,|—–-:()"), start.strip(), end.strip()


def _parts(text: str) -> list[str]:
    parts = re.split(r"\s+[|—–·•@]\s+|\s+-\s+|\s{3,}|\t|\s+at\s+|,\s+|\s*\(|\)\s*", text)
    out: list[str] = []
    for part in (p.strip(" ,|()") for p in parts if p):
        if not part:
            continue
        if out and _LEGAL_SUFFIX.fullmatch(part):
            out[-1] = f"{out[-1]}, {part}"  # "Globex, Inc." stays one employer
        else:
            out.append(part)
    return out


_LEGAL_SUFFIX = re.compile(r"(?:inc|llc|ltd|gmbh|ag|corp|plc|s\.?a|bv|srl|co)\.?", re.I)


def _is_prose(line: _Line) -> bool:
    return len(line.text.split()) > 14 or (line.text.endswith(".") and len(line.text.split()) > 6)


def _parse_roles(lines: list[_Line]) -> list[Role]:
    """Group lines into roles: header lines (title, employer, dates) then achievements."""
    groups: list[tuple[list[str], list[str]]] = []
    for line in lines:
        starts_new = not groups or (
            not line.bullet and not _is_prose(line) and (groups[-1][1] or _header_full(groups[-1][0], line.text))
        )
        if starts_new:
            groups.append(([], []))
        header, achievements = groups[-1]
        if line.bullet or _is_prose(line):
            achievements.append(line.text)
        else:
            header.append(line.text)
    roles = [_role_from(header, achievements) for header, achievements in groups]
    # A lone line with neither a title, dates nor achievements is a stray, not a role.
    return [r for r in roles if r.title or r.start or r.achievements]


# A role header (title, employer, location, dates) takes at most this many lines.
MAX_HEADER_LINES = 4


def _header_full(header: list[str], next_text: str) -> bool:
    """Whether ``next_text`` starts a new role instead of continuing this role's header."""
    if not header:
        return False
    if len(header) >= MAX_HEADER_LINES:
        return True
    role = _role_from(header, [])
    has_dates = bool(role.start)
    next_has_dates = bool(_DATE_RANGE.search(next_text) or _SINGLE_DATE.search(next_text))
    next_has_title = bool(_TITLE_WORDS.search(next_text))
    return (
        bool(role.title and role.employer and has_dates)
        or (has_dates and next_has_dates)
        or bool(role.title and role.employer and next_has_title)
    )


def _role_from(header: list[str], achievements: list[str]) -> Role:
    role = Role(achievements=list(achievements))
    pieces: list[str] = []
    for text in header:
        rest, start, end = _split_dates(text)
        if start and not role.start:
            role.start, role.end = start, end
        # "Title at Employer" must be split before the generic separators.
        pieces.extend(_parts(rest))
    title_idx = next((i for i, p in enumerate(pieces) if _TITLE_WORDS.search(p)), None)
    if title_idx is not None:
        role.title = pieces.pop(title_idx)
    company_idx = next((i for i, p in enumerate(pieces) if _COMPANY_WORDS.search(p)), None)
    if company_idx is None and pieces:
        company_idx = 0
    if company_idx is not None:
        role.employer = pieces.pop(company_idx)
    if pieces and len(pieces[0].split()) <= 4:
        role.location = ", ".join(pieces[:2]) if len(pieces) >= 2 and len(pieces[1]) <= 3 else pieces[0]
    return role


# --- education -------------------------------------------------------------------------------


def _parse_education(lines: list[_Line]) -> list[Education]:
    entries: list[Education] = []
    current: Education | None = None
    for line in lines:
        if line.bullet and current is not None and (current.institution and current.degree):
            continue  # details (thesis, grades) of the current entry
        rest, start, end = _split_dates(line.text)
        institution = degree = ""
        pieces = _parts(rest) if rest else []
        for i, piece in enumerate(pieces):
            if _INSTITUTION_WORDS.search(piece) and not institution:
                institution = piece
            elif _DEGREE_WORDS.search(piece) and not degree:
                degree = piece
                # "Ph.D., Computer Science": the field follows the degree after a comma.
                following = pieces[i + 1] if i + 1 < len(pieces) else ""
                if following and not _INSTITUTION_WORDS.search(following) and not _DEGREE_WORDS.search(following):
                    if len(degree.split()) == 1 and len(following.split()) <= 5:
                        degree = f"{degree}, {following}"
        starts_entry = current is None or not current.institution or bool(current.degree)
        if degree and not institution and starts_entry:
            # "MSc Statistics — ETH Zurich": a capitalised name beside a degree is the school.
            others = [p for p in pieces if p not in degree and p[:1].isupper() and len(p.split()) <= 6]
            institution = others[0] if others else ""
        if not (institution or degree or start):
            continue
        full = current is not None and (
            (institution and current.institution) or (degree and current.degree) or (start and current.start)
        )
        if current is None or full:
            current = Education()
            entries.append(current)
        current.institution = current.institution or institution
        current.degree = current.degree or degree
        if start and not current.start:
            current.start, current.end = start, end
    return [e for e in entries if e.institution or e.degree]


# --- skills ----------------------------------------------------------------------------------


def _skills_list(section: _Section) -> list[str]:
    texts = ([section.inline] if section.inline else []) + [line.text for line in section.lines]
    skills: list[str] = []
    for text in texts:
        head, sep, rest = text.partition(":")
        if sep and len(head.split()) <= 4:
            text = rest  # "Languages: Python, Go" -> the list after the group label
        for item in re.split(r"[,;|•·]\s*|\s{2,}|\s+-\s+", text):
            item = item.strip(" .()")
            if item and len(item.split()) <= 4 and not item.lower().startswith(("and ", "etc")):
                skills.append(item.removeprefix("and ").strip())
    return skills
