"""The one envelope for everything that leaves a session.

Every event, on the WebRTC data channel, the WebSocket, and in ``cuecard replay``'s JSON
lines, is a flat JSON object::

    {"type": ..., "session_id": ..., "seq": n, "ts": unix_seconds, ...payload}

``seq`` increases by one per session; a reconnecting client resumes after the last ``seq`` it
saw. Payloads by type:

``transcript``  role, speaker, text, start, end, final, confidence, provider, segment_id,
                refined (true when a background re-decode replaced the text), stable_text (interim)
``question``    question_id, text, question_type, confidence, topic, follow_up_of, status
                (tentative | confirmed | withdrawn), segment_id
``suggestion``  question_id, option, delta, text, done, source (prepared | llm | composer),
                word_count, speaking_secs; ``text`` is the option's whole text so far. Optional:
                replaces (first chunk of a new draft for an option already shown: clear it),
                withdrawn (empty done chunk: the question was withdrawn), fallback (composer
                draft after an LLM failure), cached, prepared_question + match (prepared answer)
``status``      state, message, provider (drafting states: llm_fallback, suggestions_withdrawn,
                drafting_failed, each with question_id)

``question_type`` is used rather than ``type`` because ``type`` names the event.
"""

from __future__ import annotations

import time
from typing import Any

from cuecard.frames import (
    InterimTranscriptFrame,
    QuestionFrame,
    StatusFrame,
    SuggestionFrame,
    TranscriptFrame,
)

EVENT_TYPES = ("transcript", "question", "suggestion", "status")


def _r(x: float) -> float:
    return round(float(x), 3)


def transcript_payload(frame: TranscriptFrame | InterimTranscriptFrame) -> dict[str, Any]:
    final = isinstance(frame, TranscriptFrame)
    payload = {
        "type": "transcript",
        "role": frame.role,
        "speaker": frame.speaker,
        "text": frame.text,
        "start": _r(frame.start),
        "end": _r(frame.end),
        "final": final,
        "confidence": None if frame.confidence is None else _r(frame.confidence),
        "provider": frame.provider,
        "segment_id": frame.segment_id,
    }
    if final:
        payload["refined"] = frame.refined
    else:
        payload["stable_text"] = frame.stable_text
    return payload


def question_payload(frame: QuestionFrame) -> dict[str, Any]:
    return {
        "type": "question",
        "question_id": frame.question_id,
        "text": frame.text,
        "question_type": frame.type,
        "confidence": _r(frame.confidence),
        "topic": frame.topic,
        "follow_up_of": frame.follow_up_of,
        "status": frame.status,
        "segment_id": frame.segment_id,
        "start": _r(frame.start),
        "end": _r(frame.end),
    }


def suggestion_payload(frame: SuggestionFrame) -> dict[str, Any]:
    return {
        "type": "suggestion",
        "question_id": frame.question_id,
        "option": frame.option,
        "delta": frame.delta,
        "text": frame.text,
        "done": frame.done,
        "source": frame.source,
        "word_count": frame.word_count,
        "speaking_secs": _r(frame.speaking_secs),
        **frame.extra,
    }


def status_payload(frame: StatusFrame) -> dict[str, Any]:
    return {
        "type": "status",
        "state": frame.state,
        "message": frame.message,
        "provider": frame.provider,
        **frame.extra,
    }


def payload_for(frame) -> dict[str, Any] | None:
    """The event payload of a frame, or None for frames that are not events."""
    if isinstance(frame, (TranscriptFrame, InterimTranscriptFrame)):
        return transcript_payload(frame)
    if isinstance(frame, QuestionFrame):
        return question_payload(frame)
    if isinstance(frame, SuggestionFrame):
        return suggestion_payload(frame)
    if isinstance(frame, StatusFrame):
        return status_payload(frame)
    return None


def envelope(session_id: str, seq: int, payload: dict[str, Any], ts: float | None = None) -> dict:
    return {
        "type": payload["type"],
        "session_id": session_id,
        "seq": seq,
        "ts": round(time.time() if ts is None else ts, 3),
        **{k: v for k, v in payload.items() if k != "type"},
    }
