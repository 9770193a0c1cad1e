"""Crash survival with real parts: a real ``cuecard serve`` subprocess on a temporary data
directory, a real aiortc client streaming speech at real time, ``kill -9`` of the server after
the first final transcript line, a restart on the same data directory.

After the restart the transcript up to the last final line the client received is stored, the
session is ``interrupted``, and a rejoin (same session id, a new aiortc connection) continues
it: new lines, event numbers above every earlier one, no line stored twice, times after the
earlier ones.
"""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp
import numpy as np
import pytest
import soundfile as sf

from cuecard.bench.sessions import RATE, LiveClient, ServerProcess, paced_track, register

pytestmark = pytest.mark.slow


@pytest.fixture
def loopback_ice(monkeypatch):
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


def load(path) -> np.ndarray:
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == RATE
    return data


async def wait_for(predicate, within_secs: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + within_secs
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()


def speech_of(speak, *sentences: str) -> np.ndarray:
    gap = np.zeros(int(1.3 * RATE), np.int16)
    parts = [np.zeros(RATE // 2, np.int16)]
    for sentence in sentences:
        parts += [load(speak(sentence)), gap]
    return np.concatenate(parts)


async def get(http, url: str, headers: dict) -> dict:
    async with http.get(url, headers=headers) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_kill_9_keeps_final_lines_marks_interrupted_and_rejoin_continues(
    tmp_path, whisper_dir, speak, loopback_ice
):
    env = {"CUECARD_WHISPER_MODEL": str(whisper_dir)}
    server = ServerProcess(tmp_path / "data", env=env).start()
    base = server.base
    audio = speech_of(
        speak,
        "My first job was at a small bank.",
        "I wrote the payment reconciliation service.",
        "Later I moved to the platform team.",
        "We rebuilt the deployment pipeline.",
    )
    client = None
    try:
        async with aiohttp.ClientSession() as http:
            await server.wait_ready(http)
            token = await register(http, base)
            auth = {"Authorization": f"Bearer {token}"}
            client = LiveClient(base, paced_track(audio), None, token)
            session_id = (await client.join(http))["session_id"]

            def received_lines():
                return [e for e in client.finals() if e["text"].strip()]

            assert await wait_for(lambda: len(received_lines()) >= 1, 45), client.events
            server.kill()  # mid-session: the client is still streaming
            seen_before = list(client.events)
            await client.close()
            client = None

            server.start()
            await server.wait_ready(http)
            session = await get(http, f"{base}/api/sessions/{session_id}", auth)
            assert session["state"] == "interrupted", session
            stored = (await get(http, f"{base}/api/sessions/{session_id}/transcript", auth))["items"]
            stored_ids = {s["segment_id"] for s in stored}
            # every final line the page received before the kill is in the store
            for line in (e for _, e in seen_before if e["type"] == "transcript" and e.get("final")):
                assert line["segment_id"] in stored_ids, (line, stored)
            last_seq = max(e["seq"] for _, e in seen_before)
            last_end = max(s["end"] for s in stored)

            # Rejoin the same session over a new connection, with more speech.
            more = speech_of(speak, "Now I lead a team of five engineers.", "We ship every week.")
            rejoin = client = LiveClient(base, paced_track(more), None, token)
            answer = await rejoin.join(http, session_id=session_id, after=last_seq)
            assert answer["session_id"] == session_id

            def new_lines():
                return [e for e in rejoin.finals() if e["seq"] > last_seq and e["text"].strip()]

            assert await wait_for(
                lambda: any(re.search("team|five|engineer", e["text"], re.I) for e in new_lines()), 45
            ), rejoin.events
            session = await get(http, f"{base}/api/sessions/{session_id}", auth)
            assert session["state"] == "active"
            # the interrupted status reached the resumed page (it was published at start-up)
            assert any(e["type"] == "status" and e.get("state") == "interrupted" for _, e in rejoin.events)
            await rejoin.close()
            client = None
            await asyncio.sleep(3)  # the runner ends and flushes

            after = (await get(http, f"{base}/api/sessions/{session_id}/transcript", auth))["items"]
            ids = [s["segment_id"] for s in after]
            assert len(ids) == len(set(ids)), "a line stored twice"
            assert stored_ids <= set(ids), "lines stored before the crash were lost"
            new = [s for s in after if s["segment_id"] not in stored_ids]
            assert new, after
            # numbering and clock continue: above everything before the crash
            assert all(s["seq"] > last_seq for s in new), (last_seq, new)
            assert all(s["start"] >= last_end for s in new), (last_end, new)
            seqs = [e["seq"] for _, e in rejoin.events]
            assert len(seqs) == len(set(seqs)) and seqs == sorted(seqs)
    finally:
        if client is not None:
            await client.close()
        server.stop()
