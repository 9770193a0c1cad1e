"""Calendar import and subscriptions, interviews and their scheduled opt-ins (issue 16 item 2).

The calendar file is tests/fixtures/import/calendar.ics (March 2030: a phone screen in
Europe/Lisbon with a Meet link, a Zoom onsite, a weekly Teams "chat with" series with one
EXDATE, a daily stand-up with a Meet link, a follow-up naming a saved job's company, a past
interview and a cancelled one). The clock is the scheduler's, replaced by a fake one; the
subscription is served by an aiohttp server on loopback.

Double (labelled): the bot the scheduler sends is a real ``MeetingBot`` made by the real
``launch_bot`` (capacity, URL allow-list, session, consent record, audit), but its ``run`` is
replaced: the meeting (Google Meet) is unreachable offline, and a real run starts a Whisper
pipeline and Chromium, which the bot tests (tests/bot) cover.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.api.conftest import User, api_settings

ICS = (Path(__file__).parent.parent / "fixtures" / "import" / "calendar.ics").read_bytes()
MARCH_1 = dt.datetime(2030, 3, 1, tzinfo=dt.UTC).timestamp()


def at(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()  # type: ignore[misc]


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def cal(tmp_path, monkeypatch):
    from cuecard.transports.meeting_bot import MeetingBot

    async def run_double(self) -> dict:  # DOUBLE: see the module docstring
        return self.snapshot()

    monkeypatch.setattr(MeetingBot, "run", run_double)
    from cuecard.api.app import create_app
    from cuecard.api.keys import CALENDAR_SCHEDULER

    settings = api_settings(
        tmp_path,
        calendar_allow_loopback_http=True,
        calendar_scheduler_tick_secs=3600,  # ticks are driven by the test
        calendar_refresh_secs=0.3,
        bot_allow_loopback_meetings=True,
        bot_chromium_path=str(tmp_path / "no-chromium"),
    )
    app = create_app(settings)
    clock = FakeClock(MARCH_1)
    app[CALENDAR_SCHEDULER].clock = clock
    async with TestClient(TestServer(app)) as client:
        yield client, app, clock


async def _user(client) -> User:

    n = next(_n)
    r = await client.post("/api/auth/register", json={"email": f"cal{n}@example.org", "password": "correct horse b"})
    assert r.status == 201
    return User(client, f"cal{n}@example.org", "correct horse b", await r.json())


_n = iter(range(10_000))


async def _one(user: User, interview_id: str) -> dict:
    items = (await (await user.req("GET", "/api/interviews")).json())["items"]
    return next(i for i in items if i["id"] == interview_id)


async def _import(user: User, data: bytes):
    return await user.req("POST", "/api/calendar/import", data=data, headers={"Content-Type": "text/calendar"})


async def test_import_finds_interviews_matches_jobs_and_runs_opt_ins_on_a_fake_clock(cal):
    from cuecard.api.keys import BOTS, CALENDAR_SCHEDULER, SERVICES

    client, app, clock = cal
    user = await _user(client)
    r = await user.req("POST", "/api/jobs", json={"title": "Staff Platform Engineer", "company": "Northwind Robotics"})
    job_id = (await r.json())["id"]

    r = await _import(user, ICS)
    assert r.status == 200, await r.text()
    report = await r.json()
    assert (report["found"], report["created"], report["updated"]) == (6, 6, 0)

    items = (await (await user.req("GET", "/api/interviews")).json())["items"]
    summary = [(i["company"], dt.datetime.fromtimestamp(i["start"], dt.UTC).strftime("%m-%d %H:%M")) for i in items]
    assert summary == [
        ("Globex", "03-04 16:00"),
        ("Northwind Robotics", "03-05 15:00"),  # 15:00 Lisbon (WET, UTC+0 until 31 March)
        ("Northwind Robotics", "03-06 10:00"),  # meeting link + saved job's company
        ("Riverbank Analytics", "03-10 09:00"),
        ("Globex", "03-18 16:00"),  # 03-11 is an EXDATE
        ("Globex", "03-25 16:00"),
    ]
    screen = items[1]
    assert screen["title"] == "Staff Platform Engineer" and screen["job_id"] == job_id
    assert screen["meeting_url"] == "https://meet.google.com/abc-defg-hij" and screen["platform"] == "google_meet"
    assert screen["tz"] == "Europe/Lisbon"
    assert items[3]["platform"] == "zoom" and items[3]["title"] == "Data Engineer" and items[3]["job_id"] is None
    assert items[0]["platform"] == "teams"  # from X-GOOGLE-CONFERENCE

    # the same file again updates in place
    report = await (await _import(user, ICS)).json()
    assert (report["created"], report["updated"]) == (0, 6)

    # another user sees none of it
    other = await _user(client)
    assert (await (await other.req("GET", "/api/interviews")).json())["items"] == []
    assert (await other.req("PATCH", f"/api/interviews/{screen['id']}", json={"prepare_answers": True})).status == 404

    # opt-ins: prepared answers; the bot needs consent
    path = f"/api/interviews/{screen['id']}"
    r = await user.req("PATCH", path, json={"prepare_answers": True})
    assert r.status == 200 and (await r.json())["prepare_answers"] is True
    r = await user.req("PATCH", path, json={"send_bot_minutes_before": 5})
    assert r.status == 403 and (await r.json())["error"] == "consent_required"
    r = await user.req("PATCH", path, json={"send_bot_minutes_before": 5, "consent": True})
    assert r.status == 200, await r.text()
    assert (await r.json())["bot_consent_recorded"] is True
    r = await user.req("PATCH", path, json={"send_bot_minutes_before": 0})
    assert r.status == 400

    scheduler = app[CALENDAR_SCHEDULER]
    clock.now = at(2030, 3, 4, 17, 59)
    assert await scheduler.run_due() == []
    clock.now = at(2030, 3, 4, 18, 0, 1)  # 18:00 Lisbon the evening before
    assert await scheduler.run_due() == [(screen["id"], "prepare")]
    prepared = await _one(user, screen["id"])
    assert prepared["prepared_at"] == clock.now and prepared["prepared"]
    assert all(p["question"] and p["drafts"] for p in prepared["prepared"])
    assert await scheduler.run_due() == []  # once

    clock.now = at(2030, 3, 5, 14, 54, 59)
    assert await scheduler.run_due() == []
    clock.now = at(2030, 3, 5, 14, 55)
    assert await scheduler.run_due() == [(screen["id"], "bot")]
    sent = await _one(user, screen["id"])
    assert sent["bot_sent_at"] == clock.now and sent["bot_id"] in app[BOTS]
    bot = app[BOTS][sent["bot_id"]]
    assert bot.user_id == user.id and bot.meeting_url == screen["meeting_url"]
    store = app[SERVICES].store
    session = await store.sessions.get(bot.session_id)
    assert session.user_id == user.id and (session.model_extra or {})["consent"]["via"] == "calendar"
    actions = [e.action for e in await store.accounts.list_audit(user.id, 50, 0)]
    assert "bot_join" in actions and actions.count("consent") == 2  # the opt-in and the bot's session
    assert await scheduler.run_due() == []
    r = await user.req("GET", f"/api/bots/{bot.id}")
    assert r.status == 200

    # the page's view: interviews are no longer upcoming once over
    clock.now = at(2030, 3, 26)
    assert (await (await user.req("GET", "/api/interviews")).json())["items"] == []


async def test_missed_actions_are_dropped_not_run_late(cal):
    from cuecard.api.keys import BOTS, CALENDAR_SCHEDULER

    client, app, clock = cal
    user = await _user(client)
    items = (await (await _import(user, ICS)).json())["interviews"]
    onsite = next(i for i in items if i["platform"] == "zoom")
    r = await user.req(
        "PATCH", f"/api/interviews/{onsite['id']}", json={"send_bot_minutes_before": 10, "consent": True}
    )
    assert r.status == 200
    clock.now = at(2030, 3, 10, 18)  # hours after its start
    assert await app[CALENDAR_SCHEDULER].run_due() == [(onsite["id"], "bot")]
    assert not app[BOTS]
    r = await user.req("GET", "/api/interviews")
    assert all(i["id"] != onsite["id"] for i in (await r.json())["items"])  # over


async def test_bad_calendars_and_patches(cal):
    client, _, _ = cal
    user = await _user(client)
    for data, status, code in (
        (b"", 400, "empty_file"),
        (b"BEGIN:VCALENDAR\nthis is not", 422, "invalid_calendar"),
        (b"hello world", 422, "invalid_calendar"),
        (b"\x00\x01binary", 422, "invalid_calendar"),
    ):
        r = await _import(user, data)
        assert r.status == status, (data, await r.text())
        assert (await r.json())["error"]["code"] == code
    items = (await (await _import(user, ICS)).json())["interviews"]
    no_link = await (await _import(user, _event("Interview with Initech", "20300308T090000Z"))).json()
    initech = no_link["interviews"][0]
    r = await user.req(
        "PATCH", f"/api/interviews/{initech['id']}", json={"send_bot_minutes_before": 5, "consent": True}
    )
    assert r.status == 422 and (await r.json())["error"]["code"] == "no_meeting_link"
    r = await user.req("PATCH", f"/api/interviews/{items[0]['id']}", json={"colour": "red"})
    assert r.status == 400
    assert (await user.req("PATCH", "/api/interviews/nope", json={"prepare_answers": True})).status == 404
    assert (await client.get("/api/interviews")).status == 401


def _event(summary: str, start: str, uid: str = "x@example.org") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:{start}\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


async def test_subscription_is_fetched_on_a_schedule_from_a_loopback_server(cal):
    client, _, _ = cal
    user = await _user(client)
    served = {"ics": ICS, "hits": 0}

    async def calendar(request: web.Request) -> web.Response:
        served["hits"] += 1
        return web.Response(body=served["ics"], content_type="text/calendar")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://127.0.0.1:1/elsewhere.ics")

    provider = web.Application()
    provider.router.add_get("/private/abc123/basic.ics", calendar)
    provider.router.add_get("/moved.ics", redirect)
    async with TestServer(provider, host="127.0.0.1") as server:
        base = f"http://127.0.0.1:{server.port}"
        r = await user.req("POST", "/api/calendar/subscribe", json={"url": f"{base}/private/abc123/basic.ics"})
        assert r.status == 201, await r.text()
        answer = await r.json()
        assert answer["report"]["found"] == 5  # no saved job: the follow-up is not an interview
        assert "url" not in answer["subscription"] and answer["subscription"]["host"] == f"127.0.0.1:{server.port}"

        new_event = _event("Final round with Acme", "20300320T100000Z")
        vevent = new_event[new_event.index(b"BEGIN:VEVENT") :]
        served["ics"] = ICS.replace(b"END:VCALENDAR", vevent)
        for _ in range(100):
            items = (await (await user.req("GET", "/api/interviews")).json())["items"]
            if any(i["company"] == "Acme" for i in items):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the subscription was not fetched again")
        assert served["hits"] >= 2

        r = await user.req("POST", "/api/calendar/subscribe", json={"url": f"{base}/moved.ics"})
        assert r.status == 422 and "redirect" in (await r.json())["error"]["message"]
        r = await user.req("POST", "/api/calendar/subscribe", json={"url": f"{base}/missing.ics"})
        assert r.status == 422 and "404" in (await r.json())["error"]["message"]
    for url in ("http://example.org/cal.ics", "ftp://127.0.0.1/cal.ics", "https://user:pw@example.org/c.ics"):
        r = await user.req("POST", "/api/calendar/subscribe", json={"url": url})
        assert r.status == 400 and (await r.json())["error"]["code"] == "url_refused", url


async def test_ssrf_guard_without_the_test_setting():
    from cuecard.calendar.fetch import FetchRefused, check_url, fetch_ics

    with pytest.raises(FetchRefused):
        check_url("http://127.0.0.1:8600/cal.ics", allow_loopback_http=False)
    assert check_url("https://calendar.example.org/x.ics", False) == "https://calendar.example.org/x.ics"
    # aiohttp does not ask the resolver about IP literals: check_url refuses them itself, at subscribe time
    for literal in ("https://10.0.0.5/x.ics", "https://[fd00::1]/x.ics", "https://169.254.169.254/x.ics"):
        with pytest.raises(FetchRefused, match="no public address"):
            check_url(literal, allow_loopback_http=False)
    assert check_url("https://93.184.216.34/x.ics", False) == "https://93.184.216.34/x.ics"
    for url in (
        "https://127.0.0.1:9/cal.ics",
        "https://localhost:9/cal.ics",
        "https://[::1]:9/cal.ics",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/cal.ics",
        "https://192.168.0.1/cal.ics",
    ):
        with pytest.raises(FetchRefused) as refused:
            await fetch_ics(url, max_bytes=1000, timeout_secs=5, allow_loopback_http=False)
        assert "no public address" in str(refused.value), url


async def test_calendar_routes_are_in_openapi(cal):
    client, _, _ = cal
    spec = await (await client.get("/api/openapi.json")).json()
    for path in ("/api/calendar/import", "/api/calendar/subscribe", "/api/interviews", "/api/interviews/{item_id}"):
        assert path in spec["paths"], path


async def test_account_page_has_the_interviews_section_and_its_script(cal):
    client, _, _ = cal
    page = await (await client.get("/account")).text()
    assert 'id="interviews"' in page and '<script src="/static/interviews.js"></script>' in page
    r = await client.get("/static/interviews.js")
    assert r.status == 200 and "/api/interviews" in await r.text()
