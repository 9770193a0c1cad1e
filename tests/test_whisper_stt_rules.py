"""The small text and timing rules of the local STT stage, without a model."""

from cuecard.processors.whisper_stt import refine_chunks, stable_prefix


def test_stable_prefix_is_the_words_two_interims_agree_on():
    assert stable_prefix("Tell me about a time", "tell me about the time you") == "tell me about"
    assert stable_prefix("", "anything") == ""


def test_refinement_pieces_stay_within_the_limit_and_cut_at_segment_edges():
    spans = [(0.0, 10.0), (10.5, 20.0), (20.4, 28.0), (29.0, 31.0)]
    assert refine_chunks(spans, 25.0) == [(0, 1), (2, 3)]
    assert refine_chunks([(0.0, 40.0)], 25.0) == [(0, 0)]  # one long segment is never split here
