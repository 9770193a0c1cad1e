"""Test double of a meeting platform: a local meeting page and its server, on loopback.

No real meeting platform is reachable from the test machines, so this serves a page with the
same kind of flow as Meet / Zoom / Teams guest joins — pre-join screen with a name field and
microphone/camera toggles, "Ask to join", a lobby ("waiting for the host to let you in"),
admission or denial controlled by the test, an in-call view with the participant list,
active-speaker markers and a chat box, and "you have been removed" / "the meeting has ended"
screens. Audio is REAL WebRTC: when admitted, the page sends an offer with one receive-only
audio transceiver per remote participant; an aiortc peer answers with one audio track per
participant, and the test makes a participant speak by queueing samples on that track (the
participant is marked as speaking while they play). Each participant row names its track's
transceiver ``mid`` (``data-audio-mid``) so a bot can tell the tracks apart.
"""

from __future__ import annotations

import asyncio
import fractions
import json
import time
import uuid
from dataclasses import dataclass, field

import av
import numpy as np
from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

RATE = 16000
FRAME = 320  # 20 ms

# Chromium leaves loopback out of ICE and hides host addresses behind mDNS names unless told;
# the double's aiortc peer only offers 127.0.0.1 (see the ``loopback_ice`` fixture).
LOOPBACK_WEBRTC_ARGS = ["--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns"]


class ScriptedAudioTrack(MediaStreamTrack):
    """Silence, paced in real time, except while a queued clip plays."""

    kind = "audio"

    def __init__(self, participant: RemoteParticipant):
        super().__init__()
        self.participant = participant
        self._queue = bytearray()
        self._clip_ends: list[tuple[int, asyncio.Future]] = []  # (byte offset, future)
        self._sent = 0  # bytes of clips sent so far
        self._queued = 0
        self._pts = 0
        self._start: float | None = None

    def play(self, samples: np.ndarray) -> asyncio.Future:
        """Queue a clip; the future resolves to (wall start, wall end) of its playback."""
        fut = asyncio.get_running_loop().create_future()
        data = samples.astype(np.int16).tobytes()
        self._queue.extend(data)
        begin = self._queued
        self._queued += len(data)
        self._clip_ends.append((self._queued, fut))
        fut.begin = begin  # type: ignore[attr-defined]
        fut.started_at = None  # type: ignore[attr-defined]
        return fut

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._pts / RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        chunk = bytes(self._queue[: FRAME * 2])
        del self._queue[: FRAME * 2]
        now = time.time()
        if chunk:
            for _, fut in self._clip_ends:
                if fut.started_at is None and self._sent >= fut.begin:
                    fut.started_at = now
            self._sent += len(chunk)
            self.participant.speaking = True
            while self._clip_ends and self._sent >= self._clip_ends[0][0]:
                _, fut = self._clip_ends.pop(0)
                if not fut.done():
                    fut.set_result((fut.started_at or now, now))
            if not self._queue:
                self.participant.speaking = False
        chunk = chunk.ljust(FRAME * 2, b"\0")
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(chunk)
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        self._pts += FRAME
        return frame


@dataclass
class RemoteParticipant:
    name: str
    speaking: bool = False
    tracks: list[ScriptedAudioTrack] = field(default_factory=list)

    def say(self, samples: np.ndarray) -> list[asyncio.Future]:
        return [t.play(samples) for t in self.tracks]


@dataclass
class Guest:
    id: str
    name: str
    mic_on: bool
    cam_on: bool
    state: str = "lobby"  # lobby | admitted | denied | removed | left
    mids: dict[str, str] = field(default_factory=dict)  # participant name -> transceiver mid
    pc: RTCPeerConnection | None = None


@dataclass
class Room:
    id: str
    participants: list[RemoteParticipant]
    guests: dict[str, Guest] = field(default_factory=dict)
    chat: list[dict] = field(default_factory=list)
    ended: bool = False

    def participant(self, name: str) -> RemoteParticipant:
        return next(p for p in self.participants if p.name == name)


class MeetingDouble:
    """``async with MeetingDouble() as m``: ``m.room("abc", ["Dana Lee", "Sam Roy"])``,
    ``m.url("abc")``, then ``admit`` / ``deny`` / ``remove`` / ``end`` / ``say``."""

    def __init__(self):
        self.rooms: dict[str, Room] = {}
        self.app = web.Application()
        r = self.app.router
        r.add_get("/meet/{room}", self._page)
        r.add_get("/api/rooms/{room}", self._room_info)
        r.add_post("/api/rooms/{room}/guests", self._ask_to_join)
        r.add_get("/api/rooms/{room}/guests/{guest}", self._guest_state)
        r.add_post("/api/rooms/{room}/guests/{guest}/rtc", self._rtc)
        r.add_post("/api/rooms/{room}/guests/{guest}/leave", self._leave)
        r.add_post("/api/rooms/{room}/chat", self._chat)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self):
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        for room in self.rooms.values():
            for guest in room.guests.values():
                if guest.pc is not None:
                    await guest.pc.close()
        await self._runner.cleanup()

    # -- test control ------------------------------------------------------------------------

    def room(self, room_id: str, names: list[str]) -> Room:
        self.rooms[room_id] = Room(room_id, [RemoteParticipant(n) for n in names])
        return self.rooms[room_id]

    def url(self, room_id: str, query: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/meet/{room_id}{'?' + query if query else ''}"

    def guests(self, room_id: str, state: str | None = None) -> list[Guest]:
        return [g for g in self.rooms[room_id].guests.values() if state is None or g.state == state]

    async def wait_for_guest(self, room_id: str, state: str = "lobby", timeout: float = 30) -> Guest:  # noqa: ASYNC109 - test helper: its own deadline gives a failure message naming what never happened
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.guests(room_id, state)
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no guest in state {state} in room {room_id}")

    def set_state(self, room_id: str, guest_id: str, state: str):
        self.rooms[room_id].guests[guest_id].state = state

    def end(self, room_id: str):
        self.rooms[room_id].ended = True

    def chat(self, room_id: str, author: str, text: str):
        """A participant writes in the meeting chat."""
        self.rooms[room_id].chat.append({"from": author, "text": text, "ts": time.time()})

    # -- HTTP --------------------------------------------------------------------------------

    def _get_room(self, request) -> Room:
        room = self.rooms.get(request.match_info["room"])
        if room is None:
            raise web.HTTPNotFound(text=json.dumps({"error": "no such meeting"}), content_type="application/json")
        return room

    async def _page(self, request):
        return web.Response(text=PAGE, content_type="text/html")

    async def _room_info(self, request):
        room = self._get_room(request)
        return web.json_response({"id": room.id, "ended": room.ended})

    async def _ask_to_join(self, request):
        room = self._get_room(request)
        body = await request.json()
        guest = Guest(uuid.uuid4().hex[:8], body["name"], bool(body.get("mic")), bool(body.get("cam")))
        room.guests[guest.id] = guest
        return web.json_response({"guest_id": guest.id})

    async def _guest_state(self, request):
        room = self._get_room(request)
        guest = room.guests[request.match_info["guest"]]
        people = [{"name": guest.name, "mid": None, "speaking": False}] + [
            {"name": p.name, "mid": guest.mids.get(p.name), "speaking": p.speaking} for p in room.participants
        ]
        return web.json_response(
            {
                "state": guest.state,
                "ended": room.ended,
                "remote_count": len(room.participants),
                "participants": people,
                "chat": room.chat,
            }
        )

    async def _rtc(self, request):
        room = self._get_room(request)
        guest = room.guests[request.match_info["guest"]]
        body = await request.json()
        pc = RTCPeerConnection()
        guest.pc = pc
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type=body["type"]))
        for participant in room.participants:
            track = ScriptedAudioTrack(participant)
            participant.tracks.append(track)
            sender = pc.addTrack(track)
            transceiver = next(t for t in pc.getTransceivers() if t.sender is sender)
            guest.mids[participant.name] = transceiver.mid
        await pc.setLocalDescription(await pc.createAnswer())
        return web.json_response({"sdp": pc.localDescription.sdp, "type": pc.localDescription.type})

    async def _leave(self, request):
        room = self._get_room(request)
        guest = room.guests[request.match_info["guest"]]
        guest.state = "left"
        if guest.pc is not None:
            await guest.pc.close()
        return web.json_response({"ok": True})

    async def _chat(self, request):
        room = self._get_room(request)
        body = await request.json()
        guest = room.guests[body["guest_id"]]
        room.chat.append({"from": guest.name, "text": body["text"], "ts": time.time()})
        return web.json_response({"ok": True})


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Test meeting</title>
<style>.hidden{display:none} li.speaking{font-weight:bold}</style></head>
<body>
<section id="loading">Loading…</section>
<section id="not-found" class="hidden">Check your meeting code. This meeting doesn't exist.</section>
<section id="prejoin" class="hidden">
  <h1>Ready to join?</h1>
  <label>What's your name? <input id="display-name" placeholder="Your name"></label>
  <button id="mic-toggle" aria-pressed="true" aria-label="Turn off microphone">Mic on</button>
  <button id="cam-toggle" aria-pressed="true" aria-label="Turn off camera">Camera on</button>
  <button id="ask-to-join" disabled>Ask to join</button>
</section>
<section id="lobby" class="hidden">Asking to be let in… Waiting for the host to let you in.</section>
<section id="call" class="hidden">
  <ul id="participants"></ul>
  <ol id="chat-log"></ol>
  <input id="chat-input" aria-label="Send a message"><button id="chat-send">Send</button>
  <button id="leave" aria-label="Leave call">Leave</button>
</section>
<section id="denied" class="hidden">Someone in the call denied your request to join.</section>
<section id="removed" class="hidden">You have been removed from the meeting.</section>
<section id="ended" class="hidden">The meeting has ended.</section>
<section id="left" class="hidden">You left the meeting.</section>
<script>
const room = location.pathname.split("/").pop();
const api = "/api/rooms/" + room;
let guest = null, pc = null, timer = null;
function show(id) {
  for (const s of document.querySelectorAll("section")) s.classList.toggle("hidden", s.id !== id);
}
function toggle(btn, label) {
  btn.addEventListener("click", () => {
    const on = btn.getAttribute("aria-pressed") !== "true";
    btn.setAttribute("aria-pressed", String(on));
    btn.setAttribute("aria-label", (on ? "Turn off " : "Turn on ") + label);
    btn.textContent = label + (on ? " on" : " off");
  });
}
toggle(document.getElementById("mic-toggle"), "microphone");
toggle(document.getElementById("cam-toggle"), "camera");
const nameInput = document.getElementById("display-name");
nameInput.addEventListener("input", () => { document.getElementById("ask-to-join").disabled = !nameInput.value.trim(); });
document.getElementById("ask-to-join").addEventListener("click", async () => {
  const r = await fetch(api + "/guests", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({
    name: nameInput.value.trim(),
    mic: document.getElementById("mic-toggle").getAttribute("aria-pressed") === "true",
    cam: document.getElementById("cam-toggle").getAttribute("aria-pressed") === "true"})});
  guest = (await r.json()).guest_id;
  show("lobby");
  timer = setInterval(poll, 150);
});
async function connect(count) {
  pc = new RTCPeerConnection();
  for (let i = 0; i < count; i++) pc.addTransceiver("audio", {direction: "recvonly"});
  pc.ontrack = (e) => { const a = new Audio(); a.srcObject = new MediaStream([e.track]); a.play().catch(() => {}); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
  });
  const r = await fetch(api + "/guests/" + guest + "/rtc", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({sdp: pc.localDescription.sdp, type: pc.localDescription.type})});
  await pc.setRemoteDescription(await r.json());
}
function stop(screen) { clearInterval(timer); if (pc) pc.close(); show(screen); }
async function poll() {
  const s = await (await fetch(api + "/guests/" + guest)).json();
  if (s.ended) return stop("ended");
  if (s.state === "denied") return stop("denied");
  if (s.state === "removed") return stop("removed");
  if (s.state === "left") return stop("left");
  if (s.state !== "admitted") return;
  if (!pc) { show("call"); connect(s.remote_count); }
  const list = document.getElementById("participants");
  list.innerHTML = "";
  for (const p of s.participants) {
    const li = document.createElement("li");
    li.className = "participant" + (p.speaking ? " speaking" : "");
    li.dataset.name = p.name;
    if (p.mid !== null) li.dataset.audioMid = p.mid;
    li.textContent = p.name;
    list.appendChild(li);
  }
  const log = document.getElementById("chat-log");
  log.innerHTML = "";
  for (const m of s.chat) {
    const li = document.createElement("li");
    li.dataset.from = m.from;
    const who = document.createElement("b"), text = document.createElement("span");
    who.textContent = m.from + ": "; text.className = "text"; text.textContent = m.text;
    li.append(who, text);
    log.appendChild(li);
  }
}
document.getElementById("chat-send").addEventListener("click", async () => {
  const box = document.getElementById("chat-input");
  await fetch(api + "/chat", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({guest_id: guest, text: box.value})});
  box.value = "";
});
document.getElementById("leave").addEventListener("click", async () => {
  await fetch(api + "/guests/" + guest + "/leave", {method: "POST"});
  stop("left");
});
fetch(api).then((r) => show(r.ok ? "prejoin" : "not-found"));
</script></body></html>
"""
