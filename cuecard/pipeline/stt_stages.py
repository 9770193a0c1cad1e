"""The one place that builds speech-to-text stages from settings.

``["local"]`` (default) → ``WhisperSTTProcessor``; a chain led by a streaming provider →
``ProviderChainSTT`` with one ``StreamingSTT`` per name: ``deepgram``, ``google``, ``local``
(local Whisper as a stream). ``openai`` is not a streaming provider; it is a refiner
(``stt_refiner = "openai"``). Unknown names fail at session start with a clear error, not at
the first failure.
"""

from __future__ import annotations

from pipecat.processors.frame_processor import FrameProcessor

from cuecard.pipeline.context import SessionClock, SessionContext
from cuecard.pipeline.services import Services
from cuecard.processors.cloud_stt import FallbackParams, ProviderChainSTT
from cuecard.processors.whisper_stt import WhisperSTTProcessor
from cuecard.services.refiners import LocalRefiner
from cuecard.services.streaming_stt import StreamingSTT
from cuecard.services.transcript_cache import TranscriptCache
from cuecard.services.whisper.stream import LOCAL, LocalWhisperSTT

STREAMING = ("deepgram", "google")


def check_chain(chain: list[str]) -> None:
    unknown = [n for n in chain if n not in (*STREAMING, LOCAL)]
    if unknown:
        raise ValueError(
            f"stt_providers: unknown provider(s) {unknown}; use {', '.join((*STREAMING, LOCAL))}"
            " (openai refines lines: set stt_refiner=openai)"
        )


def streaming_first(services: Services) -> bool:
    """A cloud streaming provider leads the chain: it needs the raw audio, not only segments."""
    chain = services.settings.stt_providers
    return bool(chain) and chain[0] != LOCAL


def make_stream(services: Services, name: str) -> StreamingSTT:
    settings = services.settings
    if name == LOCAL:
        return LocalWhisperSTT(services.engine, beam_size=settings.whisper_beam_size)
    if name == "deepgram":
        from cuecard.services.deepgram.stt import DeepgramStreamingSTT

        return DeepgramStreamingSTT(
            settings.deepgram_api_key,
            url=settings.deepgram_url,
            model=settings.deepgram_model,
            language=settings.language,
        )
    if name == "google":
        from cuecard.services.google.stt import GoogleStreamingSTT

        language = settings.language if "-" in settings.language else f"{settings.language}-US"
        return GoogleStreamingSTT(
            endpoint=settings.google_speech_endpoint,
            credentials_file=str(settings.google_credentials_file) if settings.google_credentials_file else None,
            insecure=settings.google_speech_insecure,
            language=language,
        )
    raise ValueError(f"{name} is not a streaming provider")


def transcript_cache(services: Services) -> TranscriptCache:
    """One cache per process (``Services.stt_cache``, made by the pipeline's factories)."""
    from cuecard.pipeline.factories import stt_cache

    return stt_cache(services)


def make_refiner(services: Services):
    s = services.settings
    if not s.refine_utterances or s.stt_refiner == "none":
        return None
    if s.stt_refiner == "openai":
        from cuecard.services.openai.stt import OpenAIRefiner

        return OpenAIRefiner(
            api_key=s.openai_stt_api_key or s.llm_api_key,
            base_url=s.openai_stt_base_url,
            model=s.openai_stt_model,
            language=s.language,
            cache=transcript_cache(services),
        )
    if s.stt_refiner == LOCAL:
        return LocalRefiner(services.engine, s.whisper_refine_beam_size, transcript_cache(services))
    raise ValueError(f"stt_refiner: unknown refiner {s.stt_refiner!r}; use local, openai or none")


def provider_chain_stage(services: Services, *, clock: SessionClock | None = None, vocabulary=None) -> ProviderChainSTT:
    """The provider chain with fallback; ``clock`` places live tracks in session time;
    ``vocabulary`` (a ``SessionVocabulary``) biases the interviewer's recognition. Local
    Whisper is the last resort at the end of the input, also when the chain does not name it."""
    s = services.settings
    check_chain(s.stt_providers)
    if "deepgram" in s.stt_providers:  # import the SDK now, not inside the first connect
        import cuecard.services.deepgram.stt  # noqa: F401
    return ProviderChainSTT(
        s.stt_providers,
        lambda name: make_stream(services, name),
        last_resort=lambda: make_stream(services, LOCAL),
        refiner=make_refiner(services),
        params=FallbackParams(
            connect_timeout_secs=s.stt_connect_timeout_secs,
            stall_secs=s.stt_stall_secs,
            retry_base_secs=s.stt_retry_base_secs,
            retry_max_secs=s.stt_retry_max_secs,
        ),
        clock=clock,
        vocabulary=vocabulary,
    )


def speech_to_text_stage(
    services: Services, *, clock: SessionClock | None, context: SessionContext | None = None
) -> FrameProcessor:
    """``["local"]`` (default): the local Whisper stage; else the provider chain with fallback.
    The interviewer's recognition is biased with the session's vocabulary (``context``)."""
    s = services.settings
    vocabulary = None
    if s.stt_vocabulary_bias and context is not None:
        from cuecard.knowledge.vocabulary import SessionVocabulary

        vocabulary = SessionVocabulary(context)
    if streaming_first(services):
        return provider_chain_stage(services, clock=clock, vocabulary=vocabulary)
    return WhisperSTTProcessor(
        services.engine,
        beam_size=s.whisper_beam_size,
        refine_beam_size=s.whisper_refine_beam_size,
        refine=s.refine_utterances,
        refine_context_secs=s.refine_context_secs,
        interims=s.interim_period_secs > 0,
        vocabulary=vocabulary,
    )
