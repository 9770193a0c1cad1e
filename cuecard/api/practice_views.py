"""What the practice API shows: response schemas (for ``/api/openapi.json``), the public view of a
round (attempts without their word lists), per-round summaries, progress per question type,
and the Markdown export. Pure functions of stored rounds; no request handling here.
"""

from __future__ import annotations

import time
from typing import Any

from cuecard.api.rest_common import ANY_OBJ, INT, NUM, STR, obj
from cuecard.kinds import PracticeQuestionStatus
from cuecard.store.practice import PracticeSessionRecord

SUBSCORES = ("delivery", "content", "relevance")


SUBSCORE = obj(
    ("name", "score", "evidence", "improvement"),
    name=STR,
    score=NUM,
    evidence={"type": "array", "items": STR},
    improvement=STR,
    details=ANY_OBJ,
)
SCORECARD = obj(
    ("overall", "subscores", "metrics"),
    overall=NUM,
    subscores={"type": "array", "items": SUBSCORE},
    metrics=ANY_OBJ,
    model_answer={"type": ["string", "null"]},
    question=STR,
    qtype=STR,
    transcript=STR,
)
QUESTION = obj(
    ("index", "text", "qtype", "status", "attempts"),
    index=INT,
    text=STR,
    qtype=STR,
    source=STR,
    status={"type": "string", "enum": [s.value for s in PracticeQuestionStatus]},
    follow_up_of={"type": ["integer", "null"]},
    attempts={"type": "array", "items": ANY_OBJ},
)
PRACTICE = obj(
    ("id", "created_at", "questions", "settings"),
    id=STR,
    title=STR,
    created_at=NUM,
    updated_at=NUM,
    job_id={"type": ["string", "null"]},
    bank_id={"type": ["string", "null"]},
    settings=ANY_OBJ,
    questions={"type": "array", "items": QUESTION},
    live_session_id={"type": ["string", "null"]},
    summary=ANY_OBJ,
)
ANSWER_RESULT = obj(
    ("question", "scorecard", "follow_up"),
    question=QUESTION,
    scorecard=SCORECARD,
    follow_up={"anyOf": [QUESTION, {"type": "null"}]},
    attempt=INT,
    timing=ANY_OBJ,
)
PROGRESS_POINT = obj(
    ("id", "created_at", "answered"),
    id=STR,
    title=STR,
    created_at=NUM,
    answered=INT,
    overall={"type": ["number", "null"]},
    delivery={"type": ["number", "null"]},
    content={"type": ["number", "null"]},
    relevance={"type": ["number", "null"]},
    wpm={"type": ["number", "null"]},
    fillers_per_min={"type": ["number", "null"]},
)
PROGRESS = obj(
    ("sessions", "by_type"),
    sessions={"type": "array", "items": PROGRESS_POINT},
    by_type={"type": "object", "additionalProperties": ANY_OBJ},
)
LIVE = obj(("session_id",), session_id=STR)
STARTED = obj(("index", "started_at"), index=INT, started_at=NUM)


def public_question(question: dict) -> dict:
    """The question as the API shows it: attempts without their word lists (kept for re-scoring)."""
    attempts = [{k: v for k, v in a.items() if k != "words"} for a in question.get("attempts", [])]
    return {**question, "attempts": attempts}


def latest_scorecard(question: dict) -> dict | None:
    attempts = [a for a in question.get("attempts", []) if a.get("scorecard")]
    return attempts[-1]["scorecard"] if attempts else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def summarize(practice: PracticeSessionRecord) -> dict:
    """Averages over the latest scored attempt of every answered question."""
    cards = [
        c
        for q in practice.questions
        if q.get("status") == PracticeQuestionStatus.ANSWERED
        if (c := latest_scorecard(q))
    ]
    point: dict[str, Any] = {
        "id": practice.id,
        "title": practice.title,
        "created_at": practice.created_at,
        "answered": len(cards),
        "overall": _mean([c["overall"] for c in cards]),
    }
    for name in SUBSCORES:
        point[name] = _mean([s["score"] for c in cards for s in c["subscores"] if s["name"] == name])
    for metric in ("wpm", "fillers_per_min"):
        point[metric] = _mean(
            [c["metrics"][metric] for c in cards if isinstance(c["metrics"].get(metric), int | float)]
        )
    return point


def public_practice(practice: PracticeSessionRecord) -> dict:
    view = practice.public()
    view["questions"] = [public_question(q) for q in practice.questions]
    view["summary"] = summarize(practice)
    return view


def by_type(practices: list[PracticeSessionRecord]) -> dict[str, dict]:
    """Per question type: how many answers and their mean overall and sub-scores."""
    cards: dict[str, list[dict]] = {}
    for practice in practices:
        for q in practice.questions:
            card = latest_scorecard(q) if q.get("status") == PracticeQuestionStatus.ANSWERED else None
            if card:
                cards.setdefault(card.get("qtype") or q.get("qtype") or "other", []).append(card)
    out = {}
    for qtype, items in sorted(cards.items()):
        row: dict[str, Any] = {"answers": len(items), "overall": _mean([c["overall"] for c in items])}
        for name in SUBSCORES:
            row[name] = _mean([s["score"] for c in items for s in c["subscores"] if s["name"] == name])
        out[qtype] = row
    return out


def to_markdown(view: dict) -> str:
    summary = view["summary"]
    lines = [f"# {view.get('title') or 'Practice'}", ""]
    lines.append(f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(view['created_at']))}")
    lines.append(f"- Answered: {summary['answered']} of {len(view['questions'])}")
    if summary["overall"] is not None:
        lines.append(f"- Overall: {summary['overall']} / 5")
        lines.append(
            "- " + ", ".join(f"{name.capitalize()}: {summary[name]}" for name in SUBSCORES if summary[name] is not None)
        )
    for metric, label in (("wpm", "Words per minute"), ("fillers_per_min", "Fillers per minute")):
        if summary.get(metric) is not None:
            lines.append(f"- {label}: {summary[metric]}")
    for q in view["questions"]:
        kind = f" ({q['qtype']})" if q.get("qtype") else ""
        follow = " — follow-up" if q.get("source") == "follow_up" else ""
        lines += ["", f"## Q{q['index'] + 1}{kind}{follow}: {q['text']}", "", f"Status: {q['status']}"]
        for n, attempt in enumerate(q.get("attempts", []), 1):
            card = attempt.get("scorecard") or {}
            lines += ["", f"### Attempt {n}: {card.get('overall', '–')} / 5", ""]
            lines.append(f"> {attempt.get('transcript') or '(nothing heard)'}")
            lines.append("")
            for sub in card.get("subscores", []):
                lines.append(
                    f"- **{sub['name'].capitalize()} {sub['score']}/5.** {sub.get('improvement', '')}".rstrip()
                )
                lines += [f"  - “{e}”" for e in sub.get("evidence", [])]
            metrics = card.get("metrics", {})
            if metrics:
                shown = ", ".join(f"{k} {v}" for k, v in metrics.items() if isinstance(v, int | float))
                lines.append(f"- Metrics: {shown}")
            if card.get("model_answer"):
                lines += ["", "Model answer:", "", card["model_answer"]]
    return "\n".join(lines) + "\n"
