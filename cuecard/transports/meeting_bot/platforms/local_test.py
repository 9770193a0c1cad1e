"""Adapter for Cuecard's own local test meeting page (``tests/bot/meeting_double.py``).

The test page imitates the flow of the real platforms — pre-join screen with a name field and
microphone/camera toggles, "Ask to join", a lobby, admission or denial by the host, an in-call
view with a participant list, active-speaker markers and a chat box, and the "removed" /
"meeting ended" screens — so the bot's state machine, capture and naming are tested end to
end against real Chromium and real WebRTC. Chosen for loopback URLs only.

Audio: the test page receives one remote track per participant, and each participant row
names its track's transceiver ``mid`` (``data-audio-mid``): ``per_track`` mode. ``?audio=mixed``
in the meeting URL makes the bot treat the audio as one mix named by the active-speaker
marker, which is how the real platforms are handled, so that path is tested too.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from cuecard.transports.meeting_bot.platforms.base import Platform


class LocalTestMeeting(Platform):
    name = "local_test"
    audio_mode = "per_track"
    hosts = ("127.0.0.1", "localhost")

    name_input = "#display-name"
    mic_on_controls = ('#mic-toggle[aria-pressed="true"]',)
    cam_on_controls = ('#cam-toggle[aria-pressed="true"]',)
    join_buttons = ("#ask-to-join",)
    screen_css = {
        "not_found": ("#not-found",),
        "denied": ("#denied",),
        "removed": ("#removed",),
        "ended": ("#ended",),
        "in_call": ("#call",),
        "lobby": ("#lobby",),
        "prejoin": ("#prejoin",),
    }
    participant_item = "#participants li.participant"
    participant_name_attr = "data-name"
    speaking_marker = ".speaking"
    participant_track_attr = "data-audio-mid"
    chat_input = "#chat-input"
    chat_send = "#chat-send"
    chat_item = "#chat-log li"
    chat_author_attr = "data-from"
    chat_text = ".text"
    leave_buttons = ("#leave",)

    def __init__(self, url: str = ""):
        if parse_qs(urlparse(url).query).get("audio") == ["mixed"]:
            self.audio_mode = "mixed"
