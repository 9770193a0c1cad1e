"""Admission control with real parts (aiohttp server, aiortc clients over loopback, Whisper):
with ``max_live_sessions=1`` a second live session gets 503 with ``Retry-After`` and a clear
message, before its SDP is even looked at, while the first keeps streaming and transcribing;
once the first ends, a new session is admitted again."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import numpy as np
import pytest
import soundfile as sf
from aiortc.mediastreams import AudioStreamTrack

from cuecard.api.keys import LIVE_SESSIONS
from cuecard.bench.sessions import RATE, LiveClient, paced_track, register
from tests.conftest import serving_live

pytestmark = pytest.mark.slow


@pytest.fixture
async def one_slot_server(settings, loopback_ice):
    async with serving_live(settings, max_live_sessions=1) as served:
        yield served


async def wait_for(predicate, within_secs: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + within_secs
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()


async def test_second_session_beyond_capacity_gets_503_and_the_first_keeps_streaming(one_slot_server, speak):
    app, base = one_slot_server
    one, two = (
        sf.read(str(speak(s)), dtype="int16")[0] for s in ("I designed the billing system.", "It handled refunds too.")
    )
    gap = np.zeros(int(3.0 * RATE), np.int16)
    audio = np.concatenate([np.zeros(RATE // 2, np.int16), one, gap, two, np.zeros(2 * RATE, np.int16)])
    async with aiohttp.ClientSession() as http:
        first = LiveClient(base, paced_track(audio), None, await register(http, base))
        second = None
        try:
            session_id = (await first.join(http))["session_id"]

            def lines() -> list[str]:
                return [e["text"] for e in first.finals() if e["text"].strip() and not e.get("refined")]

            assert await wait_for(lambda: len(lines()) >= 1, 30), first.events
            before = len(lines())

            second = LiveClient(base, AudioStreamTrack(), None, await register(http, base))
            status, body, headers = await second.offer(http)
            assert status == 503, body
            assert int(headers["Retry-After"]) > 0
            assert body["error"]["code"] == "at_capacity" and "capacity" in body["error"]["message"]
            # capacity comes before SDP validation: a broken SDP is refused the same way
            async with http.post(
                f"{base}/api/offer",
                json={"sdp": "v=0\r\nnonsense", "type": "offer", "consent": True},
                headers=second.headers,
            ) as r:
                assert r.status == 503
            assert list(app[LIVE_SESSIONS]) == [session_id]

            # the first session goes on: its next line is transcribed after the refusal
            assert await wait_for(lambda: any("handled" in t.lower() for t in lines()[before:]), 30), lines()
            await first.close()
            assert await wait_for(lambda: not app[LIVE_SESSIONS], 20)

            # a slot is free again
            third = LiveClient(base, AudioStreamTrack(), None, second.token)
            await third.join(http)
            await third.close()
        finally:
            await first.close()
            if second is not None:
                await second.close()
