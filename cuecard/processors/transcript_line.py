"""One transcript line on the page, as both speech-to-text stages build it.

A line is one speaker's utterance: the final text of each of its segments, joined. The local
stage (``whisper_stt``) and the provider chain (``cloud_stt``) fill lines differently, but the
frames a line becomes — interim while someone speaks, final when a segment ends, refined when
a better decode replaces it in place — are the same, so they are built here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cuecard.frames import InterimTranscriptFrame, TranscriptFrame, iso_timestamp


@dataclass
class TranscriptLine:
    line_id: str  # the events' ``segment_id``: the page replaces a line with the same id
    role: str
    start: float
    end: float = 0.0
    speaker: str | None = None
    utterance_id: str | None = None  # the segmenter's utterance this line belongs to
    texts: list[str] = field(default_factory=list)  # final text of each segment
    spans: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of each segment
    confidences: list[float] = field(default_factory=list)
    last_interim: str = ""

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t)

    @property
    def confidence(self) -> float | None:
        # The weakest segment decides: a line is as trustworthy as its worst part.
        return min(self.confidences) if self.confidences else None

    def interim_frame(
        self, tail: str, end: float, confidence: float | None, provider: str, stable_tail: str = ""
    ) -> InterimTranscriptFrame:
        """The line so far plus ``tail``, the text of the segment still being spoken."""
        return InterimTranscriptFrame(
            text=f"{self.text} {tail}".strip(),
            user_id=self.role,
            timestamp=iso_timestamp(),
            role=self.role,
            speaker=self.speaker,
            start=self.start,
            end=end,
            segment_id=self.line_id,
            confidence=confidence,
            provider=provider,
            stable_text=f"{self.text} {stable_tail}".strip(),
        )

    def final_frame(self, provider: str, *, refined=False, closed=False) -> TranscriptFrame:
        return TranscriptFrame(
            text=self.text,
            user_id=self.role,
            timestamp=iso_timestamp(),
            role=self.role,
            speaker=self.speaker,
            start=self.start,
            end=self.end,
            segment_id=self.line_id,
            confidence=self.confidence,
            provider=provider,
            refined=refined,
            utterance_closed=closed,
        )
