"""Naming captured audio (per track and mixed) and choosing the platform adapter from the URL."""

from __future__ import annotations

import pytest

from cuecard.transports.meeting_bot.platforms import UnsupportedMeeting, platform_for_url
from cuecard.transports.meeting_bot.platforms.base import Participant
from cuecard.transports.meeting_bot.speakers import SpeakerRouter

CHUNK = b"\x01\x02" * 640


def test_per_track_audio_waits_for_its_owner_then_keeps_the_name():
    router = SpeakerRouter("Sam Roy", "Sam Roy's assistant (Cuecard)", "per_track", name_wait_secs=2.0)
    router.on_track({"key": "t1", "mid": "0", "stream_ids": ["s1"], "track_id": "a"})
    assert router.route("t1", CHUNK, now=0.0) == []  # owner unknown yet: held back
    router.update_participants(
        [
            Participant("Sam Roy's assistant (Cuecard)"),
            Participant("sam  roy", track="0"),
            Participant("Dana Lee", track="1"),
        ]
    )
    assert router.route("t1", CHUNK, now=0.5) == [("candidate:sam  roy", CHUNK + CHUNK)]  # held audio kept
    router.update_participants([Participant("Dana Lee", track="0")])
    assert router.route("t1", CHUNK, now=1.0) == [("candidate:sam  roy", CHUNK)]  # fixed for the track's life
    assert [p["name"] for p in router.people()] == ["Dana Lee"]


def test_per_track_audio_without_owner_becomes_unnamed_interviewer():
    router = SpeakerRouter("Sam Roy", "Bot", "per_track", name_wait_secs=2.0)
    router.on_track({"key": "t1", "mid": "4"})
    assert router.route("t1", CHUNK, now=0.0) == []
    assert router.route("t1", CHUNK, now=2.5) == [("interviewer", CHUNK + CHUNK)]


def test_mixed_audio_follows_the_active_speaker_and_silences_the_others():
    router = SpeakerRouter("Sam Roy", "Bot", "mixed")
    silence = bytes(len(CHUNK))
    assert router.route("mix", CHUNK) == [("interviewer", CHUNK)]  # nobody marked yet
    router.update_participants([Participant("Dana Lee", speaking=True), Participant("Sam Roy")])
    assert router.route("mix", CHUNK) == [("interviewer", silence), ("interviewer:Dana Lee", CHUNK)]
    router.update_participants([Participant("Dana Lee"), Participant("Sam Roy")])  # marker flickers off
    assert router.route("mix", CHUNK)[1] == ("interviewer:Dana Lee", CHUNK)
    router.update_participants([Participant("Dana Lee"), Participant("Sam Roy", speaking=True)])
    assert router.route("mix", CHUNK) == [
        ("interviewer", silence),
        ("interviewer:Dana Lee", silence),
        ("candidate:Sam Roy", CHUNK),
    ]


def test_mixed_audio_is_named_by_the_marker_of_a_later_moment():
    """The marker lags the audio: with a 2-chunk lag, a chunk is routed two chunks later."""
    lag = len(CHUNK) * 2 / 2 / 16000
    router = SpeakerRouter("Sam Roy", "Bot", "mixed", marker_lag_secs=lag)
    a, b, c = b"\x01\x00" * 640, b"\x02\x00" * 640, b"\x03\x00" * 640
    assert router.route("mix", a) == [] and router.route("mix", b) == []
    router.update_participants([Participant("Dana Lee", speaking=True)])  # marker for audio a
    assert router.route("mix", c) == [("interviewer:Dana Lee", a)]


def test_platform_chosen_from_url():
    assert platform_for_url("https://meet.google.com/abc-defg-hij").name == "google_meet"
    assert platform_for_url("https://teams.microsoft.com/l/meetup-join/19%3ameeting").name == "teams"
    assert platform_for_url("https://teams.live.com/meet/9381").name == "teams"
    zoom = platform_for_url("https://us02web.zoom.us/j/8412345678?pwd=secret&from=addon")
    assert zoom.name == "zoom"
    assert zoom.join_url("https://us02web.zoom.us/j/8412345678?pwd=secret&from=addon") == (
        "https://us02web.zoom.us/wc/join/8412345678?pwd=secret"
    )
    assert platform_for_url("http://127.0.0.1:8080/meet/x", allow_loopback=True).name == "local_test"
    assert platform_for_url("http://127.0.0.1:8080/meet/x?audio=mixed", allow_loopback=True).audio_mode == "mixed"
    for url in ("http://127.0.0.1:8080/meet/x", "https://meet.google.com.evil.example/x", "javascript:alert(1)", ""):
        with pytest.raises(UnsupportedMeeting):
            platform_for_url(url)


@pytest.mark.parametrize(
    "text, leave",
    [
        ("cuecard leave", True),
        ("Notetaker, please leave.", True),
        ("note-taker please leave now", True),
        ("Could the bot stop recording?", True),
        ("please leave, Cuecard", True),
        ("Let's leave that topic for later.", False),
        ("Hi, I'm Sam's notetaker (Cuecard); I'm transcribing this call for them.", False),
        ("", False),
    ],
)
def test_chat_messages_asking_the_bot_to_leave(text, leave):
    from cuecard.transports.meeting_bot.bot import asks_to_leave

    assert asks_to_leave(text) is leave
