"""Google streaming adapter against a loopback gRPC test double serving the real
``google.cloud.speech.v1.Speech/StreamingRecognize`` method with the library's own message
types; OpenAI refinement and the persistent transcript cache against a loopback HTTP double."""

from __future__ import annotations

import asyncio
import datetime

import grpc
import numpy as np
import pytest
from google.cloud import speech_v1 as speech
from stt_doubles import OpenAIDouble

from cuecard.services.google.stt import GoogleStreamingSTT
from cuecard.services.openai.stt import OpenAIRefiner
from cuecard.services.streaming_stt import ProviderError
from cuecard.services.transcript_cache import TranscriptCache


def _response(results):
    return speech.StreamingRecognizeResponse(results=results)


def _word(word, start, end, tag):
    return speech.WordInfo(
        word=word,
        start_time=datetime.timedelta(seconds=start),
        end_time=datetime.timedelta(seconds=end),
        speaker_tag=tag,
        confidence=0.9,
    )


class GoogleSpeechDouble:
    """Test double of Google's Speech v1 gRPC service (StreamingRecognize only).

    Checks that the first request carries the streaming config and only that, then answers
    with one interim and one final result once it has received ``answer_after`` bytes of
    audio; ``abort`` makes it fail the call with UNAVAILABLE instead, as Google does when a
    backend drops."""

    def __init__(self, *, abort: bool = False, answer_after: int = 16000):
        self.abort = abort
        self.answer_after = answer_after
        self.config = None
        self.audio_bytes = 0
        self.port = 0

    async def _streaming_recognize(self, request_iterator, context):
        first = True
        answered = False
        async for request in request_iterator:
            if first:
                assert request.streaming_config.config.sample_rate_hertz == 16000
                assert not request.audio_content
                self.config = request.streaming_config
                first = False
                continue
            self.audio_bytes += len(request.audio_content)
            if self.audio_bytes >= self.answer_after and not answered:
                answered = True
                if self.abort:
                    context.set_code(grpc.StatusCode.UNAVAILABLE)
                    context.set_details("test double: backend dropped")
                    return
                yield _response(
                    [
                        speech.StreamingRecognitionResult(
                            alternatives=[speech.SpeechRecognitionAlternative(transcript="tell me about")],
                            is_final=False,
                            stability=0.8,
                            result_end_time=datetime.timedelta(seconds=0.9),
                        ),
                        speech.StreamingRecognitionResult(
                            alternatives=[speech.SpeechRecognitionAlternative(transcript=" a time you")],
                            is_final=False,
                            stability=0.1,
                            result_end_time=datetime.timedelta(seconds=1.0),
                        ),
                    ]
                )
                yield _response(
                    [
                        speech.StreamingRecognitionResult(
                            alternatives=[
                                speech.SpeechRecognitionAlternative(
                                    transcript="Tell me about a time you failed.",
                                    confidence=0.87,
                                    words=[
                                        _word(w, 0.2 + 0.2 * i, 0.4 + 0.2 * i, 2)
                                        for i, w in enumerate("Tell me about a time you failed.".split())
                                    ],
                                )
                            ],
                            is_final=True,
                            result_end_time=datetime.timedelta(seconds=1.8),
                        ),
                    ]
                )

    async def __aenter__(self):
        handler = grpc.method_handlers_generic_handler(
            "google.cloud.speech.v1.Speech",
            {
                "StreamingRecognize": grpc.stream_stream_rpc_method_handler(
                    self._streaming_recognize,
                    request_deserializer=speech.StreamingRecognizeRequest.deserialize,
                    response_serializer=speech.StreamingRecognizeResponse.serialize,
                )
            },
        )
        self._server = grpc.aio.server()
        self._server.add_generic_rpc_handlers((handler,))
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        await self._server.start()
        return self

    async def __aexit__(self, *exc):
        await self._server.stop(0)


async def _stream(double, seconds=1.5):
    stt = GoogleStreamingSTT(endpoint=f"127.0.0.1:{double.port}", insecure=True)
    await asyncio.wait_for(stt.start(), 2)
    chunk = np.full(1600, 1000, np.int16).tobytes()
    for _ in range(int(seconds * 10)):
        await stt.send(chunk)
    await stt.finish()
    results = []
    try:
        async for result in stt.results():
            results.append(result)
    finally:
        await stt.close()
    return results


async def test_google_streaming_maps_interim_final_words_and_speakers():
    async with GoogleSpeechDouble() as double:
        results = await asyncio.wait_for(_stream(double), 10)
    config = double.config.config
    assert double.config.interim_results and config.enable_word_time_offsets
    assert config.diarization_config.enable_speaker_diarization and config.language_code == "en-US"
    assert double.audio_bytes == 1.5 * 16000 * 2
    interim, final = results
    assert not interim.is_final and interim.text == "tell me about a time you"
    assert interim.confidence == pytest.approx(0.1)  # stability of the least stable part
    assert final.is_final and final.end_of_line and final.text == "Tell me about a time you failed."
    assert final.confidence == pytest.approx(0.87) and final.end == pytest.approx(1.8)
    assert final.start == pytest.approx(0.2) and final.speaker == 1  # speaker_tag 2 -> 0-based 1
    assert [w.text for w in final.words][-1] == "failed."


async def test_google_backend_failure_raises_provider_error():
    async with GoogleSpeechDouble(abort=True) as double:
        # grpc may report the abort as UNAVAILABLE or, when our request writer is still busy,
        # as INTERNAL "Failed execute_batch": either way the stage must see a ProviderError.
        with pytest.raises(ProviderError, match="^google: "):
            await asyncio.wait_for(_stream(double), 10)


async def test_google_unreachable_endpoint_fails_to_start():
    stt = GoogleStreamingSTT(endpoint="127.0.0.1:9", insecure=True)
    with pytest.raises((ProviderError, asyncio.TimeoutError)):
        await asyncio.wait_for(stt.start(), 1.0)
    await stt.close()


async def test_openai_refinement_is_cached_across_processes(tmp_path):
    audio = (np.sin(np.arange(16000) / 10) * 3000).astype(np.int16).tobytes()
    path = tmp_path / "stt_cache.sqlite3"
    async with OpenAIDouble("We shipped it in two weeks.") as double:
        refiner = OpenAIRefiner(api_key="k", base_url=double.base_url, model="whisper-1", cache=TranscriptCache(path))
        first = await refiner.refine(audio)
        again = await refiner.refine(audio)
        await refiner.close()
        # A new process (new cache object on the same file) does not pay again either.
        reopened = OpenAIRefiner(api_key="k", base_url=double.base_url, model="whisper-1", cache=TranscriptCache(path))
        third = await reopened.refine(audio)
        # Same audio, another model: that is new work.
        other = OpenAIRefiner(
            api_key="k", base_url=double.base_url, model="gpt-4o-transcribe", cache=TranscriptCache(path)
        )
        fourth = await other.refine(audio)
    assert first.text == again.text == third.text == fourth.text == "We shipped it in two weeks."
    assert not first.cached and again.cached and third.cached and not fourth.cached
    assert first.confidence == pytest.approx(np.exp(-0.1))
    assert [r["fields"]["model"] for r in double.requests] == ["whisper-1", "gpt-4o-transcribe"]
    assert double.requests[0]["fields"]["response_format"] == "verbose_json"
    assert double.requests[0]["filename"] == "line.wav"


async def test_openai_refinement_failure_is_an_error_not_a_cached_result(tmp_path):
    audio = np.ones(8000, np.int16).tobytes()
    cache = TranscriptCache(None)
    async with OpenAIDouble("unused", fail=True) as double:
        refiner = OpenAIRefiner(api_key="k", base_url=double.base_url, cache=cache)
        with pytest.raises(Exception, match="500|server error"):
            await refiner.refine(audio)
    assert cache.get(audio, "openai", "gpt-4o-transcribe") is None


async def test_deepgram_failure_hands_the_unfinalised_audio_to_google(settings, speak):
    """Chain deepgram → google → local: Google gets the audio since Deepgram's last final
    result re-sent (so it starts before the fault), and its result is placed on the session
    clock from that point. Both providers get the session's vocabulary as recognition hints
    for the interviewer's track (Deepgram ``keyterm``s, Google phrase hints)."""
    import soundfile as sf
    from stt_doubles import DeepgramDouble, Fault

    from cuecard.pipeline.context import SessionContext
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.profile.models import CandidateContext, Job

    greeting, _ = sf.read(str(speak("Thanks for having me today.")), dtype="int16")
    question, _ = sf.read(str(speak("Tell me about a time you failed.")), dtype="int16")
    gap = np.zeros(int(0.8 * 16000), np.int16)
    audio = np.concatenate([np.zeros(4800, np.int16), greeting, gap, question, np.zeros(4800, np.int16)])
    question_start = (4800 + len(greeting) + len(gap)) / 16000
    events = []

    async def on_event(event):
        events.append(event)

    async with (
        DeepgramDouble([(["Thanks for having me today."], Fault("error", at=question_start + 0.5))]) as dg,
        GoogleSpeechDouble(answer_after=32000) as google,
    ):
        services = await Services.create(
            settings.model_copy(
                update=dict(
                    stt_providers=["deepgram", "google", "local"],
                    deepgram_url=dg.url,
                    deepgram_api_key=dg.api_key,
                    google_speech_endpoint=f"127.0.0.1:{google.port}",
                    google_speech_insecure=True,
                    stt_refiner="none",
                )
            )
        )
        job = Job(required_skills=["Kubernetes", "PostgreSQL"], text="We run Kafka on Kubernetes.")
        context = SessionContext(session_id="hints", candidate=CandidateContext(job=job))
        try:
            await replay_tracks(services, {"interviewer": audio}, on_event=on_event, persist=False, context=context)
        finally:
            await services.close()
    changes = [e for e in events if e["type"] == "status" and e["state"] == "provider"]
    assert [e["provider"] for e in changes] == ["deepgram", "google"]
    keyterms = dg.connections[0].query_all.get("keyterm", [])
    assert keyterms[:2] == ["Kubernetes", "PostgreSQL"] and "Apache Kafka" in keyterms
    phrases = list(google.config.config.speech_contexts[0].phrases)
    assert phrases[:2] == ["Kubernetes", "PostgreSQL"] and "Apache Kafka" in phrases
    finals = [e for e in events if e["type"] == "transcript" and e["final"]]
    assert [(e["provider"], e["text"]) for e in finals] == [
        ("deepgram", "Thanks for having me today."),
        ("google", "Tell me about a time you failed."),
    ]
    # Re-sent from the end of Deepgram's last final result, i.e. from before the question.
    resent_secs = google.audio_bytes / 32000
    assert resent_secs >= len(audio) / 16000 + 1.5 - question_start
    google_line = finals[1]
    assert google_line["speaker"] == "Interviewer 2" and google_line["confidence"] == 0.87
    # Google's times count from its stream start = the end of Deepgram's last final result.
    # (The line opened with Google's first interim, which has no word times: it starts there.)
    assert google_line["start"] == pytest.approx(finals[0]["end"], abs=0.03)
    assert google_line["end"] == pytest.approx(finals[0]["end"] + 1.8, abs=0.03)
