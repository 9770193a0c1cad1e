"""Meeting bot: join Zoom / Google Meet / Teams as a named guest participant in headless
Chromium and feed the meeting's audio, with speaker names, into a live Cuecard session.

- ``bot.py``        lifecycle and state machine (``MeetingBot``)
- ``browser.py``    Debian Chromium via playwright; always released
- ``capture.js``    in-page capture of remote WebRTC audio → 16 kHz PCM → Python binding
- ``speakers.py``   which track id (``role:name``) each chunk of audio belongs to
- ``platforms/``    one adapter per platform (selectors + join steps), chosen from the URL
"""

from cuecard.transports.meeting_bot.bot import FAILURES, STATES, MeetingBot
from cuecard.transports.meeting_bot.platforms import UnsupportedMeeting, platform_for_url

__all__ = ["FAILURES", "STATES", "MeetingBot", "UnsupportedMeeting", "platform_for_url"]
