"""Test doubles (loopback) of the cloud speech services Cuecard talks to.

They stand in for services this machine cannot reach and speak the real protocols:
- ``DeepgramDouble``: a WebSocket server on ``/v1/listen`` following Deepgram's live
  transcription protocol (query options, ``Authorization: Token``, binary audio in, JSON
  ``Results``/``Metadata`` out, ``KeepAlive``/``Finalize``/``CloseStream`` in, errors as close
  codes). It cannot recognise speech, so it "recognises" by energy: each voiced region it hears
  on a connection gets the next text of that connection's script, with word times inside the
  region, interims while the region grows and ``is_final`` + ``speech_final`` when it ends.
  Each connection can be told to fail: ``error`` (close 1011 at audio time X), ``stall``
  (keep reading audio, send nothing from X) or ``close`` (clean close nobody asked for).
- ``HangingServer``: accepts TCP and never answers the handshake (connect timeout).
- ``OpenAIDouble``: ``POST /v1/audio/transcriptions`` (multipart: file, model, response_format,
  include[]), answering ``json`` with ``logprobs`` or ``verbose_json`` with segments.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import numpy as np
from aiohttp import web
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

RATE = 16000
FRAME = 320  # 20 ms
VOICED = 0.01
REGION_END_SECS = 0.3
INTERIM_EVERY_SECS = 0.5


@dataclass
class Fault:
    kind: str  # "error" | "stall" | "close" (clean close without being asked)
    at: float = 0.0  # seconds of audio received on the connection


@dataclass
class Connection:
    script: list[str]
    fault: Fault | None = None
    received: int = 0  # samples
    fault_at_wall: float | None = None  # time.monotonic() when the fault was injected
    messages: list[dict] = field(default_factory=list)
    query: dict = field(default_factory=dict)
    query_all: dict = field(default_factory=dict)  # every value of repeated options (keyterm)


class DeepgramDouble:
    """Test double of Deepgram's live API. ``plans``: one (script, fault) per connection, in
    the order connections arrive; later connections reuse the last plan's script-less mode."""

    def __init__(
        self,
        plans: list[tuple[list[str], Fault | None]],
        api_key: str = "test-key",
        endpointing_secs: float = REGION_END_SECS,
    ):
        """``endpointing_secs``: silence before a region's final result (Deepgram's
        ``endpointing`` plus its latency; a longer one leaves a window in which the segmenter
        has closed a segment that the provider has not finalised yet)."""
        self.plans = list(plans)
        self.endpointing_secs = endpointing_secs
        self.api_key = api_key
        self.connections: list[Connection] = []
        self._server = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/listen"

    async def __aenter__(self):
        # close_timeout: after sending its close frame the double drops TCP within 0.1 s, as a
        # failing server does, even when unread audio is still queued in the socket.
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._check, close_timeout=0.1)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self._server.close()
        await self._server.wait_closed()

    def _plan(self) -> tuple[list[str], Fault | None]:
        index = len(self.connections)
        return self.plans[index] if index < len(self.plans) else (["unscripted"] * 20, None)

    async def _check(self, connection, request):
        """Deepgram answers 401 without a valid key and 400 for wrong audio options."""
        if request.path.split("?")[0] != "/v1/listen":
            return Response(404, "Not Found", Headers(), b"")
        if request.headers.get("Authorization") != f"Token {self.api_key}":
            return Response(401, "Unauthorized", Headers(), b'{"err_code":"INVALID_AUTH"}')
        from urllib.parse import parse_qs, urlparse

        query_all = parse_qs(urlparse(request.path).query)
        query = {k: v[0] for k, v in query_all.items()}
        if query.get("encoding") != "linear16" or query.get("sample_rate") != "16000":
            return Response(400, "Bad Request", Headers(), b'{"err_code":"Bad Request"}')
        script, fault = self._plan()
        conn = Connection(list(script), fault, query=query, query_all=query_all)
        self.connections.append(conn)
        return None

    async def _handle(self, ws):
        conn = self.connections[-1]
        region_start = None  # samples
        silent_run = 0
        last_interim = 0
        last_empty_final = 0
        stalled = False

        async def send(message: dict):
            conn.messages.append(message)
            await ws.send(json.dumps(message))

        def results(start, end, text, is_final, speech_final):
            words = text.split()
            span = (end - start) / RATE
            step = span / max(len(words), 1)
            t0 = start / RATE
            return {
                "type": "Results",
                "channel_index": [0, 1],
                "start": t0,
                "duration": span,
                "is_final": is_final,
                "speech_final": speech_final,
                "channel": {
                    "alternatives": [
                        {
                            "transcript": text,
                            "confidence": 0.93 if text else 0.0,
                            "words": [
                                {
                                    "word": w.lower().strip(".,?!"),
                                    "punctuated_word": w,
                                    "start": round(t0 + i * step, 3),
                                    "end": round(t0 + (i + 1) * step, 3),
                                    "confidence": 0.93,
                                    "speaker": 0,
                                }
                                for i, w in enumerate(words)
                            ],
                        }
                    ]
                },
                "metadata": {"request_id": "test-double", "model_info": {"name": conn.query.get("model")}},
            }

        pending = np.zeros(0, np.int16)
        async for message in ws:
            if isinstance(message, str):
                kind = json.loads(message).get("type")
                if kind == "CloseStream":
                    if region_start is not None and not stalled:
                        text = conn.script.pop(0) if conn.script else ""
                        await send(results(region_start, conn.received, text, True, True))
                    if not stalled:
                        await send(
                            {
                                "type": "Metadata",
                                "request_id": "test-double",
                                "duration": conn.received / RATE,
                                "channels": 1,
                            }
                        )
                        await ws.close(1000)
                    return
                continue  # KeepAlive, Finalize
            pending = np.concatenate([pending, np.frombuffer(message, np.int16)])
            while len(pending) >= FRAME:
                frame, pending = pending[:FRAME], pending[FRAME:]
                conn.received += FRAME
                fault = conn.fault
                if (
                    fault
                    and not stalled
                    and conn.received / RATE >= fault.at
                    and fault.kind in ("error", "stall", "close")
                ):
                    conn.fault_at_wall = time.monotonic()
                    if fault.kind == "error":
                        await ws.close(1011, "NET-0001: test double injected failure")
                        return
                    if fault.kind == "close":
                        await ws.close(1000)
                        return
                    stalled = True  # keep reading audio, answer nothing
                if stalled:
                    continue
                voiced = float(np.sqrt(np.mean((frame / 32768.0) ** 2))) >= VOICED
                if voiced:
                    silent_run = 0
                    if region_start is None:
                        region_start = conn.received - FRAME
                        last_interim = conn.received
                elif region_start is not None:
                    silent_run += FRAME
                if region_start is not None and silent_run >= self.endpointing_secs * RATE:
                    end = conn.received - silent_run
                    text = conn.script.pop(0) if conn.script else ""
                    await send(results(region_start, end, text, True, True))
                    region_start, silent_run = None, 0
                    last_empty_final = conn.received
                elif region_start is not None and conn.received - last_interim >= INTERIM_EVERY_SECS * RATE:
                    last_interim = conn.received
                    upcoming = conn.script[0].split() if conn.script else []
                    partial = " ".join(upcoming[: max(1, len(upcoming) // 2)])
                    await send(results(region_start, conn.received, partial, False, False))
                elif region_start is None and conn.received - last_empty_final >= RATE:
                    # Deepgram finalises silence too (empty transcript), about once a second.
                    await send(results(last_empty_final, conn.received, "", True, False))
                    last_empty_final = conn.received


class OpenAIDouble:
    """Test double of OpenAI's ``/v1/audio/transcriptions`` (multipart upload, JSON answer)."""

    def __init__(self, text: str, *, fail: bool = False):
        self.text = text
        self.fail = fail
        self.requests: list[dict] = []
        self._runner = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _transcriptions(self, request: web.Request):
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"error": {"message": "missing key"}}, status=401)
        form = await request.post()
        upload = form.get("file")
        audio = upload.file.read() if upload is not None else b""
        fields = {k: v for k, v in form.items() if k != "file"}
        self.requests.append(
            {
                "fields": fields,
                "include": form.getall("include[]", []),
                "bytes": len(audio),
                "filename": getattr(upload, "filename", None),
            }
        )
        if self.fail:
            return web.json_response(
                {"error": {"message": "test double: server error", "type": "server_error"}}, status=500
            )
        if upload is None or not audio.startswith(b"RIFF"):
            return web.json_response({"error": {"message": "Invalid file format."}}, status=400)
        if fields.get("response_format") == "verbose_json":
            return web.json_response(
                {
                    "task": "transcribe",
                    "language": "english",
                    "duration": 1.0,
                    "text": self.text,
                    "segments": [
                        {
                            "id": 0,
                            "seek": 0,
                            "start": 0.0,
                            "end": 1.0,
                            "text": self.text,
                            "tokens": [1, 2, 3],
                            "temperature": 0.0,
                            "avg_logprob": -0.1,
                            "compression_ratio": 1.0,
                            "no_speech_prob": 0.01,
                        }
                    ],
                }
            )
        body = {"text": self.text, "usage": {"type": "duration", "seconds": 1}}
        if "logprobs" in form.getall("include[]", []):
            body["logprobs"] = [{"token": w, "logprob": -0.05, "bytes": list(w.encode())} for w in self.text.split()]
        return web.json_response(body)

    async def __aenter__(self):
        app = web.Application()
        app.router.add_post("/v1/audio/transcriptions", self._transcriptions)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        await self._runner.cleanup()


class HangingServer:
    """Test double of an unreachable provider: accepts TCP connections and never answers (the
    WebSocket handshake never completes), like a black-holed route or an overloaded proxy."""

    def __init__(self):
        self._server = None
        self.port = 0
        self.accepted = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/listen"

    async def _hold(self, reader, writer):
        self.accepted += 1
        try:
            await reader.read()  # until the client gives up
        finally:
            writer.close()

    async def __aenter__(self):
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self._server.close()
