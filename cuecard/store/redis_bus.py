"""Session event bus on Redis, so that several server processes serve the clients of one session.

Decision: one Redis Stream per session whose entry ids ARE the event sequence numbers
(``<seq>-0``). A Lua script does ``INCR`` of the session counter and ``XADD`` with that id in
one atomic step, so two processes publishing to one session can never interleave ids out of
order. The stream is both the history (capped with ``MAXLEN ~``) and the fan-out: a
subscriber calls ``XREAD BLOCK`` from ``<after>-0``, which first returns everything it missed
and then waits for new events — replay and live share one code path, and nothing published
between "read history" and "start listening" can be lost (the race pub/sub would have).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import cast

from cuecard.event_bus import HISTORY
from cuecard.events import envelope

# KEYS[1] = counter, KEYS[2] = stream; ARGV = payload JSON, ts, maxlen, ttl seconds
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0', 'p', ARGV[1], 'ts', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return seq
"""

KEY_TTL_SECS = 7 * 24 * 3600  # idle sessions' events expire after a week

# Stream replies as this client gets them: redis-py annotates every shape a reply can take
# (bytes or str, RESP2 or RESP3); ``decode_responses=True`` on RESP2 makes them these.
Entries = list[tuple[str, dict[str, str]]]
Streams = list[tuple[str, Entries]]


class RedisEventBus:
    def __init__(self, url: str, history: int = HISTORY, prefix: str = "cuecard", block_ms: int = 5000):
        import redis.asyncio as redis

        # The socket timeout must outlast XREAD's server-side BLOCK: redis-py 8 defaults to 5 s,
        # which equals block_ms and dropped every subscriber idle for 5 s (1011 on its WebSocket).
        self._redis = redis.from_url(url, decode_responses=True, socket_timeout=block_ms / 1000 + 5)
        self._history = history
        self._prefix = prefix
        self._block_ms = block_ms
        self._script = self._redis.register_script(_PUBLISH)

    def _keys(self, session_id: str) -> tuple[str, str]:
        return f"{self._prefix}:seq:{session_id}", f"{self._prefix}:events:{session_id}"

    async def publish(self, session_id: str, payload: dict) -> dict:
        ts = time.time()
        seq = await self._script(
            keys=list(self._keys(session_id)),
            args=[json.dumps(payload), repr(ts), self._history, KEY_TTL_SECS],
        )
        return envelope(session_id, int(seq), payload, ts)

    def _event(self, session_id: str, entry_id: str, fields: dict[str, str]) -> dict:
        seq = int(entry_id.split("-", 1)[0])
        return envelope(session_id, seq, json.loads(fields["p"]), float(fields["ts"]))

    async def history(self, session_id: str, after: int = 0) -> list[dict]:
        _, stream = self._keys(session_id)
        entries = cast(Entries, await self._redis.xrange(stream, min=f"({after}-0" if after else "-", max="+"))
        return [self._event(session_id, i, f) for i, f in entries]

    async def subscribe(self, session_id: str, after: int = 0) -> AsyncIterator[dict]:
        _, stream = self._keys(session_id)
        last = f"{after}-0"
        while True:
            result = cast(Streams | None, await self._redis.xread({stream: last}, block=self._block_ms, count=500))
            for _, entries in result or ():
                for entry_id, fields in entries:
                    last = entry_id
                    yield self._event(session_id, entry_id, fields)

    async def close(self) -> None:
        await self._redis.aclose()
