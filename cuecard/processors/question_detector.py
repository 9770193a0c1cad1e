"""Question detector: interviewer transcript lines → ``QuestionFrame``s (after speech-to-text).

- Only ``role == "interviewer"`` lines can be questions. Candidate lines are recorded in the
  conversation as answers to the latest question.
- Interim text (``InterimTranscriptFrame``) announces a ``tentative`` question as soon as the
  detector is confident (``question_tentative_threshold``); the final text of the line
  (``TranscriptFrame``) ``confirmed``s it with the same ``question_id``, or ``withdrawn``s it
  when the final text is not a question. An utterance that ends with its question still
  tentative (no final text came) is withdrawn: we only confirm what we read in final text.
- A line grows across pauses with the same ``segment_id``: the question of that line is
  updated (same id) rather than duplicated; several questions in one line are one question.
- A new question line right after another (no candidate speech between, within
  ``multi_part_gap_secs``) is another part of that question: same id, texts joined. A new line
  that opens like a follow-up ("And…", "What about…", "Why?") within
  ``follow_up_window_secs`` gets its own id and ``follow_up_of`` = the previous question; its
  type comes from reading it together with that question ("And what did you learn?" is as
  behavioral as the story it follows).
- ``ManualDraftRequestFrame``: the last interviewer line (or the frame's ``text``) is taken as a
  question and confirmed at once, whatever the detector thinks.
- With an LLM configured, a confirmed question whose type confidence is below
  ``refine_below`` is sent to it in the background (``understanding.llm_refine``); if it names
  another type in time, the question is confirmed again (same id) with that type.

Every frame is passed on unchanged; question frames follow the transcript frame they come from.
A frame is re-sent only when its status, text or type changed (the drafter redrafts on each).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from loguru import logger
from pipecat.frames.frames import CancelFrame, EndFrame, Frame, StartFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.conversation import AskedQuestion, Conversation
from cuecard.frames import (
    INTERVIEWER,
    InterimTranscriptFrame,
    ManualDraftRequestFrame,
    QuestionFrame,
    StatusFrame,
    TranscriptFrame,
    UtteranceEndFrame,
)
from cuecard.kinds import QuestionStatus, QuestionType
from cuecard.pipeline.context import SessionContext
from cuecard.understanding.classifier import LOW_CONFIDENCE, Classification, classify, warm_up
from cuecard.understanding.detector import detect
from cuecard.understanding.followup import is_follow_up_cue
from cuecard.understanding.text import words

MIN_TENTATIVE_WORDS = 3


@dataclass
class DetectorParams:
    tentative_threshold: float = 0.8
    follow_up_window_secs: float = 120.0
    multi_part_gap_secs: float = 4.0
    refine_below: float = LOW_CONFIDENCE
    refiner: Any = None  # understanding.llm_refine.TypeRefiner when an LLM is configured

    @classmethod
    def from_settings(cls, settings) -> DetectorParams:
        from cuecard.drafting.llm import llm_configured

        refiner = None
        if llm_configured(settings):
            from cuecard.understanding.llm_refine import TypeRefiner

            refiner = TypeRefiner(settings)
        return cls(
            tentative_threshold=settings.question_tentative_threshold,
            follow_up_window_secs=settings.follow_up_window_secs,
            multi_part_gap_secs=settings.multi_part_gap_secs,
            refiner=refiner,
        )


@dataclass
class _Part:
    """The question text one line contributed to a question."""

    segment_id: str
    text: str
    final: bool


class QuestionDetector(FrameProcessor):
    def __init__(self, context: SessionContext | None = None, params: DetectorParams | None = None, **kwargs):
        super().__init__(**kwargs)
        self._params = params or DetectorParams()
        self._context = context or SessionContext(session_id="")
        if self._context.conversation is None:
            self._context.conversation = Conversation(session_id=self._context.session_id)
        self.conversation: Conversation = self._context.conversation
        self._ids = itertools.count(1)
        self._question_of_line: dict[str, str] = {}  # segment_id -> question_id
        self._parts: dict[str, list[_Part]] = {}  # question_id -> parts in order
        self._sent: dict[str, tuple] = {}  # question_id -> (status, text, type) last pushed
        self._refined: dict[tuple[str, str], Classification] = {}  # (question_id, text) -> LLM's type
        self._refining: dict[str, Any] = {}  # question_id -> task

    # --- frames ---------------------------------------------------------------------------------
    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, EndFrame):
            await self._finish_refinements()  # a replay's last question keeps its refined type
        await self.push_frame(frame, direction)
        if isinstance(frame, CancelFrame):
            await self._cancel_refinements()
        elif isinstance(frame, StartFrame):
            # Models load now (about a second), in a thread, not on the first question.
            await asyncio.to_thread(warm_up)
            await asyncio.to_thread(self._snapped, "warm up")  # jargon snapping: names index
        elif isinstance(frame, (TranscriptFrame, InterimTranscriptFrame)):
            await self._on_line(frame, final=isinstance(frame, TranscriptFrame))
        elif isinstance(frame, UtteranceEndFrame):
            await self._on_utterance_end(frame)
        elif isinstance(frame, ManualDraftRequestFrame):
            await self._on_manual_request(frame)

    async def _on_line(self, frame, final: bool):
        line = self.conversation.record_line(frame.role, frame.segment_id, frame.text, frame.start, frame.end, final)
        if frame.role != INTERVIEWER or not frame.text.strip():
            return
        question_id = self._question_of_line.get(frame.segment_id)
        if not final and question_id is not None and self._sent.get(question_id, ("",))[0] == QuestionStatus.CONFIRMED:
            return  # the line grows after a pause: wait for its final text before updating
        # --- jargon snapping (issue 11 item 5): the question is read and sent as snapped to known
        # names ("dike stra" -> "Dijkstra's"); the transcript event keeps what was recognised.
        found = detect(self._snapped(frame.text))
        if not found.is_question:
            if final and question_id is not None:
                await self._drop_part(question_id, frame.segment_id)
            return
        if not final and (
            found.confidence < self._params.tentative_threshold or len(words(found.question_text)) < MIN_TENTATIVE_WORDS
        ):
            return
        if question_id is None:
            question_id, follow_up_of = self._place_new_question(line.start, frame.segment_id, found.question_text)
        else:
            follow_up_of = self._follow_up_still(question_id, frame.segment_id, found.question_text)
        self._set_part(question_id, _Part(frame.segment_id, found.question_text, final))
        await self._send(question_id, follow_up_of, frame.start, frame.end)

    async def _on_utterance_end(self, frame: UtteranceEndFrame):
        question_id = self._question_of_line.get(frame.utterance_id)
        if question_id is None:
            return
        parts = self._parts.get(question_id, [])
        part = next((p for p in parts if p.segment_id == frame.utterance_id), None)
        if part is not None and not part.final:
            await self._drop_part(question_id, frame.utterance_id)

    async def _on_manual_request(self, frame: ManualDraftRequestFrame):
        line = self.conversation.last_line(INTERVIEWER)
        text = frame.text.strip() or (self._snapped(line.text) if line else "")  # jargon snapping
        if not text:
            await self.push_frame(
                StatusFrame(state="manual_draft_ignored", message="Nothing the interviewer said yet to draft for.")
            )
            return
        segment_id = "" if frame.text.strip() or line is None else line.segment_id
        question_id = self._question_of_line.get(segment_id) if segment_id else None
        start = line.start if line and segment_id else 0.0
        end = line.end if line and segment_id else 0.0
        if question_id is None:
            question_id = f"q{next(self._ids)}"
            follow_up_of = None
            if segment_id:
                self._question_of_line[segment_id] = question_id
            self._parts[question_id] = [_Part(segment_id, text, True)]
        else:
            follow_up_of = self.conversation.questions[question_id].follow_up_of
            self._set_part(question_id, _Part(segment_id, text, True))
        await self._send(question_id, follow_up_of, start, end, force_confirm=True)

    def _snapped(self, text: str) -> str:
        """``text`` with misheard names snapped to the knowledge base's and the session's
        (``cuecard.knowledge.snap``); unchanged if snapping fails."""
        try:
            from cuecard.knowledge.snap import snap_terms
            from cuecard.knowledge.vocabulary import session_terms

            return snap_terms(text, session_terms(self._context.candidate)).text
        except Exception as e:  # snapping refines the text; it must never lose a question
            logger.warning(f"Jargon snapping failed: {e}")
            return text

    # --- end of jargon snapping -------------------------------------------------------------------

    # --- questions --------------------------------------------------------------------------------
    def _place_new_question(self, start: float, segment_id: str, text: str) -> tuple[str, str | None]:
        """A question in a line that had none: another part of the previous question, a
        follow-up of it, or a new question."""
        previous = self.conversation.latest_question(before=start)
        follow_up_of = None
        if previous is not None:
            gap = start - previous.end
            answered = any(line.role != INTERVIEWER for line in self._lines_after(previous))
            if is_follow_up_cue(text):
                if gap <= self._params.follow_up_window_secs:
                    follow_up_of = previous.question_id
            elif not answered and gap <= self._params.multi_part_gap_secs:
                self._question_of_line[segment_id] = previous.question_id
                return previous.question_id, previous.follow_up_of
        question_id = f"q{next(self._ids)}"
        self._question_of_line[segment_id] = question_id
        return question_id, follow_up_of

    def _follow_up_still(self, question_id: str, segment_id: str, text: str) -> str | None:
        """A follow-up is judged on the first words heard; when the line that opened the
        question grows out of looking like one ("How does it…" → "How does caching make an
        API faster?"), it is a question of its own, typed on its own words."""
        follow_up_of = self.conversation.questions[question_id].follow_up_of
        parts = self._parts.get(question_id) or []
        opened_here = bool(parts) and parts[0].segment_id == segment_id
        if follow_up_of and opened_here and not is_follow_up_cue(text):
            return None
        return follow_up_of

    def _lines_after(self, question: AskedQuestion):
        last_segment = question.segment_ids[-1] if question.segment_ids else None
        return self.conversation.lines_since(last_segment) if last_segment else []

    def _set_part(self, question_id: str, part: _Part):
        parts = self._parts.setdefault(question_id, [])
        for i, p in enumerate(parts):
            if p.segment_id == part.segment_id:
                parts[i] = part
                return
        parts.append(part)

    async def _drop_part(self, question_id: str, segment_id: str):
        """The line no longer holds a question: withdraw it, or shrink a multi-part one."""
        self._question_of_line.pop(segment_id, None)
        parts = [p for p in self._parts.get(question_id, []) if p.segment_id != segment_id]
        self._parts[question_id] = parts
        question = self.conversation.questions.get(question_id)
        if not parts:
            self.conversation.withdraw(question_id)
            if question is not None:
                await self._push(question, QuestionStatus.WITHDRAWN)
            return
        if question is not None:
            await self._send(question_id, question.follow_up_of, question.start, question.end)

    async def _send(
        self, question_id: str, follow_up_of: str | None, start: float, end: float, force_confirm: bool = False
    ):
        parts = self._parts[question_id]
        text = " ".join(p.text for p in parts)
        parent = self.conversation.questions.get(follow_up_of) if follow_up_of else None
        typed_text = f"{parent.text} {text}" if parent else text
        kind = self._refined.get((question_id, text)) or classify(typed_text)
        topic = parent.topic if parent and is_follow_up_cue(text) and parent.topic else kind.topic
        status = QuestionStatus.CONFIRMED if force_confirm or all(p.final for p in parts) else QuestionStatus.TENTATIVE
        old = self.conversation.questions.get(question_id)
        question = AskedQuestion(
            question_id=question_id,
            text=text,
            type=kind.type,
            confidence=round(kind.confidence, 4),  # the type's confidence; detection gates emission
            topic=topic,
            follow_up_of=follow_up_of,
            status=status,
            segment_ids=[p.segment_id for p in parts if p.segment_id],
            start=min(start, old.start) if old and old.status != QuestionStatus.WITHDRAWN else start,
            end=max(end, old.end) if old else end,
            type_scores=kind.scores,
        )
        self.conversation.upsert_question(question)
        await self._push(question, status, force=force_confirm)
        refiner = self._params.refiner
        if (
            refiner is not None
            and status == QuestionStatus.CONFIRMED
            and kind.confidence < self._params.refine_below
            and (question_id, text) not in self._refined
        ):
            await self._cancel_refinement(question_id)
            self._refining[question_id] = self.create_task(
                self._refine(question_id, text, typed_text, kind), name=f"refine-{question_id}"
            )

    # --- LLM refinement -------------------------------------------------------------------------
    async def _refine(self, question_id: str, text: str, typed_text: str, offline: Classification):
        better = await self._params.refiner.refine(typed_text, offline)
        self._refining.pop(question_id, None)
        question = self.conversation.questions.get(question_id)
        if better is None or question is None or question.text != text or question.status != QuestionStatus.CONFIRMED:
            return  # failed, or the question changed or went away meanwhile
        self._refined[(question_id, text)] = better
        if better.type == question.type:
            return
        question.type, question.confidence, question.topic = (
            better.type,
            better.confidence,
            better.topic or question.topic,
        )
        await self._push(question, QuestionStatus.CONFIRMED)

    async def _cancel_refinement(self, question_id: str):
        task = self._refining.pop(question_id, None)
        if task is not None and not task.done():
            await self.cancel_task(task)

    async def _finish_refinements(self):
        pending = [t for t in self._refining.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=self._params.refiner.timeout + 1.0)
        await self._cancel_refinements()

    async def _cancel_refinements(self):
        for question_id in list(self._refining):
            await self._cancel_refinement(question_id)

    async def cleanup(self):
        await self._cancel_refinements()
        if self._params.refiner is not None:
            await self._params.refiner.close()
        await super().cleanup()

    async def _push(self, question: AskedQuestion, status: QuestionStatus, force: bool = False):
        key = (status, question.text, question.type)
        if not force and self._sent.get(question.question_id) == key:
            return
        self._sent[question.question_id] = key
        await self.push_frame(
            QuestionFrame(
                question_id=question.question_id,
                text=question.text,
                type=QuestionType(question.type),  # the classifier's and refiner's types are all QuestionTypes
                confidence=question.confidence,
                topic=question.topic,
                follow_up_of=question.follow_up_of,
                status=status,
                segment_id=question.segment_ids[0] if question.segment_ids else "",
                start=question.start,
                end=question.end,
                type_scores=dict(question.type_scores),
            )
        )
