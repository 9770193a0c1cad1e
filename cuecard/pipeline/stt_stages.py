"""Settings → the provider-chain STT stage: which adapter each name in ``stt_providers`` means.

Names: ``deepgram``, ``google``, ``local``. ``openai`` is not a streaming provider; it is a
refiner (``stt_refiner = "openai"``). Unknown names fail at session start with a clear error,
not at the first failure.
"""

from __future__ import annotations

from cuecard.pipeline.context import SessionClock
from cuecard.pipeline.services import Services
from cuecard.processors.cloud_stt import LOCAL, FallbackParams, LocalRefiner, ProviderChainSTT
from cuecard.services.streaming_stt import StreamingSTT
from cuecard.services.transcript_cache import TranscriptCache
from cuecard.settings import Settings

STREAMING = ("deepgram", "google")


def check_chain(chain: list[str]) -> None:
    unknown = [n for n in chain if n not in (*STREAMING, LOCAL)]
    if unknown:
        raise ValueError(
            f"stt_providers: unknown provider(s) {unknown}; use {', '.join((*STREAMING, LOCAL))}"
            " (openai refines lines: set stt_refiner=openai)"
        )


def make_stream(settings: Settings, name: str) -> StreamingSTT:
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


def provider_chain_stage(
    services: Services, *, clock: SessionClock | None = None, vocabulary=None
) -> ProviderChainSTT:
    """The provider chain with fallback; ``clock`` places live tracks in session time;
    ``vocabulary`` (a ``SessionVocabulary``) biases the interviewer's recognition."""
    s = services.settings
    check_chain(s.stt_providers)
    return ProviderChainSTT(
        s.stt_providers,
        lambda name: make_stream(s, name),
        services.engine,
        refiner=make_refiner(services),
        params=FallbackParams(
            connect_timeout_secs=s.stt_connect_timeout_secs,
            stall_secs=s.stt_stall_secs,
            retry_base_secs=s.stt_retry_base_secs,
            retry_max_secs=s.stt_retry_max_secs,
            beam_size=s.whisper_beam_size,
        ),
        clock=clock,
        vocabulary=vocabulary,
    )
