"""Speaker labels end to end: a rename from the page reaches the pipeline as a frame, the
stored transcript and the exports; the microphone option arrives with the session."""

from __future__ import annotations

from types import SimpleNamespace

from aiohttp.test_utils import TestClient, TestServer
from aiortc import RTCPeerConnection

from cuecard.api.app import create_app
from cuecard.api.exports import session_bundle, to_markdown, to_srt
from cuecard.api.keys import LIVE_SESSIONS
from cuecard.api.webrtc_routes import on_page_message
from cuecard.frames import SpeakerRenameFrame
from cuecard.pipeline.session import SessionRunner
from cuecard.processors.diarizer import SpeakerDiarizer

LINES = [
    {
        "segment_id": "a",
        "role": "interviewer",
        "speaker": "Interviewer 1",
        "text": "Why this job?",
        "start": 1.5,
        "end": 3.25,
        "final": True,
        "type": "transcript",
    },
    {
        "segment_id": "b",
        "role": "candidate",
        "speaker": "You",
        "text": "I build tools.",
        "start": 4.0,
        "end": 6.0,
        "final": True,
        "type": "transcript",
    },
    {
        "segment_id": "c",
        "role": "interviewer",
        "speaker": "Interviewer 2",
        "text": "And why now?",
        "start": 7.0,
        "end": 8.0,
        "final": True,
        "type": "transcript",
    },
]


async def test_rename_changes_the_stored_transcript_and_the_export(services):
    store = services.store
    session = await store.sessions.create(title="Panel", source="webrtc", user_id="local")
    for line in LINES:
        await store.sessions.upsert_segment(session.id, line)
    runner = SessionRunner(services, session.id, live=False)
    queued = []

    async def queue_frame(frame):
        queued.append(frame)

    runner.queue_frame = queue_frame  # the pipeline is not running: look at what it is sent
    live = SimpleNamespace(session_id=session.id, runner=runner)
    await on_page_message(live, {"type": "rename_speaker", "speaker": "Interviewer 1", "name": "  Dana Lee "})

    assert [(f.speaker, f.new_name) for f in queued if isinstance(f, SpeakerRenameFrame)] == [
        ("Interviewer 1", "Dana Lee")
    ]
    stored = {s.segment_id: s.speaker for s in await store.sessions.list_segments(session.id)}
    assert stored == {"a": "Dana Lee", "b": "You", "c": "Interviewer 2"}

    # A line labelled before the rename and refined after it goes out and is stored renamed.
    published = []

    async def listener(event):
        published.append(event)

    runner.add_listener(listener)
    await runner._on_event({**LINES[0], "text": "Why this job, then?", "refined": True})
    assert published[-1]["speaker"] == "Dana Lee"
    stored = {s.segment_id: s.speaker for s in await store.sessions.list_segments(session.id)}
    assert stored["a"] == "Dana Lee"

    # Renamed again, by the name the page now shows.
    await on_page_message(live, {"type": "rename_speaker", "speaker": "Dana Lee", "name": "DeShawn"})
    bundle = await session_bundle(store, await store.sessions.get(session.id))
    assert [s["speaker"] for s in bundle["transcript"]] == ["DeShawn", "You", "Interviewer 2"]
    srt = to_srt(bundle["transcript"])
    assert "DeShawn: Why this job, then?" in srt and "You: I build tools." in srt
    md = to_markdown(bundle["session"], bundle["transcript"], [], [])
    assert "**[00:00:01] DeShawn:** Why this job, then?" in md  # as typed: not "Deshawn"


async def test_mic_multiple_speakers_is_a_session_setting_the_page_can_send(settings, services, monkeypatch):
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    settings.warm_up_stt = False
    assert settings.mic_multiple_speakers is False
    async with TestClient(TestServer(create_app(settings, services))) as client:
        for sent, expected in ((None, False), ({"mic_multiple_speakers": True}, True)):
            pc = RTCPeerConnection()
            pc.addTransceiver("audio", direction="sendrecv")
            pc.createDataChannel("chat")
            await pc.setLocalDescription(await pc.createOffer())
            body = {"sdp": pc.localDescription.sdp, "type": "offer", "consent": True}
            body.update({"settings": sent} if sent else {})
            r = await client.post("/api/offer", json=body)
            assert r.status == 200, await r.text()
            session_id = (await r.json())["session_id"]
            try:
                live = client.app[LIVE_SESSIONS][session_id]
                diarizer = next(p for p in live.runner.pipeline.processors if isinstance(p, SpeakerDiarizer))
                assert diarizer.mic_multiple_speakers is expected
                stored = await services.store.sessions.get(session_id)
                assert stored.settings.get("mic_multiple_speakers", False) is expected
            finally:
                await pc.close()
