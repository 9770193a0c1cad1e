"""Edits of a practice round's question list (the round is one stored document): new
questions from the generator without repeats, and an answered attempt with the follow-up
question it may bring. Pure functions: the routes read the round, call these, write it back.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from pydantic import BaseModel

from cuecard.kinds import PracticeQuestionStatus

MAX_FOLLOW_UPS = 10  # per round


def _as_dict(value: Any) -> dict:
    if isinstance(value, dict):
        return dict(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return dict(vars(value))


def norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def new_question(index: int, generated: Any, difficulty: str) -> dict:
    fields = _as_dict(generated)
    return {
        "index": index,
        "text": str(fields.get("text", "")).strip(),
        "qtype": str(fields.get("qtype") or fields.get("type") or fields.get("question_type") or ""),
        "source": str(fields.get("source", "")),
        "topic": str(fields.get("topic", "") or ""),
        "difficulty": str(fields.get("difficulty") or difficulty),
        "why": str(fields.get("why", "") or fields.get("reason", "") or ""),
        "follow_up_of": None,
        "status": PracticeQuestionStatus.PENDING,
        "attempts": [],
    }


def first_new(generated: list[Any], recent: list[str], n: int, difficulty: str) -> list[dict]:
    """The first ``n`` generated questions that are neither repeated nor in ``recent``."""
    seen = {norm(t) for t in recent}
    questions: list[dict] = []
    for item in generated:
        question = new_question(len(questions), item, difficulty)
        key = norm(question["text"])
        if not key or key in seen:
            continue  # never the same question twice (nor one from a recent round, unless asked)
        seen.add(key)
        questions.append(question)
        if len(questions) == n:
            break
    return questions


def with_attempt(
    stored: list[dict], index: int, attempt: dict, follow_text: str | None
) -> tuple[list[dict], dict, dict | None]:
    """(questions, the answered one, the follow-up added or None): question ``index`` gets the
    attempt and is answered; a follow-up goes right after it (indexes are positions, so the
    later questions and their ``follow_up_of`` links move up by one)."""
    questions = [dict(q) for q in stored]
    current = questions[index]
    current["attempts"] = [*current.get("attempts", []), attempt]
    current["status"] = PracticeQuestionStatus.ANSWERED
    current.pop("answer_started_at", None)
    follow_ups = sum(1 for q in questions if q.get("source") == "follow_up")
    existing = {norm(q["text"]) for q in questions}
    if not follow_text or follow_ups >= MAX_FOLLOW_UPS or norm(follow_text) in existing:
        return questions, current, None
    added = {
        "index": index + 1,
        "text": follow_text,
        "qtype": current.get("qtype", ""),
        "source": "follow_up",
        "topic": current.get("topic", ""),
        "difficulty": current.get("difficulty", ""),
        "why": "asked about your previous answer",
        "follow_up_of": index,
        "status": PracticeQuestionStatus.PENDING,
        "attempts": [],
    }
    questions.insert(index + 1, added)
    for i, q in enumerate(questions):
        if q is not added and q.get("follow_up_of") is not None and q["follow_up_of"] > index:
            q["follow_up_of"] += 1
        q["index"] = i
    return questions, current, added
