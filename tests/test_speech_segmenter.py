"""SpeechSegmenter on real (espeak) speech: segments per track, kinds, times, utterances."""

import numpy as np
from pipecat.frames.frames import UserAudioRawFrame
from pipecat.tests.utils import run_test

from cuecard.frames import SpeechSegmentFrame, UtteranceEndFrame
from cuecard.processors.speech_segmenter import SegmenterParams, SpeechSegmenter, split_track_id
from cuecard.transports.replay import audio_frames, load_audio


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)


def frames_for(tracks):
    return [frame for _, frame in audio_frames(tracks, tail_secs=1.5)]


async def segment(tracks, params=None):
    down, _ = await run_test(
        SpeechSegmenter(params or SegmenterParams(partial_period_secs=0.5)),
        frames_to_send=frames_for(tracks),
    )
    return down


def test_split_track_id():
    assert split_track_id("interviewer:Dana Lee") == ("interviewer", "Dana Lee")
    assert split_track_id("candidate") == ("candidate", None)


async def test_two_utterances_on_two_tracks(speak):
    question = load_audio(speak("Tell me about a time you disagreed with your manager."))
    answer = load_audio(speak("Sure. Last year I worked on a payments project."))
    interviewer = np.concatenate([silence(0.5), question, silence(3.0 + len(answer) / 16000)])
    candidate = np.concatenate([silence(1.5 + len(question) / 16000), answer])
    down = await segment({"interviewer": interviewer, "candidate": candidate})

    finals = [f for f in down if isinstance(f, SpeechSegmentFrame) and f.kind == "final"]
    ends = [f for f in down if isinstance(f, UtteranceEndFrame)]
    assert {f.role for f in finals} == {"interviewer", "candidate"}
    assert {f.role for f in ends} == {"interviewer", "candidate"}
    q_end = 0.5 + len(question) / 16000
    first = [f for f in finals if f.role == "interviewer"]
    # Segment times are on the track's audio clock.
    assert abs(first[0].start - 0.5) < 0.4
    assert abs(first[-1].end - q_end) < 0.4
    # Audio frames are consumed, not passed on.
    assert not any(isinstance(f, UserAudioRawFrame) for f in down)


async def test_tentative_comes_before_final_and_partials_while_speaking(speak):
    audio = load_audio(speak("I would start by measuring where the time goes, then fix the slowest part first."))
    down = await segment({"interviewer": audio})
    kinds = [f.kind for f in down if isinstance(f, SpeechSegmentFrame)]
    assert "partial" in kinds
    assert kinds.index("tentative") < kinds.index("final")


async def test_silence_makes_no_segment():
    down = await segment({"candidate": silence(3.0)})
    assert not [f for f in down if isinstance(f, (SpeechSegmentFrame, UtteranceEndFrame))]


async def test_open_speech_is_flushed_at_end(speak):
    """Input that stops mid-speech loses nothing: EndFrame closes the segment."""
    audio = load_audio(speak("This recording stops in the middle of a sentence about"))
    down, _ = await run_test(
        SpeechSegmenter(SegmenterParams()),
        frames_to_send=[f for _, f in audio_frames({"candidate": audio[: len(audio) - 1600]}, tail_secs=0)],
    )
    assert any(isinstance(f, SpeechSegmentFrame) and f.kind == "final" for f in down)
    assert any(isinstance(f, UtteranceEndFrame) for f in down)


async def test_other_rates_and_channels_are_converted_not_refused():
    """A frame that was not resampled must not stop the session (tests/test_bad_audio.py has
    the end-to-end case): 48 kHz stereo and 8 kHz arrive as 16 kHz mono."""
    seg = SpeechSegmenter()
    stereo_48k = UserAudioRawFrame(audio=b"\0" * 4 * 4800, sample_rate=48000, num_channels=2, user_id="candidate")
    at_8k = UserAudioRawFrame(audio=b"\0" * 2 * 800, sample_rate=8000, num_channels=1, user_id="interviewer")
    for _ in range(10):  # 1 s of each
        await seg._on_audio("candidate", stereo_48k)
        await seg._on_audio("interviewer", at_8k)
    for track in seg._tracks.values():  # ~1 s of 16 kHz mono (the resampler holds a little back)
        assert 14000 <= track.samples + len(track.pending) // 2 <= 16000


async def test_a_resumed_session_clock_places_speech_after_the_time_already_elapsed(speak):
    """A rejoined live session goes on in session time: its clock starts at the elapsed time,
    and a track's first sample sits there, not at 0 (which would overlap earlier lines)."""
    from cuecard.pipeline.context import SessionClock

    audio = load_audio(speak("Tell me about your last project."))
    clock = SessionClock(elapsed=120.0)
    down, _ = await run_test(
        SpeechSegmenter(SegmenterParams(partial_period_secs=0.5), clock=clock),
        frames_to_send=frames_for({"interviewer": np.concatenate([silence(0.5), audio])}),
    )
    finals = [f for f in down if isinstance(f, SpeechSegmentFrame) and f.kind == "final"]
    assert finals and 120.0 <= finals[0].start < 120.0 + 0.5 + 5.0
    assert 120.0 <= clock.now() < 130.0
