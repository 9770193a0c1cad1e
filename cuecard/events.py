"""The one envelope for everything that leaves a session.

Every event, on the WebRTC data channel, the WebSocket, and in ``cuecard replay``'s JSON
lines, is a flat JSON object::

    {"type": ..., "session_id": ..., "seq": n, "ts": unix_seconds, ...payload}

``seq`` increases by one per session; a reconnecting client resumes after the last ``seq`` it
saw. The payloads are the pydantic models below, one per ``type`` (``TranscriptPayload``,
``QuestionPayload``, ``SuggestionPayload``, ``StatusPayload``); ``*Event`` adds the envelope's
keys, and their JSON Schemas are published in the OpenAPI document (``EVENT_MODELS``) and on
the docs page. In short:

``transcript``  role, speaker, text, start, end, final, confidence, provider, segment_id,
                refined (final lines: true when a background re-decode replaced the text),
                stable_text (interim lines)
``question``    question_id, text, question_type, confidence, topic, follow_up_of, status
                (tentative | confirmed | withdrawn), segment_id, start, end
``suggestion``  question_id, option, delta, text, done, source (prepared | llm | composer),
                word_count, speaking_secs; ``text`` is the option's whole text so far. Optional:
                replaces (first chunk of a new draft for an option already shown: clear it),
                withdrawn (empty done chunk: the question was withdrawn), fallback (composer
                draft after an LLM failure), cached, prepared_question + match (prepared answer),
                coverage, topic, cards, tentative
``status``      state, message, provider (drafting states: llm_fallback, suggestions_withdrawn,
                drafting_failed, each with question_id)

Optional keys are sent only when set (a frame's ``extra``); further keys a stage adds pass
through unchanged (``extra="allow"``). ``question_type`` is used rather than ``type`` because
``type`` names the event.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from cuecard.frames import (
    InterimTranscriptFrame,
    QuestionFrame,
    StatusFrame,
    SuggestionFrame,
    TranscriptFrame,
)
from cuecard.kinds import AnswerOption, Coverage, EventType, QuestionStatus, QuestionType, Role, SuggestionSource

EVENT_TYPES = tuple(EventType)


def _r(x: float) -> float:
    return round(float(x), 3)


class Payload(BaseModel):
    """What a stage sends; the event bus wraps it in the envelope (``envelope``)."""

    # Enums dump as their plain string values, so the wire and replay JSON are unchanged.
    model_config = ConfigDict(extra="allow", use_enum_values=True)
    type: EventType

    def payload(self) -> dict[str, Any]:
        """The payload dict the bus publishes: every key set, optional keys only when given."""
        return {"type": str(self.type), **self.model_dump(exclude_unset=True)}


class TranscriptPayload(Payload):
    """One transcript line (an utterance) so far; a client replaces the line ``segment_id``."""

    type: Literal[EventType.TRANSCRIPT] = EventType.TRANSCRIPT
    role: str = Field(
        description="Which track: " + " | ".join(Role) + " (a line appended through the API may name another role)",
        examples=list(Role),
    )
    speaker: str | None = Field(description="Speaker label, e.g. 'You', 'Interviewer 2', or a name given on the page")
    text: str = Field(description="The whole line so far")
    start: float = Field(description="Seconds since the session started (audio clock)")
    end: float
    final: bool = Field(description="False for interim text that may still change")
    confidence: float | None
    provider: str = Field(description="Speech-to-text provider (local, a cloud provider, api)")
    segment_id: str
    refined: bool | None = Field(
        default=None, description="Final lines: true when a background re-decode replaced the text"
    )
    stable_text: str | None = Field(default=None, description="Interim lines: the words two decodes agreed on")


class QuestionPayload(Payload):
    """The interviewer asked something; re-sent when its status, text or type changes."""

    type: Literal[EventType.QUESTION] = EventType.QUESTION
    question_id: str
    text: str
    question_type: QuestionType
    confidence: float
    topic: str
    follow_up_of: str | None
    status: QuestionStatus
    segment_id: str
    start: float
    end: float


class SuggestionPayload(Payload):
    """A chunk of an answer draft; ``delta`` is appended to the option's text, ``done`` closes it."""

    type: Literal[EventType.SUGGESTION] = EventType.SUGGESTION
    question_id: str
    option: AnswerOption
    delta: str
    text: str = Field(description="The option's whole text so far")
    done: bool
    source: SuggestionSource
    word_count: int
    speaking_secs: float
    replaces: bool | None = Field(
        default=None, description="First chunk of a new draft for an option already shown: clear it"
    )
    withdrawn: bool | None = Field(default=None, description="Empty done chunk: the question was withdrawn")
    fallback: bool | None = Field(default=None, description="Composer draft after the language model failed")
    cached: bool | None = Field(default=None, description="Served from the draft cache")
    tentative: bool | None = Field(default=None, description="Drafted for a tentative question")
    prepared_question: str | None = Field(
        default=None, description="source=prepared: the predicted question it answers"
    )
    match: float | None = Field(default=None, description="source=prepared: similarity to the question asked")
    coverage: Coverage | None = Field(default=None, description="How much the draft rests on the candidate's notes")
    topic: str | None = None
    cards: list[str] | None = Field(default=None, description="Knowledge cards the draft used (technical questions)")


class StatusPayload(Payload):
    """Something the user should see that is not a transcript: provider in use, errors, states."""

    type: Literal[EventType.STATUS] = EventType.STATUS
    state: str = Field(
        description="e.g. provider, stt_error, manual_draft_ignored, llm_fallback, "
        "suggestions_withdrawn, drafting_failed, a session state, a meeting bot state"
    )
    message: str
    provider: str | None
    question_id: str | None = Field(default=None, description="Drafting states: the question concerned")
    llm_provider: str | None = Field(default=None, description="llm_fallback: the language model that failed")


class Envelope(BaseModel):
    """The keys every event carries besides its payload."""

    session_id: str
    seq: int = Field(ge=1, description="Increases by one per session; resume with ?after=<seq>")
    ts: float = Field(description="Unix seconds when the event was published")

    ENVELOPE_KEYS: ClassVar[tuple[str, ...]] = ("type", "session_id", "seq", "ts")


class TranscriptEvent(Envelope, TranscriptPayload):
    """A transcript line (final or interim) with its envelope."""


class QuestionEvent(Envelope, QuestionPayload):
    """A detected interview question (re-sent on each status, text or type change)."""


class SuggestionEvent(Envelope, SuggestionPayload):
    """A chunk of an answer draft for one option of a question."""


class StatusEvent(Envelope, StatusPayload):
    """A state the user should see: provider switches, errors, drafting and session states."""


EVENT_MODELS: dict[str, type[Envelope]] = {
    EventType.TRANSCRIPT: TranscriptEvent,
    EventType.QUESTION: QuestionEvent,
    EventType.SUGGESTION: SuggestionEvent,
    EventType.STATUS: StatusEvent,
}
PAYLOAD_MODELS: dict[str, type[Payload]] = {
    EventType.TRANSCRIPT: TranscriptPayload,
    EventType.QUESTION: QuestionPayload,
    EventType.SUGGESTION: SuggestionPayload,
    EventType.STATUS: StatusPayload,
}


def parse_event(event: dict) -> Envelope:
    """An event (envelope and payload) as its model; raises ``pydantic.ValidationError``."""
    return EVENT_MODELS[event["type"]].model_validate(event)


def transcript_payload(frame: TranscriptFrame | InterimTranscriptFrame) -> dict[str, Any]:
    final = isinstance(frame, TranscriptFrame)
    line: dict[str, Any] = (
        {"refined": frame.refined} if isinstance(frame, TranscriptFrame) else {"stable_text": frame.stable_text}
    )
    return TranscriptPayload(
        role=frame.role,
        speaker=frame.speaker,
        text=frame.text,
        start=_r(frame.start),
        end=_r(frame.end),
        final=final,
        confidence=None if frame.confidence is None else _r(frame.confidence),
        provider=frame.provider,
        segment_id=frame.segment_id,
        **line,
    ).payload()


def question_payload(frame: QuestionFrame) -> dict[str, Any]:
    return QuestionPayload(
        question_id=frame.question_id,
        text=frame.text,
        question_type=frame.type,
        confidence=_r(frame.confidence),
        topic=frame.topic,
        follow_up_of=frame.follow_up_of,
        status=frame.status,
        segment_id=frame.segment_id,
        start=_r(frame.start),
        end=_r(frame.end),
    ).payload()


def suggestion_payload(frame: SuggestionFrame) -> dict[str, Any]:
    return SuggestionPayload(
        question_id=frame.question_id,
        option=frame.option,
        delta=frame.delta,
        text=frame.text,
        done=frame.done,
        source=frame.source,
        word_count=frame.word_count,
        speaking_secs=_r(frame.speaking_secs),
        **frame.extra,
    ).payload()


def status_payload(frame: StatusFrame) -> dict[str, Any]:
    return StatusPayload(state=frame.state, message=frame.message, provider=frame.provider, **frame.extra).payload()


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


def event_schemas(ref_template: str = "#/components/schemas/{model}") -> dict[str, dict]:
    """JSON Schemas of the four events and the types they use, by name (for the OpenAPI document)."""
    schemas: dict[str, dict] = {}
    for model in EVENT_MODELS.values():
        schema = model.model_json_schema(ref_template=ref_template, mode="serialization")
        schemas.update(schema.pop("$defs", {}))
        properties = schema["properties"]
        first = {k: properties.pop(k) for k in Envelope.ENVELOPE_KEYS}
        schema["properties"] = first | properties
        schema["required"] = [
            *Envelope.ENVELOPE_KEYS,
            *(k for k in schema.get("required", ()) if k not in Envelope.ENVELOPE_KEYS),
        ]
        schemas[model.__name__] = schema
    schemas["Event"] = {
        "description": "One message of a session's event stream (WebSocket, data channel, replay JSON lines).",
        "oneOf": [{"$ref": ref_template.format(model=m.__name__)} for m in EVENT_MODELS.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {str(t): ref_template.format(model=m.__name__) for t, m in EVENT_MODELS.items()},
        },
    }
    return schemas
