"""Name the captured audio: which track id (``role:speaker``) each chunk goes to.

The segmenter keeps one VAD state per track id, and a track id may name its speaker
(``"interviewer:Dana Lee"``), so naming audio means choosing track ids:

- ``per_track`` (one remote track per participant): a track is linked to a participant by the
  platform's hint (the test page gives the transceiver ``mid``). Chunks of a track whose owner
  is not known yet are held back up to ``name_wait_secs`` (the participant list often renders
  after the audio starts); after that the track is an unnamed interviewer. The id is then fixed
  for the track's life: renaming a live track would leave a segment open under the old id.
- ``mixed`` (one mix): the chunk goes to the participant the platform marks as speaking; every
  other speaker heard so far gets the same length of silence. Why silence rather than nothing:
  each id's clock is its sample count, so feeding all of them keeps their times on the wall
  clock, and a speaker who stops talking gets the silence that closes their segment. When
  nobody is marked, audio stays with the last marked speaker (markers flicker in pauses).
  The marker lags the audio (the platform detects speech, renders the marker, the bot polls
  the page: a few hundred ms), so mixed audio is held ``marker_lag_secs`` before it is routed
  with the marker of that later moment; otherwise the first words after every change of
  speaker would land on the previous speaker. Costs the same delay on every transcript.

The candidate's own name (compared case- and space-insensitively) gets role ``candidate``;
everyone else is an ``interviewer``; the bot itself is ignored.
"""

from __future__ import annotations

import time

from cuecard.frames import CANDIDATE, INTERVIEWER, SAMPLE_RATE
from cuecard.transports.meeting_bot.platforms.base import Participant


def _norm(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


class SpeakerRouter:
    def __init__(
        self,
        candidate_name: str,
        bot_name: str,
        mode: str,
        *,
        name_wait_secs: float = 2.0,
        marker_lag_secs: float = 0.0,
    ):
        self.candidate_name = candidate_name
        self._lag_bytes = int(marker_lag_secs * SAMPLE_RATE) * 2
        self._held_mix: list[bytes] = []
        self._held_mix_bytes = 0
        self.bot_name = bot_name
        self.mode = mode
        self.name_wait_secs = name_wait_secs
        self.participants: list[Participant] = []
        self._track_hints: dict[str, set[str]] = {}  # capture key -> mid / stream / track ids
        self._ids: dict[str, str] = {}  # per_track: capture key -> fixed track id
        self._pending: dict[str, tuple[float, list[bytes]]] = {}
        self._active_id: str = INTERVIEWER  # a track id: a role, or "<role>:<name>"
        self._heard_ids: list[str] = []  # mixed: ids that have had audio, in order

    def role_of(self, name: str) -> str:
        return CANDIDATE if _norm(name) == _norm(self.candidate_name) else INTERVIEWER

    def track_id(self, name: str | None) -> str:
        if not name:
            return INTERVIEWER
        return f"{self.role_of(name)}:{name}"

    def on_track(self, info: dict):
        key = info.get("key")
        if not key:
            return
        hints = {str(info[k]) for k in ("mid", "track_id") if info.get(k) is not None}
        hints.update(str(s) for s in info.get("stream_ids") or [])
        self._track_hints.setdefault(key, set()).update(hints)

    def update_participants(self, participants: list[Participant]):
        self.participants = [p for p in participants if _norm(p.name) != _norm(self.bot_name)]
        speaking = [p for p in self.participants if p.speaking]
        if speaking:
            self._active_id = self.track_id(speaking[0].name)

    def people(self) -> list[dict]:
        return [{"name": p.name, "role": self.role_of(p.name), "speaking": p.speaking} for p in self.participants]

    # -- routing -----------------------------------------------------------------------------

    def route(self, key: str, pcm: bytes, now: float | None = None) -> list[tuple[str, bytes]]:
        """``(track_id, pcm)`` pairs to queue for one captured chunk (maybe none yet)."""
        if self.mode == "mixed":
            return self._route_mixed(pcm)
        return self._route_track(key, pcm, time.monotonic() if now is None else now)

    def _owner(self, key: str) -> str | None:
        hints = self._track_hints.get(key, set())
        for p in self.participants:
            if p.track is not None and str(p.track) in hints:
                return p.name
        return None

    def _route_track(self, key: str, pcm: bytes, now: float) -> list[tuple[str, bytes]]:
        if key in self._ids:
            return [(self._ids[key], pcm)]
        since, held = self._pending.setdefault(key, (now, []))
        held.append(pcm)
        owner = self._owner(key)
        if owner is None and now - since < self.name_wait_secs:
            return []
        track_id = self.track_id(owner)
        self._ids[key] = track_id
        del self._pending[key]
        return [(track_id, b"".join(held))]

    def _route_mixed(self, pcm: bytes) -> list[tuple[str, bytes]]:
        self._held_mix.append(pcm)
        self._held_mix_bytes += len(pcm)
        routed = []
        while self._held_mix and self._held_mix_bytes - len(self._held_mix[0]) >= self._lag_bytes:
            chunk = self._held_mix.pop(0)
            self._held_mix_bytes -= len(chunk)
            routed.extend(self._route_mixed_now(chunk))
        return routed

    def _route_mixed_now(self, pcm: bytes) -> list[tuple[str, bytes]]:
        active = self._active_id
        if active not in self._heard_ids:
            self._heard_ids.append(active)
        silence = bytes(len(pcm))
        return [(tid, pcm if tid == active else silence) for tid in self._heard_ids]

    def track_ids(self) -> list[str]:
        return sorted(set(self._ids.values()) | set(self._heard_ids))
