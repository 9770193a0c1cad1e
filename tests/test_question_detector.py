"""The question detector stage, driven with pipecat's ``run_test`` (real processor, real model)."""

from __future__ import annotations

import numpy as np
import pytest
from pipecat.tests.utils import run_test

from cuecard.conversation import Conversation
from cuecard.frames import (
    CANDIDATE,
    INTERVIEWER,
    InterimTranscriptFrame,
    ManualDraftRequestFrame,
    QuestionFrame,
    StatusFrame,
    TranscriptFrame,
    UtteranceEndFrame,
)
from cuecard.pipeline.context import SessionContext
from cuecard.processors.question_detector import DetectorParams, QuestionDetector


def final(text, seg, start, end, role=INTERVIEWER):
    return TranscriptFrame(text=text, user_id=role, timestamp="", role=role, start=start, end=end, segment_id=seg)


def interim(text, seg, start, end, role=INTERVIEWER):
    return InterimTranscriptFrame(
        text=text, user_id=role, timestamp="", role=role, start=start, end=end, segment_id=seg
    )


def utterance_end(seg, start, end, role=INTERVIEWER):
    return UtteranceEndFrame(role=role, utterance_id=seg, start=start, end=end)


async def run(frames, context=None):
    context = context or SessionContext(session_id="s1")
    down, _ = await run_test(QuestionDetector(context, DetectorParams()), frames_to_send=frames)
    questions = [f for f in down if isinstance(f, QuestionFrame)]
    return questions, down, context.conversation


async def test_statements_small_talk_and_acknowledgements_do_not_trigger():
    frames = [
        final("Hi, thanks for joining today. Can you hear me okay?", "a", 0, 3),
        final("Great, thanks. So our team works on the payments platform.", "b", 10, 14),
        final("We're about twelve engineers, mostly in Berlin.", "c", 20, 23),
        final("Okay, got it. That makes sense.", "d", 40, 42),
    ]
    questions, down, _ = await run(frames)
    assert questions == []
    # every frame is passed through
    assert [f.segment_id for f in down if isinstance(f, TranscriptFrame)] == ["a", "b", "c", "d"]


async def test_interviewer_small_talk_and_check_ins_do_not_trigger():
    frames = [
        final("Sorry, my dog is barking. Give me a second.", "a", 0, 3),
        final("Okay, let me share my screen. Can you see it?", "b", 5, 8),
        final("So that's the role. Does that make sense?", "c", 10, 13),
        final("We have about ten minutes left, so let's keep going.", "d", 15, 18),
    ]
    questions, _, _ = await run(frames)
    assert questions == []


async def test_hypothetical_after_small_talk_is_one_situational_question():
    frames = [
        final(
            "Okay, cool. Picture this: you join and there's no on-call rotation at all. What do you do first?",
            "a",
            0,
            6,
        )
    ]
    questions, _, _ = await run(frames)
    q = questions[-1]
    assert q.status == "confirmed" and q.type == "situational"
    assert q.text.startswith("Picture this") and q.text.endswith("What do you do first?")


async def test_candidate_speech_does_not_trigger():
    frames = [
        final("What is a closure in JavaScript?", "a", 0, 3, role=CANDIDATE),
        interim("Tell me about a time you disagreed with your manager", "b", 5, 8, role=CANDIDATE),
    ]
    questions, _, _ = await run(frames)
    assert questions == []


async def test_interim_tentative_then_confirmed_same_id():
    frames = [
        interim("Tell me about a time you disagreed with", "a", 0, 2),
        interim("Tell me about a time you disagreed with your manager", "a", 0, 3),
        final("Tell me about a time you disagreed with your manager.", "a", 0, 3.5),
        utterance_end("a", 0, 3.5),
    ]
    questions, _, conv = await run(frames)
    assert [q.status for q in questions][0] == "tentative"
    assert questions[-1].status == "confirmed"
    assert {q.question_id for q in questions} == {questions[0].question_id}
    assert questions[-1].type == "behavioral"
    assert "disagreed with a manager" in questions[-1].topic
    assert conv.questions[questions[0].question_id].status == "confirmed"


async def test_final_text_that_is_not_a_question_withdraws_the_tentative_one():
    frames = [
        interim("How would you handle a teammate who misses deadlines", "a", 0, 3),
        final("So we had a teammate who missed deadlines last year, and we moved him to another project.", "a", 0, 5),
    ]
    questions, _, conv = await run(frames)
    assert [q.status for q in questions] == ["tentative", "withdrawn"]
    assert questions[0].question_id == questions[1].question_id
    assert conv.asked() == []


async def test_utterance_ending_without_final_text_withdraws():
    frames = [interim("What would you do if a customer threatened to cancel", "a", 0, 3), utterance_end("a", 0, 3.2)]
    questions, _, _ = await run(frames)
    assert [q.status for q in questions] == ["tentative", "withdrawn"]


async def test_low_confidence_interim_waits_for_final():
    frames = [interim("So um our", "a", 0, 1), final("So, um, our team is small.", "a", 0, 2)]
    questions, _, _ = await run(frames)
    assert questions == []


async def test_follow_up_is_linked_to_the_question_it_follows():
    frames = [
        final("Tell me about a time you missed a deadline.", "a", 0, 3),
        final(
            "Sure. Last spring our launch slipped by two weeks because a vendor was late.", "b", 4, 15, role=CANDIDATE
        ),
        final("And what did you learn from that?", "c", 16, 18),
    ]
    questions, _, conv = await run(frames)
    confirmed = [q for q in questions if q.status == "confirmed"]
    assert len(confirmed) == 2
    first, follow = confirmed
    assert follow.question_id != first.question_id
    assert follow.follow_up_of == first.question_id
    assert follow.type == "behavioral"
    assert conv.answer_text(first.question_id).startswith("Sure. Last spring")
    assert [h["question_id"] for h in conv.history()] == [first.question_id, follow.question_id]


async def test_a_new_topic_after_an_answer_is_not_a_follow_up():
    frames = [
        final("Tell me about a time you missed a deadline.", "a", 0, 3),
        final("Last spring our launch slipped by two weeks.", "b", 4, 10, role=CANDIDATE),
        final("Okay. Why do you want to work here?", "c", 11, 13),
    ]
    questions, _, _ = await run(frames)
    last = questions[-1]
    assert last.follow_up_of is None and last.type == "cultural"


async def test_a_follow_up_judged_on_first_words_is_dropped_when_the_line_grows():
    # The first interim mishears the start of a new question as a short pointer question.
    frames = [
        final("What would you do if a teammate kept missing their commitments?", "a", 0, 3),
        final("I would talk to them privately first and ask what is blocking them.", "b", 4, 9, role=CANDIDATE),
        interim("How does it feel when it works?", "c", 10, 11),
        final("How does caching make an API faster?", "c", 10, 12),
    ]
    questions, _, _ = await run(frames)
    first_guess = next(q for q in questions if q.text.startswith("How does it"))
    assert first_guess.follow_up_of is not None  # what the first words looked like
    last = questions[-1]
    assert last.status == "confirmed" and last.question_id == first_guess.question_id
    assert last.follow_up_of is None and last.type == "technical"


async def test_multi_part_question_in_one_line_is_one_question():
    frames = [final("What is dropout? Why is it useful? And how does it work during inference?", "a", 0, 6)]
    questions, _, _ = await run(frames)
    assert len(questions) == 1
    q = questions[0]
    assert q.status == "confirmed" and q.type == "technical"
    assert q.text.endswith("during inference?") and q.text.startswith("What is dropout?")


async def test_question_parts_on_consecutive_lines_without_an_answer_are_one_question():
    frames = [
        final("How do you decide what to test in a new service?", "a", 0, 3),
        final("Like, which layers get unit tests and which get integration tests?", "b", 4, 7),
    ]
    questions, _, conv = await run(frames)
    assert {q.question_id for q in questions} == {questions[0].question_id}
    assert questions[-1].text.endswith("integration tests?")
    assert conv.questions[questions[0].question_id].segment_ids == ["a", "b"]


async def test_question_growing_across_pauses_updates_the_same_question():
    frames = [
        final("Tell me about a project.", "a", 0, 2),
        interim("Tell me about a project. Where you had to learn", "a", 0, 4),
        final("Tell me about a project. Where you had to learn a new technology quickly.", "a", 0, 6),
        utterance_end("a", 0, 6.5),
    ]
    questions, _, conv = await run(frames)
    assert len({q.question_id for q in questions}) == 1
    assert [q.status for q in questions] == ["confirmed", "confirmed"]
    assert questions[-1].text.endswith("new technology quickly.")
    assert len(conv.asked()) == 1


async def test_trailing_remark_is_not_part_of_the_question():
    frames = [
        final("So, imagine a key engineer quits a week before launch. What do you do? Take your time.", "a", 0, 6)
    ]
    questions, _, _ = await run(frames)
    q = questions[-1]
    assert q.type == "situational"
    assert q.text == "So, imagine a key engineer quits a week before launch. What do you do?"


async def test_manual_draft_request_confirms_the_last_interviewer_line():
    frames = [
        final("We use Kubernetes for most of our services.", "a", 0, 3),
        final("Kubernetes is something I've used a lot.", "b", 4, 6, role=CANDIDATE),
        ManualDraftRequestFrame(),
    ]
    questions, down, conv = await run(frames)
    assert len(questions) == 1
    q = questions[0]
    assert q.status == "confirmed" and q.text == "We use Kubernetes for most of our services." and q.segment_id == "a"
    assert q.type in ("technical", "behavioral", "situational", "cultural")
    assert any(isinstance(f, ManualDraftRequestFrame) for f in down)
    assert conv.questions[q.question_id].status == "confirmed"


async def test_manual_draft_request_with_typed_text_and_without_speech():
    questions, down, _ = await run([ManualDraftRequestFrame()])
    assert questions == []
    assert any(isinstance(f, StatusFrame) and f.state == "manual_draft_ignored" for f in down)
    questions, _, _ = await run([ManualDraftRequestFrame(text="Why do you want to leave your current job?")])
    assert questions[0].status == "confirmed" and questions[0].type == "cultural"


async def test_conversation_is_kept_on_the_session_context():
    context = SessionContext(session_id="s9")
    await run(
        [
            final("What's the difference between a process and a thread?", "a", 0, 3),
            final("A process has its own memory.", "b", 4, 6, role=CANDIDATE),
            final("Great. Describe a time you had to learn something quickly.", "c", 30, 33),
        ],
        context,
    )
    conv = context.conversation
    assert isinstance(conv, Conversation) and conv.session_id == "s9"
    assert [q.type for q in conv.asked()] == ["technical", "behavioral"]
    assert len(conv.topics_covered()) == 2
    assert conv.to_dict()["lines"][1]["role"] == CANDIDATE


@pytest.mark.slow
async def test_spoken_interviewer_question_becomes_a_question_event(services, speak):
    """Whole pipeline (VAD, Whisper, detector, drafter, sink) on espeak speech: the
    interviewer's question is an event, the candidate's answer is not."""
    import soundfile as sf

    from cuecard.pipeline.replay import replay_tracks

    question, _ = sf.read(speak("Tell me about a time you disagreed with your manager."), dtype="int16")
    answer, _ = sf.read(speak("Sure. Last year I disagreed with my manager about a release date."), dtype="int16")
    pause = np.zeros(16000 * 2, np.int16)
    interviewer = np.concatenate([pause, question, pause, np.zeros(len(answer), np.int16), pause])
    candidate = np.concatenate([pause, np.zeros(len(question), np.int16), pause, answer, pause])
    context = SessionContext(session_id="spoken")
    events = await replay_tracks(
        services, {INTERVIEWER: interviewer, CANDIDATE: candidate}, persist=False, context=context, session_id="spoken"
    )
    questions = [e for e in events if e["type"] == "question"]
    assert questions, [e for e in events if e["type"] == "transcript"]
    last = questions[-1]
    assert last["status"] == "confirmed" and last["question_type"] == "behavioral"
    assert "manager" in last["text"].lower()
    assert {q["question_id"] for q in questions} == {last["question_id"]}
    assert "release date" in context.conversation.answer_text(last["question_id"]).lower()


async def test_llm_refines_an_unsure_type_and_failures_keep_the_offline_type():
    """Against the loopback OpenAI-compatible test double (``LLMTestServer``)."""
    from cuecard.drafting.llm_test_server import LLMTestServer
    from cuecard.settings import Settings
    from cuecard.understanding.llm_refine import TypeRefiner

    frames = [final("What is a closure in JavaScript?", "a", 0, 3)]
    async with LLMTestServer(reply='{"type": "cultural", "topic": "closures"}') as server:
        settings = Settings(llm_base_url=server.base_url, llm_model="test-model", _env_file=None)
        # refine_below=1.01: every confirmed question counts as unsure, so the double is asked.
        params = DetectorParams(refine_below=1.01, refiner=TypeRefiner(settings, timeout=5))
        down, _ = await run_test(QuestionDetector(SessionContext(session_id="r"), params), frames_to_send=frames)
        questions = [f for f in down if isinstance(f, QuestionFrame)]
        assert [(q.status, q.type) for q in questions] == [("confirmed", "technical"), ("confirmed", "cultural")]
        assert questions[0].question_id == questions[1].question_id
        body = server.requests[-1]["body"]
        assert body["model"] == "test-model" and body["messages"][-1]["content"] == "What is a closure in JavaScript?"

    async with LLMTestServer(fail_status=500) as server:
        settings = Settings(llm_base_url=server.base_url, llm_model="test-model", _env_file=None)
        params = DetectorParams(refine_below=1.01, refiner=TypeRefiner(settings, timeout=5))
        down, _ = await run_test(QuestionDetector(SessionContext(session_id="r2"), params), frames_to_send=frames)
        questions = [f for f in down if isinstance(f, QuestionFrame)]
        assert [(q.status, q.type) for q in questions] == [("confirmed", "technical")]
        assert len(server.requests) == 1


def test_topic_chip_is_never_function_words_only():
    """The page showed chips like "· like her"; a topic must say something."""
    from cuecard.understanding.topic import topic_of

    assert topic_of("Tell me about a manager you did not like her?") == ""
    assert topic_of("What would you?") == ""
    assert topic_of("Tell me about a time you disagreed with a product manager.") == "disagreed with a product manager"
    assert topic_of("Why do you want to work here?") == "want to work here"
