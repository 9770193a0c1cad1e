"""``cuecard bench sessions --n N --minutes M [--audio-dir DIR]``: N concurrent live sessions.

Starts one real server (``python -m cuecard.cli serve``, a subprocess on a temporary data
directory), registers one user per session, and joins N two-track live sessions the way the
page does: real aiortc peer connections over loopback, the candidate's microphone on the first
transceiver and the interviewer's tab on the fourth, audio paced at real time (20 ms frames)
from files, looped for M minutes. Each session's events are read over its WebSocket
(``/api/sessions/{id}/events``).

Per session it measures:
- **final-transcript delay**: from the moment the last sample of an utterance of the source
  audio leaves the client to the first final transcript event (not a refinement) of that role
  covering it arriving on the WebSocket. Utterance ends come from the audio itself (an energy
  splitter: 20 ms frames within 40 dB of the clip's peak, silences ≥ 0.6 s separate utterances),
  not from the VAD under test. An utterance no final line covers counts as ``missed``.
- **lost events**: gaps in the WebSocket's ``seq`` numbers plus stored events (segments,
  questions, suggestions) whose ``seq`` never arrived.
The server's CPU (cores) and RSS are sampled every 5 s from ``/proc`` (Linux).

Last line: ``sessions: <n> concurrent, final-transcript delay p95 <x> ms, RSS growth <y> MB/min,
events lost <z>``.

``--find-capacity``: runs N = 1, 2, 3, … (a fresh server each) until p95 exceeds
``--target-ms`` (1500) or an event is lost, and ends with ``capacity: <n> concurrent sessions``.
Run it on an otherwise idle machine: the clients (Opus encoding, WebSockets) share the machine
with the server, as a browser on the same laptop would.

Default audio: ``tests/fixtures/scenario_small`` (interviewer.wav + candidate.wav, two tracks).
``--audio-dir DIR``: every ``*.wav``/``*.flac`` below DIR (e.g. ``../shared/data/asr/…``) in
turns: interviewer, candidate, interviewer, … with 1 s between turns.

The helpers here (``ServerProcess``, ``PacedTrack``, ``LiveClient``) are also what the crash and
admission tests drive a real server with.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 16000
FRAME = 320  # 20 ms
REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = REPO / "tests" / "fixtures" / "scenario_small"
COVER_SLACK_SECS = 0.5  # a final line ending this close before the energy end still covers it
UTTERANCE_GAP_SECS = 0.6
SAMPLE_EVERY_SECS = 5.0
# Also reported per session: the delay once the session has run this long (its start-up work
# — candidate material, prepared answers — is done), to tell a slow start from a steady lag.
STEADY_AFTER_SECS = 30.0


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``python -m cuecard.cli serve`` on a loopback port and ``data_dir``; log in ``log_path``."""

    def __init__(self, data_dir: Path, *, env: dict[str, str] | None = None, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        self.extra_env = {
            # the bench and tests make many users and offers from one address
            "CUECARD_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
            "CUECARD_OFFER_RATE_LIMIT_PER_MINUTE": "100000",
            "CUECARD_LOGIN_FAILURES_BEFORE_BACKOFF": "100000",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        env = {**os.environ, "CUECARD_DATA_DIR": str(self.data_dir), **self.extra_env}
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cuecard.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def wait_ready(self, http, *, stt: bool = True, within_secs: float = 300.0) -> dict:
        """Healthy (and, with ``stt``, Whisper loaded)."""
        import aiohttp

        deadline = time.monotonic() + within_secs
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                async with http.get(f"{self.base}/api/health") as r:
                    if r.status == 200:
                        health = await r.json()
                        if health["stt_loaded"] or not stt:
                            return health
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.25)
        raise RuntimeError(f"{self.base} not ready after {within_secs} s")

    def kill(self) -> None:
        """``kill -9``: no clean-up runs."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=120)  # a loaded machine can take a while to reap it

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


async def register(http, base: str, email: str | None = None) -> str:
    """A new user's access token."""
    email = email or f"bench-{secrets.token_hex(6)}@example.org"
    body = {"email": email, "password": f"bench {secrets.token_hex(8)} pass"}
    async with http.post(f"{base}/api/auth/register", json=body) as r:
        data = await r.json()
        if r.status != 201:
            raise RuntimeError(f"register: {r.status} {data}")
    return data["access_token"]


# -- the client --------------------------------------------------------------------------------


def _track_class():
    from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
    from av import AudioFrame

    class PacedTrack(AudioStreamTrack):
        """Plays 16 kHz int16 audio in real time (20 ms frames), then silence (or ends, with
        ``stop_at_end``). Records the monotonic time each marked sample leaves the track."""

        def __init__(self, audio: np.ndarray, marks: list[int] | None = None, *, rate: int = RATE):
            super().__init__()
            self.audio = audio
            self.rate = rate
            self.frame = rate // 50
            self.marks = sorted(marks or [])
            self.mark_times: dict[int, float] = {}
            self.pos = 0
            self.t0: float | None = None
            self.first_wall: float | None = None  # time.time() of the first frame

        async def recv(self):
            if self.readyState != "live":
                raise MediaStreamError
            if self.t0 is None:
                self.t0, self.first_wall = time.monotonic(), time.time()
            else:
                wait = self.t0 + self.pos / self.rate - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            chunk = self.audio[self.pos : self.pos + self.frame]
            if len(chunk) < self.frame:
                pad = [(0, self.frame - len(chunk))] + [(0, 0)] * (chunk.ndim - 1)
                chunk = np.pad(chunk, pad)
            now = time.monotonic()
            while self.marks and self.marks[0] < self.pos + self.frame:
                self.mark_times[self.marks.pop(0)] = now
            frame = self.make_frame(chunk)
            frame.sample_rate = self.rate
            frame.pts = self.pos
            frame.time_base = fractions.Fraction(1, self.rate)
            self.pos += self.frame
            return frame

        def make_frame(self, chunk: np.ndarray) -> AudioFrame:
            if chunk.ndim == 2:  # (samples, channels) int16: packed stereo
                return AudioFrame.from_ndarray(chunk.astype(np.int16).reshape(1, -1), format="s16", layout="stereo")
            if chunk.dtype.kind == "f":
                # aiortc's Opus encoder takes 16-bit PCM only, so NaN and inf samples go out
                # as the worst a careless client's cast can make of them: full-scale values
                # (what a server can receive over Opus).
                worst = np.nan_to_num(chunk.astype(np.float32), nan=-1.0, posinf=1.0, neginf=-1.0)
                pcm = np.round(np.clip(worst, -1.0, 1.0) * 32767).astype(np.int16)
                return AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
            return AudioFrame.from_ndarray(chunk.astype(np.int16)[None, :], format="s16", layout="mono")

        @property
        def finished(self) -> bool:
            return self.pos >= len(self.audio)

    return PacedTrack


def paced_track(audio: np.ndarray, marks: list[int] | None = None, *, rate: int = RATE):
    return _track_class()(audio, marks, rate=rate)


class LiveClient:
    """What the page does: mic on transceiver 0, two unused video transceivers (the SmallWebRTC
    layout), the tab's audio on transceiver 3, a data channel named ``chat``."""

    def __init__(self, base: str, mic, tab=None, token: str | None = None):
        from aiortc import RTCPeerConnection

        self.base = base
        self.token = token
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(mic, direction="sendrecv")
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("video", direction="recvonly")
        if tab is not None:
            self.pc.addTransceiver(tab, direction="sendonly")
        self.channel = self.pc.createDataChannel("chat", ordered=True)
        self.events: list[tuple[float, dict]] = []
        self.opened = asyncio.Event()
        self.session_id: str | None = None

        @self.channel.on("open")
        def on_open():
            self.opened.set()

        @self.channel.on("message")
        def on_message(message):
            self.events.append((time.monotonic(), json.loads(message)))

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def offer(self, http, **extra) -> tuple[int, dict, dict]:
        """POST the offer; (status, body, response headers) — no connection on failure."""
        from aiortc import RTCSessionDescription

        await self.pc.setLocalDescription(await self.pc.createOffer())
        body = {"sdp": self.pc.localDescription.sdp, "type": "offer", "consent": True, **extra}
        async with http.post(f"{self.base}/api/offer", json=body, headers=self.headers) as r:
            status, answer, headers = r.status, await r.json(), dict(r.headers)
        if status == 200:
            self.session_id = answer["session_id"]
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        return status, answer, headers

    async def join(self, http, **extra) -> dict:
        status, answer, _ = await self.offer(http, **extra)
        if status != 200:
            raise RuntimeError(f"offer refused: {status} {answer}")
        await asyncio.wait_for(self.opened.wait(), 20)
        return answer

    def finals(self) -> list[dict]:
        return [e for _, e in self.events if e["type"] == "transcript" and e.get("final")]

    async def close(self):
        await self.pc.close()


# -- the source audio -------------------------------------------------------------------------


def utterance_ends(audio: np.ndarray, threshold_db: float = -40.0, gap_secs: float = UTTERANCE_GAP_SECS) -> list[int]:
    """Last sample of each utterance: 20 ms frames within ``threshold_db`` of the peak are
    speech; a silence of ``gap_secs`` or more separates utterances."""
    x = audio.astype(np.float32) / 32768.0
    n = len(x) // FRAME
    if n == 0:
        return []
    rms = np.sqrt(np.mean(x[: n * FRAME].reshape(n, FRAME) ** 2, axis=1) + 1e-12)
    loud = 20 * np.log10(rms / (rms.max() + 1e-12)) > threshold_db
    ends: list[int] = []
    last, gap = None, int(gap_secs * RATE / FRAME)
    for i in (int(k) for k in np.nonzero(loud)[0]):
        if last is not None and i - last > gap:
            ends.append((last + 1) * FRAME)
        last = i
    if last is not None:
        ends.append((last + 1) * FRAME)
    return ends


def dialogue_from_dir(audio_dir: Path, turn_gap_secs: float = 1.0) -> dict[str, np.ndarray]:
    """Files of ``audio_dir`` in turns (interviewer, candidate, …) on two tracks."""
    from cuecard.transports.replay import load_audio

    files = sorted([*audio_dir.rglob("*.wav"), *audio_dir.rglob("*.flac")])[:40]
    if not files:
        raise SystemExit(f"no .wav or .flac files under {audio_dir}")
    gap = np.zeros(int(turn_gap_secs * RATE), np.int16)
    parts: dict[str, list[np.ndarray]] = {"interviewer": [], "candidate": []}
    for i, f in enumerate(files):
        speech = load_audio(f)
        speaker = "interviewer" if i % 2 == 0 else "candidate"
        for role in parts:
            parts[role] += [speech if role == speaker else np.zeros(len(speech), np.int16), gap]
    return {role: np.concatenate(p) for role, p in parts.items()}


def scenario_tracks(audio_dir: Path | None) -> dict[str, np.ndarray]:
    from cuecard.transports.replay import load_audio

    if audio_dir is not None:
        return dialogue_from_dir(audio_dir)
    if not (DEFAULT_SCENARIO / "interviewer.wav").is_file():
        raise SystemExit(f"{DEFAULT_SCENARIO} not found: pass --audio-dir DIR")
    tracks = {role: load_audio(DEFAULT_SCENARIO / f"{role}.wav") for role in ("interviewer", "candidate")}
    length = max(len(a) for a in tracks.values()) + RATE  # 1 s between loops
    return {role: np.pad(a, (0, length - len(a))) for role, a in tracks.items()}


def looped(tracks: dict[str, np.ndarray], seconds: float, lead_secs: float) -> dict[str, np.ndarray]:
    """The tracks repeated to ``seconds`` (whole loops), after ``lead_secs`` of silence."""
    loop = len(next(iter(tracks.values())))
    times = max(1, int(round(seconds * RATE / loop)))
    lead = np.zeros(int(lead_secs * RATE), np.int16)
    return {role: np.concatenate([lead, *([a] * times), np.zeros(RATE, np.int16)]) for role, a in tracks.items()}


# -- one session under load -----------------------------------------------------------------------


@dataclass
class SessionResult:
    index: int
    session_id: str = ""
    delays_ms: list[float] = field(default_factory=list)
    steady_ms: list[float] = field(default_factory=list)  # utterances ending after STEADY_AFTER_SECS
    utterances: int = 0
    missed: int = 0
    lost: int = 0
    events: int = 0
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"session {self.index}: FAILED {self.error}"
        d = self.delays_ms
        p50 = f"{statistics.median(d):.0f}" if d else "-"
        p95 = f"{np.percentile(d, 95):.0f}" if d else "-"
        steady = f"{np.percentile(self.steady_ms, 95):.0f}" if self.steady_ms else "-"
        return (
            f"session {self.index} {self.session_id[:8]}: {len(d)}/{self.utterances} utterances, "
            f"final-transcript delay median {p50} ms p95 {p95} ms (after {STEADY_AFTER_SECS:.0f} s: p95 {steady} ms), "
            f"missed {self.missed}, "
            f"events {self.events}, lost {self.lost}"
            + (f" (delays: {', '.join(f'{x:.0f}' for x in d)})" if len(d) <= 24 else "")
        )


def match_delays(
    role_track, ends: list[int], offset_secs: float, finals: list[tuple[float, dict]], role: str
) -> tuple[list[tuple[float, float]], int]:
    """(end time in the track, delay ms) per utterance end: first final (not refined) line of ``role`` covering it,
    arrival time minus the moment the end sample left the client. ``offset_secs``: the session
    clock time of the track's first sample."""
    delays: list[tuple[float, float]] = []
    missed = 0
    lines = [(t, e) for t, e in finals if e.get("role") == role and not e.get("refined") and e["text"].strip()]
    for end in ends:
        sent = role_track.mark_times.get(end)
        if sent is None:
            continue
        end_sc = offset_secs + end / RATE
        hit = next(
            (t for t, e in lines if e["start"] <= end_sc + COVER_SLACK_SECS and e["end"] >= end_sc - COVER_SLACK_SECS),
            None,
        )
        if hit is None:
            missed += 1
        else:
            delays.append((end / RATE, (hit - sent) * 1000))
    return delays, missed


async def run_session(
    index: int, base: str, tracks: dict[str, np.ndarray], minutes: float, results: list[SessionResult]
) -> None:
    import aiohttp

    result = SessionResult(index)
    results.append(result)
    audio = looped(tracks, minutes * 60, lead_secs=0.5 + 0.37 * index)  # staggered utterances
    ends = {role: utterance_ends(a) for role, a in audio.items()}
    mic = paced_track(audio["candidate"], ends["candidate"])
    tab = paced_track(audio["interviewer"], ends["interviewer"])
    ws_events: list[tuple[float, dict]] = []
    async with aiohttp.ClientSession() as http:
        try:
            token = await register(http, base)
            client = LiveClient(base, mic, tab, token)
            answer = await client.join(http)
            session_id = result.session_id = answer["session_id"]
            async with http.get(f"{base}/api/sessions/{session_id}", headers=client.headers) as r:
                created_at = (await r.json())["created_at"]
            ws = await http.ws_connect(f"{base}/api/sessions/{session_id}/events?token={token}&after=0")

            async def read_ws():
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.TEXT:
                        ws_events.append((time.monotonic(), json.loads(message.data)))

            reader = asyncio.create_task(read_ws())
            await asyncio.sleep(len(audio["candidate"]) / RATE)  # paced: the audio's length
            while not (mic.finished and tab.finished):  # noqa: ASYNC110 (and what the client fell behind)
                await asyncio.sleep(0.5)
            await settled(ws_events)  # the last lines' finals (a loaded server lags behind)
            await client.close()
            await asyncio.sleep(2.0)
            await ws.close()
            reader.cancel()
            finals = [(t, e) for t, e in ws_events if e["type"] == "transcript" and e.get("final")]
            for role, track in (("candidate", mic), ("interviewer", tab)):
                # The segmenter places a track's first sample at the session clock's time when
                # it arrives: its first frame left the client then (same machine, same clock).
                offset = (track.first_wall or time.time()) - created_at
                delays, missed = match_delays(track, ends[role], offset, finals, role)
                result.delays_ms += [d for _, d in delays]
                result.steady_ms += [d for t, d in delays if t >= STEADY_AFTER_SECS]
                result.missed += missed
                result.utterances += len(ends[role])
            result.events = len(ws_events)
            result.lost = await lost_events(http, base, session_id, client.headers, [e for _, e in ws_events])
        except Exception as e:
            result.error = f"{type(e).__name__}: {e}"
    if index >= 0:
        print(result.line(), flush=True)  # as each session ends: a long run shows progress


async def settled(events: list, quiet_secs: float = 5.0, max_secs: float = 90.0) -> None:
    """Until no event arrived for ``quiet_secs`` (at most ``max_secs``)."""
    deadline = time.monotonic() + max_secs
    seen = -1
    while time.monotonic() < deadline and len(events) != seen:
        seen = len(events)
        await asyncio.sleep(quiet_secs)


async def lost_events(http, base: str, session_id: str, headers: dict, received: list[dict]) -> int:
    """Gaps in the received ``seq`` numbers + stored events whose ``seq`` never arrived."""
    seqs = sorted({e["seq"] for e in received})
    gaps = sum(b - a - 1 for a, b in zip(seqs, seqs[1:], strict=False))
    stored: set[int] = set()
    for path in ("transcript", "questions", "suggestions"):
        async with http.get(f"{base}/api/sessions/{session_id}/{path}?limit=1000", headers=headers) as r:
            body = await r.json() if r.status == 200 else {}
        stored |= {item["seq"] for item in body.get("items") or [] if isinstance(item.get("seq"), int)}
    return gaps + len(stored - set(seqs))


# -- server CPU and memory ----------------------------------------------------------------------------


def proc_sample(pid: int) -> tuple[float, float]:
    """(CPU seconds used, RSS MB) of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return cpu, rss_kb / 1024


async def sample_server(pid: int, samples: list[tuple[float, float, float]], stop: asyncio.Event):
    """Every ``SAMPLE_EVERY_SECS``: (seconds since start, CPU cores used since last, RSS MB)."""
    t0 = time.monotonic()
    last_t, (last_cpu, _) = t0, proc_sample(pid)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_SECS)
        except TimeoutError:
            pass
        now = time.monotonic()
        try:
            cpu, rss = proc_sample(pid)
        except (OSError, StopIteration):
            return
        samples.append((now - t0, (cpu - last_cpu) / max(now - last_t, 1e-6), rss))
        last_t, last_cpu = now, cpu


def rss_growth_mb_per_min(samples: list[tuple[float, float, float]]) -> float:
    """Slope of RSS over the second half of the run (after pipelines and caches warmed up)."""
    tail = samples[len(samples) // 2 :]
    if len(tail) < 2:
        return 0.0
    t = np.array([s[0] for s in tail]) / 60
    rss = np.array([s[2] for s in tail])
    return float(np.polyfit(t, rss, 1)[0])


# -- one run ---------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    n: int
    p95_ms: float
    rss_growth: float
    lost: int
    failed: int

    def line(self) -> str:
        return (
            f"sessions: {self.n} concurrent, final-transcript delay p95 {self.p95_ms:.0f} ms, "
            f"RSS growth {self.rss_growth:.1f} MB/min, events lost {self.lost}"
        )


def loopback_addresses(use_ipv4: bool = True, use_ipv6: bool = True) -> list[str]:
    return ["127.0.0.1"]


async def run_bench(n: int, minutes: float, audio_dir: Path | None, whisper_model: str | None) -> RunSummary:
    import aiohttp
    import aioice.ice

    # aioice offers no loopback candidates by itself; the clients use 127.0.0.1 only.
    aioice.ice.get_host_addresses = loopback_addresses
    tracks = scenario_tracks(audio_dir)
    with tempfile.TemporaryDirectory(prefix="cuecard-bench-") as tmp:
        env = {"CUECARD_MAX_LIVE_SESSIONS": "0"}
        if whisper_model:
            env["CUECARD_WHISPER_MODEL"] = whisper_model
        server = ServerProcess(Path(tmp) / "data", env=env).start()
        try:
            async with aiohttp.ClientSession() as http:
                await server.wait_ready(http)
            print(f"server ready (pid {server.pid}); warm-up session, then {n} x {minutes:g} min", flush=True)
            # One session first, not counted: models every session shares (VAD, speaker
            # embeddings, question detection) load on first use, once per process.
            await run_session(-1, server.base, tracks, 0.0, [])
            samples: list[tuple[float, float, float]] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_server(server.pid, samples, stop))
            results: list[SessionResult] = []
            await asyncio.gather(*(run_session(i, server.base, tracks, minutes, results) for i in range(n)))
            stop.set()
            await sampler
        finally:
            server.stop()
    for t, cores, rss in samples[:: max(1, len(samples) // 12)]:
        print(f"server t={t:5.0f} s: CPU {cores:.2f} cores, RSS {rss:.0f} MB", flush=True)
    delays = [d for r in results for d in r.delays_ms]
    summary = RunSummary(
        n=n,
        p95_ms=float(np.percentile(delays, 95)) if delays else float("inf"),
        rss_growth=rss_growth_mb_per_min(samples),
        lost=sum(r.lost for r in results),
        failed=sum(1 for r in results if r.error),
    )
    print(summary.line(), flush=True)
    return summary


async def find_capacity(opts) -> int:
    best = 0
    for n in range(1, opts.max_n + 1):
        summary = await run_bench(n, opts.minutes, opts.audio_dir, opts.whisper_model)
        if summary.failed or summary.lost or summary.p95_ms > opts.target_ms:
            break
        best = n
    print(f"capacity: {best} concurrent sessions with final-transcript p95 <= {opts.target_ms:.0f} ms", flush=True)
    return best


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(args) -> int:
    parser = argparse.ArgumentParser(prog="cuecard bench sessions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1, help="concurrent live sessions")
    parser.add_argument("--minutes", type=float, default=1.0, help="audio per session (looped)")
    parser.add_argument("--audio-dir", type=Path, default=None, help="WAV/FLAC files spoken in turns")
    parser.add_argument("--whisper-model", default=None, help="CUECARD_WHISPER_MODEL for the server")
    parser.add_argument("--find-capacity", action="store_true", help="N = 1, 2, … until p95 > target")
    parser.add_argument("--target-ms", type=float, default=1500.0)
    parser.add_argument("--max-n", type=int, default=12)
    opts = parser.parse_args(args.args)
    # ``timeout``/``kill`` send SIGTERM: unwind so the server subprocess is stopped too.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if opts.find_capacity:
        asyncio.run(find_capacity(opts))
        return 0
    summary = asyncio.run(run_bench(opts.n, opts.minutes, opts.audio_dir, opts.whisper_model))
    return 1 if summary.failed else 0


if __name__ == "__main__":
    raise SystemExit(main(argparse.Namespace(args=sys.argv[1:])))
