"""``GET /metrics`` after a session replayed through the real pipeline; access rules; the
session observer's definitions (lasting draft as ``cuecard bench latency``); the Grafana
dashboard names only metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from cuecard.observability.metrics import SWITCH_REASONS, Metrics, switch_reason
from cuecard.observability.session_observer import SessionObserver

SCENARIO = Path(__file__).parent / "fixtures" / "scenario_small"
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
FAMILIES = (
    "cuecard_final_transcript_delay_seconds",
    "cuecard_draft_latency_seconds",
    "cuecard_llm_first_token_seconds",
    "cuecard_active_sessions",
    "cuecard_active_bots",
    "cuecard_stt_provider_switches",
    "cuecard_questions_detected",
    "cuecard_feedback",
    "cuecard_event_bus_lag_seconds",
    "cuecard_session_real_time_factor",
    "cuecard_session_refined_word_share",
    "cuecard_session_mean_confidence",
)


def parse(text: str) -> dict[str, list]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def value(families: dict, sample_name: str, **labels) -> float:
    family = re.sub(r"_(bucket|count|sum|total)$", "", sample_name)
    return sum(
        s.value
        for s in families.get(family, ())
        if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def api_settings(tmp_path, **kw):
    from cuecard.settings import Settings

    return Settings(data_dir=tmp_path / "data", warm_up_stt=False, _env_file=None, **kw)


# --- the observer's definitions ----------------------------------------------------------------


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def feed(observer: SessionObserver, clock: Clock, at: float, event: dict):
    clock.t = at
    observer.observe(event, at, 1_000_000 + at)


def test_lasting_draft_is_the_one_still_shown_five_seconds_after_the_question():
    metrics, clock = Metrics(), Clock()
    obs = SessionObserver("s", metrics, audio_clock=clock, paced=True)
    q = {"type": "question", "question_id": "a", "question_type": "technical", "start": 1.0, "end": 3.0}
    s = {"type": "suggestion", "question_id": "a", "option": "concise", "done": False}
    feed(obs, clock, 2.5, {**q, "status": "tentative", "end": 2.6})
    feed(obs, clock, 2.7, {**s, "source": "prepared", "text": "x"})  # before the end
    feed(obs, clock, 3.4, {**q, "status": "confirmed"})
    feed(obs, clock, 3.9, {**s, "source": "composer", "text": "y", "replaces": True})  # lasting: +0.9 s
    feed(obs, clock, 6.0, {**s, "option": "story", "source": "composer", "text": "z", "replaces": True})
    feed(obs, clock, 9.0, {"type": "status", "state": "provider", "provider": "local", "from": None, "reason": "x"})
    feed(
        obs,
        clock,
        9.1,
        {
            "type": "transcript",
            "final": True,
            "role": "interviewer",
            "provider": "local",
            "segment_id": "g",
            "text": "one two three four",
            "end": 8.8,
            "confidence": 0.9,
        },
    )
    feed(obs, clock, 12.0, {"type": "transcript", "final": True, "refined": True, "role": "interviewer",
                            "provider": "local", "segment_id": "g", "text": "one too three four.", "end": 8.8,
                            "confidence": 0.8})  # fmt: skip
    summary = obs.finish()
    [question] = summary["questions"]
    assert question["delay"] == pytest.approx(0.9) and question["source"] == "composer"
    assert question["replaced"] == 1 and question["first_draft_at"] == pytest.approx(2.7)
    assert summary["refined_share"] == pytest.approx(0.25)  # one of four words, punctuation ignored
    assert summary["mean_confidence"] == pytest.approx(0.8)
    assert summary["transcript_delay"]["p50"] == pytest.approx(0.3)
    families = parse(metrics.render().decode())
    assert value(families, "cuecard_draft_latency_seconds_count", source="composer") == 1
    assert value(families, "cuecard_draft_latency_seconds_sum") == pytest.approx(0.9)
    assert value(families, "cuecard_questions_detected_total", type="technical") == 1
    assert value(families, "cuecard_stt_provider_switches_total", to="local", reason="error") == 1
    assert value(families, "cuecard_final_transcript_delay_seconds_count", role="interviewer") == 1


def test_unpaced_sessions_count_but_measure_no_latency():
    metrics, clock = Metrics(), Clock()
    obs = SessionObserver("s", metrics, audio_clock=clock, paced=False)
    feed(obs, clock, 0.1, {"type": "transcript", "final": True, "role": "candidate", "provider": "local",
                           "segment_id": "g", "text": "hello", "end": 9.0, "confidence": 0.9})  # fmt: skip
    obs.finish()
    families = parse(metrics.render().decode())
    assert value(families, "cuecard_final_transcript_delay_seconds_count") == 0
    assert value(families, "cuecard_events_total", type="transcript") == 1


def test_switch_reasons_are_a_closed_set():
    reasons = ["start", "recovered", "ConnectionRefusedError: [Errno 111] Connect call failed", "timed out", "HTTP 401"]
    assert [switch_reason(r) for r in reasons] == ["start", "recovered", "connect", "timeout", "auth"]
    assert switch_reason("KeyboardInterrupt?? weird text " * 10) in SWITCH_REASONS
    assert switch_reason(None) == "error"


# --- access ------------------------------------------------------------------------------------


async def test_metrics_open_on_localhost_token_elsewhere(tmp_path):
    from cuecard.api.app import create_app

    async with TestClient(TestServer(create_app(api_settings(tmp_path)))) as client:
        r = await client.get("/metrics")
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        assert "cuecard_active_sessions 0.0" in await r.text()
        # Through a proxy the caller is not local; no token configured: refused.
        r = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status == 403
    settings = api_settings(tmp_path, metrics_token="s3cret-token")
    async with TestClient(TestServer(create_app(settings))) as client:
        remote = {"X-Forwarded-For": "203.0.113.9"}
        assert (await client.get("/metrics", headers=remote)).status == 401
        wrong = {**remote, "Authorization": "Bearer nope"}
        assert (await client.get("/metrics", headers=wrong)).status == 401
        right = {**remote, "Authorization": "Bearer s3cret-token"}
        r = await client.get("/metrics", headers=right)
        assert r.status == 200 and "cuecard_draft_latency_seconds" in await r.text()


async def test_each_app_has_its_own_registry(tmp_path):
    from cuecard.api.app import create_app
    from cuecard.api.keys import METRICS

    first, second = create_app(api_settings(tmp_path / "a")), create_app(api_settings(tmp_path / "b"))
    assert first[METRICS].registry is not second[METRICS].registry


# --- a replayed session ------------------------------------------------------------------------


async def warm_up(services):
    """As ``cuecard bench latency`` does before its clock starts: Whisper, embeddings, the
    knowledge base, and the prepared answers of the (empty) candidate."""
    import asyncio

    from cuecard.drafting import semantic
    from cuecard.knowledge.retrieval import warm_up as knowledge_warm_up
    from cuecard.profile.models import CandidateContext

    await asyncio.to_thread(services.engine.warm_up)
    await asyncio.to_thread(semantic.embed, ["warm up"])
    await asyncio.to_thread(knowledge_warm_up)
    await asyncio.to_thread(services.drafting.composer_for, CandidateContext())
    await asyncio.to_thread(services.drafting.prepared_for, CandidateContext())


async def test_metrics_after_a_replayed_session(settings, services):
    """The scenario's four spoken questions replayed in real time through the whole pipeline
    (VAD, Whisper, detection, drafting); then /metrics carries every family with samples."""
    from cuecard.api.app import create_app
    from cuecard.frames import CANDIDATE, INTERVIEWER
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.transports.replay import load_audio

    settings = settings.model_copy(update={"warm_up_stt": False})
    app = create_app(settings, services)
    async with TestClient(TestServer(app)) as client:
        assert services.metrics is not None  # the app's registry feeds every session
        await warm_up(services)
        tracks = {
            INTERVIEWER: load_audio(SCENARIO / "interviewer.wav"),
            CANDIDATE: load_audio(SCENARIO / "candidate.wav"),
        }
        events = await replay_tracks(services, tracks, realtime=True)
        session_id = events[0]["session_id"]
        r = await client.post(
            "/api/auth/register", json={"email": "m@example.org", "password": "correct horse battery"}
        )
        tokens = await r.json()
        await services.store.sessions.update(session_id, user_id=tokens["user"]["id"])
        done = next(e for e in events if e["type"] == "suggestion" and e.get("done") and e["text"])
        r = await client.post(
            f"/api/sessions/{session_id}/suggestions/feedback",
            json={"question_id": done["question_id"], "option": done["option"], "helpful": True},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert r.status == 200, await r.text()
        r = await client.get("/metrics")
        text = await r.text()
    families = parse(text)
    for name in FAMILIES:
        assert name in families, name
    assert value(families, "cuecard_final_transcript_delay_seconds_count", role=INTERVIEWER, provider="local") >= 3
    # (On a loaded machine questions may merge or arrive late; the four are not all asserted.)
    assert value(families, "cuecard_draft_latency_seconds_count") >= 1
    assert value(families, "cuecard_questions_detected_total") >= 2
    assert value(families, "cuecard_feedback_total", type="helpful", source=done["source"]) == 1
    assert value(families, "cuecard_event_bus_lag_seconds_count") == len(events)
    for per_session in ("real_time_factor", "refined_word_share", "mean_confidence"):
        assert value(families, f"cuecard_session_{per_session}_count") == 1
    assert value(families, "cuecard_active_sessions") == 0  # the replay has ended
    assert 0.0 < value(families, "cuecard_session_mean_confidence_sum") <= 1.0
    # Bounded labels: no session id anywhere in the exposition.
    assert session_id not in text
    stored = (await services.store.sessions.get(session_id)).doc()["observed"]
    assert stored["questions"] and stored["draft_latency"]["n"] >= 1 and stored["paced"] is True
    assert 0.9 < stored["rtf"] < 8.0  # paced: at least as long as the audio (start-up and drain on top)


# --- operations files --------------------------------------------------------------------------


def test_grafana_dashboard_names_only_exported_metrics():
    dashboard = json.loads((DEPLOY / "grafana" / "cuecard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", ())]
    names = {n for e in exprs for n in re.findall(r"\bcuecard_[a-z_]+", e)}
    assert len(names) >= 10
    exported = set()
    for family in text_string_to_metric_families(Metrics().render().decode()):
        exported.add(family.name)
        kind = family.type
        suffixes = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("_total",)}.get(kind, ("",))
        exported.update(family.name + s for s in suffixes)
    missing = names - exported
    assert not missing, missing
    prometheus = (DEPLOY / "prometheus.yml").read_text()
    assert "metrics_path: /metrics" in prometheus


# --- traces and structured logs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def spans():
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from cuecard.observability.tracing import install_provider

    exporter = InMemorySpanExporter()
    install_provider(exporter, batch=False)
    return exporter


def test_detection_and_drafting_spans_hang_under_the_session_span(spans):
    spans.clear()
    clock = Clock()
    obs = SessionObserver("sess-1", None, audio_clock=clock, paced=True, tracing=True)
    q = {"type": "question", "question_id": "a", "question_type": "technical", "start": 1.0, "end": 3.0}
    feed(obs, clock, 3.5, {**q, "status": "confirmed"})
    feed(obs, clock, 3.8, {"type": "suggestion", "question_id": "a", "option": "concise", "source": "composer",
                           "text": "y", "done": False})  # fmt: skip
    obs.finish()
    by_name = {s.name: s for s in spans.get_finished_spans()}
    session, detect, draft = (
        by_name[n] for n in ("cuecard.session", "cuecard.detect_question", "cuecard.draft_answer")
    )
    assert detect.parent.span_id == session.context.span_id == draft.parent.span_id
    assert (detect.end_time - detect.start_time) / 1e9 == pytest.approx(0.5, abs=1e-3)  # end of speech → event
    assert (draft.end_time - draft.start_time) / 1e9 == pytest.approx(0.3, abs=1e-3)  # event → lasting draft
    assert draft.attributes["draft.source"] == "composer" and draft.attributes["conversation.id"] == "sess-1"


async def test_a_traced_session_has_pipecats_conversation_span_and_logs_carry_its_id(settings, services, spans):
    """A short real pipeline run with ``tracing`` on: Pipecat's own ``conversation`` span is
    exported with the session id, and every log line of the run carries the session id."""
    import json as jsonlib

    import numpy as np
    from loguru import logger

    from cuecard.frames import INTERVIEWER
    from cuecard.pipeline.replay import replay_tracks

    spans.clear()
    services.settings = settings.model_copy(update={"tracing": True})
    lines: list[str] = []
    sink = logger.add(lines.append, serialize=True, level="DEBUG")
    try:
        await replay_tracks(services, {INTERVIEWER: np.zeros(8000, dtype=np.int16)}, persist=False, session_id="traced")
    finally:
        logger.remove(sink)
    names = {(s.name, s.attributes.get("conversation.id")) for s in spans.get_finished_spans()}
    assert ("conversation", "traced") in names and ("cuecard.session", "traced") in names
    records = [jsonlib.loads(line)["record"] for line in lines]
    worker_lines = [r for r in records if r["name"].startswith("pipecat.pipeline")]
    assert worker_lines and all(r["extra"].get("session_id") == "traced" for r in worker_lines)


def test_json_logs_setting_writes_one_json_object_per_line_with_the_session_id(tmp_path, capsys):
    import sys

    from loguru import logger

    from cuecard.observability.logs import configure_logging

    assert not configure_logging(api_settings(tmp_path))
    try:
        assert configure_logging(api_settings(tmp_path, json_logs=True))
        with logger.contextualize(session_id="abc"):
            logger.info("inside a session")
        logger.info("outside")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    finally:
        logger.remove()
        logger.add(sys.stderr)
    inside, outside = (
        next(r["record"] for r in lines if r["text"].strip().endswith(m)) for m in ("session", "outside")
    )
    assert inside["extra"]["session_id"] == "abc" and outside["extra"]["session_id"] is None


OTLP_RUN = """
import asyncio, json, sys, time
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

received = []

async def traces(request):  # a loopback OTLP/HTTP collector: decodes what the exporter sends
    message = ExportTraceServiceRequest.FromString(await request.read())
    received.extend(s.name for r in message.resource_spans for ss in r.scope_spans for s in ss.spans)
    return web.Response()

async def main():
    app = web.Application()
    app.router.add_post("/v1/traces", traces)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    from opentelemetry import trace
    from cuecard.observability.tracing import SessionTrace, setup_tracing
    from cuecard.settings import Settings

    settings = Settings(tracing=True, otlp_endpoint=f"http://127.0.0.1:{port}/v1/traces", _env_file=None)
    assert setup_tracing(settings)
    now = time.time()
    session = SessionTrace("s1", now - 2)
    session.child("cuecard.draft_answer", now - 1, now)
    session.end(now)
    await asyncio.to_thread(trace.get_tracer_provider().force_flush)
    await runner.cleanup()
    print(json.dumps(sorted(received)))

asyncio.run(main())
"""


def test_tracing_setting_exports_over_otlp_http():
    """In a fresh process (the tracer provider is process-wide): the OTLP/HTTP exporter that
    ``settings.tracing`` + ``otlp_endpoint`` install delivers the spans to a collector."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", OTLP_RUN], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["cuecard.draft_answer", "cuecard.session"]


async def test_a_running_session_saves_its_summary_as_it_goes(services, monkeypatch):
    """Every ``SUMMARY_EVERY_SECS`` the runner stores the observer's summary so far (the
    dashboard shows a session in progress); events go straight into the runner's sink listener."""
    from cuecard.pipeline import session as session_module
    from cuecard.pipeline.session import SessionRunner

    record = await services.store.sessions.create(title="live")
    runner = SessionRunner(services, record.id, live=True)
    line = {"type": "transcript", "role": "interviewer", "speaker": None, "start": 0.0, "end": 0.5, "final": True,
            "confidence": 0.8, "provider": "local", "segment_id": "s1", "text": "Hello there"}  # fmt: skip
    await runner._on_event(dict(line))
    assert "observed" not in (await services.store.sessions.get(record.id)).doc()
    monkeypatch.setattr(session_module, "SUMMARY_EVERY_SECS", 0.0)
    await runner._on_event({**line, "segment_id": "s2", "start": 1.0, "end": 1.5})
    observed = (await services.store.sessions.get(record.id)).doc()["observed"]
    assert observed["events"] == 2 and observed["final_words"] == 4 and observed["mean_confidence"] == 0.8
