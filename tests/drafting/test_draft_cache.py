"""Draft cache: keys follow the material's version; in-process LRU and a real redis-server."""

from __future__ import annotations

from cuecard.drafting.cache import InProcessDraftCache, RedisDraftCache, draft_key, make_draft_cache
from cuecard.settings import Settings


def test_key_ignores_punctuation_and_case_but_not_type_option_or_material(candidate):
    v1 = candidate.version_key()
    k = draft_key("Why Northwind?", "cultural", "concise", v1)
    assert k == draft_key("  why northwind ", "cultural", "concise", v1)
    assert k != draft_key("Why Northwind?", "behavioral", "concise", v1)
    assert k != draft_key("Why Northwind?", "cultural", "story", v1)
    candidate.stories[0].result = "A different result."
    v2 = candidate.version_key()
    assert v2 != v1 and draft_key("Why Northwind?", "cultural", "concise", v2) != k


async def _invalidation_roundtrip(cache, candidate):
    key = draft_key("Tell me about a launch", "behavioral", "story", candidate.version_key())
    assert await cache.get(key) is None
    await cache.set(key, {"text": "draft one", "source": "composer"})
    assert await cache.get(key) == {"text": "draft one", "source": "composer"}
    candidate.job.company = "Another Company"  # an edit to the job
    edited = draft_key("Tell me about a launch", "behavioral", "story", candidate.version_key())
    assert await cache.get(edited) is None


async def test_in_process_cache_invalidates_on_edit_and_evicts_least_recent(candidate):
    cache = InProcessDraftCache(max_entries=2)
    await _invalidation_roundtrip(cache, candidate)
    await cache.set("a", {"text": "a"})
    await cache.set("b", {"text": "b"})
    await cache.get("a")
    await cache.set("c", {"text": "c"})
    assert await cache.get("b") is None and await cache.get("a") == {"text": "a"}


async def test_redis_cache_invalidates_on_edit(redis_url, candidate):
    cache = make_draft_cache(Settings(redis_url=redis_url, _env_file=None))
    assert isinstance(cache, RedisDraftCache)
    try:
        await _invalidation_roundtrip(cache, candidate)
        other = RedisDraftCache(redis_url)  # another server process sees the same entries
        key = draft_key("Tell me about a launch", "behavioral", "story", "v")
        await cache.set(key, {"text": "shared", "source": "llm"})
        assert (await other.get(key))["text"] == "shared"
        assert 0 < await other._redis.ttl(key) <= cache.ttl_secs
        await other.close()
    finally:
        await cache.close()


async def test_redis_down_degrades_to_a_miss():
    cache = RedisDraftCache("redis://127.0.0.1:1/0")
    try:
        assert await cache.get("k") is None
        await cache.set("k", {"text": "x"})  # no exception
    finally:
        await cache.close()
