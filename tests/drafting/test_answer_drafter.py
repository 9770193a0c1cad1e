"""The answer drafter stage, driven with pipecat's ``run_test`` (no network, no audio)."""

from __future__ import annotations

import asyncio
import re

from pipecat.frames.frames import StartFrame
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.tests.utils import run_test

from cuecard.drafting.options import MAX_WORDS, OPTIONS
from cuecard.frames import QuestionFrame, StatusFrame, SuggestionFrame
from cuecard.pipeline.context import SessionContext
from cuecard.processors.answer_drafter import AnswerDrafter


async def _run(drafter: AnswerDrafter, frames: list, settle: float = 0.6):
    """Send ``frames`` one by one with a pause after each so drafting tasks run."""

    class Pace(FrameProcessor):
        async def process_frame(self, frame, direction):
            await super().process_frame(frame, direction)
            await self.push_frame(frame, direction)
            if isinstance(frame, QuestionFrame):
                await asyncio.sleep(settle)
            elif isinstance(frame, StartFrame):
                await asyncio.sleep(0.3)  # the drafter picks up its prepared answers

    from pipecat.pipeline.pipeline import Pipeline

    down, _ = await run_test(Pipeline([Pace(), drafter]), frames_to_send=frames, send_end_frame=True)
    return down


def _done(frames, question_id):
    return {f.option: f for f in frames if isinstance(f, SuggestionFrame) and f.done and f.question_id == question_id}


async def test_confirmed_question_gets_streamed_composer_drafts(candidate, drafting):
    ctx = SessionContext(session_id="t", candidate=candidate)
    q = QuestionFrame(
        question_id="q1",
        text="Tell me about a time you had a conflict with a product manager.",
        type="behavioral",
        confidence=0.9,
    )
    down = await _run(AnswerDrafter(ctx, drafting=drafting), [q])
    assert isinstance(down[0], QuestionFrame)  # the question goes out before its drafts
    done = _done(down, "q1")
    assert set(done) == set(OPTIONS)
    story = done["story"]
    assert story.source == "composer"
    assert "product manager" in story.text  # the matching story from the candidate's bank
    assert story.extra["coverage"] == "full"
    assert story.word_count == len(story.text.split()) <= MAX_WORDS
    assert abs(story.speaking_secs - story.word_count / 2.5) < 0.1
    deltas = [f for f in down if isinstance(f, SuggestionFrame) and f.option == "story" and not f.done]
    assert len(deltas) >= 4 and "".join(f.delta for f in deltas) == story.text


async def test_tentative_match_shows_prepared_then_replaced_when_final_differs(candidate, drafting):
    drafting.prepared_for(candidate)  # what session start does in the background
    ctx = SessionContext(session_id="t", candidate=candidate)
    drafter = AnswerDrafter(ctx, drafting=drafting)
    tentative = QuestionFrame(
        question_id="q2",
        text="Why do you want to work at Northwind Health",
        type="cultural",
        confidence=0.7,
        status="tentative",
    )
    confirmed = QuestionFrame(
        question_id="q2",
        text="Why do you want to work at Northwind Health as a manager of a research lab?",
        type="cultural",
        confidence=0.9,
        status="confirmed",
    )
    down = await _run(drafter, [tentative, tentative, confirmed])
    suggestions = [f for f in down if isinstance(f, SuggestionFrame)]
    assert suggestions[0].source == "prepared"
    assert suggestions[0].extra["prepared_question"] == "Why do you want to work at Northwind Health?"
    composer_frames = [f for f in suggestions if f.source == "composer"]
    assert composer_frames, "the final question differs: fresh drafts must replace the prepared ones"
    assert composer_frames[0].extra.get("replaces") is True
    assert "Northwind Health" in _done(down, "q2")["concise"].text


async def test_confirmed_same_as_prepared_keeps_it(candidate, drafting):
    drafting.prepared_for(candidate)
    ctx = SessionContext(session_id="t", candidate=candidate)
    text = "Why do you want to work at Northwind Health?"
    down = await _run(
        AnswerDrafter(ctx, drafting=drafting),
        [
            QuestionFrame(question_id="q3", text=text, type="cultural", confidence=0.7, status="tentative"),
            QuestionFrame(question_id="q3", text=text, type="cultural", confidence=0.7, status="tentative"),
            QuestionFrame(question_id="q3", text=text, type="cultural", confidence=0.9, status="confirmed"),
        ],
    )
    sources = {f.source for f in down if isinstance(f, SuggestionFrame)}
    assert sources == {"prepared"}


async def test_withdrawn_question_retracts_drafts(candidate, drafting):
    drafting.prepared_for(candidate)
    ctx = SessionContext(session_id="t", candidate=candidate)
    down = await _run(
        AnswerDrafter(ctx, drafting=drafting),
        [
            QuestionFrame(
                question_id="q4",
                text="Why do you want to work at Northwind Health?",
                type="cultural",
                confidence=0.7,
                status="tentative",
            ),
            QuestionFrame(
                question_id="q4",
                text="Why do you want to work at Northwind Health?",
                type="cultural",
                confidence=0.7,
                status="tentative",
            ),
            QuestionFrame(
                question_id="q4",
                text="Why do you want to work at Northwind Health?",
                type="cultural",
                confidence=0.2,
                status="withdrawn",
            ),
        ],
    )
    status = [f for f in down if isinstance(f, StatusFrame) and f.state == "suggestions_withdrawn"]
    assert status and status[0].extra["question_id"] == "q4"
    retracted = [f for f in down if isinstance(f, SuggestionFrame) and f.extra.get("withdrawn")]
    assert {f.option for f in retracted} == set(OPTIONS) and all(f.done and f.text == "" for f in retracted)


async def test_follow_up_is_drafted_with_the_question_it_follows(candidate, drafting):
    ctx = SessionContext(session_id="t", candidate=candidate)
    first = QuestionFrame(
        question_id="q5",
        text="Tell me about a time you disagreed with a product manager.",
        type="behavioral",
        confidence=0.9,
    )
    follow = QuestionFrame(
        question_id="q6", text="And what did you learn from that?", type="behavioral", confidence=0.8, follow_up_of="q5"
    )
    down = await _run(AnswerDrafter(ctx, drafting=drafting), [first, follow])
    # alone, "what did you learn" would pick the mentoring story; with its question, the same one
    assert "pilot" in _done(down, "q6")["story"].text


async def test_a_tentative_follow_up_waits_for_its_final_text(candidate, drafting):
    """The first words of a follow-up, read with the question before, used to get that
    question's draft again on the new card until the real subject arrived."""
    ctx = SessionContext(session_id="t", candidate=candidate)
    first = QuestionFrame(
        question_id="q5",
        text="Tell me about a time you disagreed with a product manager.",
        type="behavioral",
        confidence=0.9,
    )

    def follow(text, status, qtype="behavioral", topic="product manager"):
        return QuestionFrame(
            question_id="q6", text=text, type=qtype, confidence=0.85, follow_up_of="q5", status=status, topic=topic
        )

    down = await _run(
        AnswerDrafter(ctx, drafting=drafting),
        [
            first,
            follow("How will you make that way then?", "tentative"),
            follow("How will you make that way then?", "tentative"),
            follow("How would you make it work across instances behind a load balancer?", "confirmed", "technical", ""),
        ],
        settle=1.0,
    )
    shown = [f for f in down if isinstance(f, SuggestionFrame) and f.question_id == "q6"]
    assert shown and not any(f.extra.get("tentative") for f in shown)


async def test_tentative_without_prepared_match_is_drafted_at_once_and_kept_if_final_is_same(candidate, drafting):
    ctx = SessionContext(session_id="t", candidate=candidate)
    text = "How do you keep a cache consistent with the database behind it?"
    down = await _run(
        AnswerDrafter(ctx, drafting=drafting),
        [
            QuestionFrame(question_id="q7", text=text, type="technical", confidence=0.8, status="tentative"),
            QuestionFrame(question_id="q7", text=text, type="technical", confidence=0.8, status="tentative"),
            QuestionFrame(question_id="q7", text=text + "", type="technical", confidence=0.9, status="confirmed"),
        ],
    )
    done = [f for f in down if isinstance(f, SuggestionFrame) and f.done]
    assert len(done) == len(OPTIONS)  # drafted once, on the interim text; the same final keeps it
    assert all(f.source == "composer" and f.extra.get("tentative") for f in done)
    assert "cach" in done[0].text.lower() and not re.search(r"[\[\]]", done[0].text)


async def test_first_words_of_a_question_get_no_draft_and_an_unstable_type_waits(candidate, drafting):
    """A cultural "Motivation…" draft used to appear after the first two words of a technical
    question ("When will you…") and four more replaced each other before it ended."""
    ctx = SessionContext(session_id="t", candidate=candidate)

    def t(text, qtype):
        return QuestionFrame(question_id="q8", text=text, type=qtype, confidence=0.85, status="tentative")

    down = await _run(
        AnswerDrafter(ctx, drafting=drafting),
        [
            t("When will you", "cultural"),
            t("When will you use a", "cultural"),
            t("When will you use a cache in front of", "technical"),
            t("When will you use a cache in front of a database", "technical"),
            QuestionFrame(
                question_id="q8",
                text="When will you use a cache in front of a database?",
                type="technical",
                confidence=0.9,
                status="confirmed",
            ),
        ],
        settle=0.3,
    )
    firsts = [f for f in down if isinstance(f, SuggestionFrame) and f.option == "concise" and f.text and not f.done]
    runs = [f for i, f in enumerate(firsts) if i == 0 or f.extra.get("replaces")]
    assert len(runs) == 1, [f.text for f in runs]  # one draft, shown once the subject was stable
    assert runs[0].extra["topic"] and "cach" in runs[0].text.lower()


async def test_shown_draft_is_replaced_only_when_the_subject_really_changes(candidate, drafting):
    ctx = SessionContext(session_id="t", candidate=candidate)

    def q(text, status="tentative"):
        return QuestionFrame(question_id="q9", text=text, type="technical", confidence=0.9, status=status)

    down = await _run(
        AnswerDrafter(ctx, drafting=drafting),
        [
            q("How does caching make an API faster"),
            q("How does caching make an API faster for reads"),
            q("How does caching make an API faster for reads?", "confirmed"),  # same subject: kept
            q("How does caching make an API faster for reads? And what is a deadlock?", "confirmed"),  # new
        ],
        settle=0.3,
    )
    firsts = [f for f in down if isinstance(f, SuggestionFrame) and f.option == "concise" and f.text and not f.done]
    runs = [f for i, f in enumerate(firsts) if i == 0 or f.extra.get("replaces")]
    assert len(runs) == 2
    last = [f for f in down if isinstance(f, SuggestionFrame) and f.option == "concise" and f.done][-1]
    assert "deadlock" in last.text.lower() and "cach" in last.text.lower()


def test_subject_changed_only_for_a_real_change_of_topic():
    from cuecard.processors.answer_drafter import subject_changed

    assert not subject_changed("behavioral:s1", "behavioral:s2")  # a better story after refinement: keep
    assert not subject_changed("situational:conflict", "situational:deadline")
    assert subject_changed("cultural:general", "technical:backend.caching")  # another type
    assert subject_changed("technical:none", "technical:backend.caching")  # notes where there were none
    assert not subject_changed("technical:a+b", "technical:a")  # narrower: the draft covers it
    assert subject_changed("technical:a", "technical:a+b")  # something new to answer
