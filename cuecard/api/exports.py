"""Export a session as JSON, Markdown, SRT or WebVTT.

Subtitles carry one cue per final transcript line with the speaker as a prefix
(``Interviewer: …``); times are the line's start/end relative to the session start, which is
what the pipeline stores. A line with no duration gets a minimum of one second so players
show it. JSON is the complete record (session, transcript, questions, suggestions) meant for
re-import or analysis; Markdown is for reading.
"""

from __future__ import annotations

from aiohttp import web

from cuecard.api.errors import bad_request
from cuecard.api.rest_common import ApiRoutes, obj, owned_session, require_user, services
from cuecard.api.rest_consent import audit_event
from cuecard.kinds import ROLES
from cuecard.store import Store
from cuecard.store.models import Session

routes = ApiRoutes("exports")
FORMATS = {
    "json": "application/json",
    "markdown": "text/markdown",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
}
EXTENSIONS = {"json": "json", "markdown": "md", "srt": "srt", "vtt": "vtt"}
MIN_CUE_SECS = 1.0


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _who(seg: dict) -> str:
    """Who said a line, as the page shows it: the speaker's label or the name the user gave it,
    as written ("DeShawn" stays "DeShawn"); a bare role (a line added without a speaker) is
    capitalised."""
    who = seg.get("speaker") or seg.get("role") or ""
    return who.capitalize() if who in ROLES else who


def _cues(segments: list[dict]) -> list[tuple[float, float, str]]:
    cues = []
    for seg in segments:
        text = " ".join(str(seg.get("text", "")).split())
        if not text:
            continue
        start = float(seg.get("start") or 0)
        end = max(float(seg.get("end") or 0), start + MIN_CUE_SECS)
        who = _who(seg)
        cues.append((start, end, f"{who}: {text}" if who else text))
    return cues


def to_srt(segments: list[dict]) -> str:
    blocks = [
        f"{i}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{text}\n" for i, (a, b, text) in enumerate(_cues(segments), 1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: list[dict]) -> str:
    # "-->" inside cue text would end the cue timing line early in some players.
    blocks = [f"{_clock(a, '.')} --> {_clock(b, '.')}\n{text.replace('-->', '->')}\n" for a, b, text in _cues(segments)]
    return "WEBVTT\n\n" + "\n".join(blocks)


_FEEDBACK_MARKS: dict[bool | None, str] = {True: " (helpful)", False: " (not helpful)"}


def to_markdown(session: dict, segments: list[dict], questions: list[dict], suggestions: list[dict]) -> str:
    lines = [f"# {session.get('title') or 'Interview session'}", ""]
    lines.append(f"- Session: `{session['id']}`")
    lines.append(f"- State: {session.get('state', '')}")
    lines += ["", "## Transcript", ""]
    for seg in segments:
        who = _who(seg)
        lines.append(f"- **[{_clock(float(seg.get('start') or 0), '.')[:8]}] {who}:** {seg.get('text', '')}")
    by_question: dict[str | None, list[dict]] = {}
    for s in suggestions:
        by_question.setdefault(s.get("question_id"), []).append(s)
    lines += ["", "## Questions", ""]
    for q in questions:
        lines.append(f"### {q.get('text', '')}")
        for s in by_question.get(q.get("question_id"), []):
            mark = _FEEDBACK_MARKS.get((s.get("feedback") or {}).get("helpful"), "")
            lines.append(f"- Option {s.get('option')}{mark}: {s.get('text', '')}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


async def session_bundle(store: Store, session: Session) -> dict:
    sessions = store.sessions
    return {
        "session": session.public(),
        "transcript": [s.public() for s in await sessions.list_segments(session.id, limit=100_000)],
        "questions": [q.public() for q in await sessions.list_questions(session.id, limit=100_000)],
        "suggestions": [s.public() for s in await sessions.list_suggestions(session.id, limit=100_000)],
    }


@routes.add(
    "GET",
    "/api/sessions/{session_id}/export/{format}",
    "Export a session (format: json, markdown, srt, vtt)",
    response=obj(("session", "transcript", "questions", "suggestions")),
    content_type="multi-export",
)
async def export(request: web.Request) -> web.Response:
    user_id = require_user(request)
    session = await owned_session(request, user_id)
    fmt = request.match_info["format"]
    if fmt not in FORMATS:
        raise bad_request(f"format must be one of {', '.join(FORMATS)}", "format")
    store = services(request).store
    bundle = await session_bundle(store, session)
    await audit_event(request, user_id, "export", session_id=session.id, format=fmt)
    filename = f"cuecard-{session.id}.{EXTENSIONS[fmt]}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "json":
        return web.json_response(bundle, headers=headers)
    if fmt == "markdown":
        text = to_markdown(bundle["session"], bundle["transcript"], bundle["questions"], bundle["suggestions"])
    elif fmt == "srt":
        text = to_srt(bundle["transcript"])
    else:
        text = to_vtt(bundle["transcript"])
    return web.Response(text=text, content_type=FORMATS[fmt], charset="utf-8", headers=headers)


def setup(app: web.Application):
    routes.setup(app)
