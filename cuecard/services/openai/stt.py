"""OpenAI transcription (``POST /v1/audio/transcriptions``) to REFINE closed transcript lines.

Not a streaming provider: a fast streaming provider gives the live text, then the whole
line's audio goes here once and the better text replaces the line in place.

- ``gpt-4o-transcribe`` / ``gpt-4o-mini-transcribe``: ``response_format=json`` with
  ``include=["logprobs"]``; confidence = exp(mean token log-probability).
- ``whisper-1``: ``response_format=verbose_json``; confidence = exp(token-weighted mean of
  the segments' ``avg_logprob``) — the same measure the local engine reports.

Results are cached by ``sha1(audio)+provider+model`` (``TranscriptCache``): a line is never
sent twice, also across replays and restarts. No retries inside the client (``max_retries=0``):
a failed refinement simply leaves the live text on the page, which is already correct enough.
"""

from __future__ import annotations

import io
import math
import wave
from typing import Any

from cuecard.services.transcript_cache import TranscriptCache
from cuecard.services.whisper.engine import Transcription


def wav_bytes(pcm: bytes, sample_rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
    return buffer.getvalue()


def confidence_of(response) -> float | None:
    logprobs = getattr(response, "logprobs", None)
    if logprobs:
        values = [lp.logprob for lp in logprobs if lp.logprob is not None]
        return math.exp(sum(values) / len(values)) if values else None
    segments = getattr(response, "segments", None)
    if segments:
        total = sum(max(len(s.tokens or []), 1) for s in segments)
        mean = sum(s.avg_logprob * max(len(s.tokens or []), 1) for s in segments) / total
        return math.exp(mean)
    return None


class OpenAIRefiner:
    """``await refine(pcm)`` → ``Transcription`` of a closed line, from OpenAI or the cache."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None = None,
        model: str = "gpt-4o-transcribe",
        language: str | None = "en",
        cache: TranscriptCache | None = None,
        timeout_secs: float = 30.0,
    ):
        from openai import AsyncOpenAI

        self.model = model
        self._language = language
        self._cache = cache
        self._client = AsyncOpenAI(api_key=api_key or "unset", base_url=base_url, timeout=timeout_secs, max_retries=0)

    async def refine(self, pcm: bytes, hotwords: str | None = None) -> Transcription:
        if self._cache is not None:
            hit = self._cache.get(pcm, self.name, self.model)
            if hit is not None:
                return Transcription(hit.text, hit.confidence or 0.0, 0.0, self.model, cached=True)
        options: dict[str, Any]
        if self.model.startswith("whisper"):
            options = {"response_format": "verbose_json"}
        else:
            options = {"response_format": "json", "include": ["logprobs"]}
        # The SDK's overloads key on a literal response_format; ours is chosen per model above.
        response = await self._client.audio.transcriptions.create(  # type: ignore[call-overload]
            model=self.model,
            file=("line.wav", wav_bytes(pcm), "audio/wav"),
            **({"language": self._language} if self._language else {}),
            **options,
        )
        text = (response.text or "").strip()
        confidence = confidence_of(response)
        if self._cache is not None:
            self._cache.put(pcm, self.name, self.model, text, confidence)
        return Transcription(text, confidence if confidence is not None else 0.0, 0.0, self.model)

    async def close(self):
        await self._client.close()
