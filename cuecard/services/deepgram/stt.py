"""Deepgram live transcription over its WebSocket protocol (``/v1/listen``).

Protocol (https://developers.deepgram.com/reference/listen-live): the client opens
``wss://api.deepgram.com/v1/listen?<options>`` with ``Authorization: Token <key>``, sends
binary audio frames, and may send the text messages ``{"type": "KeepAlive"}``,
``{"type": "Finalize"}`` and ``{"type": "CloseStream"}``. The server sends JSON:
``{"type": "Results", "start", "duration", "is_final", "speech_final",
"channel": {"alternatives": [{"transcript", "confidence", "words": [{"word",
"punctuated_word", "start", "end", "confidence", "speaker"}]}]}}``, ``Metadata`` (after
``CloseStream``, then the server closes), ``SpeechStarted``, ``UtteranceEnd``; errors close
the socket with a code and reason (e.g. 1008 bad request, 1011 ``NET-0001`` no audio).

Decision: we speak the protocol with ``websockets`` rather than ``deepgram-sdk``. The SDK's
live client reconnects and swallows errors in its own threads/tasks; the STT stage needs every
failure raised at once (to fall back within 2 s) and a base URL a loopback test double can
serve. The protocol is five message types; owning it costs less than working around the SDK.
"""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator
from urllib.parse import urlencode

import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from cuecard.services.streaming_stt import ProviderError, StreamResult, StreamWord

LISTEN_URL = "wss://api.deepgram.com/v1/listen"


MAX_KEYTERMS = 50


def listen_query(
    model: str, language: str | None, sample_rate: int = 16000, keyterms: list[str] | tuple = ()
) -> str:
    """The query of the live URL. ``keyterms``: names to recognise (Nova-3's ``keyterm``,
    repeated once per term; older models take them as ``keywords``)."""
    params = {
        "model": model,
        "encoding": "linear16",
        "sample_rate": sample_rate,
        "channels": 1,
        "interim_results": "true",
        "diarize": "true",
        "punctuate": "true",
        "smart_format": "true",
    }
    if language:
        params["language"] = language
    pairs = list(params.items())
    key = "keyterm" if model.startswith("nova-3") else "keywords"
    pairs += [(key, term) for term in list(dict.fromkeys(t.strip() for t in keyterms if t.strip()))[:MAX_KEYTERMS]]
    return urlencode(pairs)


def parse_results(message: dict) -> StreamResult | None:
    """A ``Results`` message → ``StreamResult`` (times relative to the stream start)."""
    if message.get("type") != "Results":
        return None
    alternatives = (message.get("channel") or {}).get("alternatives") or [{}]
    best = alternatives[0]
    start = float(message.get("start", 0.0))
    words = [
        StreamWord(
            text=w.get("punctuated_word") or w.get("word", ""),
            start=float(w.get("start", start)),
            end=float(w.get("end", start)),
            confidence=w.get("confidence"),
            speaker=w.get("speaker"),
        )
        for w in best.get("words") or []
    ]
    return StreamResult(
        text=(best.get("transcript") or "").strip(),
        is_final=bool(message.get("is_final")),
        start=start,
        end=start + float(message.get("duration", 0.0)),
        confidence=best.get("confidence"),
        end_of_line=bool(message.get("speech_final")),
        words=words,
    )


class DeepgramStreamingSTT:
    """One Deepgram live-transcription connection for one track."""

    name = "deepgram"

    def __init__(
        self,
        api_key: str | None,
        *,
        url: str = LISTEN_URL,
        model: str = "nova-3",
        language: str | None = "en",
    ):
        self.model = model
        self._api_key = api_key
        self._base_url = url
        self._language = language
        self.hints: list[str] = []  # keyterms, set before start() (the interviewer's vocabulary)
        self._ws = None
        self.metadata: dict | None = None

    @property
    def url(self) -> str:
        return f"{self._base_url}?{listen_query(self.model, self._language, keyterms=self.hints)}"

    async def start(self) -> None:
        headers = {"Authorization": f"Token {self._api_key}"} if self._api_key else {}
        try:
            # No automatic pings: Deepgram keeps the stream alive on audio/KeepAlive, and a
            # stalled server must show up as a stall, not as a ping timeout much later.
            self._ws = await connect(
                self.url, additional_headers=headers, ping_interval=None, max_size=2**22
            )
        except (OSError, websockets.InvalidHandshake, websockets.InvalidURI) as e:
            raise ProviderError(f"deepgram: cannot connect: {e}") from e

    async def send(self, audio: bytes) -> None:
        try:
            await self._ws.send(audio)
        except ConnectionClosed as e:
            raise ProviderError(f"deepgram: connection closed ({e.rcvd or e})") from e

    async def keep_alive(self) -> None:
        await self._ws.send(json.dumps({"type": "KeepAlive"}))

    async def results(self) -> AsyncIterator[StreamResult]:
        try:
            async for raw in self._ws:
                if isinstance(raw, bytes):
                    continue
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "Metadata":
                    self.metadata = message
                elif kind == "Error":  # some deployments send an error message before closing
                    raise ProviderError(f"deepgram: {message.get('description') or message}")
                result = parse_results(message)
                if result is not None:
                    yield result
        except ConnectionClosed as e:
            raise ProviderError(f"deepgram: connection closed ({e.rcvd or e})") from e
        if not self._finishing:  # a clean close we did not ask for still ends our audio
            reason = self._ws.close_reason or "no reason given"
            raise ProviderError(f"deepgram: server closed the stream ({self._ws.close_code}: {reason})")

    _finishing = False

    async def finish(self) -> None:
        """``CloseStream``: Deepgram sends its last results and ``Metadata``, then closes."""
        self._finishing = True
        try:
            await self._ws.send(json.dumps({"type": "CloseStream"}))
        except ConnectionClosed:
            pass

    async def close(self) -> None:
        if self._ws is not None:
            try:
                await asyncio.wait_for(self._ws.close(), 0.5)
            except Exception:
                pass
