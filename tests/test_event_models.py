"""Typed protocols (issue 13 item 4): the closed vocabularies are enums whose values are the
strings on the wire, every event the pipeline sends validates against the JSON Schema the
OpenAPI document publishes, the payloads are exactly what the code sent before the models,
and a misspelt status cannot reach a client unnoticed."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema_rs
import pytest
from pydantic import ValidationError

import cuecard
from cuecard.api.openapi import build_document
from cuecard.event_bus import EventBus, InProcessEventBus
from cuecard.events import EVENT_MODELS, parse_event, payload_for
from cuecard.frames import (
    InterimTranscriptFrame,
    QuestionFrame,
    StatusFrame,
    SuggestionFrame,
    TranscriptFrame,
)
from cuecard.kinds import (
    AnswerOption,
    Coverage,
    DraftingState,
    EventType,
    QuestionStatus,
    QuestionType,
    Role,
    SessionState,
    SuggestionSource,
)


def _transcript(final: bool, **kw):
    cls = TranscriptFrame if final else InterimTranscriptFrame
    return cls(text="Tell me about Redis", user_id="interviewer", timestamp="t", **kw)


FRAMES = [
    _transcript(
        True,
        role=Role.INTERVIEWER,
        speaker="Interviewer 1",
        start=1.23456,
        end=2.5,
        segment_id="s1",
        confidence=0.87654,
        refined=True,
    ),
    _transcript(False, role="candidate", speaker="You", segment_id="s2", stable_text="Tell me"),
    *(
        QuestionFrame("q1", "Tell me about Redis?", t, 0.9, topic="redis", status=s, segment_id="s1")
        for t in QuestionType
        for s in QuestionStatus
    ),
    QuestionFrame("q2", "And why?", "behavioral", 0.5, follow_up_of="q1", status="confirmed"),
    *(
        SuggestionFrame("q1", o, delta="a ", text="a ", source=src, word_count=1, speaking_secs=0.4)
        for o in AnswerOption
        for src in SuggestionSource
    ),
    SuggestionFrame(
        "q1",
        "story",
        delta="x",
        text="x",
        source="composer",
        extra={"replaces": True, "coverage": "partial", "topic": "Redis", "cards": ["redis"], "tentative": True},
    ),
    SuggestionFrame("q1", "concise", done=True, source="composer", extra={"withdrawn": True}),
    SuggestionFrame(
        "q1", "deep_dive", text="y", done=True, source="composer", extra={"fallback": True, "coverage": Coverage.NONE}
    ),
    SuggestionFrame("q1", "concise", text="z", done=True, source="llm", extra={"cached": True}),
    SuggestionFrame(
        "q1",
        "concise",
        text="z",
        source="prepared",
        extra={"prepared_question": "Why us?", "match": 0.91, "coverage": "full", "topic": "motivation"},
    ),
    StatusFrame(
        state="provider",
        message="speech-to-text: deepgram",
        provider="deepgram",
        extra={"role": "interviewer", "from": "local", "reason": "recovered", "switch_secs": 0.4},
    ),
    StatusFrame(
        state=DraftingState.LLM_FALLBACK,
        provider="composer",
        message="offline",
        extra={"question_id": "q1", "llm_provider": "openai"},
    ),
    StatusFrame(state="in_call", extra={"bot_id": "b1", "bot_state": "in_call", "reason": None, "platform": "meet"}),
    StatusFrame(state=SessionState.PAUSED, message="session paused"),
]


@pytest.fixture(scope="module")
def document() -> dict:
    return build_document([])


def _validator(document: dict, name: str):
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )


async def test_every_event_validates_against_its_published_schema(document):
    bus: EventBus = InProcessEventBus()
    any_event = _validator(document, "Event")
    seen = set()
    for frame in FRAMES:
        event = await bus.publish("s", payload_for(frame))
        event = json.loads(json.dumps(event))  # as a client receives it
        own = _validator(document, EVENT_MODELS[event["type"]].__name__)
        assert own.is_valid(event), (event, list(own.iter_errors(event))[:1])
        assert any_event.is_valid(event), event
        assert parse_event(event).model_dump(exclude_unset=True) == event
        seen.add(event["type"])
    assert seen == set(EventType)
    assert [e["seq"] for e in await bus.history("s")] == list(range(1, len(FRAMES) + 1))


def test_payloads_are_what_was_sent_before_the_models():
    """Same keys, same values, plain strings (the JSON on the wire is unchanged)."""
    assert payload_for(FRAMES[0]) == {
        "type": "transcript",
        "role": "interviewer",
        "speaker": "Interviewer 1",
        "text": "Tell me about Redis",
        "start": 1.235,
        "end": 2.5,
        "final": True,
        "confidence": 0.877,
        "provider": "local",
        "segment_id": "s1",
        "refined": True,
    }
    assert payload_for(FRAMES[1]) == {
        "type": "transcript",
        "role": "candidate",
        "speaker": "You",
        "text": "Tell me about Redis",
        "start": 0.0,
        "end": 0.0,
        "final": False,
        "confidence": None,
        "provider": "local",
        "segment_id": "s2",
        "stable_text": "Tell me",
    }
    assert payload_for(
        QuestionFrame(
            "q2", "And why?", QuestionType.BEHAVIORAL, 0.51234, follow_up_of="q1", status=QuestionStatus.TENTATIVE
        )
    ) == {
        "type": "question",
        "question_id": "q2",
        "text": "And why?",
        "question_type": "behavioral",
        "confidence": 0.512,
        "topic": "",
        "follow_up_of": "q1",
        "status": "tentative",
        "segment_id": "",
        "start": 0.0,
        "end": 0.0,
    }
    fallback = payload_for(
        SuggestionFrame(
            "q1",
            AnswerOption.DEEP_DIVE,
            text="y",
            done=True,
            source=SuggestionSource.COMPOSER,
            extra={"fallback": True, "coverage": Coverage.NONE, "custom": 1},
        )
    )
    assert fallback == {
        "type": "suggestion",
        "question_id": "q1",
        "option": "deep_dive",
        "delta": "",
        "text": "y",
        "done": True,
        "source": "composer",
        "word_count": 0,
        "speaking_secs": 0.0,
        "fallback": True,
        "coverage": "none",
        "custom": 1,
    }
    assert payload_for(StatusFrame(state="stt_error", message="boom", provider="local")) == {
        "type": "status",
        "state": "stt_error",
        "message": "boom",
        "provider": "local",
    }
    for frame in FRAMES:
        payload = payload_for(frame)
        assert json.loads(json.dumps(payload)) == payload
        assert all(type(v) in (str, int, float, bool, type(None), list) for v in payload.values()), payload


def test_the_openapi_document_publishes_the_event_schemas(document):
    schemas = document["components"]["schemas"]
    for event_type, model in EVENT_MODELS.items():
        schema = schemas[model.__name__]
        assert schema["properties"]["type"]["const"] == event_type
        assert {"type", "session_id", "seq", "ts"} <= set(schema["required"])
        assert document["x-event-stream"]["events"][event_type]["$ref"].endswith("/" + model.__name__)
    assert schemas["QuestionStatus"]["enum"] == ["tentative", "confirmed", "withdrawn"]
    assert schemas["QuestionType"]["enum"] == ["technical", "behavioral", "situational", "cultural"]
    assert schemas["SuggestionSource"]["enum"] == ["prepared", "llm", "composer"]
    assert schemas["AnswerOption"]["enum"] == ["concise", "story", "deep_dive"]
    assert schemas["Coverage"]["enum"] == ["full", "partial", "none"]
    suggestion = schemas["SuggestionEvent"]["properties"]
    for key in (
        "replaces",
        "withdrawn",
        "fallback",
        "cached",
        "prepared_question",
        "match",
        "coverage",
        "topic",
        "cards",
        "tentative",
    ):
        assert key in suggestion and key not in schemas["SuggestionEvent"]["required"]
    assert {"refined", "stable_text"} <= set(schemas["TranscriptEvent"]["properties"])
    assert "WebSocket" in document["x-event-stream"]["description"]
    assert any(t["name"] == "events" and "data channel" in t["description"] for t in document["tags"])
    json.dumps(document)


def test_docs_page_renders_the_event_stream():
    client = Path(cuecard.__file__).parent / "web_client"
    html, script = (client / "api_docs.html").read_text(), (client / "api_docs.js").read_text()
    assert 'id="event-schemas"' in html and 'src="/static/api_docs.js"' in html
    assert "x-event-stream" in script


@pytest.mark.parametrize(
    "frame",
    [
        QuestionFrame("q1", "Why?", "technical", 0.9, status="confimed"),
        QuestionFrame("q1", "Why?", "technicl", 0.9),
        SuggestionFrame("q1", "deep-dive", source="composer"),
        SuggestionFrame("q1", "concise", source="llm ", extra={"coverage": "most"}),
    ],
)
def test_a_misspelt_vocabulary_value_is_refused(frame):
    with pytest.raises(ValidationError):
        payload_for(frame)


def test_a_misspelt_member_fails_at_once():
    with pytest.raises(AttributeError):
        QuestionStatus.CONFIMED  # noqa: B018 — what a type checker reports too


def test_enum_values_are_the_strings_on_the_wire():
    assert QuestionStatus.CONFIRMED == "confirmed" and json.dumps([Role.CANDIDATE]) == '["candidate"]'
    assert f"{SessionState.COMPLETED}" == "completed" and {"story": 1}[AnswerOption.STORY] == 1


STATUS_KEYS = {"status"}


def _is_status(node: ast.AST) -> bool:
    """``x.status``, ``x["status"]``, ``x.get("status", ...)`` or a name ``status``."""
    if isinstance(node, ast.Attribute):
        return node.attr in STATUS_KEYS
    if isinstance(node, ast.Name):
        return node.id in STATUS_KEYS
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value in STATUS_KEYS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value in STATUS_KEYS
    return False


def test_question_statuses_are_compared_and_set_through_the_enum():
    """No string literal is compared with, or assigned as, a question status in the package:
    ``QuestionStatus.CONFIRMED`` is used instead, so a typo fails at import (and in a type
    checker) rather than silently never matching."""
    root = Path(cuecard.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if "knowledge" in path.parts or path.name == "kinds.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            literals = []
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_status(s) for s in sides):
                    literals += [s for s in sides if isinstance(s, ast.Constant) and isinstance(s.value, str)]
            elif isinstance(node, ast.keyword) and node.arg in STATUS_KEYS:
                literals += [node.value] if isinstance(node.value, ast.Constant) else []
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(_is_status(t) for t in targets) and isinstance(node.value, ast.Constant):
                    literals.append(node.value)
            found += [
                f"{path.relative_to(root)}:{lit.lineno} {lit.value!r}" for lit in literals if isinstance(lit.value, str)
            ]
    assert not found, found
