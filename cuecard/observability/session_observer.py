"""One observer of a session's event stream: live metrics, trace spans and the stored summary.

``SessionRunner`` calls ``on_event`` with every numbered event and ``finish`` when the
pipeline has stopped. From the events alone it measures:

- final transcript delay: the audio clock when a final (not refined) line reaches the sink
  minus the line's ``end``;
- draft latency, with ``cuecard bench latency``'s definition (``cuecard.bench.latency``): a
  draft is a run of ``concise`` suggestion events for one question (a new run on
  ``replaces``, a withdrawal takes it off the screen); the *lasting* draft is the run still
  shown ``LASTING_AFTER_SECS`` after the question ended; its latency is its first appearance
  minus the question's end. Live, the question's end is the detector's (the end of the
  question's last final segment), not a hand-labelled row; a draft shown before the end counts
  as 0 in the histogram (the summary keeps the negative figure). One difference: a question
  confirmed later than its end (a loaded machine) is given ``LASTING_AFTER_SECS`` from its
  confirmation, so a late detection shows as a long delay rather than as no draft at all (the
  bench counts it as "no lasting draft");
- LLM first token: the confirmed question event → the first LLM suggestion chunk with text;
- provider switches, questions by type, error states, events by type;
- per session at the end: real-time factor (wall seconds the pipeline ran / seconds of audio up
  to the last transcript line), share of final words the refinement changed, mean confidence.

Latencies are observed only for *paced* sessions (live ones, real-time replays): a replay that
queues its audio as fast as it can has no meaningful "end of speech → line" time.

The summary (``summary()``) is stored on the session record as ``observed``; the dashboard
reads it back (``cuecard.api.rest_dashboard``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cuecard.bench.latency import LASTING_AFTER_SECS
from cuecard.kinds import AnswerOption, DraftingState, QuestionStatus, SuggestionSource
from cuecard.observability.metrics import Metrics, switch_reason
from cuecard.observability.quality import changed_words, words
from cuecard.observability.tracing import SessionTrace

ERROR_STATES = ("stt_error", DraftingState.DRAFTING_FAILED, DraftingState.LLM_FALLBACK)
FIRST_OPTION = AnswerOption.CONCISE
MAX_POINTS = 1000  # per-line series kept in the summary (a 2-hour session has ~1500 lines)


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        pos = q * (len(ordered) - 1)
        low = int(pos)
        high = min(low + 1, len(ordered) - 1)
        return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 3)

    return {"p50": at(0.5), "p95": at(0.95), "n": len(ordered)}


class QuestionTrack:
    """What the observer knows of one question: its end, when it was asked, its drafts."""

    def __init__(self, question_id: str):
        self.question_id = question_id
        self.type = ""
        self.text = ""
        self.status: str = QuestionStatus.TENTATIVE  # until its first event says otherwise
        self.end = 0.0
        self.asked_at: float | None = None  # audio clock at the confirmed question event
        self.asked_wall: float | None = None
        self.runs: list[dict] = []  # {"start", "end", "source"} on the audio clock
        self.llm_first: float | None = None
        self.done = False
        self.result: dict[str, Any] | None = None

    def known(self) -> float:
        """When the question was known to be one: its end, or its confirmation if later."""
        return max(self.end, self.asked_at if self.asked_at is not None else self.end)

    def shown(self) -> dict | None:
        return self.runs[-1] if self.runs and self.runs[-1]["end"] == float("inf") else None

    def lasting(self, horizon: float) -> dict | None:
        return next((r for r in reversed(self.runs) if r["start"] <= horizon and r["end"] > horizon), None)


class SessionObserver:
    def __init__(
        self,
        session_id: str,
        metrics: Metrics | None,
        *,
        audio_clock: Callable[[], float],
        paced: bool,
        tracing: bool = False,
    ):
        self.session_id = session_id
        self.metrics = metrics
        self.paced = paced
        self._clock = audio_clock
        self.started_wall = time.time()
        self.trace = SessionTrace(session_id, self.started_wall) if tracing else None
        self.live_text: dict[str, str] = {}  # segment id -> its last text before a refinement
        self.changed: dict[str, int] = {}  # segment id -> words its refinement changed
        self.line_words: dict[str, int] = {}  # segment id -> words of its live text
        self.confidence: dict[str, tuple[float, float]] = {}  # segment id -> (end, confidence)
        self.transcript_delays: list[tuple[float, float]] = []  # (line end, delay)
        self.questions: dict[str, QuestionTrack] = {}
        self.switches: list[dict] = []
        self.errors: dict[str, int] = {}
        self.audio_secs = 0.0
        self.events = 0
        self.cpu_secs = 0.0  # this observer's own CPU time (its cost, reported by the bench)

    # --- the stream ---------------------------------------------------------------------------
    async def on_event(self, event: dict) -> None:
        started = time.thread_time()
        try:
            self.observe(event, self._clock(), time.time())
        finally:
            self.cpu_secs += time.thread_time() - started

    def observe(self, event: dict, now: float, wall: float) -> None:
        """One event received at audio time ``now`` (wall time ``wall``)."""
        self.events += 1
        kind = event.get("type")
        if self.metrics is not None:
            self.metrics.events.labels(kind or "unknown").inc()
        if kind == "transcript":
            self._transcript(event, now)
        elif kind == "question":
            self._question(event, now, wall)
        elif kind == "suggestion":
            self._suggestion(event, now)
        elif kind == "status":
            self._status(event, now)
        self._close_questions(now, wall)

    def bus_lag(self, seconds: float) -> None:
        if self.metrics is not None:
            self.metrics.bus_lag.observe(seconds)

    def _transcript(self, event: dict, now: float) -> None:
        if not event.get("final"):
            return
        segment = str(event.get("segment_id") or "")
        text = str(event.get("text") or "")
        end = float(event.get("end") or 0.0)
        self.audio_secs = max(self.audio_secs, end)
        if event.get("confidence") is not None:
            self.confidence[segment] = (end, float(event["confidence"]))
        if event.get("refined"):
            base = self.live_text.get(segment)
            if base is not None:
                self.changed[segment] = changed_words(base, text)
            return
        self.live_text[segment] = text
        self.line_words[segment] = len(words(text))
        self.changed.pop(segment, None)
        if self.paced:
            delay = max(0.0, now - end)
            self.transcript_delays.append((end, round(delay, 3)))
            if self.metrics is not None:
                role, provider = str(event.get("role") or ""), str(event.get("provider") or "")
                self.metrics.final_transcript_delay.labels(role, provider).observe(delay)

    def _question(self, event: dict, now: float, wall: float) -> None:
        qid = str(event.get("question_id") or "")
        q = self.questions.setdefault(qid, QuestionTrack(qid))
        q.type = str(event.get("question_type") or q.type)
        q.text = str(event.get("text") or q.text)
        q.status = str(event.get("status") or QuestionStatus.CONFIRMED)
        q.end = float(event.get("end") or q.end)
        if q.status == QuestionStatus.CONFIRMED and q.asked_at is None:
            q.asked_at, q.asked_wall = now, wall
            if self.metrics is not None:
                self.metrics.questions.labels(q.type).inc()

    def _suggestion(self, event: dict, now: float) -> None:
        q = self.questions.get(str(event.get("question_id") or ""))
        if q is None or q.done:
            return
        if (
            event.get("source") == SuggestionSource.LLM
            and event.get("text")
            and q.llm_first is None
            and q.asked_at is not None
        ):
            q.llm_first = now
            if self.paced and self.metrics is not None:
                self.metrics.llm_first_token.observe(max(0.0, now - q.asked_at))
        if event.get("option", FIRST_OPTION) != FIRST_OPTION:
            return
        current = q.shown()
        if event.get("withdrawn"):
            if current is not None:
                current["end"] = now
            return
        if not event.get("text"):
            return
        if current is None or event.get("replaces"):
            if current is not None:
                current["end"] = now
            q.runs.append({"start": now, "end": float("inf"), "source": str(event.get("source") or "")})

    def _status(self, event: dict, now: float) -> None:
        state = str(event.get("state") or "")
        if state == "provider":
            record = {
                "role": event.get("role"),
                "from": event.get("from") or "none",
                "to": event.get("provider") or "none",
                "reason": switch_reason(event.get("reason")),
                "at": round(now, 3),
            }
            self.switches.append(record)
            if self.metrics is not None:
                self.metrics.provider_switches.labels(record["from"], record["to"], record["reason"]).inc()
        elif state in ERROR_STATES:
            self.errors[state] = self.errors.get(state, 0) + 1
            if self.metrics is not None:
                self.metrics.errors.labels(state).inc()

    # --- questions -----------------------------------------------------------------------------
    def _close_questions(self, now: float, wall: float, *, final: bool = False) -> None:
        for q in self.questions.values():
            if q.done or q.asked_at is None and not final:
                continue
            if final or now > q.known() + LASTING_AFTER_SECS:
                self._close(q, now, wall)

    def _close(self, q: QuestionTrack, now: float, wall: float) -> None:
        q.done = True
        if q.status == QuestionStatus.WITHDRAWN or q.asked_at is None:
            return
        horizon = min(q.known() + LASTING_AFTER_SECS, now)
        lasting = q.lasting(horizon)
        delay = None if lasting is None else round(lasting["start"] - q.end, 3)
        q.result = {
            "question_id": q.question_id,
            "type": q.type,
            "text": q.text[:200],
            "end": round(q.end, 3),
            "asked_at": round(q.asked_at, 3),
            "first_draft_at": round(q.runs[0]["start"], 3) if q.runs else None,
            "lasting_at": None if lasting is None else round(lasting["start"], 3),
            "delay": delay if self.paced else None,
            "source": None if lasting is None else lasting["source"],
            "replaced": len(q.runs) - (1 if lasting is not None else 0),
            "llm_first_token": None if q.llm_first is None else round(q.llm_first - q.asked_at, 3),
        }
        if lasting is not None and self.paced and delay is not None and self.metrics is not None:
            self.metrics.draft_latency.labels(lasting["source"]).observe(max(0.0, delay))
        if self.trace is not None and q.asked_wall is not None:
            offset = q.asked_wall - q.asked_at  # wall = audio + offset
            self.trace.child(
                "cuecard.detect_question",
                q.end + offset,
                q.asked_wall,
                **{"question.id": q.question_id, "question.type": q.type},
            )
            if lasting is not None:
                self.trace.child(
                    "cuecard.draft_answer",
                    q.asked_wall,
                    lasting["start"] + offset,
                    **{
                        "question.id": q.question_id,
                        "question.type": q.type,
                        "draft.source": lasting["source"],
                        "draft.delay_secs": delay,
                        "draft.replaced": q.result["replaced"],
                    },
                )

    # --- the end -----------------------------------------------------------------------------
    def finish(self) -> dict[str, Any]:
        """Close every open question, observe the per-session figures, return the summary."""
        wall, now = time.time(), self._clock()
        self._close_questions(now, wall, final=True)
        summary = self.summary(wall)
        if self.metrics is not None:
            if summary["rtf"] is not None:
                self.metrics.real_time_factor.observe(summary["rtf"])
            if summary["refined_share"] is not None:
                self.metrics.refined_word_share.observe(summary["refined_share"])
            if summary["mean_confidence"] is not None:
                self.metrics.mean_confidence.observe(summary["mean_confidence"])
        if self.trace is not None:
            self.trace.end(wall, **{"session.rtf": summary["rtf"], "session.questions": len(summary["questions"])})
        return summary

    def summary(self, wall: float | None = None) -> dict[str, Any]:
        wall = time.time() if wall is None else wall
        wall_secs = wall - self.started_wall
        final_words = sum(self.line_words.values())
        refined_words = sum(self.changed.values())
        confidences = [c for _, c in self.confidence.values()]
        answered = [q.result for q in self.questions.values() if q.result is not None]
        delays = [r["delay"] for r in answered if r["delay"] is not None]
        return {
            "version": 1,
            "paced": self.paced,
            "wall_secs": round(wall_secs, 3),
            "audio_secs": round(self.audio_secs, 3),
            "rtf": round(wall_secs / self.audio_secs, 4) if self.audio_secs > 0 else None,
            "final_words": final_words,
            "refined_words": refined_words,
            "refined_share": round(refined_words / final_words, 4) if final_words else None,
            "mean_confidence": round(sum(confidences) / len(confidences), 4) if confidences else None,
            "transcript_delay": percentiles([d for _, d in self.transcript_delays]),
            "draft_latency": percentiles(delays),
            "questions": answered,
            "provider_switches": self.switches[:MAX_POINTS],
            "errors": dict(self.errors),
            "transcript_delays": [list(p) for p in self.transcript_delays[:MAX_POINTS]],
            "confidences": sorted([round(e, 3), round(c, 4)] for e, c in self.confidence.values())[:MAX_POINTS],
            "events": self.events,
            "observer_cpu_secs": round(self.cpu_secs, 6),
        }
