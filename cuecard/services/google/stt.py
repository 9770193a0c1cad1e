"""Google Cloud Speech-to-Text (v1) streaming recognition via ``google-cloud-speech``.

``StreamingRecognize`` is a bidirectional gRPC stream: the first request carries the
``StreamingRecognitionConfig``, the following ones ``audio_content``. Responses carry
``results[]``; each has ``alternatives[0].transcript``/``confidence``/``words``,
``is_final``, ``stability`` and ``result_end_time`` (from the stream start). Interim
responses may hold several results (a stable head and an unstable tail): their texts are
concatenated. A final result is one phrase Google closed on a pause, so it ends the line.
Speaker tags (``words[].speaker_tag``, 1-based) come only on final results.

The endpoint is configurable (``google_speech_endpoint``); ``insecure=True`` opens a
plaintext channel, for a loopback test double only. Google ends a stream after about five
minutes (``OUT_OF_RANGE``); the STT stage treats that like any provider error and reconnects
or falls back with the unfinalised audio re-sent, so nothing is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from cuecard.services.streaming_stt import ProviderError, StreamResult, StreamWord

MAX_PHRASES = 500  # Google's limit per SpeechContext list is larger; we send at most this
MAX_PHRASE_CHARS = 100  # Google's limit per phrase


def _seconds(value) -> float:
    """proto-plus turns ``Duration`` into ``timedelta``; raw protobuf gives ``Duration``."""
    if value is None:
        return 0.0
    if hasattr(value, "total_seconds"):
        return value.total_seconds()
    return value.seconds + value.nanos / 1e9


def map_response(response, previous_final_end: float) -> StreamResult | None:
    """One ``StreamingRecognizeResponse`` → one ``StreamResult`` (None when it has no text)."""
    if response.error and response.error.code:
        raise ProviderError(f"google: {response.error.code} {response.error.message}")
    results = [r for r in response.results if r.alternatives]
    if not results:
        return None
    final = [r for r in results if r.is_final]
    chosen = final[:1] or results
    text = " ".join(r.alternatives[0].transcript.strip() for r in chosen).strip()
    words = [
        StreamWord(
            text=w.word,
            start=_seconds(w.start_time),
            end=_seconds(w.end_time),
            confidence=w.confidence or None,
            speaker=(w.speaker_tag - 1) if w.speaker_tag else None,
        )
        for w in chosen[0].alternatives[0].words
    ]
    end = max(_seconds(r.result_end_time) for r in chosen)
    is_final = bool(final)
    confidence = chosen[0].alternatives[0].confidence if is_final else None
    if not is_final:
        # Interim results carry no confidence; stability (0..1) is Google's closest signal.
        confidence = min((r.stability for r in chosen if r.stability), default=None)
    return StreamResult(
        text=text,
        is_final=is_final,
        start=words[0].start if words else previous_final_end,
        end=end,
        confidence=confidence,
        end_of_line=is_final,
        words=words,
    )


class GoogleStreamingSTT:
    """One Google streaming-recognition call for one track."""

    name = "google"

    def __init__(
        self,
        *,
        endpoint: str = "speech.googleapis.com",
        credentials_file: str | None = None,
        insecure: bool = False,
        model: str = "latest_long",
        language: str = "en-US",
        diarize: bool = True,
    ):
        self.model = model
        self._endpoint = endpoint
        self._credentials_file = credentials_file
        self._insecure = insecure
        self._language = language
        self._diarize = diarize
        self.hints: list[str] = []  # phrase hints, set before start() (the interviewer's vocabulary)
        self._audio: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._call: Any = None  # gRPC streaming call (google-cloud-speech types it loosely)
        self._client: Any = None
        self._channel = None
        self._last_final_end = 0.0

    def _make_client(self):
        from google.cloud import speech_v1

        if self._insecure:
            import grpc
            from google.cloud.speech_v1.services.speech.transports import SpeechGrpcAsyncIOTransport

            self._channel = grpc.aio.insecure_channel(self._endpoint)
            return speech_v1.SpeechAsyncClient(transport=SpeechGrpcAsyncIOTransport(channel=self._channel))
        credentials = None
        if self._credentials_file:
            from google.oauth2 import service_account

            credentials = service_account.Credentials.from_service_account_file(self._credentials_file)
        return speech_v1.SpeechAsyncClient(credentials=credentials, client_options={"api_endpoint": self._endpoint})

    def _config(self):
        from google.cloud import speech_v1 as speech

        config = speech.RecognitionConfig(
            encoding=speech.RecognitionConfig.AudioEncoding.LINEAR16,
            sample_rate_hertz=16000,
            audio_channel_count=1,
            language_code=self._language,
            enable_automatic_punctuation=True,
            enable_word_time_offsets=True,
            enable_word_confidence=True,
            model=self.model,
        )
        if self._diarize:
            config.diarization_config = speech.SpeakerDiarizationConfig(
                enable_speaker_diarization=True, min_speaker_count=1, max_speaker_count=6
            )
        phrases = list(dict.fromkeys(h.strip()[:MAX_PHRASE_CHARS] for h in self.hints if h.strip()))
        if phrases:
            # Phrase hints: names this session is likely to hear become likelier.
            config.speech_contexts = [speech.SpeechContext(phrases=phrases[:MAX_PHRASES])]
        return speech.StreamingRecognitionConfig(config=config, interim_results=True)

    async def _requests(self):
        from google.cloud import speech_v1 as speech

        yield speech.StreamingRecognizeRequest(streaming_config=self._config())
        while True:
            chunk = await self._audio.get()
            if chunk is None:
                return
            yield speech.StreamingRecognizeRequest(audio_content=chunk)

    async def start(self) -> None:
        from google.api_core import exceptions

        try:
            self._client = self._make_client()
            # The call opens lazily; waiting for the channel makes "unreachable" fail here.
            if self._channel is not None:
                await self._channel.channel_ready()
            self._call = await self._client.streaming_recognize(requests=self._requests())
        except (exceptions.GoogleAPICallError, OSError) as e:
            raise ProviderError(f"google: cannot start streaming: {e}") from e

    async def send(self, audio: bytes) -> None:
        # gRPC takes requests from the generator at its own pace; the queue never blocks us.
        self._audio.put_nowait(audio)

    async def results(self) -> AsyncIterator[StreamResult]:
        from google.api_core import exceptions

        try:
            async for response in self._call:
                result = map_response(response, self._last_final_end)
                if result is None:
                    continue
                if result.is_final:
                    self._last_final_end = result.end
                yield result
        except exceptions.GoogleAPICallError as e:
            raise ProviderError(f"google: {e}") from e
        except Exception as e:  # grpc.aio.AioRpcError and friends
            if isinstance(e, ProviderError):
                raise
            raise ProviderError(f"google: {type(e).__name__}: {e}") from e
        if not self._finishing:
            raise ProviderError("google: server ended the stream")

    _finishing = False

    async def finish(self) -> None:
        self._finishing = True
        self._audio.put_nowait(None)

    async def close(self) -> None:
        self._audio.put_nowait(None)
        if self._channel is not None:
            try:
                await asyncio.wait_for(self._channel.close(), 0.5)
            except Exception:
                pass
        elif self._client is not None:
            try:
                await asyncio.wait_for(self._client.transport.close(), 0.5)
            except Exception:
                pass
