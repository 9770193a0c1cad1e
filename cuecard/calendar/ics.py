"""Interviews found in an iCalendar file: which events are interviews, when, with which company,
for which role, and the meeting link.

Decisions:
- Parsing with ``icalendar``; recurrences (RRULE, RDATE, EXDATE, moved occurrences with
  RECURRENCE-ID) are expanded by ``recurring-ical-events``, within a window from one day ago to
  ``horizon_days`` ahead: a weekly "Interview loop sync" yields one interview per occurrence in
  the window (each with its own id, uid + start), never an unbounded series. At most
  ``MAX_OCCURRENCES`` events are read from one file.
- An event is an interview when its summary or description says so ("interview", "screen",
  "onsite", "on-site", "chat with", "hiring manager", "technical round", "recruiter call"), or
  when it carries a meeting link and names the company of a saved job. A meeting link alone
  is not enough: every stand-up has one.
- Meeting links: Google Meet, Zoom and Teams URLs in LOCATION, DESCRIPTION, URL or
  X-GOOGLE-CONFERENCE (the first found, in that order of fields after X-GOOGLE-CONFERENCE,
  which Google fills with the real link).
- Company: "Interview with Acme", "Acme – Phone screen", "Onsite @ Acme", "Acme <> Dana", or
  the organizer's e-mail domain when it is not a public mail provider; title: "for <role>" or
  the part of the summary that names a role ("… – Backend Engineer").
- A saved job matches when its company name (case and punctuation folded) equals the found
  company or appears in the summary/description.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

MAX_OCCURRENCES = 2000
INTERVIEW_WORDS = re.compile(
    r"\b(interview(?:s|ing)?|screen(?:ing)?|on-?site|chat with|hiring manager|technical round|recruiter call|"
    r"panel round|final round|take-home review|system design round)\b",
    re.I,
)
MEETING_LINK = re.compile(
    r"https://(?:meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}|(?:[\w-]+\.)?zoom\.us/(?:j|my|w)/[\w?=.&%-]+|"
    r"teams\.microsoft\.com/l/meetup-join/[^\s\"'<>]+|teams\.live\.com/meet/[^\s\"'<>]+)",
    re.I,
)
PUBLIC_MAIL = {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me"}
_COMPANY_PATTERNS = (
    re.compile(r"\b(?:interview|screen|onsite|on-site|chat|call|round)\s+(?:with|@|at)\s+(?P<c>[^:|()\-–—,]+)", re.I),
    re.compile(r"@\s*(?P<c>[A-Z][\w&.' ]+)"),
    re.compile(r"^(?P<c>[^:|\-–—<>]+?)\s*(?:<>|x|×)\s+", re.I),
    re.compile(
        r"^(?P<c>[^:|\-–—]+?)\s*[:|\-–—]\s*(?:phone |technical |final |recruiter )?(?:interview|screen|onsite)", re.I
    ),
)
_ROLE = re.compile(
    r"(?:for (?:the )?|[-–—|:]\s*)(?P<r>(?:senior |staff |principal |lead |junior )?[\w /+.#]*"
    r"(?:engineer|developer|scientist|manager|designer|analyst|architect|sre|lead))\b",
    re.I,
)


@dataclass
class FoundInterview:
    uid: str
    start: float  # unix seconds
    end: float
    tz: str  # the event's time zone name ("UTC" for floating or UTC times)
    summary: str
    company: str
    title: str
    meeting_url: str
    platform: str
    description: str
    location: str

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.uid}|{self.start}".encode()).hexdigest()[:24]

    def fields(self) -> dict[str, Any]:
        return asdict(self)


class CalendarError(ValueError):
    """Not an iCalendar file we can read."""


def fold(text: str) -> str:
    return re.sub(r"[^\w]+", " ", (text or "").lower()).strip()


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _as_datetime(value: Any) -> tuple[dt.datetime, str]:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC), "UTC"
        return value, str(getattr(value.tzinfo, "key", None) or value.tzname() or "UTC")
    # an all-day event: midnight UTC of that day
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC), "UTC"


def platform_of(url: str) -> str:
    host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
    if "meet.google" in host:
        return "google_meet"
    if "zoom.us" in host:
        return "zoom"
    return "teams" if "teams." in host else ""


def meeting_link(event: Any) -> str:
    for name in ("X-GOOGLE-CONFERENCE", "LOCATION", "DESCRIPTION", "URL"):
        found = MEETING_LINK.search(_text(event, name))
        if found:
            return found.group(0).rstrip(".,;)>")
    return ""


def _company(summary: str, organizer: str) -> str:
    for pattern in _COMPANY_PATTERNS:
        found = pattern.search(summary)
        if found:
            company = re.sub(r"\s+(?:for|about|re)\b.*$", "", found.group("c"), flags=re.I)
            company = re.sub(
                r"\s+(?:hiring team|team|recruiting|recruiters?|talent|hr)$", "", company.strip(), flags=re.I
            )
            company = company.strip(" .,:-")
            if company and not INTERVIEW_WORDS.fullmatch(company):
                return company
    domain = organizer.rsplit("@", 1)[-1].lower() if "@" in organizer else ""
    if domain and domain not in PUBLIC_MAIL:
        return domain.split(".")[-2].capitalize() if domain.count(".") >= 1 else domain
    return ""


def _role(summary: str) -> str:
    found = _ROLE.search(summary)
    return " ".join(found.group("r").split()) if found else ""


def job_for(company: str, text: str, jobs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The saved job whose company is the interview's, or is named in its text."""
    folded_text = f" {fold(text)} "
    for job in jobs:
        name = fold(job.get("company", ""))
        if name and (name == fold(company) or f" {name} " in folded_text):
            return job
    return None


def find_interviews(
    data: bytes, now: dt.datetime, horizon_days: int, jobs: list[dict[str, Any]]
) -> tuple[list[FoundInterview], int]:
    """(interviews in the window, how many events were read)."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as e:  # icalendar raises ValueError, KeyError, IndexError on broken files
        raise CalendarError(f"not an iCalendar file: {e}") from None
    if calendar.name != "VCALENDAR":
        raise CalendarError("not an iCalendar file (no VCALENDAR)")
    try:
        occurrences = recurring_ical_events.of(calendar).between(
            now - dt.timedelta(days=1), now + dt.timedelta(days=horizon_days)
        )
    except Exception as e:  # a malformed RRULE or date
        raise CalendarError(f"cannot expand the calendar's events: {e}") from None
    found: list[FoundInterview] = []
    read = 0
    for event in occurrences:
        if event.name != "VEVENT":
            continue
        read += 1
        if read > MAX_OCCURRENCES:
            break
        if _text(event, "STATUS").upper() == "CANCELLED":
            continue
        summary, description = _text(event, "SUMMARY"), _text(event, "DESCRIPTION")
        link = meeting_link(event)
        organizer = _text(event, "ORGANIZER").removeprefix("mailto:").removeprefix("MAILTO:")
        company = _company(summary, organizer)
        job = job_for(company, f"{summary}\n{description}", jobs)
        if not (INTERVIEW_WORDS.search(summary) or INTERVIEW_WORDS.search(description) or (link and job)):
            continue
        if job is not None and not company:
            company = job.get("company", "")
        start, tz = _as_datetime(event.decoded("DTSTART"))
        end = _as_datetime(event.decoded("DTEND"))[0] if event.get("DTEND") else start + dt.timedelta(hours=1)
        found.append(
            FoundInterview(
                uid=_text(event, "UID") or hashlib.sha256(f"{summary}{start}".encode()).hexdigest()[:16],
                start=start.timestamp(),
                end=end.timestamp(),
                tz=tz,
                summary=summary[:500],
                company=company[:200],
                title=(_role(summary) or (job or {}).get("title", ""))[:200],
                meeting_url=link,
                platform=platform_of(link) if link else "",
                description=description[:5000],
                location=_text(event, "LOCATION")[:500],
            )
        )
    return found, min(read, MAX_OCCURRENCES)
