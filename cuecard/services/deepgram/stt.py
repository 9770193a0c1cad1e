"""Deepgram live transcription (``/v1/listen``) through Deepgram's own SDK (``deepgram-sdk``).

Protocol (https://developers.deepgram.com/reference/listen-live), for reference: the client
opens ``wss://api.deepgram.com/v1/listen?<options>`` with ``Authorization: Token <key>``,
sends binary audio and the messages ``KeepAlive``, ``Finalize``, ``CloseStream``; the server
sends ``Results`` (``start``, ``duration``, ``is_final``, ``speech_final``, ``channel.
alternatives[0]`` with ``transcript``, ``confidence``, ``words``), ``Metadata`` (after
``CloseStream``, then it closes), ``SpeechStarted``, ``UtteranceEnd``; errors close the socket
with a code and reason (e.g. 1008 bad request, 1011 ``NET-0001`` no audio).

We use ``AsyncDeepgramClient.listen.v1.connect`` (deepgram-sdk 7.x, the version pipecat's
``deepgram`` extra pins): it builds the URL and query (keyterms repeat, booleans lower-case),
sends the auth header, and hands us the socket. We iterate the socket ourselves instead of
its ``start_listening`` event emitter, so every failure (refused, 401, closed with an error
code, a clean close we did not ask for) is raised here at once and the chain falls back. The
base URL stays configurable (``DeepgramClientEnvironment``): the loopback test double in
``tests/cloud_stt`` speaks the real wire protocol and so tests this SDK path.

Not pipecat's ``DeepgramSTTService`` (nor its ``ServiceSwitcher``): the chain re-sends the
audio without final text to the next provider and places results on the session clock, which
needs each result's stream-relative time and a failure raised to the caller, not a frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

# Imported here, not in ``start()``: the SDK's first import takes ~0.2 s (more on a busy
# machine), which must not count against the connect timeout. The chain imports this module
# when it is built.
import deepgram.listen.v1.client  # noqa: F401  (the SDK imports it lazily on first use)
import deepgram.listen.v1.socket_client  # noqa: F401
from deepgram import AsyncDeepgramClient
from deepgram.core.api_error import ApiError
from deepgram.environment import DeepgramClientEnvironment

from cuecard.services.streaming_stt import ProviderError, StreamResult, StreamWord

LISTEN_URL = "wss://api.deepgram.com/v1/listen"
MAX_KEYTERMS = 50


def connect_options(
    model: str, language: str | None, sample_rate: int = 16000, keyterms: list[str] | tuple = ()
) -> dict:
    """Options of the live connection. ``keyterms``: names to recognise (Nova-3's ``keyterm``,
    repeated once per term; older models take them as ``keywords``)."""
    options = {
        "model": model,
        "encoding": "linear16",
        "sample_rate": sample_rate,
        "channels": 1,
        "interim_results": True,
        "diarize": True,
        "punctuate": True,
        "smart_format": True,
    }
    if language:
        options["language"] = language
    terms = list(dict.fromkeys(t.strip() for t in keyterms if t.strip()))[:MAX_KEYTERMS]
    if terms:
        options["keyterm" if model.startswith("nova-3") else "keywords"] = terms
    return options


def _environment(url: str):
    """The SDK appends ``/v1/listen`` to the environment's websocket base."""
    base = url.split("/v1/listen")[0].rstrip("/")
    http = base.replace("wss://", "https://").replace("ws://", "http://")
    return DeepgramClientEnvironment(base=http, production=base, agent=base, agent_rest=http)


def _field(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def parse_results(message) -> StreamResult | None:
    """A ``Results`` message (the SDK's model or a dict) → ``StreamResult``."""
    if _field(message, "type") != "Results":
        return None
    alternatives = _field(_field(message, "channel") or {}, "alternatives") or [{}]
    best = alternatives[0]
    start = float(_field(message, "start", 0.0) or 0.0)
    words = [
        StreamWord(
            text=_field(w, "punctuated_word") or _field(w, "word", ""),
            start=float(_field(w, "start", start)),
            end=float(_field(w, "end", start)),
            confidence=_field(w, "confidence"),
            speaker=None if _field(w, "speaker") is None else int(_field(w, "speaker")),
        )
        for w in _field(best, "words") or []
    ]
    return StreamResult(
        text=(_field(best, "transcript") or "").strip(),
        is_final=bool(_field(message, "is_final")),
        start=start,
        end=start + float(_field(message, "duration", 0.0) or 0.0),
        confidence=_field(best, "confidence"),
        end_of_line=bool(_field(message, "speech_final")),
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
        self._url = url
        self._language = language
        self.hints: list[str] = []  # keyterms, set before start() (the interviewer's vocabulary)
        self._exit = AsyncExitStack()
        self._socket: Any = None  # the SDK's socket client, typed loosely by its stubs
        self._finishing = False
        self.metadata = None

    async def start(self) -> None:
        client = AsyncDeepgramClient(api_key=self._api_key or "unset", environment=_environment(self._url))
        options = connect_options(self.model, self._language, keyterms=self.hints)
        try:
            self._socket = await self._exit.enter_async_context(client.listen.v1.connect(**options))
        except ApiError as e:
            raise ProviderError(f"deepgram: refused ({e.status_code}: {e.body})") from e
        except Exception as e:  # refused, reset, bad URI, handshake failures
            raise ProviderError(f"deepgram: cannot connect: {e}") from e

    async def send(self, audio: bytes) -> None:
        try:
            await self._socket.send_media(audio)
        except Exception as e:
            raise ProviderError(f"deepgram: connection closed ({_reason(e)})") from e

    async def keep_alive(self) -> None:
        await self._socket.send_keep_alive()

    async def results(self) -> AsyncIterator[StreamResult]:
        try:
            async for message in self._socket:
                if isinstance(message, bytes):
                    continue
                kind = _field(message, "type")
                if kind == "Metadata":
                    self.metadata = message
                elif kind == "Error":  # some deployments send an error message before closing
                    raise ProviderError(f"deepgram: {_field(message, 'description') or message}")
                result = parse_results(message)
                if result is not None:
                    yield result
        except ProviderError:
            raise
        except Exception as e:
            raise ProviderError(f"deepgram: connection closed ({_reason(e)})") from e
        if not self._finishing:  # a clean close we did not ask for still ends our audio
            raise ProviderError("deepgram: server closed the stream")

    async def finish(self) -> None:
        """``CloseStream``: Deepgram sends its last results and ``Metadata``, then closes."""
        self._finishing = True
        try:
            await self._socket.send_close_stream()
        except Exception:
            pass

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._exit.aclose(), 0.5)
        except Exception:
            pass


def _reason(e: Exception) -> str:
    rcvd = getattr(e, "rcvd", None)
    return str(rcvd or e)
