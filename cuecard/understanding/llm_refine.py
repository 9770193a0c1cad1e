"""Ask the configured LLM for the type of a question the offline classifier is unsure of.

Only used when an LLM is configured (``CUECARD_LLM_BASE_URL`` / key) and only for questions
whose type confidence is below ``LOW_CONFIDENCE``: the offline type is emitted at once, and
if the LLM answers within ``timeout`` with another valid type, the question is re-confirmed
with it. Any failure (timeout, HTTP error, an answer that names no type) keeps the offline
type: the LLM can only improve a question, never hold it up or lose it.

Decision: the refined confidence is ``REFINED_CONFIDENCE`` (0.8): a chat model gives no
calibrated probability, and the value only has to say "better than the unsure offline guess".
"""

from __future__ import annotations

import asyncio
import json
import os
import re

from loguru import logger

from cuecard.kinds import QUESTION_TYPES as TYPES
from cuecard.understanding.classifier import Classification

REFINED_CONFIDENCE = 0.8

SYSTEM = (
    "You classify one job-interview question. Types: technical (knowledge or skill in the field: "
    "how something works, how to build, solve or calculate something); behavioral (a real past "
    "experience of the candidate: 'tell me about a time', 'what was the hardest…you did'); "
    "situational (a hypothetical work scenario: 'what would you do if…'); cultural (motivation, "
    "values, fit, career goals, self-assessment, personality). Reply with JSON only: "
    '{"type": "<one of technical|behavioral|situational|cultural>", "topic": "<2-6 words>"}'
)


def parse_reply(content: str) -> tuple[str | None, str]:
    """The type (and topic) from the model's reply: JSON if it is, else the first type word."""
    braced = re.search(r"\{.*\}", content, re.S)
    if braced:
        try:
            data = json.loads(braced.group(0))
            kind = str(data.get("type", "")).strip().lower()
            topic = str(data.get("topic", "")).strip()
            if kind in TYPES:
                return kind, topic[:80]
        except (AttributeError, ValueError, TypeError):  # not JSON, or JSON but not an object
            pass
    found = re.search(r"\b(" + "|".join(TYPES) + r")\b", content.lower())
    return (found.group(1) if found else None), ""


class TypeRefiner:
    def __init__(self, settings, timeout: float | None = None):
        from openai import AsyncOpenAI

        self.model = settings.llm_model
        self.timeout = timeout if timeout is not None else max(1.0, settings.llm_first_token_deadline_secs)
        api_key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self.client = AsyncOpenAI(base_url=settings.llm_base_url, api_key=api_key, max_retries=0, timeout=self.timeout)

    async def refine(self, question: str, offline: Classification) -> Classification | None:
        try:
            reply = await asyncio.wait_for(
                self.client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                    temperature=0,
                    max_tokens=60,
                ),
                self.timeout,
            )
            content = reply.choices[0].message.content or ""
        except Exception as e:  # the offline type stands
            logger.info(f"LLM type refinement failed, keeping {offline.type}: {e!r}")
            return None
        kind, topic = parse_reply(content)
        if kind is None:
            logger.info(f"LLM type refinement named no type: {content[:80]!r}")
            return None
        return Classification(kind, REFINED_CONFIDENCE, topic or offline.topic, dict(offline.scores))

    async def close(self):
        await self.client.close()
