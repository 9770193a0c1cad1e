"""The interim-lag measure of ``cuecard bench transcript-latency`` on a hand-made timeline."""

import pytest

from cuecard.bench.transcript_latency import text_behind_speech


def test_each_moment_waits_for_the_first_event_that_reaches_it():
    t0 = 100.0
    shown = [
        (t0 + 1.3, {"start": 0.0, "end": 1.0}),  # interim covering 0–1 s, shown at 1.3 s
        (t0 + 2.4, {"start": 0.0, "end": 2.0}),  # interim covering 0–2 s, shown at 2.4 s
    ]
    waits = text_behind_speech(shown, [(0.0, 2.0)], t0, step=0.5)
    # moments 0, 0.5, 1.0 are first shown at 1.3 s; 1.5 at 2.4 s
    assert waits == pytest.approx([1.3, 0.8, 0.3, 0.9])


def test_speech_never_shown_is_not_counted_as_zero():
    assert text_behind_speech([], [(0.0, 1.0)], 0.0) == []
