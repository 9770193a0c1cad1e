"""Per-track audio buffering for the speech-to-text stages.

``TrackAudio`` keeps one track's 16 kHz mono s16le audio by sample index since the track's
first frame, trimmed from the front: the provider chain re-sends the audio that has no final
text yet to the next provider, slices closed lines for refinement, and the local Whisper
stream keeps the audio its segments are cut from.
"""

from __future__ import annotations

import numpy as np

from cuecard.frames import SAMPLE_RATE

BYTES = 2
# RMS (full scale 1.0) above which audio counts as "voiced": a provider owes us a result only
# for speech, and may stay quiet over silence.
VOICED_RMS = 0.01


def rms(pcm: bytes) -> float:
    if len(pcm) < BYTES:
        return 0.0
    x = np.frombuffer(pcm[: len(pcm) // BYTES * BYTES], np.int16).astype(np.float32) / 32768.0
    return float(np.sqrt(np.mean(x * x)))


class TrackAudio:
    """A track's audio by sample index since its first frame, trimmed from the front."""

    def __init__(self, offset: float):
        self.offset = offset  # time (seconds) of sample 0
        self.base = 0  # sample index of data[0]
        self.data = bytearray()

    @property
    def total(self) -> int:
        return self.base + len(self.data) // BYTES

    def append(self, pcm: bytes):
        self.data.extend(pcm)

    def slice(self, start: int, end: int) -> bytes:
        a, b = max(start, self.base) - self.base, max(min(end, self.total), self.base) - self.base
        return bytes(self.data[a * BYTES : b * BYTES]) if b > a else b""

    def trim(self, before: int):
        cut = min(max(before, self.base), self.total) - self.base
        if cut > 0:
            del self.data[: cut * BYTES]
            self.base += cut

    def time(self, sample: int) -> float:
        return self.offset + sample / SAMPLE_RATE

    def sample(self, t: float) -> int:
        return int(round((t - self.offset) * SAMPLE_RATE))

    def tail_voiced(self, secs: float = 0.3) -> bool:
        return rms(self.slice(self.total - int(secs * SAMPLE_RATE), self.total)) >= VOICED_RMS
