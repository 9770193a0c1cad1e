"""Process-wide services that every session shares: settings, store, event bus, STT engine."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from cuecard.event_bus import EventBus, InProcessEventBus, stored_seq_floor
from cuecard.services.whisper.engine import WhisperEngine, shared_engine
from cuecard.settings import Settings
from cuecard.store.base import Store


def make_store(settings: Settings) -> Store:
    if settings.mongodb_url:
        from cuecard.store.mongo import MongoStore  # optional: only with a MongoDB URL

        return MongoStore(settings.mongodb_url)
    from cuecard.store.sqlite import SQLiteStore

    return SQLiteStore(settings.ensure_data_dir() / "cuecard.sqlite3")


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
    extras: dict[str, Any] = field(default_factory=dict)  # later stages' shared resources

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
        ``Services`` may share it) and stays; every extra with a ``close`` is closed."""
        for name, extra in list(self.extras.items()):
            closer = getattr(extra, "close", None)
            if closer is None:
                continue
            try:
                result = closer()
                if inspect.isawaitable(result):
                    await result
            except Exception as e:  # one failing close must not keep the others open
                logger.warning(f"Closing {name} failed: {e}")
        self.extras.clear()
        await self.bus.close()
        await self.store.close()
