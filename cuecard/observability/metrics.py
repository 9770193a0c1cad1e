"""Prometheus metrics of one Cuecard process, in a registry of their own.

``Metrics`` owns a private ``CollectorRegistry`` (tests build many apps in one process; the
global registry would refuse the second family of the same name) and the families below.
``GET /metrics`` (``cuecard.api.metrics_routes``) renders it in the text format.

Label sets are bounded: roles, providers (the configured chain), suggestion sources, question
types, feedback kinds and a few switch reasons. A session id is never a label; per-session
figures (real-time factor, share of refined words, mean confidence) are observed once per
session into histograms, so a thousand sessions make no more series than one.

Decision (where the numbers come from): one observer of each session's event stream
(``cuecard.observability.session_observer.SessionObserver``, a listener of ``SessionRunner``)
feeds every session metric, instead of calls sprinkled through the processors. The events
already carry what is needed (audio times, provider, source, status states), the processors
stay free of metrics code, and the same observer computes the per-session summary that the
dashboard reads from the store, so the live metrics and the dashboard cannot disagree. Only
what is not an event is observed where it happens: the feedback route, the event-bus publish
time (``SessionRunner``), and the bots gauge (read from the app at scrape time).
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Seconds: a transcript line or a draft within a second is the promise, so finer below 2 s.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)
BUS_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
RTF_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 4.0)
SHARE_BUCKETS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
CONFIDENCE_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0)

# Provider switch reasons as labels: free text (an exception's message) folded into a few kinds.
SWITCH_REASONS = ("start", "recovered", "timeout", "connect", "auth", "error")


def switch_reason(reason: str | None) -> str:
    text = (reason or "").lower()
    if text in ("start", "recovered"):
        return text
    for kind, words in (
        ("timeout", ("timeout", "timed out", "deadline")),
        ("auth", ("401", "403", "auth", "credential", "key")),
        ("connect", ("connect", "refused", "unreachable", "closed", "dns")),
    ):
        if any(w in text for w in words):
            return kind
    return "recovered" if "recover" in text else "error"


class Metrics:
    """The metric families of one process (one app, or one command-line run)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.final_transcript_delay = Histogram(
            "cuecard_final_transcript_delay_seconds",
            "End of speech to its final transcript line at the sink (live-paced sessions)",
            ("role", "provider"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.draft_latency = Histogram(
            "cuecard_draft_latency_seconds",
            "End of a question to its lasting draft (as cuecard bench latency; 0 when shown before the end)",
            ("source",),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_first_token = Histogram(
            "cuecard_llm_first_token_seconds",
            "Confirmed question event to the first language-model suggestion chunk",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.active_sessions = Gauge("cuecard_active_sessions", "Session pipelines running now", registry=r)
        self.active_bots = Gauge("cuecard_active_bots", "Meeting bots of this process", registry=r)
        self.provider_switches = Counter(
            "cuecard_stt_provider_switches_total",
            "Speech-to-text provider changes of a track",
            ("from", "to", "reason"),
            registry=r,
        )
        self.questions = Counter(
            "cuecard_questions_detected_total", "Confirmed interview questions", ("type",), registry=r
        )
        self.feedback = Counter(
            "cuecard_feedback_total", "Feedback on drafts (helpful / not_helpful)", ("type", "source"), registry=r
        )
        self.errors = Counter(
            "cuecard_session_errors_total",
            "Error states sent to the page (stt_error, drafting_failed, llm_fallback)",
            ("state",),
            registry=r,
        )
        self.http_responses = Counter(
            "cuecard_http_responses_total", "HTTP responses by status class", ("status_class",), registry=r
        )
        self.events = Counter("cuecard_events_total", "Events published by sessions", ("type",), registry=r)
        self.bus_lag = Histogram(
            "cuecard_event_bus_lag_seconds",
            "Sink to subscribers: time the event bus takes to number and hand out one event",
            buckets=BUS_BUCKETS,
            registry=r,
        )
        self.real_time_factor = Histogram(
            "cuecard_session_real_time_factor",
            "Per session: wall time the pipeline ran / seconds of audio it transcribed",
            buckets=RTF_BUCKETS,
            registry=r,
        )
        self.refined_word_share = Histogram(
            "cuecard_session_refined_word_share",
            "Per session: share of final words the background refinement changed (a WER proxy)",
            buckets=SHARE_BUCKETS,
            registry=r,
        )
        self.mean_confidence = Histogram(
            "cuecard_session_mean_confidence",
            "Per session: mean recognition confidence of final lines",
            buckets=CONFIDENCE_BUCKETS,
            registry=r,
        )

    def count_bots(self, count: Callable[[], int]) -> None:
        """The bots gauge reads ``count()`` at every scrape."""
        self.active_bots.set_function(lambda: float(count()))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def histogram_quantiles(metrics: Metrics, name: str, qs: tuple[float, ...] = (0.5, 0.95)) -> dict[str, float | None]:
    """Quantiles of a histogram family over all its label sets, interpolated within buckets as
    PromQL's ``histogram_quantile`` does (for the instance view of the dashboard)."""
    buckets: dict[float, float] = {}
    for family in metrics.registry.collect():
        if family.name != name.removesuffix("_seconds") and family.name != name:
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                le = float(sample.labels["le"])
                buckets[le] = buckets.get(le, 0.0) + sample.value
    bounds = sorted(buckets)
    total = buckets.get(float("inf"), 0.0)
    out: dict[str, float | None] = {}
    for q in qs:
        key = f"p{round(q * 100)}"
        if not total:
            out[key] = None
            continue
        rank, lower, below = q * total, 0.0, 0.0
        for bound in bounds:
            count = buckets[bound]
            if count >= rank:
                if bound == float("inf"):
                    out[key] = lower
                else:
                    share = (rank - below) / (count - below) if count > below else 1.0
                    out[key] = round(lower + (bound - lower) * share, 4)
                break
            lower, below = bound, count
    return out


def counter_values(metrics: Metrics, name: str) -> list[dict]:
    """Every label set of a counter with its value (``{"labels": {...}, "value": n}``)."""
    rows = []
    for family in metrics.registry.collect():
        if family.name != name.removesuffix("_total"):
            continue
        for sample in family.samples:
            if sample.name.endswith("_total"):
                rows.append({"labels": dict(sample.labels), "value": sample.value})
    return rows
