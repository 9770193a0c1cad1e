"""REST behaviour: session lifecycle and pagination, appended segments, feedback, metrics,
candidate material (resume upload, jobs, matching), banks, exports, and 4xx errors that name
the field (never a 500 for bad input), size limits."""

from __future__ import annotations

import json
import re

from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.api.exports import to_srt, to_vtt

from .conftest import api_settings

RESUME = """Ann Example
Senior Software Engineer

Experience
Senior Software Engineer, Acme Corp, 2019 - present
- Cut checkout latency by 40% by rewriting the payment service in Go
- Led a team of five engineers through a cloud migration

Skills
Python, Go, PostgreSQL, Kubernetes
"""


async def error(r) -> dict:
    assert r.content_type == "application/json", await r.text()
    return (await r.json())["error"]


async def test_session_lifecycle(client, register):
    u = await register()
    r = await u.req("POST", "/api/sessions", json={"title": "Acme onsite", "settings": {"language": "en"}})
    assert r.status == 201
    s = await r.json()
    assert s["state"] == "pending" and s["settings"] == {"language": "en"}
    sid = s["id"]
    r = await u.req("POST", f"/api/sessions/{sid}/pause")
    assert r.status == 409 and (await error(r))["field"] == "state"
    for action, state in (("start", "active"), ("pause", "paused"), ("resume", "active"), ("complete", "completed")):
        r = await u.req("POST", f"/api/sessions/{sid}/{action}")
        assert r.status == 200 and (await r.json())["state"] == state, action
    r = await u.req("POST", f"/api/sessions/{sid}/segments", json={"text": "late line"})
    assert r.status == 409
    r = await u.req("PATCH", f"/api/sessions/{sid}", json={"settings": {"drafts": False}, "title": "Renamed"})
    body = await r.json()
    assert body["title"] == "Renamed" and body["settings"] == {"language": "en", "drafts": False}
    r = await u.req("DELETE", f"/api/sessions/{sid}")
    assert r.status == 204
    r = await u.req("GET", f"/api/sessions/{sid}")
    assert r.status == 404 and (await error(r))["field"] == "session_id"


async def test_pagination_segments_feedback_metrics(client, register):
    u = await register()
    for i in range(3):
        await u.req("POST", "/api/sessions", json={"title": f"s{i}"})
    r = await u.req("GET", "/api/sessions", params={"limit": "2", "offset": "1"})
    page = await r.json()
    assert page["total"] == 3 and [s["title"] for s in page["items"]] == ["s1", "s0"]
    sid = page["items"][0]["id"]
    await u.req("POST", f"/api/sessions/{sid}/start")
    lines = [
        ("interviewer", "Tell me about a hard bug.", 0.0, 2.0),
        ("candidate", "We had a race in the cache.", 2.5, 5.0),
    ]
    seqs = []
    for role, text, start, end in lines:
        r = await u.req(
            "POST", f"/api/sessions/{sid}/segments", json={"role": role, "text": text, "start": start, "end": end}
        )
        assert r.status == 201
        seqs.append((await r.json())["seq"])
    assert seqs[1] == seqs[0] + 1
    r = await u.req("GET", f"/api/sessions/{sid}/transcript", params={"limit": "1", "offset": "1"})
    page = await r.json()
    assert page["total"] == 2 and page["items"][0]["text"] == "We had a race in the cache."
    r = await u.req(
        "POST", f"/api/sessions/{sid}/suggestions/feedback", json={"question_id": "q1", "option": 1, "helpful": True}
    )
    assert r.status == 200 and (await r.json())["feedback"]["helpful"] is True
    r = await u.req("GET", f"/api/sessions/{sid}/metrics")
    m = await r.json()
    assert m["segments"] == 2 and m["words"] == {"interviewer": 6, "candidate": 7}
    assert m["speaking_secs"] == {"interviewer": 2.0, "candidate": 2.5} and m["feedback"] == {
        "helpful": 1,
        "not_helpful": 0,
    }
    assert m["duration_secs"] == 5.0


async def test_bad_input_names_the_field(client, register):
    u = await register()
    r = await u.req("POST", "/api/sessions", json={"title": 5})
    assert r.status == 400 and (await error(r))["field"] == "title"
    r = await u.req("GET", "/api/sessions", params={"limit": "many"})
    assert r.status == 400 and (await error(r))["field"] == "limit"
    r = await u.req("GET", "/api/sessions", params={"offset": "-1"})
    assert r.status == 400 and (await error(r))["field"] == "offset"
    r = await u.req("POST", "/api/sessions", json=[1, 2])
    assert r.status == 400 and (await error(r))["code"] == "invalid_json"
    sid = (await (await u.req("POST", "/api/sessions", json={})).json())["id"]
    r = await u.req("POST", f"/api/sessions/{sid}/segments", json={"text": "x", "start": 3, "end": 1})
    assert r.status == 400
    r = await u.req("POST", f"/api/sessions/{sid}/segments", json={"text": "x", "start": "soon"})
    assert r.status == 400 and (await error(r))["field"] == "start"
    r = await u.req(
        "POST",
        f"/api/sessions/{sid}/segments",
        data=b'{"text": "x", "start": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 400
    r = await u.req("GET", f"/api/sessions/{sid}/export/docx")
    assert r.status == 400 and (await error(r))["field"] == "format"
    r = await u.req("POST", "/api/banks/builtin-starter/questions", json={"text": "x", "difficulty": "brutal"})
    assert r.status == 403
    bank = await (await u.req("POST", "/api/banks", json={"name": "mine"})).json()
    r = await u.req("POST", f"/api/banks/{bank['id']}/questions", json={"text": "x", "difficulty": "brutal"})
    assert r.status == 400 and (await error(r))["field"] == "difficulty"
    r = await u.req("GET", "/api/nothing-here")
    assert r.status == 404 and (await error(r))["code"] == "not_found"


async def test_size_limits(tmp_path):
    settings = api_settings(tmp_path, max_body_bytes=2000, max_upload_bytes=5000)
    async with TestClient(TestServer(create_app(settings))) as c:
        r = await c.post("/api/auth/register", json={"email": "s@example.org", "password": "long enough"})
        headers = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
        r = await c.post("/api/sessions", json={"title": "x", "settings": {"blob": "y" * 3000}}, headers=headers)
        assert r.status == 413 and (await error(r))["code"] == "too_large"
        r = await c.post("/api/profile/resume?filename=r.txt", data=b"a" * 6000, headers=headers)
        assert r.status == 413 and (await error(r))["field"] == "file"

        async def chunked(n):  # no Content-Length: the limit must hold while reading
            for _ in range(n):
                yield b" " * 1000

        r = await c.post("/api/sessions", data=chunked(3), headers={**headers, "Content-Type": "application/json"})
        assert r.status == 413
        r = await c.post("/api/sessions", data=chunked(1), headers={**headers, "Content-Type": "application/json"})
        assert r.status == 400  # within the limit: read whole, then refused as not a JSON object
        r = await c.post("/api/profile/resume?filename=r.txt", data=chunked(6), headers=headers)
        assert r.status == 413 and (await error(r))["field"] == "file"
        form = FormData()
        form.add_field("file", b"x" * 6000, filename="big.txt", content_type="text/plain")
        r = await c.post("/api/profile/resume", data=form, headers=headers)
        assert r.status == 413


async def test_resume_upload_stories_jobs_match(client, register):
    u = await register()
    form = FormData()
    form.add_field("file", RESUME.encode(), filename="ann.txt", content_type="text/plain")
    r = await u.req("POST", "/api/profile/resume?draft_stories=true", data=form)
    assert r.status == 200, await r.text()
    result = await r.json()
    assert result["profile"]["name"] == "Ann Example" and "Python" in result["profile"]["skills"]
    assert result["profile"]["resume_text"].startswith("Ann Example")
    assert result["stories"] and all(s["drafted"] for s in result["stories"])
    # review: the user corrects a field the parser filled
    profile = {k: v for k, v in result["profile"].items() if k != "updated_at"}
    r = await u.req("PUT", "/api/profile", json={**profile, "headline": "Staff Engineer"})
    assert (await r.json())["headline"] == "Staff Engineer"
    story_id = result["stories"][0]["id"]
    r = await u.req(
        "PATCH", f"/api/stories/{story_id}", json={"result": "Checkout p95 fell from 900 to 540 ms", "drafted": False}
    )
    story = await r.json()
    assert story["drafted"] is False and story["title"] == result["stories"][0]["title"]
    r = await u.req("PATCH", f"/api/stories/{story_id}", json={"skills": "python"})
    assert r.status == 400 and (await error(r))["field"] == "skills"
    r = await u.req(
        "POST", "/api/jobs", json={"text": "Senior Backend Engineer\nGlobex\n\nRequirements\n- Python\n- Kubernetes\n"}
    )
    job = await r.json()
    assert r.status == 201 and job["title"] and job["text"].startswith("Senior Backend")
    r = await u.req("GET", f"/api/jobs/{job['id']}/match")
    match = await r.json()
    assert r.status == 200 and match["available"] is True and isinstance(match["result"], dict)
    r = await u.req("POST", "/api/profile/resume?filename=cv.doc", data=b"\xd0\xcf\x11\xe0binary")
    assert r.status == 400 and (await error(r))["field"] == "file"
    r = await u.req("DELETE", f"/api/stories/{story_id}")
    assert r.status == 204
    r = await u.req("GET", f"/api/stories/{story_id}")
    assert r.status == 404


async def test_bank_crud_and_search(client, register):
    u = await register()
    r = await u.req("GET", "/api/bank-questions", params={"category": "Technical", "industry": "software"})
    page = await r.json()
    assert page["total"] >= 3 and all(q["category"] == "technical" for q in page["items"])
    r = await u.req("POST", "/api/banks", json={"name": "Globex prep"})
    bank = await r.json()
    r = await u.req(
        "POST",
        f"/api/banks/{bank['id']}/questions",
        json={
            "text": "How would you shard our orders table?",
            "category": "Technical",
            "difficulty": "hard",
            "industry": "Retail",
            "role": "Backend engineer",
        },
    )
    q = await r.json()
    assert q["category"] == "technical" and q["role"] == "backend engineer"
    r = await u.req("GET", "/api/bank-questions", params={"q": "SHARD", "source": "own"})
    assert [x["id"] for x in (await r.json())["items"]] == [q["id"]]
    r = await u.req("GET", "/api/bank-questions", params={"q": "shard", "source": "builtin"})
    assert (await r.json())["total"] == 0
    r = await u.req("PATCH", f"/api/banks/{bank['id']}/questions/{q['id']}", json={"difficulty": "medium"})
    assert (await r.json())["difficulty"] == "medium" and (await r.json())["text"].startswith("How would")
    r = await u.req("GET", "/api/bank-questions", params={"difficulty": "medium", "role": "backend engineer"})
    assert [x["id"] for x in (await r.json())["items"]] == [q["id"]]
    r = await u.req("DELETE", f"/api/banks/{bank['id']}")
    assert r.status == 204
    r = await u.req("GET", "/api/bank-questions", params={"q": "shard"})
    assert (await r.json())["total"] == 0


async def test_exports(client, register):
    u = await register()
    sid = (await (await u.req("POST", "/api/sessions", json={"title": "Export me"})).json())["id"]
    await u.req(
        "POST",
        f"/api/sessions/{sid}/segments",
        json={"role": "interviewer", "text": "Why this job?", "start": 1.5, "end": 3.25},
    )
    await u.req(
        "POST",
        f"/api/sessions/{sid}/segments",
        json={"role": "candidate", "text": "I build --> tools", "start": 3661.0, "end": 3661.0},
    )
    r = await u.req("GET", f"/api/sessions/{sid}/export/json")
    bundle = await r.json()
    assert 'attachment; filename="cuecard-' in r.headers["Content-Disposition"]
    assert [s["text"] for s in bundle["transcript"]] == ["Why this job?", "I build --> tools"]
    assert bundle["session"]["title"] == "Export me"
    r = await u.req("GET", f"/api/sessions/{sid}/export/srt")
    srt = await r.text()
    assert r.content_type == "application/x-subrip"
    assert srt == (
        "1\n00:00:01,500 --> 00:00:03,250\nInterviewer: Why this job?\n\n"
        "2\n01:01:01,000 --> 01:01:02,000\nCandidate: I build --> tools\n"
    )
    r = await u.req("GET", f"/api/sessions/{sid}/export/vtt")
    vtt = await r.text()
    assert r.content_type == "text/vtt" and vtt.startswith("WEBVTT\n\n00:00:01.500 --> 00:00:03.250\n")
    assert "Candidate: I build -> tools" in vtt  # "-->" cannot appear in a cue's text
    r = await u.req("GET", f"/api/sessions/{sid}/export/markdown")
    md = await r.text()
    assert md.startswith("# Export me\n") and "**[00:00:01] Interviewer:** Why this job?" in md
    r = await u.req("GET", "/api/audit")
    assert any(e["action"] == "export" for e in (await r.json())["items"])


def test_subtitle_cues_skip_empty_lines():
    segs = [{"text": "  ", "start": 0, "end": 1}, {"text": "Hi", "start": 0, "end": 0.2, "speaker": "Ann"}]
    assert to_srt(segs) == "1\n00:00:00,000 --> 00:00:01,000\nAnn: Hi\n"
    assert re.fullmatch(r"WEBVTT\n\n00:00:00\.000 --> 00:00:01\.000\nAnn: Hi\n", to_vtt(segs))


async def test_openapi_and_docs_served(client):
    r = await client.get("/api/openapi.json")
    doc = await r.json()
    assert doc["openapi"].startswith("3.") and "/api/sessions/{session_id}/events" in doc["paths"]
    assert doc["paths"]["/api/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    r = await client.get("/api/docs")
    html = await r.text()
    assert r.status == 200 and "/api/openapi.json" in html and "cdn" not in html.lower()
    r = await client.get("/account")
    assert r.status == 200 and "account.js" in await r.text()
    json.dumps(doc)


async def test_openapi_lists_every_api_route_of_ours(client):
    """The document is built from the same table that registers routes: nothing of ours is
    missing from it (the WebRTC signalling and health routes included), and it names no route
    the server does not have. Only the document itself and its browse page are not in it."""
    doc = await (await client.get("/api/openapi.json")).json()
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    served = set()
    for route in client.server.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if (path.startswith("/api/") or path == "/metrics") and route.method != "HEAD":
            served.add((route.method, path))
    others = {("GET", "/api/openapi.json"), ("GET", "/api/docs")}
    assert others <= served
    assert documented == served - others
    webrtc = {
        ("POST", "/api/offer"),
        ("PATCH", "/api/offer"),
        ("GET", "/api/live/{session_id}/transcript"),
        ("GET", "/api/webrtc/config"),
        ("GET", "/api/health"),
    }
    assert webrtc <= documented
    offer = doc["paths"]["/api/offer"]["post"]
    assert offer["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OfferIn")
    assert set(offer["responses"]["200"]["content"]["application/json"]["schema"]["required"]) >= {"sdp", "session_id"}
