"""Answer drafts from any OpenAI-compatible chat API, streamed token by token.

Works with OpenAI (``OPENAI_API_KEY`` in the environment, or ``CUECARD_LLM_API_KEY``) and
with anything that speaks ``/v1/chat/completions`` with ``stream=true`` — Ollama, a
llama.cpp server, vLLM — through ``CUECARD_LLM_BASE_URL`` and ``CUECARD_LLM_MODEL``.

Decision: the first content token must arrive within ``llm_first_token_deadline_secs``;
otherwise (and on any provider error before the first token) ``LLMUnavailable`` is raised and
the drafter falls back to the offline composer and tells the page. After the first token a
provider error ends the draft with what was streamed so far (nothing already shown is lost).

The prompt carries the candidate's material and forbids inventing facts; the word limit
(``options.MAX_WORDS``) is enforced again on the streamed text by the drafter.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncGenerator

from loguru import logger

from cuecard.drafting.options import MAX_WORDS, TARGET_WORDS
from cuecard.kinds import AnswerOption, QuestionType
from cuecard.profile.models import CandidateContext

# Keyed by type / option; looked up with plain strings (StrEnum members hash as str).
STRUCTURE: dict[str, str] = {
    QuestionType.BEHAVIORAL: "one real story from the material in STAR order (situation, task, action, result), "
    "one part per line, no labels",
    QuestionType.SITUATIONAL: "what you would do, in order, then why",
    QuestionType.TECHNICAL: "what it is, how it works, when to use it and what it costs, then an example from the "
    "candidate's own work if the material has one (otherwise an example said as illustrative)",
    QuestionType.CULTURAL: "motivation tied to this company and this role, then evidence from the candidate's work",
}
OPTION_STYLE: dict[str, str] = {
    AnswerOption.CONCISE: "the core answer only, short enough to say in half a minute",
    AnswerOption.STORY: "the full structured answer built on the single best example from the material",
    AnswerOption.DEEP_DIVE: "the full structured answer plus the lesson learned and the points a strong answer adds",
}


class LLMUnavailable(RuntimeError):
    """The provider failed or produced no first token before the deadline."""


def llm_configured(settings) -> bool:
    return bool(settings.llm_base_url or settings.llm_api_key or os.environ.get("OPENAI_API_KEY"))


def material_summary(candidate: CandidateContext) -> str:
    """The candidate's material as compact JSON (empty fields dropped)."""
    data = {
        "profile": candidate.profile.model_dump(exclude={"resume_text"}, exclude_defaults=True),
        "stories": [s.model_dump(exclude_defaults=True, exclude={"id", "drafted"}) for s in candidate.stories],
        "job": candidate.job.model_dump(exclude_defaults=True, exclude={"id", "text"}) if candidate.job else None,
    }
    return json.dumps(data, ensure_ascii=False)


def grounding_for(plan) -> str:
    """The composer plan's retrieved cards and matched story, as reference notes for the prompt."""
    if plan is None:
        return ""
    notes = []
    retrieval = getattr(plan, "retrieval", None)
    for card in (retrieval.cards if retrieval is not None else [])[:3]:
        notes.append(
            f"Notes on {card.name}: {card.definition} {card.how_it_works} When to use: "
            f"{card.when_to_use} When not: {card.when_not_to_use} Trade-offs: {card.tradeoffs}"
        )
    example = getattr(plan, "example", None)
    if example is not None and not example.from_achievement:
        s = example.story
        notes.append(
            "Best-matching story of the candidate: "
            + " ".join(filter(None, [s.title, s.situation, s.task, s.action, s.result]))
        )
    return "\n".join(notes)


def build_messages(
    question: str, qtype: str, option: str, candidate: CandidateContext, topic: str = "", grounding: str = ""
) -> list[dict]:
    words = TARGET_WORDS.get(option, MAX_WORDS)
    system = (
        "You draft interview answers that the candidate will say in the first person. "
        "Use ONLY facts from the candidate material below: never invent employers, job titles, "
        "dates, numbers, names or results. Where a fact is missing, leave it out; never write "
        "placeholders or brackets. Plain spoken sentences, no markdown, no labels. "
        f"Structure: {STRUCTURE.get(qtype, STRUCTURE[QuestionType.BEHAVIORAL])}. "
        f"Length: at most {words} words.\n\nCandidate material (JSON):\n{material_summary(candidate)}"
        + (f"\n\nReference notes (accurate; ground the explanation in them):\n{grounding}" if grounding else "")
    )
    user = (
        f"Interview question ({qtype}{', topic: ' + topic if topic else ''}): {question}\n"
        f"Write {OPTION_STYLE.get(option, OPTION_STYLE[AnswerOption.STORY])}."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class LLMDrafter:
    """One client per process (connection pooling); ``stream()`` per option."""

    def __init__(self, settings):
        from openai import AsyncOpenAI

        self.settings = settings
        self.model = settings.llm_model
        self.deadline_secs = settings.llm_first_token_deadline_secs
        api_key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        # max_retries=0: a retry would blow the first-token deadline anyway; we fall back instead.
        self.client = AsyncOpenAI(
            base_url=settings.llm_base_url, api_key=api_key, max_retries=0, timeout=max(30.0, self.deadline_secs * 4)
        )
        self.provider = settings.llm_base_url or "openai"
        self._warmed = False

    async def warm_up(self):
        """Open the connection (TCP, TLS) and exercise the client before the first question.

        ``GET /models`` is free on OpenAI and served by Ollama, llama.cpp and vLLM; it saves
        the first draft a connection set-up (about 100 ms here). Failures are ignored: the
        first draft then pays the set-up, or falls back as usual."""
        if self._warmed:
            return
        self._warmed = True
        try:
            await asyncio.wait_for(self.client.models.list(), max(1.0, self.deadline_secs))
        except Exception as e:
            logger.info(f"LLM warm-up request failed (drafting will still try): {e}")

    async def stream(
        self,
        question: str,
        qtype: str,
        option: str,
        candidate: CandidateContext,
        topic: str = "",
        grounding: str = "",
    ) -> AsyncGenerator[str, None]:
        """Text deltas of one draft. Raises ``LLMUnavailable`` before the first delta if the
        provider fails or is slower than the deadline. The caller closes the generator to
        stop early (word limit reached, question withdrawn)."""
        started = time.monotonic()
        messages = build_messages(question, qtype, option, candidate, topic, grounding)
        words = TARGET_WORDS.get(option, MAX_WORDS)
        try:
            stream = await asyncio.wait_for(
                self.client.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    stream=True,
                    max_tokens=int(words * 1.8) + 20,
                    temperature=0.3,
                ),
                self.deadline_secs,
            )
        except TimeoutError as e:
            raise LLMUnavailable(f"no response within {self.deadline_secs:g} s") from e
        except Exception as e:
            raise LLMUnavailable(f"{type(e).__name__}: {e}") from e
        chunks = stream.__aiter__()
        try:
            first = await asyncio.wait_for(
                self._next_content(chunks), max(0.0, self.deadline_secs - (time.monotonic() - started))
            )
        except TimeoutError as e:
            await stream.close()
            raise LLMUnavailable(f"no first token within {self.deadline_secs:g} s") from e
        except Exception as e:
            await stream.close()
            raise LLMUnavailable(f"{type(e).__name__}: {e}") from e
        if first is None:
            raise LLMUnavailable("the provider returned an empty answer")
        yield first
        try:
            while (delta := await self._next_content(chunks)) is not None:
                yield delta
        finally:
            await stream.close()

    @staticmethod
    async def _next_content(chunks) -> str | None:
        """Next non-empty content delta, or None at the end of the stream."""
        async for chunk in chunks:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                return chunk.choices[0].delta.content
        return None

    async def close(self):
        await self.client.close()
