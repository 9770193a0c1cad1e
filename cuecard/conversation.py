"""Per-session conversation context: what was asked, how the candidate answered, in order.

Filled by the question stage (``cuecard.processors.question_detector``) and read by later
stages (the answer drafter's prompts, exports). Lives on ``SessionContext.conversation``.

Decisions:
- Every transcript line is kept (both roles) in the order it started, keyed by its
  ``segment_id``, because a line grows and is refined in place: we replace, never append.
- A candidate line belongs to the latest question asked before it started (its answer).
  Lines before the first question are kept as lines only (introductions, small talk).
- A withdrawn question stays in ``questions`` with ``status="withdrawn"`` so ids stay stable
  for the page, but it is left out of ``asked()``, answers and topics.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from cuecard.frames import CANDIDATE, INTERVIEWER
from cuecard.kinds import QuestionStatus, QuestionType


@dataclass
class Line:
    role: str
    segment_id: str
    text: str
    start: float
    end: float
    final: bool = False


@dataclass
class AskedQuestion:
    question_id: str
    text: str
    type: QuestionType | str
    confidence: float
    topic: str = ""
    follow_up_of: str | None = None
    status: QuestionStatus = QuestionStatus.TENTATIVE
    segment_ids: list[str] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0
    type_scores: dict[str, float] = field(default_factory=dict)
    answer_segment_ids: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    session_id: str = ""
    lines: dict[str, Line] = field(default_factory=dict)  # insertion order = start order
    questions: dict[str, AskedQuestion] = field(default_factory=dict)

    # --- lines --------------------------------------------------------------------------------
    def record_line(self, role: str, segment_id: str, text: str, start: float, end: float, final: bool) -> Line:
        line = self.lines.get(segment_id)
        if line is None:
            line = self.lines[segment_id] = Line(role, segment_id, text, start, end, final)
            if role == CANDIDATE:
                self._attach_answer(line)
        else:
            line.text, line.end, line.final = text, end, final or line.final
        return line

    def _attach_answer(self, line: Line):
        current = self.latest_question(before=line.start)
        if current is not None and line.segment_id not in current.answer_segment_ids:
            current.answer_segment_ids.append(line.segment_id)

    def last_line(self, role: str = INTERVIEWER) -> Line | None:
        for line in reversed(self.lines.values()):
            if line.role == role and line.text.strip():
                return line
        return None

    def lines_since(self, segment_id: str) -> list[Line]:
        """Lines that started after the line ``segment_id`` (in start order)."""
        ids = list(self.lines)
        if segment_id not in self.lines:
            return []
        return [self.lines[i] for i in ids[ids.index(segment_id) + 1 :]]

    # --- questions ----------------------------------------------------------------------------
    def upsert_question(self, question: AskedQuestion) -> AskedQuestion:
        old = self.questions.get(question.question_id)
        if old is not None:
            question.answer_segment_ids = old.answer_segment_ids
        self.questions[question.question_id] = question
        return question

    def withdraw(self, question_id: str):
        q = self.questions.get(question_id)
        if q is not None:
            q.status = QuestionStatus.WITHDRAWN
            q.answer_segment_ids = []

    def asked(self) -> list[AskedQuestion]:
        """Questions that stand (tentative or confirmed), in the order they were asked."""
        return sorted(
            (q for q in self.questions.values() if q.status != QuestionStatus.WITHDRAWN), key=lambda q: q.start
        )

    def latest_question(self, before: float | None = None) -> AskedQuestion | None:
        asked = [q for q in self.asked() if before is None or q.start <= before]
        return asked[-1] if asked else None

    def answer_text(self, question_id: str) -> str:
        q = self.questions.get(question_id)
        if q is None:
            return ""
        return " ".join(self.lines[s].text for s in q.answer_segment_ids if s in self.lines).strip()

    def topics_covered(self) -> list[str]:
        seen: list[str] = []
        for q in self.asked():
            if q.topic and q.topic.lower() not in (t.lower() for t in seen):
                seen.append(q.topic)
        return seen

    def history(self, limit: int | None = None) -> list[dict]:
        """Question/answer pairs in order, e.g. for an LLM prompt: the last ``limit`` ones."""
        items = [
            {
                "question_id": q.question_id,
                "question": q.text,
                "type": q.type,
                "topic": q.topic,
                "follow_up_of": q.follow_up_of,
                "answer": self.answer_text(q.question_id),
            }
            for q in self.asked()
        ]
        return items[-limit:] if limit else items

    def to_dict(self) -> dict:
        return {
            "session_id": self.session_id,
            "lines": [asdict(line) for line in self.lines.values()],
            "questions": [asdict(q) for q in self.questions.values()],
            "topics_covered": self.topics_covered(),
        }
