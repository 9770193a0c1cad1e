"""Which session events become which webhook event types.

Decision: a documented subset, not every bus event. Interim transcript lines, tentative
questions and suggestion chunks arrive many times a second and change again; a receiver
(a team's tracker, a notification bot) wants the settled facts, each once:

``session.started``    the dispatcher began following an active (or paused) session of the owner;
                       a pending one (created, not started) is announced once it is started
``question.detected``  a question event with status ``confirmed``
``suggestion.ready``   a suggestion chunk with ``done`` (not a withdrawal): one drafted option is complete
``session.ended``      a status event whose state is ``ended``, ``completed`` or ``interrupted``

Each webhook event has an ``id`` stable across redeliveries and restarts (a receiver dedupes on
it); the bus event is carried unchanged as ``data``.
"""

from __future__ import annotations

from typing import Any

from cuecard.kinds import EventType, QuestionStatus, SessionState, WebhookEvent

SESSION_STARTED = WebhookEvent.SESSION_STARTED
QUESTION_DETECTED = WebhookEvent.QUESTION_DETECTED
SUGGESTION_READY = WebhookEvent.SUGGESTION_READY
SESSION_ENDED = WebhookEvent.SESSION_ENDED
EVENT_TYPES = tuple(WebhookEvent)
FINAL_STATES = frozenset({SessionState.ENDED, SessionState.COMPLETED, SessionState.INTERRUPTED})


def webhook_event(event: dict[str, Any]) -> tuple[str, str] | None:
    """(webhook type, event id) for a bus event (``cuecard.events.envelope``), or None."""
    session_id = event.get("session_id", "")
    kind = event.get("type")
    if kind == EventType.QUESTION and event.get("status") == QuestionStatus.CONFIRMED:
        return QUESTION_DETECTED, f"{session_id}:q:{event.get('question_id')}"
    if kind == EventType.SUGGESTION and event.get("done") and not event.get("withdrawn"):
        return SUGGESTION_READY, f"{session_id}:s:{event.get('question_id')}:{event.get('option')}:{event.get('seq')}"
    if kind == EventType.STATUS and event.get("state") in FINAL_STATES:
        return SESSION_ENDED, f"{session_id}:ended"
    return None
