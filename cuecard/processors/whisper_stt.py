"""Local speech-to-text: ``SpeechSegmentFrame`` → ``InterimTranscriptFrame`` / ``TranscriptFrame``.

One transcript line per utterance (``segment_id`` of the events = the utterance id): segments
separated by short pauses extend the same line instead of scattering a sentence over several.

- ``partial`` segments are re-decoded for interim text, at most one at a time per track and
  only when the decoder is free, so interims never make the pipeline fall behind real time.
  Words that two consecutive interims agree on are reported as ``stable_text``.
- ``tentative`` segments are decoded at once; the ``final`` segment reuses that result when no
  speech came after it (the common case), which hides the decode time inside the VAD's wait.
- Each line of a closed utterance is re-decoded whole with a wider beam in the background
  (``refined`` events): context lost at the cuts comes back. Optionally
  (``refine_context_secs``) the same speaker's previous line is the decode's prompt.
- The interviewer's speech (only theirs) is decoded with the session's vocabulary as
  Whisper's ``hotwords`` (``vocabulary``, a ``SessionVocabulary``): every live decode with the
  job's and profile's skills and the job's knowledge-base names, each refinement also with the
  names its line's live text points at (``cuecard/knowledge/vocabulary.py``).
"""

from __future__ import annotations

import asyncio

from loguru import logger
from pipecat.frames.frames import EndFrame, Frame, StartFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.frames import INTERVIEWER, SpeechSegmentFrame, StatusFrame, UtteranceEndFrame
from cuecard.processors.transcript_line import TranscriptLine
from cuecard.services.task_chain import TaskChain
from cuecard.services.whisper.engine import (
    PRIORITY_FINAL,
    PRIORITY_PARTIAL,
    PRIORITY_REFINE,
    PRIORITY_TENTATIVE,
    Transcription,
    WhisperEngine,
    priority_for,
)


def stable_prefix(previous: str, current: str) -> str:
    """Words at the start of ``current`` that the previous interim already had."""
    out = []
    for a, b in zip(previous.split(), current.split(), strict=False):
        if a.lower().strip(".,?!") != b.lower().strip(".,?!"):
            break
        out.append(b)
    return " ".join(out)


def _track_key(item) -> str:
    """Role and speaker of a segment, utterance end or line: one decode chain per voice."""
    return f"{item.role}:{item.speaker or ''}"


class WhisperSTTProcessor(FrameProcessor):
    def __init__(
        self,
        engine: WhisperEngine,
        *,
        beam_size: int = 1,
        refine_beam_size: int = 5,
        refine: bool = True,
        refine_context_secs: float = 0.0,
        interims: bool = True,
        provider_name: str = "local",
        vocabulary=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._engine = engine
        self._vocabulary = vocabulary  # SessionVocabulary | None: biases the interviewer only
        self._beam = beam_size
        self._refine_beam = refine_beam_size
        self._refine = refine
        self._refine_context = refine_context_secs
        self._interims = interims
        self._provider = provider_name
        self._lines: dict[str, TranscriptLine] = {}
        self._tentative: dict[str, tuple[float, asyncio.Future]] = {}
        self._partial_busy: set[str] = set()
        self._closed_segments: set[str] = set()
        self._tasks = TaskChain()  # background decodes; final work chained per track
        self._line_ids: set[str] = set()
        self._retired: list[TranscriptLine] = []  # earlier-speaker lines of still-open utterances
        self._previous: dict[str, tuple[TranscriptLine, asyncio.Task | None]] = {}  # last line per track

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, SpeechSegmentFrame):
            self._on_segment(frame)
        elif isinstance(frame, UtteranceEndFrame):
            self._chain(_track_key(frame), self._on_utterance_end(frame))
        elif isinstance(frame, EndFrame):
            await self._tasks.drain()
            await self.push_frame(frame, direction)
        elif isinstance(frame, StartFrame) and self._vocabulary is not None:
            await self.push_frame(frame, direction)
            # The session's prompt is built now (cards, dictionary: ~1 s the first time in a
            # process), in a thread, not in the first decode of the interviewer.
            await asyncio.to_thread(self._hotwords, INTERVIEWER)
        else:
            await self.push_frame(frame, direction)

    # -- recognition hints ---------------------------------------------------------------------

    def _hotwords(self, role: str) -> str | None:
        """The live prompt of the interviewer's decodes; None for the candidate."""
        if role != INTERVIEWER or self._vocabulary is None:
            return None
        try:
            return self._vocabulary.live_prompt()
        except Exception as e:  # hints are a refinement: never lose speech over them
            logger.warning(f"No recognition hints: {e}")
            return None

    async def _refine_hotwords(self, role: str, heard: str) -> str | None:
        if role != INTERVIEWER or self._vocabulary is None:
            return None
        try:
            return await asyncio.to_thread(self._vocabulary.refine_prompt, heard)
        except Exception as e:
            logger.warning(f"No recognition hints for the refinement: {e}")
            return None

    # -- scheduling ----------------------------------------------------------------------------

    def _spawn(self, coro) -> asyncio.Task:
        return self._tasks.spawn(coro)

    def _chain(self, track: str, coro):
        """Run ``coro`` after the previous final work of the same track: lines stay in order."""
        self._tasks.chain(track, coro)

    def _line(self, frame: SpeechSegmentFrame) -> TranscriptLine:
        """The open line of this utterance; a new one when the diarizer says the speaker
        changed within the utterance (each line has one speaker)."""
        line = self._lines.get(frame.utterance_id)
        if line is not None and line.texts and line.speaker != frame.speaker:
            self._retired.append(line)
            line = None
        if line is None:
            line_id = frame.utterance_id if frame.utterance_id not in self._line_ids else frame.segment_id
            self._line_ids.add(line_id)
            line = TranscriptLine(
                line_id, frame.role, frame.start, speaker=frame.speaker, utterance_id=frame.utterance_id
            )
            self._lines[frame.utterance_id] = line
        return line

    def _on_segment(self, frame: SpeechSegmentFrame):
        if frame.kind != "final":
            self._engine.mark_speech()
        if frame.kind == "partial":
            if self._interims and _track_key(frame) not in self._partial_busy:
                self._partial_busy.add(_track_key(frame))
                self._spawn(self._on_partial(frame))
        elif frame.kind == "tentative":
            old = self._tentative.pop(frame.segment_id, None)
            if old:
                old[1].cancel()
            future = self._engine.decode(
                frame.audio,
                priority=priority_for(PRIORITY_TENTATIVE, frame.role),
                beam_size=self._beam,
                live=True,
                hotwords=self._hotwords(frame.role),
            )
            self._tentative[frame.segment_id] = (frame.end, asyncio.ensure_future(future))
        else:
            self._closed_segments.add(frame.segment_id)
            self._chain(_track_key(frame), self._on_final(frame))

    # -- results -------------------------------------------------------------------------------

    async def _decode(self, frame: SpeechSegmentFrame, priority: int) -> Transcription | None:
        try:
            return await self._engine.decode(
                frame.audio,
                priority=priority_for(priority, frame.role),
                beam_size=1 if priority == PRIORITY_PARTIAL else self._beam,
                live=True,
                hotwords=self._hotwords(frame.role),
            )
        except Exception as e:
            logger.exception(f"Whisper decode failed: {e}")
            await self.push_frame(StatusFrame(state="stt_error", message=str(e), provider=self._provider))
            return None

    async def _on_partial(self, frame: SpeechSegmentFrame):
        try:
            result = await self._decode(frame, PRIORITY_PARTIAL)
        finally:
            self._partial_busy.discard(_track_key(frame))
        if result is None or not result.text or frame.segment_id in self._closed_segments:
            return
        line = self._line(frame)
        stable = stable_prefix(line.last_interim, result.text)
        line.last_interim = result.text
        await self.push_frame(line.interim_frame(result.text, frame.end, result.confidence, self._provider, stable))

    async def _on_final(self, frame: SpeechSegmentFrame):
        result = None
        tentative = self._tentative.pop(frame.segment_id, None)
        if tentative and abs(tentative[0] - frame.end) < 1e-6 and not tentative[1].cancelled():
            try:
                result = await tentative[1]
            except Exception:
                result = None
        if result is None:
            result = await self._decode(frame, PRIORITY_FINAL)
        if result is None or not result.text:
            return
        line = self._line(frame)
        line.texts.append(result.text)
        line.spans.append((frame.start, frame.end))
        line.confidences.append(result.confidence)
        line.end = frame.end
        line.last_interim = ""
        await self.push_frame(line.final_frame(self._provider))

    async def _on_utterance_end(self, frame: UtteranceEndFrame):
        line = self._lines.pop(frame.utterance_id, None)
        split = [old for old in self._retired if old.utterance_id == frame.utterance_id]
        self._retired = [old for old in self._retired if old not in split]
        await self.push_frame(
            UtteranceEndFrame(frame.role, frame.utterance_id, frame.start, frame.end, b"", frame.speaker)
        )
        # Each line has one speaker, so a line is re-decoded over its own spans only, also when
        # the diarizer split the utterance (a wrong split must not cost the refinement).
        for each in [*split, line]:
            if each is not None and each.texts:
                self._refine_later(each, frame)

    def _refine_later(self, line: TranscriptLine, frame: UtteranceEndFrame):
        track = _track_key(line)
        before = self._previous.get(track)
        task = None
        if self._refine and (len(line.texts) > 1 or self._refine_beam != self._beam):
            task = self._spawn(self._refine_line(line, frame, before))
        self._previous[track] = (line, task)

    async def _refine_line(self, line: TranscriptLine, frame: UtteranceEndFrame, before=None):
        """Re-decode the utterance in pieces of at most ``REFINE_CHUNK_SECS`` cut at segment
        boundaries: a running decode cannot be interrupted, so a short piece bounds how long
        a question's final decode can wait behind a refinement."""
        prompt = None
        if self._refine_context > 0 and before is not None and line.start - before[0].end <= self._refine_context:
            # The same speaker's previous line, refined first: its text is this one's context.
            previous, task = before
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
            prompt = previous.text[-PROMPT_CHARS:] or None
        hotwords = await self._refine_hotwords(line.role, line.text)
        texts, confidences = [], []
        for first, last in refine_chunks(line.spans, REFINE_CHUNK_SECS):
            start = max(line.spans[first][0] - 0.1, frame.start)
            end = line.spans[last][1] + (0.3 if last == len(line.spans) - 1 else 0.1)
            audio = frame.audio[_byte(start - frame.start) : _byte(end - frame.start)]
            live = " ".join(line.texts[first : last + 1])
            try:
                result = await self._engine.decode(
                    audio,
                    priority=PRIORITY_REFINE,
                    beam_size=self._refine_beam,
                    prompt=prompt,
                    hotwords=hotwords,
                )
            except Exception as e:
                logger.warning(f"Refinement failed, keeping the live text: {e}")
                result = None
            if result is None or not result.text:
                texts.append(live)
                confidences.append(min(line.confidences[first : last + 1]))
            else:
                texts.append(result.text)
                confidences.append(result.confidence)
        if " ".join(texts) == line.text:
            return
        line.texts, line.confidences = texts, confidences
        await self.push_frame(line.final_frame(self._provider, refined=True, closed=True))


REFINE_CHUNK_SECS = 25.0
# Tried and not kept (LibriSpeech dev, 5.38 % with neither):
# - 0.3 s of silence in front of a window whose speech starts at its first sample: it keeps a
#   first short word the wide beam sometimes drops ("And June 1848…") but moves where Whisper
#   ends its segments, and it then stopped early more often: 6.02 %.
# - keeping the live text when the refinement has far fewer words (a decode that stopped
#   early): the live text is the one that loops ("29 29 29 29…") more often: 5.72 %.
PROMPT_CHARS = 300  # Whisper reads at most 223 prompt tokens; the last sentence or two matter


def _byte(seconds: float) -> int:
    return max(int(seconds * 16000), 0) * 2


def refine_chunks(spans: list[tuple[float, float]], max_secs: float) -> list[tuple[int, int]]:
    """Consecutive runs of segment indexes whose total span stays within ``max_secs``."""
    runs, first = [], 0
    for i in range(1, len(spans) + 1):
        if i == len(spans) or spans[i][1] - spans[first][0] > max_secs:
            runs.append((first, i - 1))
            first = i
    return runs
