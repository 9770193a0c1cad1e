"""OpenTelemetry traces of sessions (``settings.tracing``).

Pipecat 1.14 traces a pipeline when its worker has ``enable_tracing=True`` (a ``conversation``
span per session, ``turn`` spans, and spans around its own STT/LLM/TTS services). Cuecard's
stages are its own processors, so they add no Pipecat service spans; Cuecard adds, per session,
a ``cuecard.session`` span with two children per question:

- ``cuecard.detect_question``: end of the question's speech → the confirmed question event;
- ``cuecard.draft_answer``: the question event → the lasting draft (attributes: source,
  question type, delay).

Decision: these spans are made by the session observer from the event stream, with the
events' own times (``start_time``/``end_time``), not by wrapping the detector and drafter.
Detection and drafting are spread over several frames and tasks (tentative question, replaced
drafts), so a span around one call would not measure what the user waits for; the observer
already knows where each wait starts and ends. Every span carries ``conversation.id`` = the
session id, as Pipecat's conversation span does, so a trace backend joins them.

The exporter: OTLP over HTTP (``opentelemetry-exporter-otlp-proto-http``) to
``settings.otlp_endpoint``; without an endpoint, the console exporter (debugging). The tracer
provider is process-wide (OpenTelemetry allows one); tests install an in-memory exporter with
``install_provider``.
"""

from __future__ import annotations

from typing import Any

from loguru import logger

_installed = False


def install_provider(exporter: Any, *, batch: bool = True) -> None:
    """Make ``exporter`` receive every span of this process (once; later calls add it)."""
    global _installed
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider(resource=Resource.create({"service.name": "cuecard"}))
        trace.set_tracer_provider(provider)
    provider.add_span_processor(processor)
    _installed = True


def setup_tracing(settings) -> bool:
    """Install the exporter ``settings`` asks for; False when tracing is off."""
    if not settings.tracing:
        return False
    if _installed:
        return True
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        install_provider(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
        logger.info(f"Tracing sessions to {settings.otlp_endpoint} (OTLP/HTTP)")
    else:
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        install_provider(ConsoleSpanExporter())
        logger.info("Tracing sessions to the console (set CUECARD_OTLP_ENDPOINT for a collector)")
    return True


def tracer():
    from opentelemetry import trace

    return trace.get_tracer("cuecard")


def ns(seconds: float) -> int:
    return int(seconds * 1e9)


class SessionTrace:
    """The ``cuecard.session`` span of one session and its question spans."""

    def __init__(self, session_id: str, start_wall: float):
        from opentelemetry import trace

        self._trace = trace
        self.session_id = session_id
        self.span = tracer().start_span(
            "cuecard.session", start_time=ns(start_wall), attributes={"conversation.id": session_id}
        )
        self._context = trace.set_span_in_context(self.span)

    def child(self, name: str, start_wall: float, end_wall: float, **attributes: Any) -> None:
        attrs = {"conversation.id": self.session_id, **{k: v for k, v in attributes.items() if v is not None}}
        span = tracer().start_span(name, context=self._context, start_time=ns(start_wall), attributes=attrs)
        span.end(end_time=ns(max(end_wall, start_wall)))

    def end(self, end_wall: float, **attributes: Any) -> None:
        for key, value in attributes.items():
            if value is not None:
                self.span.set_attribute(key, value)
        self.span.end(end_time=ns(end_wall))
