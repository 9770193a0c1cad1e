"""Draft cache: Redis when ``settings.redis_url`` is set, an in-process LRU otherwise.

Key = normalized question text + question type + option + ``CandidateContext.version_key()``.
Decision: the material's version is part of the key rather than deleting entries on an
edit, so that invalidation needs no bookkeeping and works across processes: a changed
profile, story or job simply never hits the old entries, which expire (Redis TTL) or fall
out of the LRU. Question text is normalized (case, punctuation, spaces) so that the same
question transcribed with different punctuation hits the same entry.

Values are ``{"text": ..., "source": ...}`` so that a cached LLM draft is shown as such.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from typing import Protocol

from loguru import logger

DEFAULT_TTL_SECS = 7 * 24 * 3600
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_question(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def draft_key(question: str, qtype: str, option: str, version_key: str, source: str = "") -> str:
    """Cache key for one option of one question for one version of the material.

    ``source`` separates drafts by who wrote them (an LLM draft and a composer draft for the
    same question are different entries)."""
    raw = "\x1f".join([normalize_question(question), qtype, option, version_key, source])
    return "cuecard:draft:" + hashlib.sha1(raw.encode()).hexdigest()


class DraftCache(Protocol):
    async def get(self, key: str) -> dict | None: ...

    async def set(self, key: str, value: dict) -> None: ...

    async def close(self) -> None: ...


class InProcessDraftCache:
    """Least-recently-used dictionary; lives as long as the process."""

    def __init__(self, max_entries: int = 4096):
        self._entries: OrderedDict[str, dict] = OrderedDict()
        self.max_entries = max_entries

    async def get(self, key: str) -> dict | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: dict) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def close(self) -> None:
        self._entries.clear()


class RedisDraftCache:
    """Shared by every ``cuecard serve`` process behind a load balancer.

    A Redis failure degrades to a miss (get) or a skipped write (set): drafting must go on
    when the cache is down."""

    def __init__(self, url: str, ttl_secs: int = DEFAULT_TTL_SECS):
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self.ttl_secs = ttl_secs

    async def get(self, key: str) -> dict | None:
        try:
            raw = await self._redis.get(key)
        except Exception as e:
            logger.warning(f"Draft cache read failed (treated as a miss): {e}")
            return None
        return json.loads(raw) if raw else None

    async def set(self, key: str, value: dict) -> None:
        try:
            await self._redis.set(key, json.dumps(value), ex=self.ttl_secs)
        except Exception as e:
            logger.warning(f"Draft cache write failed (draft not cached): {e}")

    async def close(self) -> None:
        await self._redis.aclose()


def make_draft_cache(settings) -> DraftCache:
    if settings.redis_url:
        return RedisDraftCache(settings.redis_url)
    return InProcessDraftCache()
