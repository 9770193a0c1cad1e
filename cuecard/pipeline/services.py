"""Process-wide services that every session shares: settings, store, event bus, STT engine."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loguru import logger

from cuecard.drafting.resources import DraftingResources
from cuecard.event_bus import EventBus, InProcessEventBus, stored_seq_floor
from cuecard.services.whisper.engine import WhisperEngine, shared_engine
from cuecard.settings import Settings
from cuecard.store import Store

if TYPE_CHECKING:
    from cuecard.drafting.cache import DraftCache
    from cuecard.drafting.llm import LLMDrafter
    from cuecard.observability.metrics import Metrics
    from cuecard.services.transcript_cache import TranscriptCache


def make_store(settings: Settings) -> Store:
    """The configured store, encrypting with the configured master key (``store/crypto.py``)."""
    from cuecard.store.crypto import master_keys

    keys = master_keys(settings)
    if settings.mongodb_url:
        from cuecard.store.mongo import MongoStore  # optional: only with a MongoDB URL

        return MongoStore(settings.mongodb_url, master_keys=keys)
    from cuecard.store.sqlite import SQLiteStore

    return SQLiteStore(settings.ensure_data_dir() / "cuecard.sqlite3", keys)


def make_event_bus(settings: Settings, store: Store | None = None) -> EventBus:
    if settings.redis_url:
        from cuecard.store.redis_bus import RedisEventBus

        return RedisEventBus(settings.redis_url)
    if store is None:
        return InProcessEventBus()
    return InProcessEventBus(seed=lambda session_id: stored_seq_floor(store, session_id))


@dataclass
class Services:
    settings: Settings
    store: Store
    bus: EventBus
    engine: WhisperEngine
    # Shared by every session of the process, made on first use by the pipeline's factories
    # (cuecard/pipeline/factories.py) and handed to the stages that use them; closed here.
    draft_cache: DraftCache | None = None
    llm_drafter: LLMDrafter | None = None  # stays None when no LLM is configured
    stt_cache: TranscriptCache | None = None
    # Composers and prepared answers per version of the material, and the drafting threads.
    drafting: DraftingResources = field(default_factory=DraftingResources)
    # The app's Prometheus metrics (cuecard/observability), set by the app; None: not measured.
    metrics: Metrics | None = None

    @classmethod
    async def create(cls, settings: Settings, *, store: Store | None = None, bus: EventBus | None = None):
        store = store or make_store(settings)
        await store.open()
        engine = shared_engine(
            settings.whisper_model,
            settings.ensure_data_dir(),
            settings.whisper_compute_type,
            settings.whisper_threads,
            settings.language,
        )
        return cls(settings, store, bus or make_event_bus(settings, store), engine)

    async def close(self):
        """Close what this object opened. The Whisper engine is process-wide (other
        ``Services`` may share it) and stays; the shared caches, the LLM client and the
        drafting threads are closed."""
        shared = {
            "draft_cache": self.draft_cache,
            "llm_drafter": self.llm_drafter,
            "stt_cache": self.stt_cache,
            "drafting": self.drafting,
        }
        for name, resource in shared.items():
            closer = getattr(resource, "close", None)
            if closer is None:
                continue
            try:
                result = closer()
                if inspect.isawaitable(result):
                    await result
            except Exception as e:  # one failing close must not keep the others open
                logger.warning(f"Closing {name} failed: {e}")
        self.draft_cache = self.llm_drafter = self.stt_cache = None
        await self.bus.close()
        await self.store.close()
