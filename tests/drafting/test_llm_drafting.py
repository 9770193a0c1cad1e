"""LLM drafting against a local OpenAI-compatible test double (real SSE protocol on loopback):
streaming through the drafter stage, and the fallback to the composer when the provider is
slow or failing."""

from __future__ import annotations

import asyncio
import time

from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.tests.utils import run_test

from cuecard.drafting.llm import LLMDrafter, LLMUnavailable, build_messages
from cuecard.drafting.llm_test_server import LLMTestServer
from cuecard.drafting.options import MAX_WORDS, OPTIONS
from cuecard.frames import QuestionFrame, StatusFrame, SuggestionFrame
from cuecard.pipeline.context import SessionContext
from cuecard.processors.answer_drafter import AnswerDrafter
from cuecard.settings import Settings

QUESTION = QuestionFrame(
    question_id="q1", text="Tell me about a time you rescued a slow API.", type="behavioral", confidence=0.9
)


def _settings(server: LLMTestServer, deadline: float = 2.0) -> Settings:
    return Settings(
        llm_base_url=server.base_url,
        llm_model="test-model",
        llm_api_key="k-test",
        llm_first_token_deadline_secs=deadline,
        _env_file=None,
    )


async def _drive(drafter: AnswerDrafter, frames, settle: float):
    class Pace(FrameProcessor):
        async def process_frame(self, frame, direction):
            await super().process_frame(frame, direction)
            await self.push_frame(frame, direction)
            if isinstance(frame, QuestionFrame):
                await asyncio.sleep(settle)

    down, _ = await run_test(Pipeline([Pace(), drafter]), frames_to_send=frames)
    return down


async def test_stream_yields_tokens_and_sends_the_material(candidate):
    async with LLMTestServer(first_token_delay=0.2, reply="Situation: one. Task: two.") as server:
        llm = LLMDrafter(_settings(server))
        started = time.monotonic()
        deltas, first_at = [], None
        async for delta in llm.stream(QUESTION.text, "behavioral", "story", candidate):
            first_at = first_at or time.monotonic() - started
            deltas.append(delta)
        await llm.close()
    assert "".join(deltas) == "Situation: one. Task: two." and len(deltas) > 1
    assert 0.2 <= first_at < 1.5
    request = server.requests[0]
    assert request["body"]["stream"] is True and request["body"]["model"] == "test-model"
    assert request["authorization"] == "Bearer k-test"
    system = request["body"]["messages"][0]["content"]
    assert "Fernhill Logistics" in system and "never invent" in system


def test_prompt_asks_for_the_structure_of_the_type(candidate):
    for qtype, label in [
        ("behavioral", "STAR order"),
        ("situational", "what you would do"),
        ("technical", "how it works"),
        ("cultural", "motivation tied to this company"),
    ]:
        system = build_messages("q", qtype, "story", candidate)[0]["content"]
        assert label in system and "never write placeholders" in system


async def test_slow_provider_raises_before_the_deadline_passes_by_much(candidate):
    async with LLMTestServer(first_token_delay=3.0) as server:
        llm = LLMDrafter(_settings(server, deadline=0.3))
        started = time.monotonic()
        try:
            async for _ in llm.stream("q", "behavioral", "story", candidate):
                raise AssertionError("no token expected")
        except LLMUnavailable as e:
            assert "first token" in str(e) or "no response" in str(e)
        assert time.monotonic() - started < 1.0
        await llm.close()


async def test_drafter_streams_llm_options_and_limits_words(candidate, drafting):
    long_reply = " ".join(["word"] * 400)
    async with LLMTestServer(first_token_delay=0.05, token_interval=0.0, reply=long_reply) as server:
        llm = LLMDrafter(_settings(server))
        drafter = AnswerDrafter(SessionContext(session_id="s", candidate=candidate), llm=llm, drafting=drafting)
        down = await _drive(drafter, [QUESTION], settle=1.5)
        await llm.close()
    frames = [f for f in down if isinstance(f, SuggestionFrame)]
    done = {f.option: f for f in frames if f.done}  # the last done per option
    # The composer's draft shows at once; the LLM's stream then replaces it in place.
    assert frames[0].source == "composer" and {f.source for f in frames} == {"composer", "llm"}
    first_llm = {}
    for f in frames:
        if f.source == "llm":
            first_llm.setdefault(f.option, f)
    assert all(f.extra.get("replaces") for f in first_llm.values())
    assert set(done) == set(OPTIONS) and {f.source for f in done.values()} == {"llm"}
    assert all(f.word_count == MAX_WORDS for f in done.values())
    assert len([f for f in frames if not f.done and f.source == "llm"]) > 3 * 100  # streamed token by token
    completions = [r for r in server.requests if r["path"] == "/v1/chat/completions"]
    assert len(completions) == 3
    assert server.requests[0]["path"] == "/v1/models"  # the connection is warmed at session start


async def test_slow_provider_falls_back_to_composer_and_says_so(candidate, drafting):
    async with LLMTestServer(first_token_delay=5.0) as server:
        llm = LLMDrafter(_settings(server, deadline=0.4))
        drafter = AnswerDrafter(SessionContext(session_id="s", candidate=candidate), llm=llm, drafting=drafting)
        down = await _drive(drafter, [QUESTION], settle=1.5)
        await llm.close()
    status = [f for f in down if isinstance(f, StatusFrame) and f.state == "llm_fallback"]
    assert len(status) == 1 and "offline" in status[0].message
    done = [f for f in down if isinstance(f, SuggestionFrame) and f.done]
    assert sorted(f.option for f in done) == sorted(OPTIONS)  # shown once, kept: no second copy
    assert all(f.source == "composer" for f in done)
    assert "tracking API" in next(f for f in done if f.option == "story").text


async def test_failing_provider_falls_back_too(candidate, drafting):
    async with LLMTestServer(fail_status=500) as server:
        llm = LLMDrafter(_settings(server))
        drafter = AnswerDrafter(SessionContext(session_id="s", candidate=candidate), llm=llm, drafting=drafting)
        down = await _drive(drafter, [QUESTION], settle=1.0)
        await llm.close()
    assert any(isinstance(f, StatusFrame) and f.state == "llm_fallback" for f in down)
    assert {f.source for f in down if isinstance(f, SuggestionFrame)} == {"composer"}
