"""Process-wide services that every session shares: settings, store, event bus, STT engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
        await self.bus.close()
        await self.store.close()
