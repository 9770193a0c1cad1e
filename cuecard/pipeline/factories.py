"""The process-wide resources stages are built with, made on first use and kept on ``Services``.

``pipeline/assembly.py`` (and ``pipeline/stt_stages.py`` for the refiners) call these and
hand the result to the stage's constructor; a stage never looks anything up itself.
"""

from __future__ import annotations

from cuecard.drafting.cache import DraftCache, make_draft_cache
from cuecard.drafting.llm import LLMDrafter, llm_configured
from cuecard.pipeline.services import Services
from cuecard.services.transcript_cache import TranscriptCache


def draft_cache(services: Services) -> DraftCache:
    """One draft cache per process: Redis with ``redis_url``, else in-process."""
    if services.draft_cache is None:
        services.draft_cache = make_draft_cache(services.settings)
    return services.draft_cache


def llm_drafter(services: Services) -> LLMDrafter | None:
    """One LLM client per process, or ``None`` when no LLM is configured."""
    if services.llm_drafter is None and llm_configured(services.settings):
        services.llm_drafter = LLMDrafter(services.settings)
    return services.llm_drafter


def stt_cache(services: Services) -> TranscriptCache:
    """One transcript cache per process, in the data directory."""
    if services.stt_cache is None:
        from cuecard.store.crypto import master_keys

        settings = services.settings
        key = master_keys(settings).current.derive("stt-cache")  # transcripts are encrypted at rest
        services.stt_cache = TranscriptCache(settings.ensure_data_dir() / settings.stt_cache_file, key)
    return services.stt_cache
