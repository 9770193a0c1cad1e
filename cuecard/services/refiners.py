"""Refiners: re-transcribe a closed transcript line in the background (hybrid mode).

``Refiner`` is what the provider chain needs; ``LocalRefiner`` is the local engine with a
wider beam, ``OpenAIRefiner`` (``services/openai/stt.py``) the OpenAI transcription API.
Both cache results in the persistent ``TranscriptCache``.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Protocol

from loguru import logger

from cuecard.services.transcript_cache import TranscriptCache
from cuecard.services.whisper.engine import PRIORITY_REFINE, Transcription, WhisperEngine

LOCAL = "local"


class Refiner(Protocol):
    name: str
    model: str
    # True: ``refine`` takes ``hotwords=`` (the session vocabulary's prompt for the line).
    accepts_hotwords: bool

    async def refine(self, pcm: bytes, hotwords: str | None = None) -> Transcription: ...


class LocalRefiner:
    """The local engine with a wider beam; results also go to the persistent cache so a replay
    in a new process does not decode the same line again."""

    name = LOCAL
    accepts_hotwords = True

    def __init__(self, engine: WhisperEngine, beam_size: int, cache: TranscriptCache | None):
        self._engine, self._beam, self._cache = engine, beam_size, cache
        self.model = f"{engine.model_name}:beam{beam_size}"

    async def refine(self, pcm: bytes, hotwords: str | None = None) -> Transcription:
        # A biased decode is another model's output: cached under its own name.
        model = self.model if not hotwords else f"{self.model}:hints-{hashlib.sha1(hotwords.encode()).hexdigest()[:12]}"
        if self._cache is not None:
            hit = self._cache.get(pcm, self.name, model)
            if hit is not None:
                return Transcription(hit.text, hit.confidence or 0.0, 0.0, self.model, cached=True)
        result = await self._engine.decode(pcm, priority=PRIORITY_REFINE, beam_size=self._beam, hotwords=hotwords)
        if self._cache is not None:
            self._cache.put(pcm, self.name, model, result.text, result.confidence)
        return result


async def refine_text(refiner: Refiner, pcm: bytes, heard: str, vocabulary=None) -> Transcription | None:
    """``refiner``'s text for a closed line, or None (the live text stays). ``vocabulary``
    (a ``SessionVocabulary``, the interviewer's only) prompts refiners that take hotwords."""
    try:
        hotwords = None
        if getattr(refiner, "accepts_hotwords", False) and vocabulary is not None:
            hotwords = await asyncio.to_thread(vocabulary.refine_prompt, heard)
        if hotwords:
            return await refiner.refine(pcm, hotwords=hotwords)
        return await refiner.refine(pcm)
    except Exception as e:
        logger.warning(f"Refinement by {refiner.name} failed, keeping the live text: {e}")
        return None
