"""Bad audio, real parts (espeak speech, Silero VAD, faster-whisper, aiohttp + aiortc over
loopback): NaN and infinite samples, full-scale clipping, 8 kHz / 48 kHz / stereo input and
minutes of silence, through the replay path (files → ``load_audio`` → the pipeline) and the
live aiortc path. Nothing crashes, no request gets a 5xx, and the speech's transcript is kept.
Malformed SDP and ICE candidates get a 4xx."""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp
import numpy as np
import pytest
import soundfile as sf
import soxr
from pipecat.frames.frames import UserAudioRawFrame

from cuecard.api.keys import LIVE_SESSIONS
from cuecard.bench.sessions import LiveClient, paced_track, register
from cuecard.frames import CANDIDATE
from cuecard.pipeline.replay import replay_tracks
from cuecard.pipeline.session import SessionRunner
from cuecard.transports.replay import load_audio
from tests.conftest import serving_live

pytestmark = pytest.mark.slow

RATE = 16000
SENTENCE, KEY = "I built a payment service.", "service"  # "payment" clipped is heard "pavement"


def heard(events: list[dict]) -> str:
    return " ".join(e["text"] for e in events if e["type"] == "transcript" and e.get("final")).lower()


@pytest.fixture
def speech(speak) -> np.ndarray:
    """The sentence as float samples in [-1, 1] at 16 kHz."""
    data, rate = sf.read(str(speak(SENTENCE)), dtype="float32")
    assert rate == RATE
    return data


def silence(secs: float, rate: int = RATE) -> np.ndarray:
    return np.zeros(int(secs * rate), np.float32)


def bad_files(tmp_path, speech: np.ndarray) -> dict[str, object]:
    """name -> path of a file with the sentence in it, damaged one way."""
    nan_burst = np.tile(np.array([np.nan, np.inf, -np.inf, 0.3], np.float32), RATE // 8)  # 0.5 s
    files = {
        "nan_inf": (np.concatenate([nan_burst, silence(0.7), speech, nan_burst, silence(1.0)]), RATE, "FLOAT"),
        "clipped": (np.clip(np.concatenate([silence(0.5), speech * 8, silence(1.0)]), -1, 1), RATE, "PCM_16"),
        "8k": (soxr.resample(np.concatenate([silence(0.5), speech, silence(1.0)]), RATE, 8000), 8000, "PCM_16"),
        "48k_stereo": (
            np.stack([soxr.resample(np.concatenate([silence(0.5), speech, silence(1.0)]), RATE, 48000)] * 2, axis=1),
            48000,
            "PCM_16",
        ),
        "silence_minutes": (np.concatenate([silence(180), speech, silence(1.0)]), RATE, "PCM_16"),
    }
    paths = {}
    for name, (samples, rate, subtype) in files.items():
        path = tmp_path / f"{name}.wav"
        sf.write(str(path), samples, rate, subtype=subtype)
        paths[name] = path
    return paths


# -- replay path -------------------------------------------------------------------------------


async def test_replay_of_damaged_files_keeps_the_speech(services, tmp_path, speech):
    for name, path in bad_files(tmp_path, speech).items():
        audio = load_audio(path)
        assert audio.dtype == np.int16
        if name == "nan_inf":
            # the NaN/inf samples became silence, not full-scale clicks
            assert not np.any(audio[: RATE // 2 : 4]), audio[:16]
        events = await replay_tracks(services, {CANDIDATE: audio}, persist=True)
        assert KEY in heard(events), (name, heard(events))


async def test_frames_of_other_rates_and_channels_reach_the_segmenter_resampled(services, speech):
    """A transport that hands the pipeline 48 kHz stereo or 8 kHz frames (not resampled) must
    not stop the session: the segmenter converts them (it raised ValueError before)."""
    for rate, channels in ((48000, 2), (8000, 1)):
        runner = SessionRunner(services, f"rates-{rate}", live=False, persist=False)
        events: list[dict] = []

        async def collect(event, events=events):
            events.append(event)

        runner.add_listener(collect)
        runner.start()
        pcm = np.concatenate([silence(0.5), speech, silence(1.5)])
        pcm = soxr.resample(pcm, RATE, rate) if rate != RATE else pcm
        samples = np.round(np.repeat(pcm[:, None], channels, axis=1) * 32767).astype(np.int16)
        step = rate // 50
        for i in range(0, len(samples), step):
            chunk = samples[i : i + step]
            await runner.queue_frame(
                UserAudioRawFrame(audio=chunk.tobytes(), sample_rate=rate, num_channels=channels, user_id=CANDIDATE)
            )
            if i % (step * 50) == 0:
                await asyncio.sleep(0)
        await runner.end()
        assert KEY in heard(events), (rate, channels, heard(events))


# -- live aiortc path ----------------------------------------------------------------------------


@pytest.fixture
async def live_server(settings, loopback_ice):
    async with serving_live(settings, max_live_sessions=0) as served:
        yield served


def live_tracks(speech: np.ndarray) -> dict[str, object]:
    """name -> a paced track whose audio carries the sentence, damaged one way."""
    pcm16 = np.round(np.concatenate([silence(0.5), speech, silence(2.0)]) * 32767).astype(np.int16)
    nan_burst = np.tile(np.array([np.nan, np.inf, -np.inf, 0.3], np.float32), RATE // 8)
    at_8k = soxr.resample(pcm16.astype(np.float32) / 32768, RATE, 8000)
    at_48k = soxr.resample(pcm16.astype(np.float32) / 32768, RATE, 48000)
    return {
        "nan_inf_float_frames": paced_track(np.concatenate([nan_burst, silence(0.7), speech, nan_burst, silence(2.0)])),
        "clipped": paced_track(np.clip(pcm16.astype(np.int32) * 8, -32768, 32767).astype(np.int16)),
        "8k": paced_track(np.round(at_8k * 32767).astype(np.int16), rate=8000),
        "48k_stereo": paced_track(np.repeat(np.round(at_48k * 32767).astype(np.int16)[:, None], 2, axis=1), rate=48000),
        "silence_60s": paced_track(np.concatenate([np.zeros(60 * RATE, np.int16), pcm16])),
    }


async def wait_for(predicate, within_secs: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + within_secs
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()


async def test_live_sessions_with_damaged_audio_keep_the_speech(live_server, speech):
    app, base = live_server
    tracks = live_tracks(speech)
    async with aiohttp.ClientSession() as http:
        token = await register(http, base)
        clients = {name: LiveClient(base, track, None, token) for name, track in tracks.items()}
        try:
            for client in clients.values():
                await client.join(http)

            def transcribed(client) -> bool:
                return any(KEY in e["text"].lower() for e in client.finals())

            assert await wait_for(lambda: all(t.finished for t in tracks.values()), 120), {
                n: (t.pos, len(t.audio)) for n, t in tracks.items() if not t.finished
            }
            await wait_for(lambda: all(transcribed(c) for c in clients.values()), 40)
            missing = {n: [e["text"] for e in c.finals()] for n, c in clients.items() if not transcribed(c)}
            assert not missing, missing
            async with http.get(f"{base}/api/health") as r:
                assert r.status == 200
            assert len(app[LIVE_SESSIONS]) == len(clients)  # every session still live
        finally:
            for client in clients.values():
                await client.close()
        await wait_for(lambda: not app[LIVE_SESSIONS], 30)
        # the stored transcripts kept the speech too
        for name, client in clients.items():
            async with http.get(f"{base}/api/sessions/{client.session_id}/transcript", headers=client.headers) as r:
                assert r.status == 200
                text = " ".join(s["text"] for s in (await r.json())["items"]).lower()
            assert KEY in text, (name, text)


# -- malformed SDP and ICE -------------------------------------------------------------------------

MALFORMED_OFFERS = [
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n",
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio notaport RTP/AVP 0\r\n",
    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n",  # no ICE, no DTLS
    "v=0\r\n" + "a=x\r\n" * 20000,
    "v=0\r\n\x00\x01\x02\r\n",
]
MALFORMED_CANDIDATES = [
    {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 notaport typ host", "sdp_mid": "0"},
    {"candidate": "candidate:1 1 udp 2130706431", "sdp_mid": "0"},
    {"candidate": "candidate:" + "x" * 5000, "sdp_mline_index": 0},
    {"candidate": "candidate:1 1 udp 1 127.0.0.1 99999999 typ host", "sdp_mid": "0"},
    {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host", "sdp_mid": "9", "sdp_mline_index": 99},
    {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host", "sdp_mline_index": "0"},
]


async def test_malformed_sdp_and_ice_candidates_get_4xx(live_server):
    app, base = live_server
    async with aiohttp.ClientSession() as http:
        token = await register(http, base)
        auth = {"Authorization": f"Bearer {token}"}
        for sdp in MALFORMED_OFFERS:
            async with http.post(
                f"{base}/api/offer", json={"sdp": sdp, "type": "offer", "consent": True}, headers=auth
            ) as r:
                assert 400 <= r.status < 500, (sdp[:80], r.status, await r.text())
        # a real connection, then bad trickled candidates on it
        client = LiveClient(base, paced_track(np.zeros(RATE, np.int16)), None, token)
        try:
            answer = await client.join(http)
            for candidate in MALFORMED_CANDIDATES:
                body = {"pc_id": answer["pc_id"], "candidates": [candidate]}
                async with http.patch(f"{base}/api/offer", json=body, headers=auth) as r:
                    text = await r.text()
                    assert 400 <= r.status < 500 or (r.status == 200 and re.search('"added"', text)), (
                        candidate,
                        r.status,
                        text,
                    )
                    assert r.status != 500
            assert len(app[LIVE_SESSIONS]) == 1  # the connection survived
        finally:
            await client.close()
