"""Browser join over WebRTC: pipecat's SmallWebRTC (aiortc) transport with TWO audio tracks.

One peer connection carries the candidate's microphone and, optionally, the audio of the
interview tab the candidate shares (the interviewer side). Transceiver layout, in the order the
client adds them (both peers list transceivers in creation order)::

    0  audio  microphone        -> UserAudioRawFrame(user_id="candidate")   (pipecat reads it)
    1  video  camera   (unused, kept so pipecat's own indexes 1/2 stay video)
    2  video  screen   (unused)
    3  audio  shared tab        -> UserAudioRawFrame(user_id="interviewer") (we read it)

Why this shape: pipecat 1.14's SmallWebRTC reads exactly one inbound audio track (index 0) and
wraps indexes 1 and 2 as video; keeping that layout lets pipecat's own JS client and ours both
work, and the extra audio transceiver is found as "the first audio transceiver after index 0"
(index 3 in our client; verified with an aiortc client in tests/test_webrtc_loopback.py).

We use ``aiortc`` directly rather than pipecat's ``webrtc`` extra (it pulls opencv only for
video conversion); ``pipecat.transports.smallwebrtc`` imports fine without it.

Events go back to the page on the data channel with ``SmallWebRTCConnection.send_app_message``
through :class:`EventOutbox`, not as ``OutputTransportMessageFrame``s through the pipeline:
the connection itself only buffers 50 messages before the channel opens, and a rejoining page
may need hundreds of missed events replayed, in order, before the live ones.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import numpy as np
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, AudioResampler
from loguru import logger
from pipecat.frames.frames import InputAudioRawFrame, UserAudioRawFrame
from pipecat.transports.base_transport import TransportParams
from pipecat.transports.smallwebrtc.connection import (
    AUDIO_TRANSCEIVER_INDEX,
    IceServer,
    SmallWebRTCConnection,
    SmallWebRTCTrack,
)
from pipecat.transports.smallwebrtc.transport import (
    SmallWebRTCInputTransport,
    SmallWebRTCTransport,
)

from cuecard.frames import CANDIDATE, INTERVIEWER, SAMPLE_RATE

# Pending events kept for a page whose data channel is not open yet (a rejoin replays history).
OUTBOX_LIMIT = 10_000


def _daemon_decoder_threads():
    """aiortc starts one non-daemon decoder thread per receiver and stops it only in
    ``RTCPeerConnection.close()``. A peer that vanishes mid-negotiation (a closed tab, a
    dropped network) can leave a receiver that is never closed, and its thread then keeps the
    whole server process from exiting. Decoder threads hold no state worth waiting for, so
    we start them as daemon threads."""
    import threading
    import types

    import aiortc.rtcrtpreceiver as receiver_module

    class DaemonThread(threading.Thread):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("daemon", True)
            super().__init__(*args, **kwargs)

    receiver_module.threading = types.SimpleNamespace(Thread=DaemonThread, Event=threading.Event)


_daemon_decoder_threads()


def ice_servers_from(settings_value: list[dict]) -> list[IceServer]:
    """``settings.ice_servers`` (RTCIceServer dicts as the browser spells them) → aiortc."""
    servers = []
    for entry in settings_value or []:
        servers.append(
            IceServer(
                urls=entry["urls"],
                username=entry.get("username"),
                credential=entry.get("credential"),
            )
        )
    return servers


def tab_audio_receiver(pc) -> Any | None:
    """The receiver of the shared tab's audio: the first audio transceiver after index 0."""
    for index, transceiver in enumerate(pc.getTransceivers()):
        if index > AUDIO_TRANSCEIVER_INDEX and transceiver.kind == "audio" and transceiver.receiver:
            return transceiver.receiver
    return None


def pcm_of(frame: AudioFrame) -> bytes:
    """Interleaved s16 bytes of a resampled (packed, mono) frame."""
    return frame.to_ndarray().astype(np.int16).tobytes()


class CuecardWebRTCInput(SmallWebRTCInputTransport):
    """SmallWebRTC input that labels the microphone ``candidate`` and also reads the tab audio.

    Both tracks go through the base class's audio queue (``push_audio_frame``), so their
    frames reach the segmenter in arrival order, each keyed by ``user_id`` (the role).
    """

    def __init__(self, client, params: TransportParams, connection: SmallWebRTCConnection, **kwargs):
        super().__init__(client, params, **kwargs)
        self._connection = connection
        self._interviewer_task: asyncio.Task | None = None
        self.interviewer_frames = 0  # counted for status/diagnostics
        self.candidate_frames = 0

    async def push_audio_frame(self, frame: InputAudioRawFrame):
        if not isinstance(frame, UserAudioRawFrame):
            frame = UserAudioRawFrame(
                audio=frame.audio,
                sample_rate=frame.sample_rate,
                num_channels=frame.num_channels,
                user_id=CANDIDATE,
            )
        if frame.user_id == CANDIDATE:
            self.candidate_frames += 1
        await super().push_audio_frame(frame)

    async def set_transport_ready(self, frame):
        await super().set_transport_ready(frame)
        if self._interviewer_task is None:
            self._interviewer_task = self.create_task(self._receive_interviewer())

    async def _stop_tasks(self):
        await super()._stop_tasks()
        if self._interviewer_task is not None:
            await self.cancel_task(self._interviewer_task)
            self._interviewer_task = None

    async def _receive_interviewer(self):
        """Read the tab-audio track (when the page shares one), 16 kHz mono, ~20 ms frames.

        The track may carry nothing for a long time (no tab shared yet, or the user refused):
        ``recv`` then waits, which is fine. A renegotiation that restarts the peer connection
        ends the old track (``MediaStreamError``); we then look the receiver up again.
        """
        resampler = AudioResampler("s16", "mono", SAMPLE_RATE)
        track: SmallWebRTCTrack | None = None
        receiver = None
        while True:
            current = tab_audio_receiver(self._connection.pc)
            if current is None:
                await asyncio.sleep(0.05)
                continue
            if current is not receiver:
                receiver, track = current, SmallWebRTCTrack(current)
            try:
                frame = await asyncio.wait_for(track.recv(), timeout=2.0)
            except TimeoutError:
                continue
            except MediaStreamError:
                receiver = track = None
                await asyncio.sleep(0.1)
                continue
            if not isinstance(frame, AudioFrame):
                continue
            for resampled in resampler.resample(frame):
                self.interviewer_frames += 1
                await self.push_audio_frame(
                    UserAudioRawFrame(
                        audio=pcm_of(resampled),
                        sample_rate=SAMPLE_RATE,
                        num_channels=1,
                        user_id=INTERVIEWER,
                    )
                )


class CuecardWebRTCTransport(SmallWebRTCTransport):
    """``SmallWebRTCTransport`` whose input is :class:`CuecardWebRTCInput` (audio only)."""

    def __init__(self, connection: SmallWebRTCConnection):
        params = TransportParams(
            audio_in_enabled=True,
            audio_in_sample_rate=SAMPLE_RATE,
            audio_in_channels=1,
            audio_out_enabled=False,
            video_in_enabled=False,
            video_out_enabled=False,
        )
        super().__init__(connection, params)
        self.connection = connection

    def input(self) -> CuecardWebRTCInput:
        if not isinstance(self._input, CuecardWebRTCInput):
            self._input = CuecardWebRTCInput(self._client, self._params, self.connection, name=self._input_name)
        return self._input


class EventOutbox:
    """Sends event envelopes to the page on the data channel, in order, never dropping one
    because the channel is not open yet (it opens a moment after the answer; a rejoin replays
    missed events first). Messages wait in a bounded queue and a small task flushes it."""

    def __init__(self, connection: SmallWebRTCConnection, limit: int = OUTBOX_LIMIT):
        self._connection = connection
        self._pending: deque[dict] = deque(maxlen=limit)
        self._flusher: asyncio.Task | None = None
        self.sent = 0

    def _channel(self):
        channel = getattr(self._connection, "_data_channel", None)
        return channel if channel is not None and channel.readyState == "open" else None

    def send(self, message: dict):
        channel = self._channel()
        if channel is not None and not self._pending:
            self._send_now(channel, message)
            return
        self._pending.append(message)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    def _send_now(self, channel, message: dict):
        try:
            self._connection.send_app_message(message)
            self.sent += 1
        except Exception as e:  # a closing channel must not break the pipeline's listener
            logger.debug(f"Could not send event on the data channel: {e}")

    async def _flush(self):
        while self._pending:
            channel = self._channel()
            if channel is None:
                if self._connection.pc.connectionState in ("closed", "failed"):
                    self._pending.clear()  # the page will rejoin and ask with `after`
                    return
                await asyncio.sleep(0.05)
                continue
            self._send_now(channel, self._pending.popleft())

    def close(self):
        if self._flusher is not None:
            self._flusher.cancel()
        self._pending.clear()
