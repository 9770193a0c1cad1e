"""Google Meet adapter (meet.google.com), for joining as a signed-out guest.

NOT VERIFIED against the real Meet: no meeting platform is reachable from where this was
written. Selectors and wording come from Google's public Meet help pages (join as a guest:
enter a name, "Ask to join", wait for a host to admit you; "Leave call"; people and chat side
panels) and from the aria-labels Meet exposes for accessibility, which change less often than
its generated class names. Expect to adjust this file when Meet changes its page.

Audio: Meet does not send one track per participant; it sends a few "loudest speaker" audio
streams whose mapping to people changes all the time, so the bot mixes them (``mixed``) and
names the mix by the active-speaker marker.
"""

from __future__ import annotations

from cuecard.transports.meeting_bot.platforms.base import Platform, text_pattern


class GoogleMeet(Platform):
    name = "google_meet"
    audio_mode = "mixed"
    hosts = ("meet.google.com",)

    name_input = 'input[aria-label="Your name"], input[placeholder="Your name"]'
    mic_on_controls = (
        '[role="button"][aria-label*="Turn off microphone" i]',
        '[data-is-muted="false"][aria-label*="microphone" i]',
    )
    cam_on_controls = (
        '[role="button"][aria-label*="Turn off camera" i]',
        '[data-is-muted="false"][aria-label*="camera" i]',
    )
    join_buttons = ('button:has-text("Ask to join")', 'button:has-text("Join now")', 'button:has-text("Join")')
    screen_css = {
        "in_call": ('[aria-label="Leave call"]',),
    }
    screen_text = {
        "not_found": text_pattern("Check your meeting code", "Invalid video call name", "This meeting doesn't exist"),
        "denied": text_pattern(
            "denied your request to join", "You can't join this video call", "No one responded to your request"
        ),
        "removed": text_pattern("You've been removed from the meeting", "removed you from the meeting"),
        "ended": text_pattern("The call has ended", "You left the meeting", "Return to home screen"),
        "lobby": text_pattern(
            "Asking to be let in", "You'll join the call when someone lets you in", "Please wait until a meeting host"
        ),
        "prejoin": text_pattern("What's your name?", "Ready to join?", "Ask to join"),
    }
    participants_open = '[aria-label^="People" i], [aria-label*="Show everyone" i]'
    participant_item = '[role="list"][aria-label="Participants"] [role="listitem"]'
    participant_name_attr = "aria-label"
    # Meet marks the speaking participant's tile; the list item carries no marker, so the
    # tile is matched through the same participant id (best effort, see module docstring).
    speaking_marker = '[data-audio-level]:not([data-audio-level="0"])'
    chat_open = '[aria-label^="Chat with everyone" i], [aria-label*="chat" i][role="button"]'
    chat_input = 'textarea[aria-label*="Send a message" i]'
    leave_buttons = ('[aria-label="Leave call"]',)
