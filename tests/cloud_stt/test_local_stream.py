"""Local Whisper as a ``StreamingSTT``, with a fake engine: its public protocol only."""

from __future__ import annotations

import asyncio

import numpy as np

from cuecard.services.whisper.engine import Transcription
from cuecard.services.whisper.stream import LocalWhisperSTT

RATE = 16000


class FakeEngine:
    model_name = "fake"

    def __init__(self):
        self.decoded: list[float] = []  # seconds of audio per decode

    async def decode(self, audio: bytes, **options) -> Transcription:
        secs = len(audio) / 2 / RATE
        self.decoded.append(round(secs, 2))
        return Transcription(f"{secs:.1f}s", 0.9, 0.0, self.model_name)


def voiced(secs: float) -> bytes:
    t = np.arange(int(secs * RATE)) / RATE
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype(np.int16).tobytes()


def silence(secs: float) -> bytes:
    return np.zeros(int(secs * RATE), np.int16).tobytes()


async def collect(stream: LocalWhisperSTT) -> list:
    return [r async for r in stream.results()]


async def test_backlog_ending_in_speech_waits_for_its_segment():
    engine = FakeEngine()
    stream = LocalWhisperSTT(engine)
    await stream.start()
    await stream.send(silence(0.5) + voiced(1.0))  # re-sent: speech goes on at the switch
    stream.caught_up()
    await asyncio.sleep(0)
    assert engine.decoded == []  # decoding now would cut a word
    await stream.send(voiced(0.5) + silence(0.3))
    stream.segment("final", 1.0, 2.3, "u1")  # the segment in progress closes
    stream.utterance_end("u1")
    await stream.finish()
    results = await collect(stream)
    assert engine.decoded == [2.3]  # backlog and segment decoded together
    assert [(r.text, r.is_final, r.end_of_line) for r in results] == [("2.3s", True, False), ("", True, True)]


async def test_silent_backlog_is_decoded_at_once_and_closes_its_line():
    engine = FakeEngine()
    stream = LocalWhisperSTT(engine)
    await stream.start()
    await stream.send(voiced(1.0) + silence(0.5))
    stream.caught_up()
    await stream.finish()
    results = await collect(stream)
    assert engine.decoded == [1.5]
    assert [(r.text, r.end, r.end_of_line) for r in results] == [("1.5s", 1.5, True)]


async def test_a_segment_before_its_audio_waits_for_it():
    engine = FakeEngine()
    stream = LocalWhisperSTT(engine)
    await stream.start()
    stream.caught_up()  # nothing re-sent
    stream.segment("final", 0.0, 1.0, "u1")
    await asyncio.sleep(0.01)
    assert engine.decoded == []
    await stream.send(voiced(1.0))
    stream.utterance_end("u1")
    await stream.finish()
    assert [r.text for r in await collect(stream)] == ["1.0s", ""]
    assert engine.decoded == [1.0]
