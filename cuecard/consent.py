"""The recording-consent text the candidate confirms before any capture starts, with its version.

One module holds the wording so the page (``GET /api/consent``), the API's 403 answer and the
stored consent records all name the same version. Changing the wording means a new
``CONSENT_VERSION`` (the date the text was written): a stored record then says exactly which
text the candidate agreed to.

Decision: consent is confirmed per session, not once per account. Whether recording is allowed
depends on who is in *this* call and where they are, so a past confirmation says nothing about
the next interview. A rejoin of the same session (a dropped connection) does not ask again: the
record is already on the session.
"""

from __future__ import annotations

CONSENT_VERSION = "2026-12-01"

CONSENT_TEXT = (
    "Cuecard transcribes what everyone in this conversation says, so it records them. "
    "Some places allow recording when one party (you) agrees; others, such as California, "
    "Florida, Washington and several EU countries, need every participant to agree first. "
    "Tell the other participants before you start (the notice below can be pasted into the "
    "meeting chat), or make sure the law where each of you is allows it. "
    "This is not legal advice."
)

CONSENT_CHECKBOX = (
    "The other participants know that Cuecard transcribes this conversation, "
    "or the law where we all are allows it without telling them."
)

MEETING_NOTICE = (
    "Heads-up: I'm using Cuecard, a note-taking assistant, to transcribe this conversation "
    "for my own notes. Tell me if you would rather I didn't."
)


def consent_document() -> dict[str, str]:
    """What ``GET /api/consent`` answers."""
    return {
        "version": CONSENT_VERSION,
        "text": CONSENT_TEXT,
        "checkbox": CONSENT_CHECKBOX,
        "meeting_notice": MEETING_NOTICE,
    }
