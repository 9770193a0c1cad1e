"""Zoom adapter: Zoom's web client ("join from your browser"), as a guest.

NOT VERIFIED against the real Zoom: no meeting platform is reachable from where this was
written. Written from Zoom's public support articles on the web client (join URL
``https://app.zoom.us/wc/join/<meeting id>`` with the ``pwd`` parameter, name field, "Join",
the waiting room message, "Leave" / "Leave Meeting") and the element ids the web client is
commonly reported to use. Expect to adjust this file when Zoom changes its page.

Audio: the web client receives the meeting's audio as one mixed stream (``mixed``), named by
the active-speaker marker of the speaker view.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlparse

from cuecard.transports.meeting_bot.platforms.base import Platform, text_pattern


class Zoom(Platform):
    name = "zoom"
    audio_mode = "mixed"
    hosts = ("zoom.us", "zoom.com")

    name_input = "#input-for-name, input[placeholder*='Your Name' i]"
    mic_on_controls = ('button[aria-label="Mute"]', 'button#preview-audio-control-button[aria-label*="Mute" i]')
    cam_on_controls = ('button[aria-label="Stop Video"]', 'button#preview-video-control-button[aria-label*="Stop" i]')
    join_buttons = ("button.preview-join-button", 'button:has-text("Join")')
    screen_css = {
        "in_call": ('button[aria-label*="Leave" i].footer-button__button', "#wc-footer"),
    }
    screen_text = {
        "not_found": text_pattern("This meeting link is invalid", "Invalid meeting ID", "meeting ID is not valid"),
        "denied": text_pattern("host has denied", "You have been denied", "unable to join this meeting"),
        "removed": text_pattern("You have been removed", "The host has removed you"),
        "ended": text_pattern("This meeting has been ended by host", "The meeting has ended", "This meeting has ended"),
        "lobby": text_pattern(
            "Please wait, the meeting host will let you in soon", "waiting room", "We've let them know you're here"
        ),
        "prejoin": text_pattern("Your Name", "Enter Meeting Info"),
    }
    participants_open = 'button[aria-label*="participants list" i], button:has-text("Participants")'
    participant_item = ".participants-item-position, .participants-li"
    participant_name = ".participants-item__display-name"
    speaking_marker = ".participants-icon__participants-unmute-animation, [class*='speaking']"
    chat_open = 'button[aria-label*="chat panel" i], button:has-text("Chat")'
    chat_input = "textarea#chat-box, .chat-rtf-box__editor-outer [contenteditable='true']"
    leave_buttons = (
        'button[aria-label="Leave"]',
        "button.leave-meeting-options__btn",
        'button:has-text("Leave Meeting")',
    )

    def join_url(self, url: str) -> str:
        """``zoom.us/j/<id>?pwd=..`` opens an app launcher; the web client lives at /wc/join/<id>."""
        parsed = urlparse(url)
        match = re.search(r"/(?:j|wc/join|s)/(\d+)", parsed.path)
        if not match:
            return url
        query = {k: v[0] for k, v in parse_qs(parsed.query).items() if k == "pwd"}
        host = parsed.hostname if parsed.hostname and parsed.hostname != "zoom.us" else "app.zoom.us"
        suffix = f"?{urlencode(query)}" if query else ""
        return f"https://{host}/wc/join/{match.group(1)}{suffix}"

    async def leave(self, page):
        # "Leave" opens a confirmation with "Leave Meeting".
        await self.click_first(page, self.leave_buttons[:1])
        await page.wait_for_timeout(500)
        await self.click_first(page, self.leave_buttons[1:])
