"""``LiveSession``: one browser connection's live pipeline, the value kept under the
``LIVE_SESSIONS`` and ``PEER_CONNECTIONS`` app keys. Only the record lives here (no app
state, no routes), so ``cuecard.api.keys`` can name its type without importing the routes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection

from cuecard.pipeline.session import SessionRunner
from cuecard.transports.webrtc import CuecardWebRTCTransport, EventOutbox


@dataclass
class LiveSession:
    session_id: str
    connection: SmallWebRTCConnection
    transport: CuecardWebRTCTransport
    runner: SessionRunner
    outbox: EventOutbox
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    ending: bool = False
