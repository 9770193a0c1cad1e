"""Cuecard's own Pipecat frames: plain dataclasses, one per step of the data path.

    UserAudioRawFrame(user_id=role)      transport -> segmenter          (pipecat's own)
    SpeechSegmentFrame                   segmenter -> speech-to-text
    UtteranceEndFrame                    segmenter -> speech-to-text (refinement), detector
    TranscriptFrame / InterimTranscriptFrame
                                         speech-to-text -> diarizer -> question detector -> sink
    QuestionFrame                        question detector/classifier -> answer drafter -> sink
    SuggestionFrame                      answer drafter -> sink
    StatusFrame                          anyone -> sink (provider switches, errors, bot states)
    SpeakerRenameFrame                   page (via the API) -> diarizer: names used from then on

Times (``start``/``end``) are seconds since the session started, on the audio clock of the
track (sample counts), not wall-clock time, so that replay and live runs agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipecat.frames.frames import (
    DataFrame,
    InterimTranscriptionFrame,
    SystemFrame,
    TranscriptionFrame,
)

from cuecard.kinds import ROLES, AnswerOption, QuestionStatus, QuestionType, Role, SuggestionSource  # noqa: F401

# The roles (``cuecard.kinds.Role``) under their historical names.
CANDIDATE = Role.CANDIDATE
INTERVIEWER = Role.INTERVIEWER

# Speaker labels, the same on the page, in the store and in exports: the microphone is one
# speaker, "You" (split by voice only with ``mic_multiple_speakers``: "Mic speaker 2", …); the
# shared tab's voices are "Interviewer 1", "Interviewer 2", … from the very first line.
MIC_SPEAKER = "You"
MIC_OTHERS_PREFIX = "Mic speaker"


def first_speaker(role: str) -> str:
    """The label of a track's first (or only) speaker."""
    if role == CANDIDATE:
        return MIC_SPEAKER
    return f"{(role or 'speaker').capitalize()} 1"


SAMPLE_RATE = 16000


def iso_timestamp() -> str:
    """Wall-clock time for pipecat's ``TranscriptionFrame.timestamp`` (UTC, seconds)."""
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())


@dataclass
class SpeechSegmentFrame(DataFrame):
    """A stretch of one track's speech, cut by the voice activity detector.

    ``kind`` says how far the segment has come:
    - ``"partial"``: speech goes on; audio so far, for an interim transcript;
    - ``"tentative"``: a short pause began; decode now so the result is ready if the pause lasts;
    - ``"final"``: the pause lasted ``vad_stop_secs``; the segment is closed.
    """

    role: str
    audio: bytes  # 16 kHz mono signed 16-bit little-endian
    start: float
    end: float
    segment_id: str
    utterance_id: str
    kind: str = "final"
    speaker: str | None = None
    sample_rate: int = SAMPLE_RATE

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class UtteranceEndFrame(DataFrame):
    """A longer silence closed an utterance (one transcript line made of one or more segments)."""

    role: str
    utterance_id: str
    start: float
    end: float
    audio: bytes = b""
    speaker: str | None = None


@dataclass
class TranscriptFrame(TranscriptionFrame):
    """Final text of one transcript line (an utterance) so far, with who said it and when.

    ``text`` is the whole line: a client replaces the line with id ``segment_id``.
    ``refined`` marks the background re-decoding of a closed utterance.
    """

    role: Role | str = CANDIDATE
    speaker: str | None = None
    start: float = 0.0
    end: float = 0.0
    segment_id: str = ""
    confidence: float | None = None
    provider: str = "local"
    refined: bool = False
    utterance_closed: bool = False


@dataclass
class InterimTranscriptFrame(InterimTranscriptionFrame):
    """Unstable text of a line while its speaker is still talking."""

    role: Role | str = CANDIDATE
    speaker: str | None = None
    start: float = 0.0
    end: float = 0.0
    segment_id: str = ""
    confidence: float | None = None
    provider: str = "local"
    # Words confirmed by two consecutive decodes; ``text`` = stable + the unstable tail.
    stable_text: str = ""


@dataclass
class QuestionFrame(DataFrame):
    """The interviewer asked something. ``status`` is ``"tentative"`` (from interim text),
    ``"confirmed"`` (on the final text) or ``"withdrawn"``."""

    question_id: str
    text: str
    type: QuestionType
    confidence: float
    topic: str = ""
    follow_up_of: str | None = None
    status: QuestionStatus = QuestionStatus.CONFIRMED
    segment_id: str = ""
    start: float = 0.0
    end: float = 0.0
    type_scores: dict[str, float] = field(default_factory=dict)


@dataclass
class ManualDraftRequestFrame(DataFrame):
    """The user asked for a draft now (button or hotkey): the question detector treats the
    last interviewer line as a question and confirms it. ``text``, if given, is used instead
    (a question the user typed)."""

    text: str = ""


@dataclass
class SpeakerRenameFrame(DataFrame):
    """The user named a speaker on the page. ``speaker`` is a label (``Interviewer 2``) or the
    name it is shown with now; lines from then on carry ``new_name``. (Not ``name``: every
    pipecat frame has a ``name`` of its own.)"""

    speaker: str
    new_name: str


@dataclass
class SuggestionFrame(DataFrame):
    """A piece of an answer draft. ``delta`` is appended to the option's text; ``done`` closes it."""

    question_id: str
    option: AnswerOption
    delta: str = ""
    text: str = ""
    done: bool = False
    source: SuggestionSource = SuggestionSource.COMPOSER
    word_count: int = 0
    speaking_secs: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusFrame(SystemFrame):
    """Something the user should see that is not a transcript: provider in use, errors, states."""

    state: str
    message: str = ""
    provider: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
