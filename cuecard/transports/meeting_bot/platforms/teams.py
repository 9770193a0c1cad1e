"""Microsoft Teams adapter (teams.microsoft.com / teams.live.com meeting links), as a guest.

NOT VERIFIED against the real Teams: no meeting platform is reachable from where this was
written. Written from Microsoft's public support articles on joining a Teams meeting without
an account (the "Continue on this browser" launcher, the pre-join screen with a name field and
audio/video toggles, "Join now", the lobby message, "Leave") and the ``data-tid`` test ids the
Teams web app exposes. Expect to adjust this file when Teams changes its page.

Audio: Teams sends the browser one mixed audio stream (``mixed``), named by the
voice-level outline on the speaker's tile / roster entry.
"""

from __future__ import annotations

from cuecard.transports.meeting_bot.platforms.base import Platform, text_pattern


class Teams(Platform):
    name = "teams"
    audio_mode = "mixed"
    hosts = ("teams.microsoft.com", "teams.live.com")

    name_input = 'input[data-tid="prejoin-display-name-input"], input[placeholder*="Type your name" i]'
    mic_on_controls = ('[data-tid="toggle-mute"][aria-checked="true"]', 'input[title*="Mute microphone" i]')
    cam_on_controls = ('[data-tid="toggle-video"][aria-checked="true"]', 'input[title*="Turn camera off" i]')
    join_buttons = ('button[data-tid="prejoin-join-button"]', 'button:has-text("Join now")')
    screen_css = {
        "in_call": ('button[data-tid="hangup-main-btn"]', "#hangup-button"),
    }
    screen_text = {
        "not_found": text_pattern(
            "This meeting link is invalid", "We couldn't find the meeting", "meeting doesn't exist"
        ),
        "denied": text_pattern("denied access to the meeting", "Your request to join was declined"),
        "removed": text_pattern("You've been removed from this meeting", "removed you from the meeting"),
        "ended": text_pattern("The meeting has ended", "You left the meeting", "Meeting ended"),
        "lobby": text_pattern("Someone in the meeting should let you in soon", "we'll let people know you're waiting"),
        "prejoin": text_pattern("Choose your audio and video settings", "Type your name"),
    }
    participants_open = 'button[data-tid="roster-button"], #roster-button'
    participant_item = '[data-tid^="participantsInCall-"]'
    participant_name = '[data-tid="roster-participant-name"], span[title]'
    speaking_marker = '[data-tid="voice-level-stream-outline"], [class*="speaking"]'
    chat_open = 'button[data-tid="chat-button"], #chat-button'
    chat_input = '[data-tid="ckeditor"], div[role="textbox"][contenteditable="true"]'
    chat_send = 'button[data-tid="newMessageCommands-send"]'
    leave_buttons = ('button[data-tid="hangup-main-btn"]', "#hangup-button")

    async def open(self, page, url: str, timeout_secs: float):
        await super().open(page, url, timeout_secs)
        # The meeting link first offers the desktop app; a guest bot stays in the browser.
        await self.click_first(page, ('button:has-text("Continue on this browser")', '[data-tid="joinOnWeb"]'))
