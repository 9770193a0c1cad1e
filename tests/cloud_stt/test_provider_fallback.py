"""The provider-chain STT stage against loopback test doubles of Deepgram and OpenAI, with the
real local Whisper engine as the fallback, through the real session pipeline (replay)."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
import soundfile as sf
from stt_doubles import DeepgramDouble, Fault, HangingServer, OpenAIDouble

from cuecard.pipeline.replay import replay_tracks
from cuecard.pipeline.services import Services

pytestmark = pytest.mark.slow

GREETING = "Thanks for having me today."
PROJECT = "I moved our billing service onto a message queue."
ROLLOUT = "The rollout took two weeks."


def pcm(path) -> np.ndarray:
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == 16000
    return data


def pause(secs: float) -> np.ndarray:
    return np.zeros(int(secs * 16000), np.int16)


@pytest.fixture
def speech(speak):
    """Greeting, then the project sentence, each with its start/end in seconds."""

    def build(*texts_and_pauses):
        parts, marks, t = [], {}, 0.0
        for item in texts_and_pauses:
            audio = pause(item) if isinstance(item, float) else pcm(speak(item))
            if not isinstance(item, float):
                marks[item] = (t, t + len(audio) / 16000)
            parts.append(audio)
            t += len(audio) / 16000
        return np.concatenate(parts), marks

    return build


async def run(settings, audio, *, role="candidate", realtime=False, **overrides):
    services = await Services.create(settings.model_copy(update=overrides))
    await asyncio.to_thread(services.engine.warm_up)  # as `cuecard serve` does at start
    events, seen_at = [], []

    async def on_event(event):
        events.append(event)
        seen_at.append(time.monotonic())

    try:
        await replay_tracks(services, {role: audio}, realtime=realtime, on_event=on_event, persist=False)
    finally:
        await services.close()
    return events, seen_at


def finals(events, **match):
    return [
        e for e in events if e["type"] == "transcript" and e["final"] and all(e.get(k) == v for k, v in match.items())
    ]


def provider_changes(events):
    return [e for e in events if e["type"] == "status" and e["state"] == "provider"]


def words(text: str) -> set[str]:
    return {w.strip(".,?!").lower() for w in text.split()}


async def test_deepgram_streaming_with_openai_refinement(settings, speech):
    audio, _ = speech(0.3, GREETING, 0.8, PROJECT, 0.5)
    # Deepgram's text for the first line is deliberately off; the refinement corrects it.
    script = ["Thanks for having me to day.", PROJECT]
    async with DeepgramDouble([(script, None), (script, None)]) as dg, OpenAIDouble(GREETING) as oa:
        options = dict(
            role="interviewer",
            stt_providers=["deepgram", "local"],
            deepgram_url=dg.url,
            deepgram_api_key=dg.api_key,
            stt_refiner="openai",
            openai_stt_base_url=oa.base_url,
            openai_stt_api_key="test",
            openai_stt_model="gpt-4o-transcribe",
        )
        events, _ = await run(settings, audio, **options)
        # A replay in a new process (new Services, same data dir): refinements come from the
        # persistent cache, OpenAI is not asked again.
        replayed, _ = await run(settings, audio, **options)
    assert [e["text"] for e in finals(replayed, refined=True)] == [e["text"] for e in finals(events, refined=True)]
    assert [e["provider"] for e in provider_changes(events)] == ["deepgram"]
    query = dg.connections[0].query
    assert query["model"] == "nova-3" and query["diarize"] == "true" and query["interim_results"] == "true"
    interims = [e for e in events if e["type"] == "transcript" and not e["final"]]
    assert interims and all(e["provider"] == "deepgram" for e in interims)
    live = finals(events, provider="deepgram")
    assert [e["text"] for e in live] == ["Thanks for having me to day.", PROJECT]
    assert all(e["speaker"] == "Interviewer 1" and e["confidence"] == 0.93 for e in live)
    assert 0.3 <= live[0]["start"] <= 0.5  # espeak starts with ~0.1 s of silence
    refined = finals(events, refined=True)
    assert {e["segment_id"] for e in refined} == {e["segment_id"] for e in live}
    first = next(e for e in refined if e["segment_id"] == live[0]["segment_id"])
    assert first["text"] == GREETING and first["provider"] == "openai"
    assert first["confidence"] == pytest.approx(np.exp(-0.05), abs=1e-3)
    assert len(oa.requests) == 2 and oa.requests[0]["fields"]["model"] == "gpt-4o-transcribe"
    assert oa.requests[0]["include"] == ["logprobs"]


@pytest.mark.parametrize("kind", ["error", "stall"])
@pytest.mark.parametrize("when", ["mid_sentence", "before_final"])
async def test_failure_switches_to_local_within_2s_without_losing_words(settings, speech, kind, when):
    """``mid_sentence``: the provider dies while the sentence is spoken. ``before_final``: the
    sentence is over (the segmenter already closed its segment) but the provider dies before
    its final result: only the re-send buffer still holds those words."""
    audio, marks = speech(0.3, GREETING, 0.8, PROJECT, 1.2)
    project_start, project_end = marks[PROJECT]
    fault_at = (project_start + project_end) / 2 if when == "mid_sentence" else project_end + 0.6
    plans = [([GREETING, "never sent"], Fault(kind, at=fault_at))]
    async with DeepgramDouble(plans, endpointing_secs=1.0) as dg:
        events, seen_at = await run(
            settings,
            audio,
            realtime=True,
            stt_providers=["deepgram", "local"],
            deepgram_url=dg.url,
            deepgram_api_key=dg.api_key,
            stt_refiner="none",
            stt_stall_secs=1.5,
            stt_retry_base_secs=30.0,
        )
    changes = provider_changes(events)
    assert [e["provider"] for e in changes] == ["deepgram", "local"]
    switch = changes[1]
    switched_at = seen_at[events.index(switch)]
    measured = switched_at - dg.connections[0].fault_at_wall
    print(f"\n{kind}/{when}: fault injected -> provider status 'local' after {measured:.3f} s ({switch['message']})")
    assert measured <= 2.0
    assert switch["from"] == "deepgram" and (kind in switch["reason"] or "closed" in switch["reason"])
    assert [e["text"] for e in finals(events, provider="deepgram")] == [GREETING]
    local_text = " ".join(e["text"] for e in finals(events, provider="local"))
    # The words spoken across the switch come from the buffered audio, decoded locally.
    assert {"billing", "service", "message", "queue"} <= words(local_text), local_text
    assert "thanks" not in words(local_text)  # the finalised greeting is not transcribed twice


async def test_recovers_to_deepgram_after_backoff_at_a_pause(settings, speech):
    audio, marks = speech(0.3, GREETING, 0.8, PROJECT, 2.5, ROLLOUT, 0.3)
    project_start, project_end = marks[PROJECT]
    plans = [([GREETING, "never sent"], Fault("error", at=(project_start + project_end) / 2)), ([ROLLOUT], None)]
    async with DeepgramDouble(plans) as dg:
        events, _ = await run(
            settings,
            audio,
            realtime=True,
            stt_providers=["deepgram", "local"],
            deepgram_url=dg.url,
            deepgram_api_key=dg.api_key,
            stt_refiner="none",
            stt_retry_base_secs=0.5,
        )
    changes = provider_changes(events)
    assert [e["provider"] for e in changes] == ["deepgram", "local", "deepgram"]
    assert changes[2]["reason"] == "recovered"
    assert len(dg.connections) == 2
    assert [e["text"] for e in finals(events, provider="deepgram")] == [GREETING, ROLLOUT]
    assert {"billing", "queue"} <= words(" ".join(e["text"] for e in finals(events, provider="local")))
    # The second connection got only audio after the switch back (replay adds 1.5 s of tail).
    assert dg.connections[1].received / 16000 < len(audio) / 16000 + 1.5 - marks[PROJECT][1]


@pytest.mark.parametrize("unreachable", ["hang", "refused", "bad_key"])
async def test_unreachable_provider_falls_back_at_once(settings, speech, unreachable):
    audio, _ = speech(0.3, PROJECT, 0.3)
    async with HangingServer() as hanging, DeepgramDouble([]) as dg:
        url = {"hang": hanging.url, "refused": "ws://127.0.0.1:9/v1/listen", "bad_key": dg.url}[unreachable]
        events, _ = await run(
            settings,
            audio,
            stt_providers=["deepgram", "local"],
            deepgram_url=url,
            deepgram_api_key="wrong",
            stt_refiner="none",
            stt_connect_timeout_secs=1.0,
        )
    changes = provider_changes(events)
    assert [e["provider"] for e in changes] == ["local"]
    # Measured by the stage: from the connection attempt to the local engine taking over.
    elapsed = changes[0]["switch_secs"]
    print(f"\n{unreachable}: connect attempt -> provider status 'local' after {elapsed:.3f} s: {changes[0]['reason']}")
    assert elapsed <= 2.0
    assert ("did not connect" in changes[0]["reason"]) == (unreachable == "hang")
    assert {"billing", "service", "message", "queue"} <= words(" ".join(e["text"] for e in finals(events)))


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_failed_provider_backs_off_exponentially():
    from cuecard.services.provider_health import ProviderHealth

    clock = FakeClock()
    health = ProviderHealth(["deepgram", "local"], base_secs=2.0, max_secs=10.0, clock=clock)
    assert [health.failed("deepgram") for _ in range(5)] == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert health.failures("deepgram") == 5
    assert not health.available("deepgram") and health.available("local")
    health.succeeded("deepgram")  # a result arrived: the next failure starts over
    assert health.failed("deepgram") == 2.0


def test_backoff_runs_out_on_the_clock_not_by_sleeping():
    from cuecard.services.provider_health import ProviderHealth

    clock = FakeClock()
    health = ProviderHealth(["deepgram", "google"], base_secs=2.0, max_secs=60.0, clock=clock)
    health.failed("deepgram")
    assert not health.available("deepgram") and health.retry_in("deepgram") == 2.0
    clock.now += 1.5
    assert not health.available("deepgram") and health.retry_in("deepgram") == pytest.approx(0.5)
    clock.now += 0.5
    assert health.available("deepgram") and health.retry_in("deepgram") == 0.0
    # Failing again right after the back-off ran out doubles it, from the new failure's time.
    assert health.failed("deepgram") == 4.0
    clock.now += 3.9
    assert not health.available("deepgram")
    clock.now += 0.1
    assert health.available("deepgram")
    assert health.available("google") and health.delay("google") == 0.0  # providers are separate


async def test_default_chain_keeps_the_local_whisper_stage(settings):
    from cuecard.pipeline.assembly import speech_to_text_stage, streaming_first
    from cuecard.processors.cloud_stt import ProviderChainSTT
    from cuecard.processors.whisper_stt import WhisperSTTProcessor

    services = await Services.create(settings)
    try:
        assert not streaming_first(services)
        assert isinstance(speech_to_text_stage(services, clock=None), WhisperSTTProcessor)
        services.settings = settings.model_copy(update={"stt_providers": ["deepgram", "local"]})
        assert streaming_first(services)
        assert isinstance(speech_to_text_stage(services, clock=None), ProviderChainSTT)
        services.settings = settings.model_copy(update={"stt_providers": ["deepgram", "openai"]})
        with pytest.raises(ValueError, match="stt_refiner=openai"):
            speech_to_text_stage(services, clock=None)
    finally:
        await services.close()


async def test_cloud_only_chain_that_fails_still_keeps_the_words(settings, speech):
    """No "local" in the chain and Deepgram refuses: the audio is buffered while it backs off,
    and at the end of the input the buffer is decoded locally rather than dropped."""
    audio, _ = speech(0.3, PROJECT, 0.3)
    events, _ = await run(
        settings,
        audio,
        stt_providers=["deepgram"],
        deepgram_url="ws://127.0.0.1:9/v1/listen",
        deepgram_api_key="k",
        stt_refiner="none",
    )
    errors = [e for e in events if e["type"] == "status" and e["state"] == "stt_error"]
    assert errors and "no speech-to-text provider" in errors[0]["message"]
    assert {"billing", "service", "message", "queue"} <= words(" ".join(e["text"] for e in finals(events)))
