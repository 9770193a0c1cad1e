"""The meeting URL allow-list (issue 14, finding "high"): a URL that Python and Chromium read
differently must be refused, the URL handed to Chromium is the WHATWG re-serialization, and no
refusal or failure message tells the caller what the server can reach.

No browser is started here: every case is refused (or accepted) before a bot launches."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app
from cuecard.settings import Settings
from cuecard.transports.meeting_bot import UnsupportedMeeting, platform_for_url

BYPASS = "http://127.0.0.1:18999\\@meet.google.com/abc-defg-hij"
REFUSED = [
    BYPASS,
    "https://127.0.0.1:18999\\@meet.google.com/abc-defg-hij",
    "https://meet.google.com\\@127.0.0.1/abc",
    "https://evil.example%2F@meet.google.com/abc",  # user info, percent-encoded
    "https://user:pw@meet.google.com/abc-defg-hij",
    "http://meet.google.com/abc-defg-hij",  # not https
    "https://meet.google.com:8443/abc-defg-hij",  # a port
    "https://meet.google.com:22/abc",
    "https://meet.google.com.evil.example/abc",
    "https://meet.google.com /abc",
    "https://meet.google.com\t/abc",
    "javascript:alert(1)//meet.google.com",
    "https://evilmeet.google.com@zoom.us.evil.example/",
]


LOOPBACK = ["https://127.0.0.1/abc", "https://0x7f.1/abc", "https://[::1]/abc", "http://localhost:8600/"]


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_only_when_allowed(url):
    with pytest.raises(UnsupportedMeeting):
        platform_for_url(url)
    assert platform_for_url(url, allow_loopback=True).name == "local_test"


@pytest.mark.parametrize("url", REFUSED)
def test_refused_even_with_loopback_meetings_allowed(url):
    for allow_loopback in (False, True):
        with pytest.raises(UnsupportedMeeting) as refused:
            platform_for_url(url, allow_loopback=allow_loopback)
        message = str(refused.value)
        assert "127.0.0.1" not in message and "18999" not in message and "evil" not in message


def test_accepted_links_are_re_serialized():
    from cuecard.transports.meeting_bot.platforms import canonical_meeting_url

    cls, href = canonical_meeting_url("https://MEET.Google.com/abc-defg-hij")
    assert cls.name == "google_meet" and href == "https://meet.google.com/abc-defg-hij"
    cls, href = canonical_meeting_url("https://us02web.zoom.us/j/123?pwd=x")
    assert cls.name == "zoom" and href == "https://us02web.zoom.us/j/123?pwd=x"
    cls, href = canonical_meeting_url("https://meet.google.com:443/abc-defg-hij")  # default port is no port
    assert href == "https://meet.google.com/abc-defg-hij"
    # the loopback test meeting only when allowed
    cls, href = canonical_meeting_url("http://127.0.0.1:5000/meeting?audio=mixed", allow_loopback=True)
    assert cls.name == "local_test" and href == "http://127.0.0.1:5000/meeting?audio=mixed"
    with pytest.raises(UnsupportedMeeting):
        canonical_meeting_url("http://127.0.0.1:5000/meeting")


async def _post_bot(client, headers: dict, url: str):
    body = {"meeting_url": url, "consent": True}
    r = await client.post("/api/bots", json=body, headers=headers)
    if r.status == 400 and (await r.json())["error"]["field"] == "consent":  # a build without consent
        r = await client.post("/api/bots", json={"meeting_url": url}, headers=headers)
    return r


async def test_api_refuses_the_bypass_without_starting_a_bot(tmp_path):
    for allow_loopback in (False, True):
        settings = Settings(
            data_dir=tmp_path / str(allow_loopback),
            warm_up_stt=False,
            bot_allow_loopback_meetings=allow_loopback,
            _env_file=None,
        )
        async with TestClient(TestServer(create_app(settings))) as client:
            r = await client.post("/api/auth/register", json={"email": "b@example.org", "password": "violet tuba 93"})
            headers = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
            for url in (BYPASS, "https://user@meet.google.com/abc", "https://meet.google.com:8080/abc"):
                r = await _post_bot(client, headers, url)
                assert r.status == 400, (url, await r.text())
                error = (await r.json())["error"]
                assert error["field"] == "meeting_url" and error["code"] == "unsupported_meeting"
                assert "127.0.0.1" not in error["message"] and "18999" not in error["message"]
            r = await client.get("/api/bots", headers=headers)
            assert (await r.json())["total"] == 0
