"""Practice mode API (``/api/practice/…``): mock-interview rounds with spoken answers, scores
with evidence, follow-ups, progress over time, exports; and the ``/practice`` page.

A round (a *practice session*) is made from a saved job (``job_id``) or a pasted job text, the
number of questions, their types and difficulty, or a question bank. Questions come from
``cuecard.practice.questions.generate_questions``; an answer is scored by
``cuecard.practice.scoring.score_answer`` (offline, deterministic). Every route is owner-only:
another user's round is 404, the same as a missing one.

An answer reaches the server in one of three ways:

- ``POST …/questions/{index}/answer`` ``{"source": "live"}``: the words the live WebRTC path
  (role candidate) transcribed between ``…/start`` and now. The page joins the round's live
  session (``POST …/live`` makes it) with ``POST /api/offer`` ``{session_id, consent: true}``,
  so the answer is heard by the same pipeline as a live interview;
- ``POST …/questions/{index}/audio``: an uploaded recording (WAV/FLAC/OGG…), transcribed with
  word times (tests, the command line);
- ``POST …/questions/{index}/answer`` ``{"text": …}``: a typed answer (word times spread evenly).

Decisions:
- Which live words belong to an answer: the candidate's transcript lines that overlap the
  answer's window on the session clock (``start`` marks it, the answer call closes it). A line
  still interim when the answer ends (the button pressed mid-sentence) is waited for, at most
  ``practice_live_settle_secs``; after 3 s of silence it is final already, so the score is not
  held up. Live lines carry line times, not word times: a line's words are spread evenly over
  it, so pauses *between* lines still count as pauses.
- Scoring runs in a worker thread (it is CPU work; the event loop keeps serving the live audio).
- Repeats: questions asked in the user's ``practice_recent_sessions`` newest rounds are not
  asked again unless ``allow_repeats`` is set: they go to the generator as ``recent`` and any
  that still come back are dropped here.
- A follow-up ("You said …: how did you measure it?") is added right after an answered
  question when ``follow_up`` finds one, once per question, never to a follow-up.
- Audio is kept only when the round was created with ``keep_audio: true`` (off by default):
  an uploaded answer's file, or, for live answers, the page's own recording of the answer
  (MediaRecorder) sent to ``…/attempts/{n}/audio`` after the score (the pipeline keeps none).
- Storage: a new ``practice_sessions`` repository (``store/practice.py``), one document per
  round; the older ``/api/attempts`` notes are kept as they were (reasons there).

Helpers: ``practice_input`` (answer words, uploads, material), ``practice_round`` (edits of a
round's question list), ``practice_views`` (schemas, summaries, Markdown).
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import time
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cuecard.api import rest_practice_export
from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import LIVE_SESSIONS, PRACTICE_LOCKS, PRACTICE_TASKS, SETTINGS
from cuecard.api.practice_input import (
    AUDIO_SUFFIXES,
    answer_lines,
    audio_dir,
    candidate_material,
    keep_audio_file,
    load_owned,
    parse_job_text,
    read_audio,
    transcribe_file,
    words_in_lines,
)
from cuecard.api.practice_round import first_new, with_attempt
from cuecard.api.practice_views import (
    ANSWER_RESULT,
    LIVE,
    PRACTICE,
    QUESTION,
    STARTED,
    public_practice,
    public_question,
)
from cuecard.api.rest_billing import practice_created, practice_quota
from cuecard.api.rest_common import (
    PAGE_PARAMS,
    ApiRoutes,
    not_found,
    page,
    page_of,
    paged,
    read_model,
    require_user,
    services,
)
from cuecard.api.webrtc_routes import end_live_session
from cuecard.kinds import PracticeQuestionStatus, QuestionType, SessionState
from cuecard.store import NotFound
from cuecard.store.models import Session
from cuecard.store.practice import PracticeSessionRecord

routes = ApiRoutes("practice")

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"
MAX_QUESTIONS = 20

# --- request models ---------------------------------------------------------------------------


class PracticeCreate(BaseModel):
    """What the round is made from: a saved job, a pasted job text, or a question bank."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(default="", max_length=200)
    job_id: str | None = Field(default=None, min_length=1, max_length=128)
    job_text: str = Field(default="", max_length=50_000, description="a pasted job description")
    bank_id: str | None = Field(default=None, min_length=1, max_length=128)
    n: int = Field(default=5, ge=1, le=MAX_QUESTIONS, strict=True, description="how many questions")
    types: list[QuestionType] = Field(default_factory=list, max_length=4, description="empty: every type")
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    allow_repeats: bool = Field(default=False, description="ask questions from recent rounds again")
    keep_audio: bool = Field(default=False, description="store uploaded answer audio (off by default)")


class AnswerIn(BaseModel):
    """``source: live`` takes the live path's transcript since ``…/start``; ``text`` a typed answer."""

    model_config = ConfigDict(extra="forbid")
    source: Literal["live", "text"] = "live"
    text: str = Field(default="", max_length=20_000)

    @model_validator(mode="after")
    def _text_given(self):
        if self.source == "text" and not self.text.strip():
            raise ValueError("text is required when source is text")
        return self


INDEX_PARAM_NOTE = " (index: the question's position, from 0)"

# --- helpers --------------------------------------------------------------------------------------


def _practice_lock(request: web.Request, practice_id: str) -> asyncio.Lock:
    """One writer per round at a time: the round is one document, read and written whole."""
    return request.app[PRACTICE_LOCKS].setdefault(practice_id, asyncio.Lock())


async def owned_practice(request: web.Request, user_id: str) -> PracticeSessionRecord:
    return await load_owned(services(request).store, user_id, request.match_info["practice_id"])


def question_index(request: web.Request, practice: PracticeSessionRecord) -> int:
    raw = request.match_info["index"]
    if not raw.isdigit() or int(raw) >= len(practice.questions):
        raise not_found(f"question {raw} not found in this practice session", "index")
    return int(raw)


# --- rounds ---------------------------------------------------------------------------------------


@routes.add(
    "POST",
    "/api/practice/sessions",
    "Create a practice round: questions from a saved job, a pasted job text or a question bank",
    body=PracticeCreate,
    response=PRACTICE,
    status=201,
)
async def create_practice(request: web.Request) -> web.Response:
    from cuecard.practice.questions import generate_questions
    from cuecard.profile.models import Job, Profile, Story

    user_id = require_user(request)
    await practice_quota(request.app, user_id)  # 402 over the plan's practice sessions (billing on only)
    body = await read_model(request, PracticeCreate)
    store = services(request).store
    settings = request.app[SETTINGS]

    job = None
    if body.job_id:
        try:
            job = (await store.material.jobs.get(user_id, body.job_id)).project(Job)
        except NotFound:
            raise not_found(f"job {body.job_id} not found", "job_id") from None
    elif body.job_text.strip():
        job = await asyncio.to_thread(parse_job_text, body.job_text.strip())
    bank_questions: list[dict] = []
    if body.bank_id:
        try:
            bank = await store.banks.get(user_id, body.bank_id)
        except NotFound:
            raise not_found(f"bank {body.bank_id} not found", "bank_id") from None
        bank_questions = [
            {"text": q.text, "type": q.model_extra.get("category", "") if q.model_extra else ""}
            for q in await store.banks.list_questions(bank.id, limit=1000)
        ]
    stored_profile = await store.material.get_profile(user_id)
    profile = stored_profile.profile() if stored_profile else Profile()
    stories = [s.project(Story) for s in await store.material.stories.list(user_id, 1000, 0)]
    recent = (
        [] if body.allow_repeats else await store.practice.recent_questions(user_id, settings.practice_recent_sessions)
    )
    types = [t.value for t in body.types]

    rounds_so_far = await store.practice.count(user_id)  # a new draw per round, reproducible
    generated = await asyncio.to_thread(
        functools.partial(
            generate_questions,
            job,
            profile,
            stories,
            bank_questions,
            body.n,
            types,
            body.difficulty,
            set(recent),
            seed=rounds_so_far,
        )
    )
    questions = first_new(generated, recent, body.n, body.difficulty)
    if not questions:
        raise bad_request(
            "no new questions could be made: pick a job or a question bank, or allow repeats",
            "job_id",
            code="no_questions",
        )
    title = body.title or (f"Practice: {job.title}" if job is not None and job.title else "Practice")
    fields = {
        "title": title,
        "job_id": body.job_id,
        "bank_id": body.bank_id,
        "settings": {
            "n": body.n,
            "types": types,
            "difficulty": body.difficulty,
            "allow_repeats": body.allow_repeats,
            "keep_audio": body.keep_audio,
            **({"job": job.model_dump()} if job is not None and not body.job_id else {}),
        },
        "questions": questions,
    }
    record = await store.practice.create(user_id, fields)
    await practice_created(request.app, user_id, record.id)  # usage metering (billing on only)
    _warm_scorer(request, questions[0], profile, job)
    return web.json_response(public_practice(record), status=201)


def _warm_scorer(request: web.Request, question: dict, profile, job) -> None:
    """Score a throw-away answer to the first question in the background while the page
    reads the question out, once per process: the scorer's and the model answer's models load
    (seconds on a loaded machine) before the first real answer ends, so its score is not late.
    Only once: a warm-up per round would queue CPU work behind every round made."""
    from cuecard.practice.scoring import score_answer
    from cuecard.practice.transcribe import words_from_text

    def warm() -> None:
        try:
            score_answer(
                question["text"],
                question.get("qtype", ""),
                words_from_text("I would start with the problem and what I did about it."),
                profile=profile,
                job=job,
                resources=services(request).drafting,
                model_answer=True,
            )
        except Exception as e:  # only a warm-up: the real answer will say what is wrong
            logger.warning(f"practice: scorer warm-up failed: {e!r}")

    tasks = request.app[PRACTICE_TASKS]
    if not tasks:  # once per app: running or done (a failure is logged; the real answer retries the load)
        tasks.add(asyncio.ensure_future(asyncio.to_thread(warm)))


@routes.add(
    "GET",
    "/api/practice/sessions",
    "The user's practice rounds, newest first (each with its summary scores)",
    response=page_of(PRACTICE),
    query=PAGE_PARAMS,
)
async def list_practice(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, offset = page(request)
    repo = services(request).store.practice
    items = [public_practice(p) for p in await repo.list(user_id, limit, offset)]
    return web.json_response(paged(items, await repo.count(user_id), limit, offset))


@routes.add("GET", "/api/practice/sessions/{practice_id}", "One practice round", response=PRACTICE)
async def get_practice(request: web.Request) -> web.Response:
    user_id = require_user(request)
    return web.json_response(public_practice(await owned_practice(request, user_id)))


@routes.add(
    "DELETE",
    "/api/practice/sessions/{practice_id}",
    "Delete a practice round (with its live session and any kept audio)",
    status=204,
)
async def delete_practice(request: web.Request) -> web.Response:
    user_id = require_user(request)
    practice = await owned_practice(request, user_id)
    store = services(request).store
    if practice.live_session_id:
        live = request.app[LIVE_SESSIONS].get(practice.live_session_id)
        if live is not None:
            await end_live_session(request.app, live)
        try:
            await store.delete_session(practice.live_session_id)
        except NotFound:
            pass
    await store.practice.delete(user_id, practice.id)
    await asyncio.to_thread(shutil.rmtree, audio_dir(request.app[SETTINGS].data_dir, user_id, practice.id), True)
    request.app[PRACTICE_LOCKS].pop(practice.id, None)
    return web.Response(status=204)


# --- the live path --------------------------------------------------------------------------------


async def _live_session(request: web.Request, practice: PracticeSessionRecord) -> Session | None:
    if not practice.live_session_id:
        return None
    return await services(request).store.sessions.find(practice.live_session_id)


def _session_clock(request: web.Request, session: Session) -> float:
    """Now on the live session's clock (the one its transcript times are on)."""
    live = request.app[LIVE_SESSIONS].get(session.id)
    if live is not None:
        return live.runner.context.clock.now()
    return time.time() - (session.created_at or time.time())


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/live",
    "The round's live session (made on first call): join it with POST /api/offer "
    "{session_id, consent: true} to answer by voice",
    response=LIVE,
)
async def practice_live(request: web.Request) -> web.Response:
    user_id = require_user(request)
    async with _practice_lock(request, request.match_info["practice_id"]):
        practice = await owned_practice(request, user_id)
        session = await _live_session(request, practice)
        if session is None:
            store = services(request).store
            settings = {"practice_id": practice.id, **({"job_id": practice.job_id} if practice.job_id else {})}
            session = await store.sessions.create(
                user_id=user_id, title=practice.title, source="practice", state=SessionState.PENDING, settings=settings
            )
            await store.practice.update(user_id, practice.id, {"live_session_id": session.id})
    return web.json_response({"session_id": session.id})


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/questions/{index}/start",
    "Mark the start of a spoken answer on the live session's clock" + INDEX_PARAM_NOTE,
    response=STARTED,
    extra_statuses=(409,),
)
async def start_answer(request: web.Request) -> web.Response:
    user_id = require_user(request)
    async with _practice_lock(request, request.match_info["practice_id"]):
        practice = await owned_practice(request, user_id)
        index = question_index(request, practice)
        session = await _live_session(request, practice)
        if session is None:
            raise ApiError(409, "no_live_session", "join the round's live session first (POST …/live)", "practice_id")
        started_at = round(_session_clock(request, session), 3)
        questions = [dict(q) for q in practice.questions]
        questions[index]["answer_started_at"] = started_at
        await services(request).store.practice.update(user_id, practice.id, {"questions": questions})
    return web.json_response({"index": index, "started_at": started_at})


# --- answers ----------------------------------------------------------------------------------------


async def _score_and_store(
    request: web.Request,
    user_id: str,
    practice: PracticeSessionRecord,
    index: int,
    words: list,
    extra: dict[str, Any],
    ended_at: float,
) -> dict:
    from cuecard.practice.questions import follow_up
    from cuecard.practice.scoring import score_answer

    question = practice.questions[index]
    profile, job = await candidate_material(services(request).store, user_id, practice)
    t0 = time.perf_counter()
    card = await asyncio.to_thread(
        score_answer,
        question["text"],
        question.get("qtype", ""),
        words,
        profile=profile,
        job=job,
        resources=services(request).drafting,
        model_answer=True,
    )
    scoring_ms = round((time.perf_counter() - t0) * 1000, 1)
    scorecard = card.to_dict()
    follow_text = None
    if question.get("source") != "follow_up" and not question.get("attempts") and scorecard.get("transcript"):
        try:
            follow_text = await asyncio.to_thread(follow_up, question["text"], scorecard["transcript"])
        except Exception as e:  # a follow-up is a bonus: never lose the scored answer over it
            logger.warning(f"practice: follow_up failed: {e!r}")
    attempt = {
        "at": time.time(),
        "transcript": scorecard.get("transcript", ""),
        "words": [w.to_dict() for w in words],
        "scorecard": scorecard,
        **extra,
    }
    questions, current, added = with_attempt(practice.questions, index, attempt, follow_text)
    await services(request).store.practice.update(user_id, practice.id, {"questions": questions})
    return {
        "question": public_question(current),
        "scorecard": scorecard,
        "follow_up": public_question(added) if added else None,
        "attempt": len(current["attempts"]),
        "timing": {"scoring_ms": scoring_ms, "server_ms": round((time.perf_counter() - ended_at) * 1000, 1)},
    }


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/questions/{index}/answer",
    "Score an answer: the live path's words since …/start (source live) or a typed text; "
    "returns the scorecard and a follow-up question when one applies" + INDEX_PARAM_NOTE,
    body=AnswerIn,
    response=ANSWER_RESULT,
    extra_statuses=(409,),
)
async def submit_answer(request: web.Request) -> web.Response:
    ended = time.perf_counter()
    user_id = require_user(request)
    body = await read_model(request, AnswerIn)
    async with _practice_lock(request, request.match_info["practice_id"]):
        practice = await owned_practice(request, user_id)
        index = question_index(request, practice)
        question = practice.questions[index]
        if body.source == "text":
            from cuecard.practice.transcribe import words_from_text

            words = words_from_text(body.text)
            extra: dict[str, Any] = {"source": "text"}
        else:
            session = await _live_session(request, practice)
            started_at = question.get("answer_started_at")
            if session is None or started_at is None:
                raise ApiError(409, "not_started", "start the answer first (POST …/start)", "index")
            ended_at = _session_clock(request, session)
            settle = request.app[SETTINGS].practice_live_settle_secs
            lines = await answer_lines(
                services(request).store, services(request).bus, session.id, float(started_at), settle
            )
            words = words_in_lines(lines, float(started_at))
            extra = {"source": "live", "started_at": started_at, "ended_at": round(ended_at, 3)}
        if not words:
            raise bad_request("no words were heard in this answer: speak, then end the answer", "text", "empty_answer")
        result = await _score_and_store(request, user_id, practice, index, words, extra, ended)
    return web.json_response(result)


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/questions/{index}/audio",
    "Score a recorded answer (multipart field 'file' or raw body with ?filename=; WAV, FLAC, OGG…)" + INDEX_PARAM_NOTE,
    response=ANSWER_RESULT,
    upload=True,
    query=[{"name": "filename", "in": "query", "schema": {"type": "string"}}],
)
async def upload_answer(request: web.Request) -> web.Response:
    ended = time.perf_counter()
    user_id = require_user(request)
    practice = await owned_practice(request, user_id)
    question_index(request, practice)  # 404 before reading a large body
    data, filename = await read_audio(request, request.app[SETTINGS].max_upload_bytes)
    if not data:
        raise bad_request("the uploaded file is empty", "file")
    suffix = Path(filename).suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        suffix = ".wav"
    try:
        words = await asyncio.to_thread(transcribe_file, services(request).engine, data, suffix)
    except Exception as e:  # not audio, or a format the decoder cannot read: the caller's input
        logger.info(f"practice: could not transcribe upload {filename!r}: {e!r}")
        raise bad_request("the file could not be read as audio (WAV, FLAC, OGG, MP3…)", "file", "invalid_audio") from e
    if not words:
        raise bad_request("no speech was heard in the recording", "file", "empty_answer")
    async with _practice_lock(request, request.match_info["practice_id"]):
        practice = await owned_practice(request, user_id)
        index = question_index(request, practice)
        extra: dict[str, Any] = {"source": "upload"}
        if practice.settings.get("keep_audio"):
            attempt = len(practice.questions[index].get("attempts", [])) + 1
            extra["audio_file"] = await keep_audio_file(
                request.app[SETTINGS].data_dir, user_id, practice.id, index, attempt, data, suffix
            )
        result = await _score_and_store(request, user_id, practice, index, words, extra, ended)
    return web.json_response(result)


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/questions/{index}/attempts/{attempt}/audio",
    "Keep the recording of an answer already scored (only in rounds made with keep_audio; "
    "attempt counts from 1; the page records live answers with MediaRecorder)" + INDEX_PARAM_NOTE,
    response=QUESTION,
    upload=True,
    query=[{"name": "filename", "in": "query", "schema": {"type": "string"}}],
    extra_statuses=(409,),
)
async def keep_answer_audio(request: web.Request) -> web.Response:
    user_id = require_user(request)
    practice = await owned_practice(request, user_id)
    index = question_index(request, practice)
    raw = request.match_info["attempt"]
    attempts = practice.questions[index].get("attempts", [])
    if not raw.isdigit() or not 1 <= int(raw) <= len(attempts):
        raise not_found(f"attempt {raw} not found for question {index}", "attempt")
    if not practice.settings.get("keep_audio"):
        raise ApiError(409, "audio_not_kept", "this round keeps no audio (make it with keep_audio: true)", "attempt")
    data, filename = await read_audio(request, request.app[SETTINGS].max_upload_bytes)
    if not data:
        raise bad_request("the uploaded file is empty", "file")
    suffix = Path(filename).suffix.lower()
    name = await keep_audio_file(
        request.app[SETTINGS].data_dir,
        user_id,
        practice.id,
        index,
        int(raw),
        data,
        suffix if suffix in AUDIO_SUFFIXES else ".webm",
    )
    async with _practice_lock(request, practice.id):
        practice = await owned_practice(request, user_id)
        questions = [dict(q) for q in practice.questions]
        kept = [dict(a) for a in questions[index].get("attempts", [])]
        kept[int(raw) - 1]["audio_file"] = name
        questions[index]["attempts"] = kept
        await services(request).store.practice.update(user_id, practice.id, {"questions": questions})
    return web.json_response(public_question(questions[index]))


async def _set_status(request: web.Request, status: str) -> web.Response:
    user_id = require_user(request)
    async with _practice_lock(request, request.match_info["practice_id"]):
        practice = await owned_practice(request, user_id)
        index = question_index(request, practice)
        questions = [dict(q) for q in practice.questions]
        questions[index]["status"] = status
        questions[index].pop("answer_started_at", None)
        await services(request).store.practice.update(user_id, practice.id, {"questions": questions})
    return web.json_response(public_question(questions[index]))


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/questions/{index}/retry",
    "Ask a question again (earlier attempts are kept; the newest counts)" + INDEX_PARAM_NOTE,
    response=QUESTION,
)
async def retry_question(request: web.Request) -> web.Response:
    return await _set_status(request, PracticeQuestionStatus.PENDING)


@routes.add(
    "POST",
    "/api/practice/sessions/{practice_id}/questions/{index}/skip",
    "Skip a question" + INDEX_PARAM_NOTE,
    response=QUESTION,
)
async def skip_question(request: web.Request) -> web.Response:
    return await _set_status(request, PracticeQuestionStatus.SKIPPED)


# --- the page -----------------------------------------------------------------------------------------


async def practice_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "practice.html", headers={"Cache-Control": "no-cache"})


def setup(app: web.Application):
    async def background(app: web.Application):
        app[PRACTICE_LOCKS] = {}
        app[PRACTICE_TASKS] = set()
        yield
        # Warm-ups run in threads (not cancellable): let them finish before the store closes.
        tasks = app[PRACTICE_TASKS]
        running = [t for t in tasks if not t.done()]
        if running:
            await asyncio.wait(running, timeout=30)

    app.cleanup_ctx.append(background)
    app.router.add_get("/practice", practice_page)
    routes.setup(app)
    rest_practice_export.setup(app)  # /api/practice/progress, …/export/{format}
