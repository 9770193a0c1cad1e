"""A real WebRTC connection over loopback: a Python aiortc client sends TWO audio tracks
(microphone = candidate, shared tab = interviewer) of espeak speech to the real server
(aiohttp, SmallWebRTC, Silero VAD, faster-whisper) and reads transcript events on the data
channel. Nothing is mocked; only aioice's host addresses are narrowed to 127.0.0.1 because it
never offers loopback candidates by itself.

The two-track test also measures the delay from the last speech sample an utterance leaves the
client to its final transcript arriving back on the client (printed, not asserted).
"""

from __future__ import annotations

import asyncio
import fractions
import json
import re
import statistics
import time

import aiohttp
import numpy as np
import pytest
import soundfile as sf
from aiohttp.test_utils import TestServer
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av import AudioFrame

from cuecard.api.app import create_app
from cuecard.api.keys import LIVE_SESSIONS, SERVICES, WARMUP
from cuecard.processors.diarizer import SpeakerDiarizer

pytestmark = pytest.mark.slow

RATE = 16000
FRAME = 320  # 20 ms

# (role, sentence, word that must be in its transcript line). Our own sentences.
SCRIPT = [
    ("interviewer", "Tell me about your last project.", "project"),
    ("candidate", "I built a payment service.", "payment"),
    ("interviewer", "How did you test it?", "test"),
    ("candidate", "We used a real server.", "server"),
    ("interviewer", "What was the hardest part?", "hardest"),
    ("candidate", "Finding a race condition.", "condition"),
    ("interviewer", "How long did that take?", "long"),
    ("candidate", "About two weeks.", "weeks"),
    ("interviewer", "Why do you want this job?", "job"),
    ("candidate", "I enjoy reliable systems.", "systems"),
]
GAP_SECS = 1.1  # silence after each line: longer than the utterance gap, so lines close


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def load(path) -> np.ndarray:
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == RATE
    return data


class ScriptedAudioTrack(AudioStreamTrack):
    """Plays a 16 kHz int16 array in real time (20 ms frames), then silence. Records the
    wall-clock moment each marked sample (the end of an utterance) leaves the track."""

    def __init__(self, audio: np.ndarray, marks: list[int]):
        super().__init__()
        self.audio = audio
        self.marks = sorted(marks)
        self.mark_times: dict[int, float] = {}
        self.pos = 0
        self.t0: float | None = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self.t0 is None:
            self.t0 = time.monotonic()
        else:
            wait = self.t0 + self.pos / RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        chunk = self.audio[self.pos : self.pos + FRAME]
        if len(chunk) < FRAME:
            chunk = np.pad(chunk, (0, FRAME - len(chunk)))
        for mark in self.marks:
            if self.pos <= mark < self.pos + FRAME:
                self.mark_times[mark] = time.monotonic()
        frame = AudioFrame.from_ndarray(chunk.astype(np.int16)[None, :], format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self.pos
        frame.time_base = fractions.Fraction(1, RATE)
        self.pos += FRAME
        return frame

    @property
    def finished(self) -> bool:
        return self.pos >= len(self.audio)


class LoopbackClient:
    """What the page does, in Python: mic transceiver 0, two unused video transceivers (the
    SmallWebRTC layout), the tab's audio on transceiver 3, a data channel named ``chat``."""

    def __init__(self, base_url: str, mic: AudioStreamTrack, tab: AudioStreamTrack | None):
        self.base_url = base_url
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(mic, direction="sendrecv")
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("video", direction="recvonly")
        if tab is not None:
            self.pc.addTransceiver(tab, direction="sendonly")
        self.channel = self.pc.createDataChannel("chat", ordered=True)
        self.events: list[tuple[float, dict]] = []
        self.opened = asyncio.Event()

        @self.channel.on("open")
        def on_open():
            self.opened.set()

        @self.channel.on("message")
        def on_message(message):
            self.events.append((time.monotonic(), json.loads(message)))

    async def join(self, secret: str | None = None, **extra) -> dict:
        """``secret``: the capability secret of the anonymous session being rejoined."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        body = {"sdp": self.pc.localDescription.sdp, "type": "offer", "consent": True, **extra}
        headers = {"X-Session-Secret": secret} if secret else {}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{self.base_url}/api/offer", json=body, headers=headers) as response:
                answer = await response.json()
                assert response.status == 200, answer
        self.secret = answer.get("session_secret") or secret
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        await asyncio.wait_for(self.opened.wait(), 15)
        return answer

    def send(self, message: dict):
        self.channel.send(json.dumps(message))

    def finals(self) -> list[tuple[float, dict]]:
        return [(t, e) for t, e in self.events if e["type"] == "transcript" and e.get("final")]

    async def close(self):
        await self.pc.close()


def secret_of(client: LoopbackClient) -> dict:
    """The header that opens an anonymous session (its capability secret)."""
    return {"X-Session-Secret": client.secret}


@pytest.fixture
def loopback_ice(monkeypatch):
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


@pytest.fixture
async def server(services, settings, loopback_ice):
    app = create_app(settings, services)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    await app[WARMUP]  # Whisper loaded and warmed before audio flows
    yield app, str(test_server.make_url("")).rstrip("/")
    await test_server.close()


async def wait_for(predicate, within_secs: float, step: float = 0.05):
    deadline = time.monotonic() + within_secs
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()


def build_tracks(speak) -> tuple[dict[str, np.ndarray], list[tuple[str, int, str]]]:
    """One timeline for both tracks: each line spoken on its role's track, silence on the
    other. Returns the arrays and (role, end_sample, key word) per line."""
    t = int(1.0 * RATE)
    pieces = {"candidate": [], "interviewer": []}
    lines = []
    for role, sentence, key in SCRIPT:
        speech = load(speak(sentence))
        for r in pieces:
            pieces[r].append((t, speech if r == role else None))
        lines.append((role, t + len(speech), key))
        t += len(speech) + int(GAP_SECS * RATE)
    length = t + int(1.5 * RATE)
    tracks = {}
    for role, items in pieces.items():
        audio = np.zeros(length, np.int16)
        for start, speech in items:
            if speech is not None:
                audio[start : start + len(speech)] = speech
        tracks[role] = audio
    return tracks, lines


async def test_two_tracks_give_role_labelled_transcripts_on_the_data_channel(server, speak):
    app, url = server
    tracks, lines = build_tracks(speak)
    mic = ScriptedAudioTrack(tracks["candidate"], [e for r, e, _ in lines if r == "candidate"])
    tab = ScriptedAudioTrack(tracks["interviewer"], [e for r, e, _ in lines if r == "interviewer"])
    client = LoopbackClient(url, mic, tab)
    answer = await client.join()
    session_id = answer["session_id"]
    assert answer["type"] == "answer" and answer["pc_id"]
    assert session_id in app[LIVE_SESSIONS]

    per_role = {role: sum(1 for r, _, _ in lines if r == role) for role in ("candidate", "interviewer")}

    def lines_by_role() -> dict[str, list[list[tuple[float, dict]]]]:
        """Final (non-refined) events grouped into transcript lines (segment_id), per role,
        in order of first arrival."""
        grouped: dict[str, dict[str, list]] = {"candidate": {}, "interviewer": {}}
        for t, e in client.finals():
            if not e.get("refined") and e["text"].strip():
                grouped[e["role"]].setdefault(e["segment_id"], []).append((t, e))
        return {role: list(segs.values()) for role, segs in grouped.items()}

    try:
        assert await wait_for(lambda: mic.finished and tab.finished, 60)
        # Wait for every line's final text (generous: a shared CI box may lag behind).
        await wait_for(lambda: all(len(v) >= per_role[r] for r, v in lines_by_role().items()), 45, 0.2)
        await asyncio.sleep(0.5)
    finally:
        await client.close()

    seqs = [e["seq"] for _, e in client.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "events out of order or repeated"
    assert all(e["session_id"] == session_id for _, e in client.events)
    got = lines_by_role()
    t_first = min(mic.mark_times.values())
    transcript = {role: [(round(segs[0][0] - t_first, 2), segs[-1][1]["text"]) for segs in got[role]] for role in got}
    for role, count in per_role.items():
        assert len(got[role]) == count, f"{role}: {len(got[role])} lines, expected {count}\n{transcript}"

    # The i-th line of a role is the i-th transcript line of that role; its delay is from its
    # last sample leaving the client to its first final text arriving on the client.
    delays, found, index = [], 0, {"candidate": 0, "interviewer": 0}
    for role, end_sample, key in lines:
        segs = got[role][index[role]]
        index[role] += 1
        ended_at = (mic if role == "candidate" else tab).mark_times[end_sample]
        delays.append(segs[0][0] - ended_at)
        found += key in words(segs[-1][1]["text"])
        other = "interviewer" if role == "candidate" else "candidate"
        wrong = [s[-1][1]["text"] for s in got[other] if key in words(s[-1][1]["text"])]
        assert not wrong, f"{key!r} attributed to the {other}: {wrong}"
    # espeak through Opus and Whisper base mishears a word now and then; 8 of 10 is the bar.
    assert found >= 8, f"only {found}/10 key words recognised:\n{transcript}"

    print(
        f"\nend of utterance -> final transcript on the client over {len(delays)} utterances: "
        f"median {statistics.median(delays):.3f} s, "
        f"p95 {np.percentile(delays, 95):.3f} s, max {max(delays):.3f} s "
        f"(all: {', '.join(f'{d:.2f}' for d in delays)}); {found}/10 key words\n{transcript}"
    )

    # The page closed: the session's runner ends, the session and its transcript stay.
    assert await wait_for(lambda: session_id not in app[LIVE_SESSIONS], 20)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/live/{session_id}/transcript", headers=secret_of(client)) as response:
            body = await response.json()
    assert response.status == 200
    stored = " ".join(s["text"] for s in body["segments"]).lower()
    assert {s["role"] for s in body["segments"]} == {"candidate", "interviewer"}
    assert sum(key in stored for _, _, key in lines) >= 8


async def test_drop_keeps_open_speech_and_rejoin_resumes_the_session(server, speak):
    app, url = server
    first = load(speak("My favourite language is Python."))
    audio = np.concatenate([np.zeros(RATE // 2, np.int16), first])
    mic = ScriptedAudioTrack(audio, [len(audio) - 1])
    client = LoopbackClient(url, mic, None)  # mic only: no tab transceiver at all
    session_id = (await client.join())["session_id"]
    assert await wait_for(lambda: mic.finished, 15)
    # Drop the connection right as speech ends: the open segment must still be transcribed.
    await client.close()
    assert await wait_for(lambda: session_id not in app[LIVE_SESSIONS], 20)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/live/{session_id}/transcript", headers=secret_of(client)) as response:
            body = await response.json()
    assert "python" in " ".join(s["text"] for s in body["segments"]).lower(), body
    assert body["state"] == "ended"
    history = await app[SERVICES].bus.history(session_id)
    last_seq = history[-1]["seq"]

    # Rejoin the same session asking for everything after seq 0: the history comes first,
    # then new speech with seq continuing.
    second = load(speak("I also write Rust at weekends."))
    audio2 = np.concatenate([np.zeros(RATE // 2, np.int16), second, np.zeros(RATE * 2, np.int16)])
    mic2 = ScriptedAudioTrack(audio2, [RATE // 2 + len(second)])
    rejoin = LoopbackClient(url, mic2, None)
    answer = await rejoin.join(secret=client.secret, session_id=session_id, after=0)
    assert answer["session_id"] == session_id

    def new_line():
        return [e["text"] for _, e in rejoin.finals() if e["seq"] > last_seq and e["text"].strip()]

    await wait_for(lambda: any(re.search("week|rust", t, re.I) for t in new_line()), 20)
    assert any(re.search("week|rust", t, re.I) for t in new_line()), (new_line(), rejoin.events)
    seqs = [e["seq"] for _, e in rejoin.events]
    assert seqs[: len(history)] == [e["seq"] for e in history], "missed events not replayed first"
    new = [e for _, e in rejoin.events if e["seq"] > last_seq]
    assert new and all("python" not in words(e["text"]) for e in new if e["type"] == "transcript")
    await rejoin.close()
    assert await wait_for(lambda: session_id not in app[LIVE_SESSIONS], 20)


async def test_page_messages_rename_speakers_on_the_live_session(server):
    app, url = server
    client = LoopbackClient(url, AudioStreamTrack(), None)
    session_id = (await client.join())["session_id"]
    client.send({"type": "rename_speaker", "speaker": "Interviewer 1", "name": "Dana"})
    client.send({"type": "request_draft"})
    client.send({"type": "something_else"})
    live = app[LIVE_SESSIONS][session_id]
    # The rename reaches the running pipeline as a frame: the diarizer names later lines.
    diarizer = next(p for p in live.runner.pipeline.processors if isinstance(p, SpeakerDiarizer))
    assert await wait_for(lambda: diarizer.names.get("Interviewer 1") == "Dana", 5)
    await client.close()
    assert await wait_for(lambda: session_id not in app[LIVE_SESSIONS], 20)
