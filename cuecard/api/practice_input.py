"""Where a practice answer's words come from: the live WebRTC path's transcript lines in the
answer's window (the lines carry line times, so each line's words are spread evenly over it),
or an uploaded recording (multipart ``file`` or a raw body), transcribed with word times;
and the candidate's material the scorer reads (profile, the round's job).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from pathlib import Path

from aiohttp import web
from loguru import logger

from cuecard.api.rest_common import not_found, read_upload
from cuecard.event_bus import EventBus
from cuecard.kinds import Role
from cuecard.store import NotFound, Store
from cuecard.store.practice import PracticeSessionRecord

_WORD = re.compile(r"\S+")


def words_in_lines(lines: list[dict], started_at: float) -> list:
    """Live transcript lines → ``Word``s timed from the answer's start, each line's words
    spread evenly over the line (live lines carry no word times)."""
    from cuecard.practice.scoring import Word

    words = []
    for line in sorted(lines, key=lambda s: s["start"]):
        tokens = _WORD.findall(line.get("text", ""))
        if not tokens:
            continue
        start = max(0.0, line["start"] - started_at)
        end = max(start, line["end"] - started_at)
        step = (end - start) / len(tokens)
        words += [Word(t, round(start + i * step, 3), round(start + (i + 1) * step, 3)) for i, t in enumerate(tokens)]
    return words


async def answer_lines(
    store: Store, bus: EventBus, session_id: str, started_at: float, settle_secs: float
) -> list[dict]:
    """The candidate's lines overlapping the answer (from ``started_at`` on the session clock);
    an open (interim) line is waited for, at most ``settle_secs``."""
    deadline = time.monotonic() + settle_secs
    while True:
        history = await bus.history(session_id, 0)
        latest: dict[str, dict] = {}
        for event in history:
            if event.get("type") == "transcript" and event.get("role") == Role.CANDIDATE.value:
                latest[event["segment_id"]] = event
        open_lines = [e for e in latest.values() if not e.get("final") and e.get("end", 0) >= started_at]
        if not open_lines or time.monotonic() >= deadline:
            break
        await asyncio.sleep(0.05)
    segments = await store.sessions.list_segments(session_id, limit=10_000)
    return [
        s.public()
        for s in segments
        if (s.role or Role.CANDIDATE.value) == Role.CANDIDATE.value and s.end > started_at and s.text.strip()
    ]


AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".webm", ".m4a", ".opus"}


async def read_audio(request: web.Request, limit: int) -> tuple[bytes, str]:
    """(data, filename) from a multipart ``file`` field or a raw body with ``?filename=``."""
    return await read_upload(request, limit, "answer.wav", "answer.wav")


def transcribe_file(engine, data: bytes, suffix: str) -> list:
    from cuecard.practice.transcribe import words_from_audio

    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        return words_from_audio(f.name, engine=engine)


async def candidate_material(store: Store, user_id: str, practice: PracticeSessionRecord):
    """(profile, job) for scoring: the user's profile and the round's job (saved or pasted)."""
    from cuecard.profile.models import Job, Profile

    stored = await store.material.get_profile(user_id)
    profile = stored.profile() if stored else Profile()
    job = None
    if practice.job_id:
        try:
            job = (await store.material.jobs.get(user_id, practice.job_id)).project(Job)
        except NotFound:
            job = None  # the job was deleted since: score without it
    elif practice.settings.get("job"):
        job = Job.model_validate(practice.settings["job"])
    return profile, job


def parse_job_text(text: str):
    """A pasted job description parsed (title, skills…), or kept as text when parsing fails."""
    from cuecard.profile.models import Job

    try:
        from cuecard.profile.job import parse_job

        return parse_job(text)
    except Exception as e:  # odd text must not stop the round: keep the text itself
        logger.warning(f"practice: parse_job failed: {e!r}")
        return Job(text=text)


async def load_owned(store: Store, user_id: str, practice_id: str) -> PracticeSessionRecord:
    """The user's round; 404 naming ``practice_id`` for a missing one or anyone else's."""
    try:
        return await store.practice.get(user_id, practice_id)
    except NotFound:
        raise not_found(f"practice session {practice_id} not found", "practice_id") from None


def audio_dir(data_dir: Path, user_id: str, practice_id: str) -> Path:
    """Where a round's kept answer audio lives (removed with the round)."""
    return data_dir / "practice_audio" / user_id / practice_id


async def keep_audio_file(
    data_dir: Path, user_id: str, practice_id: str, index: int, attempt: int, data: bytes, suffix: str
) -> str:
    """Store one answer's audio (the round opted in); its file name for the attempt."""
    folder = audio_dir(data_dir, user_id, practice_id)
    name = f"q{index}-a{attempt}{suffix}"
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread((folder / name).write_bytes, data)
    return name
