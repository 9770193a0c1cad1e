"""``/dashboard`` in real Chromium after a session replayed in real time through the whole
pipeline: the user's charts and the session timeline have data, the admin sees the instance,
nothing breaks the strict Content-Security-Policy; screenshot in /tmp/cuecard_shots."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from test_metrics import SCENARIO, warm_up

from web.conftest import axe_violations, shot, web_settings

ADMIN = "admin@example.org"
USER_CHARTS = ("chart-latency", "chart-quality", "chart-timeline", "chart-lines")

CHART_DATA = """id => {
  const chart = Chart.getChart(document.getElementById(id));
  if (!chart) return null;
  const points = chart.data.datasets.map(d => d.data.filter(v => v !== null && v !== undefined).length);
  const canvas = chart.canvas, ctx = canvas.getContext('2d');
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {points, painted, labels: chart.data.labels || []};
}"""


@pytest.fixture
async def replayed(tmp_path, whisper_dir):
    """An app whose sessions feed its metrics, an admin with one replayed session, a client."""
    from cuecard.api.app import create_app
    from cuecard.frames import CANDIDATE, INTERVIEWER
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.transports.replay import load_audio

    settings = web_settings(tmp_path, whisper_model=str(whisper_dir), admin_emails=[ADMIN])
    services = await Services.create(settings)
    try:
        async with TestClient(TestServer(create_app(settings, services), host="127.0.0.1")) as client:
            r = await client.post("/api/auth/register", json={"email": ADMIN, "password": "correct horse battery"})
            assert r.status == 201, await r.text()
            tokens = await r.json()
            await warm_up(services)
            tracks = {
                INTERVIEWER: load_audio(SCENARIO / "interviewer.wav"),
                CANDIDATE: load_audio(SCENARIO / "candidate.wav"),
            }
            events = await replay_tracks(services, tracks, realtime=True)
            session_id = events[0]["session_id"]
            await services.store.sessions.update(session_id, user_id=tokens["user"]["id"], title="Mock interview")
            done = next(e for e in events if e["type"] == "suggestion" and e.get("done") and e["text"])
            r = await client.post(
                f"/api/sessions/{session_id}/suggestions/feedback",
                json={"question_id": done["question_id"], "option": done["option"], "helpful": True},
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
            assert r.status == 200, await r.text()
            yield client, tokens, session_id, events
    finally:
        await services.close()


async def open_dashboard(new_page, base_url: str, tokens: dict):
    page = await new_page(1280, 1000, bypass_csp=False)  # the page runs under its real CSP
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    await page.goto(base_url + "/dashboard")
    await page.evaluate(
        """t => { localStorage.setItem('cuecard.access', t.access_token);
                  localStorage.setItem('cuecard.refresh', t.refresh_token);
                  localStorage.setItem('cuecard.email', t.user.email); }""",
        tokens,
    )
    await page.reload()
    await page.wait_for_selector("body[data-state=ready]", timeout=20_000)
    return page, blocked


async def test_dashboard_shows_the_replayed_session_and_its_api_is_per_user(replayed, new_page):
    client, tokens, session_id, events = replayed
    base_url = str(client.make_url("")).rstrip("/")
    page, blocked = await open_dashboard(new_page, base_url, tokens)

    for chart in USER_CHARTS:
        data = await page.evaluate(CHART_DATA, chart)
        assert data is not None, chart
        assert sum(data["points"]) > 0 and data["painted"] > 2000, (chart, data)
    timeline = await page.evaluate(CHART_DATA, "chart-timeline")
    speech, questions, drafts = timeline["points"]
    finals = {e["segment_id"] for e in events if e["type"] == "transcript" and e.get("final")}
    assert speech == len(finals) and questions >= 1 and drafts >= 1
    assert {"Questions", "Drafts"} <= set(timeline["labels"])
    assert await page.locator("#questions li").count() >= 1
    assert "marked helpful" in await page.locator("#questions").inner_text()
    assert "Mock interview" in await page.locator("#session-rows").inner_text()
    assert (await page.locator("#tile-helpful").inner_text()) == "1"

    # The admin also sees the instance, from this server's metrics.
    assert await page.locator("#instance").is_visible()
    instance = await page.evaluate(CHART_DATA, "chart-instance")
    assert sum(instance["points"]) > 0 and instance["painted"] > 2000
    assert not blocked, blocked
    # axe-core from the server's own /static (an inline copy would break the CSP this checks).
    await page.add_script_tag(url=base_url + "/static/vendor/axe.min.js")
    assert not await axe_violations(page)
    await shot(page, "dashboard.png", full_page=True)
    await api_is_per_user_and_the_instance_is_for_admins(client, tokens, session_id)


async def api_is_per_user_and_the_instance_is_for_admins(client, tokens: dict, session_id: str):
    """(Part of the test above: one real-time replay serves both.)"""
    r = await client.post(
        "/api/auth/register", json={"email": "other@example.org", "password": "correct horse battery"}
    )
    other = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
    mine = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get(f"/api/dashboard/sessions/{session_id}", headers=other)).status == 404
    assert (await client.get("/api/dashboard/instance", headers=other)).status == 403
    assert (await client.get("/api/dashboard/sessions")).status == 401
    overview = await (await client.get("/api/dashboard/sessions", headers=other)).json()
    assert overview["sessions"] == [] and overview["admin"] is False
    r = await client.get(f"/api/dashboard/sessions/{session_id}", headers=mine)
    timeline = await r.json()
    assert timeline["observed"]["paced"] is True and timeline["lines"] and timeline["questions"]
    assert (await client.get("/api/dashboard/instance", headers=mine)).status == 200
    paths = (await (await client.get("/api/openapi.json")).json())["paths"]
    assert {"/api/dashboard/sessions", "/api/dashboard/sessions/{session_id}", "/api/dashboard/instance"} <= set(paths)
