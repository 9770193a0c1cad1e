"""Practice mode API (``/api/practice/…``): a round from a question bank answered with an
uploaded espeak-ng recording (real Whisper, real scoring), the live path's answer window over
appended transcript lines, retry and skip, no repeated questions across rounds, progress,
JSON and Markdown exports, opt-in audio, and isolation between two accounts (another user's
round is 404 on every route)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.settings import Settings

pytestmark = pytest.mark.slow

ANSWER = (
    "In my last job our checkout page was slow. I was responsible for the payment service. "
    "I profiled the database queries, added an index and a cache, and I rolled it out behind a flag. "
    "As a result latency dropped by forty percent and conversion went up by three percent."
)
BANK_QUESTIONS = [
    ("Tell me about a time you made a slow system faster.", "behavioral"),
    ("Tell me about a time you disagreed with your manager.", "behavioral"),
    ("Describe a project you are proud of.", "behavioral"),
]


@pytest.fixture
def settings_practice(tmp_path, whisper_dir) -> Settings:
    """Real Whisper (the shipped base model) for uploaded answers; no warm-up."""
    return Settings(
        data_dir=tmp_path / "data",
        whisper_model=str(whisper_dir),
        warm_up_stt=False,
        auth_rate_limit_per_minute=100_000,
        _env_file=None,
    )


@pytest.fixture
async def client(settings_practice):
    async with TestClient(TestServer(create_app(settings_practice))) as c:
        yield c


async def error(r) -> dict:
    assert r.content_type == "application/json", await r.text()
    return (await r.json())["error"]


async def make_bank(user) -> str:
    r = await user.req("POST", "/api/banks", json={"name": "My practice bank"})
    assert r.status == 201, await r.text()
    bank_id = (await r.json())["id"]
    for text, category in BANK_QUESTIONS:
        r = await user.req("POST", f"/api/banks/{bank_id}/questions", json={"text": text, "category": category})
        assert r.status == 201, await r.text()
    return bank_id


async def new_round(user, **body) -> dict:
    r = await user.req("POST", "/api/practice/sessions", json=body)
    assert r.status == 201, await r.text()
    return await r.json()


def audio_form(path) -> FormData:
    form = FormData()
    form.add_field("file", path.read_bytes(), filename="answer.wav", content_type="audio/wav")
    return form


async def test_round_with_uploaded_audio_answer(client, register, speak, settings_practice):
    user = await register()
    bank_id = await make_bank(user)
    practice = await new_round(user, bank_id=bank_id, n=2, types=["behavioral"], keep_audio=True)
    assert len(practice["questions"]) == 2
    assert {q["text"] for q in practice["questions"]} <= {t for t, _ in BANK_QUESTIONS}
    assert all(q["status"] == "pending" and q["qtype"] == "behavioral" for q in practice["questions"])
    index = next((q["index"] for q in practice["questions"] if "slow system" in q["text"]), 0)

    wav = speak(ANSWER)
    r = await user.req("POST", f"/api/practice/sessions/{practice['id']}/questions/{index}/audio", data=audio_form(wav))
    assert r.status == 200, await r.text()
    result = await r.json()
    card = result["scorecard"]
    assert 0 <= card["overall"] <= 5
    assert [s["name"] for s in card["subscores"]] == ["delivery", "content", "relevance"]
    assert all(0 <= s["score"] <= 5 and s["improvement"] for s in card["subscores"])
    assert any(s["evidence"] for s in card["subscores"])
    assert "latency dropped" in card["transcript"].lower() and "checkout" in card["transcript"].lower()
    assert card["metrics"]["wpm"] > 60
    assert card["model_answer"], "the model answer is shown after scoring"
    assert result["question"]["status"] == "answered" and result["attempt"] == 1
    assert "words" not in result["question"]["attempts"][0]  # kept for re-scoring, not shown

    # Opted in: the audio is kept; deleting the round removes it.
    audio_dir = settings_practice.data_dir / "practice_audio" / user.id / practice["id"]
    assert [p.name for p in audio_dir.iterdir()] == [result["question"]["attempts"][0]["audio_file"]]
    # A live answer's recording (the page's MediaRecorder) is attached to its attempt afterwards.
    attach = f"/api/practice/sessions/{practice['id']}/questions/{index}/attempts/1/audio?filename=answer.webm"
    r = await user.req("POST", attach, data=b"webm bytes", headers={"Content-Type": "application/octet-stream"})
    assert r.status == 200 and (await r.json())["attempts"][0]["audio_file"] == f"q{index}-a1.webm"
    assert (audio_dir / f"q{index}-a1.webm").read_bytes() == b"webm bytes"
    r = await user.req("POST", attach.replace("/attempts/1/", "/attempts/2/"), data=b"x")
    assert r.status == 404 and (await error(r))["field"] == "attempt"

    # Not audio, empty, unknown question: 4xx naming the field, the round unchanged.
    form = FormData()
    form.add_field("file", b"this is not audio", filename="answer.wav", content_type="audio/wav")
    r = await user.req("POST", f"/api/practice/sessions/{practice['id']}/questions/{index}/audio", data=form)
    assert r.status == 400 and (await error(r))["field"] == "file"
    r = await user.req(
        "POST",
        f"/api/practice/sessions/{practice['id']}/questions/{index}/audio",
        data=b"",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status == 400
    r = await user.req("POST", f"/api/practice/sessions/{practice['id']}/questions/99/audio", data=audio_form(wav))
    assert r.status == 404 and (await error(r))["field"] == "index"
    r = await user.req("GET", f"/api/practice/sessions/{practice['id']}")
    stored = await r.json()
    answered = [q for q in stored["questions"] if q["status"] == "answered"]
    assert len(answered) == 1 and len(answered[0]["attempts"]) == 1
    assert stored["summary"]["answered"] == 1 and stored["summary"]["overall"] == card["overall"]

    r = await user.req("DELETE", f"/api/practice/sessions/{practice['id']}")
    assert r.status == 204
    assert not audio_dir.exists()
    r = await user.req("GET", f"/api/practice/sessions/{practice['id']}")
    assert r.status == 404


async def test_audio_is_not_kept_by_default(client, register, speak, settings_practice):
    user = await register()
    practice = await new_round(user, bank_id=await make_bank(user), n=1)
    r = await user.req(
        "POST", f"/api/practice/sessions/{practice['id']}/questions/0/audio", data=audio_form(speak(ANSWER))
    )
    assert r.status == 200, await r.text()
    assert "audio_file" not in (await r.json())["question"]["attempts"][0]
    attach = f"/api/practice/sessions/{practice['id']}/questions/0/attempts/1/audio"
    r = await user.req("POST", attach, data=b"webm bytes", headers={"Content-Type": "application/octet-stream"})
    assert r.status == 409 and (await error(r))["code"] == "audio_not_kept"
    assert not (settings_practice.data_dir / "practice_audio").exists()


async def test_live_answer_window_retry_skip_and_follow_up(client, register):
    """The live path without a browser: transcript lines appended to the round's live session
    (the same events the WebRTC pipeline publishes); only the lines inside the answer's window
    are scored."""
    user = await register()
    practice = await new_round(user, bank_id=await make_bank(user), n=3, types=["behavioral"])
    pid = practice["id"]
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/0/start")
    assert r.status == 409 and (await error(r))["code"] == "no_live_session"

    r = await user.req("POST", f"/api/practice/sessions/{pid}/live")
    live_id = (await r.json())["session_id"]
    r = await user.req("POST", f"/api/practice/sessions/{pid}/live")
    assert (await r.json())["session_id"] == live_id  # one live session per round
    assert (await user.req("POST", f"/api/sessions/{live_id}/start")).status == 200
    before = {"text": "This was said before the answer started.", "start": 0.0, "end": 0.1}
    r = await user.req("POST", f"/api/sessions/{live_id}/segments", json=before)
    assert r.status in (200, 201), await r.text()

    await asyncio.sleep(0.2)  # the answer starts after that line ended (session clock: seconds since creation)
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/0/start")
    started = (await r.json())["started_at"]
    assert started > before["end"]
    for k, sentence in enumerate(ANSWER.split(". ")):
        line = {"text": sentence, "start": started + 1 + 4 * k, "end": started + 4 + 4 * k}
        r = await user.req("POST", f"/api/sessions/{live_id}/segments", json=line)
        assert r.status in (200, 201), await r.text()
    interviewer = {"text": "Interviewer noise.", "role": "interviewer", "start": started + 1, "end": started + 2}
    await user.req("POST", f"/api/sessions/{live_id}/segments", json=interviewer)

    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/0/answer", json={"source": "live"})
    assert r.status == 200, await r.text()
    result = await r.json()
    transcript = result["scorecard"]["transcript"]
    assert "latency dropped" in transcript and "before the answer" not in transcript and "noise" not in transcript
    assert result["question"]["attempts"][0]["source"] == "live"
    follow = result["follow_up"]
    if follow is not None:  # "You said …": right after the answered question
        assert follow["index"] == 1 and follow["follow_up_of"] == 0 and follow["source"] == "follow_up"

    # Retry keeps the first attempt; the newest counts. A typed answer is the third way in.
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/0/retry")
    assert (await r.json())["status"] == "pending"
    r = await user.req(
        "POST", f"/api/practice/sessions/{pid}/questions/0/answer", json={"source": "text", "text": ANSWER}
    )
    assert r.status == 200 and (await r.json())["attempt"] == 2
    assert (await r.json())["follow_up"] is None  # one follow-up per question, from the first answer
    last = len((await (await user.req("GET", f"/api/practice/sessions/{pid}")).json())["questions"]) - 1
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/{last}/skip")
    assert (await r.json())["status"] == "skipped"

    # Nothing heard / not started / bad bodies: 4xx, nothing lost.
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/{last}/answer", json={"source": "live"})
    assert r.status == 409 and (await error(r))["code"] == "not_started"
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/0/answer", json={"source": "text"})
    assert r.status == 400
    r = await user.req("POST", f"/api/practice/sessions/{pid}/questions/x/answer", json={"source": "text", "text": "a"})
    assert r.status == 404
    r = await user.req("GET", f"/api/practice/sessions/{pid}")
    assert len((await r.json())["questions"][0]["attempts"]) == 2

    # Deleting the round deletes its live session too.
    assert (await user.req("DELETE", f"/api/practice/sessions/{pid}")).status == 204
    assert (await user.req("GET", f"/api/sessions/{live_id}")).status == 404


async def test_no_repeats_from_recent_rounds_unless_asked(client, register):
    user = await register()
    bank_id = await make_bank(user)
    first = await new_round(user, bank_id=bank_id, n=2, types=["behavioral"])
    second = await new_round(user, bank_id=bank_id, n=3, types=["behavioral"])
    asked = {q["text"] for q in first["questions"]}
    assert not asked & {q["text"] for q in second["questions"]}
    texts = [q["text"] for q in second["questions"]]
    assert len(texts) == len(set(texts))
    again = await new_round(user, bank_id=bank_id, n=3, types=["behavioral"], allow_repeats=True)
    assert asked & {q["text"] for q in again["questions"]}

    # Bad set-ups: the field is named.
    r = await user.req("POST", "/api/practice/sessions", json={"n": 0})
    assert r.status == 400 and (await error(r))["field"] == "n"
    r = await user.req("POST", "/api/practice/sessions", json={"types": ["poetry"]})
    assert r.status == 400 and (await error(r))["field"].startswith("types")
    r = await user.req("POST", "/api/practice/sessions", json={"job_id": "nope"})
    assert r.status == 404 and (await error(r))["field"] == "job_id"


async def test_pasted_job_progress_and_exports(client, register):
    user = await register()
    job = "Senior Backend Engineer at Lumen Pay. Required: Python, PostgreSQL, Kafka. You will design payment APIs."
    practice = await new_round(user, job_text=job, n=3)
    pid = practice["id"]
    assert practice["title"].startswith("Practice")
    r = await user.req(
        "POST", f"/api/practice/sessions/{pid}/questions/0/answer", json={"source": "text", "text": ANSWER}
    )
    assert r.status == 200, await r.text()
    card = (await r.json())["scorecard"]

    r = await user.req("GET", "/api/practice/progress")
    progress = await r.json()
    assert [p["id"] for p in progress["sessions"]] == [pid]
    point = progress["sessions"][0]
    assert point["overall"] == card["overall"] and point["answered"] == 1
    assert point["wpm"] is not None and point["fillers_per_min"] is not None
    assert {"delivery", "content", "relevance"} <= set(point)
    assert sum(row["answers"] for row in progress["by_type"].values()) == 1

    r = await user.req("GET", f"/api/practice/sessions/{pid}/export/json")
    assert r.status == 200 and "attachment" in r.headers["Content-Disposition"]
    exported = json.loads(await r.text())
    assert exported["id"] == pid and exported["questions"][0]["attempts"][0]["scorecard"]["overall"] == card["overall"]
    r = await user.req("GET", f"/api/practice/sessions/{pid}/export/markdown")
    assert r.status == 200 and r.content_type == "text/markdown"
    md = await r.text()
    assert md.startswith("# ") and "## Q1" in md and f"Overall: {card['overall']} / 5" in md
    assert "latency dropped by forty percent" in md and "Model answer" in md
    r = await user.req("GET", f"/api/practice/sessions/{pid}/export/srt")
    assert r.status == 400 and (await error(r))["field"] == "format"

    spec = await (await client.get("/api/openapi.json")).json()
    assert "/api/practice/sessions/{practice_id}/questions/{index}/audio" in spec["paths"]
    assert "/api/practice/progress" in spec["paths"]
    page = await client.get("/practice")
    assert page.status == 200 and "practice.js" in await page.text()


async def test_another_users_round_is_404_everywhere(client, register):
    owner, other = await register(), await register()
    practice = await new_round(owner, bank_id=await make_bank(owner), n=2)
    pid = practice["id"]
    r = await owner.req(
        "POST", f"/api/practice/sessions/{pid}/questions/0/answer", json={"source": "text", "text": ANSWER}
    )
    assert r.status == 200
    probes = [
        ("GET", f"/api/practice/sessions/{pid}", None),
        ("DELETE", f"/api/practice/sessions/{pid}", None),
        ("POST", f"/api/practice/sessions/{pid}/live", None),
        ("POST", f"/api/practice/sessions/{pid}/questions/0/start", None),
        ("POST", f"/api/practice/sessions/{pid}/questions/0/answer", {"source": "text", "text": ANSWER}),
        ("POST", f"/api/practice/sessions/{pid}/questions/0/retry", None),
        ("POST", f"/api/practice/sessions/{pid}/questions/0/skip", None),
        ("GET", f"/api/practice/sessions/{pid}/export/json", None),
        ("GET", f"/api/practice/sessions/{pid}/export/markdown", None),
    ]
    for method, path, body in probes:
        r = await other.req(method, path, **({"json": body} if body is not None else {}))
        assert r.status == 404, (method, path, r.status)
        assert (await error(r))["field"] == "practice_id"
    r = await other.req("GET", "/api/practice/sessions")
    assert (await r.json())["total"] == 0
    r = await other.req("GET", "/api/practice/progress")
    assert (await r.json())["sessions"] == []
    # An anonymous caller gets 401, and the owner's round is untouched by the probes.
    r = await client.get(f"/api/practice/sessions/{pid}")
    assert r.status == 401
    r = await owner.req("GET", f"/api/practice/sessions/{pid}")
    body = await r.json()
    assert r.status == 200 and body["questions"][0]["status"] == "answered"
    assert all(q["status"] != "skipped" for q in body["questions"])
