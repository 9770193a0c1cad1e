"""Sentence embeddings: the real shipped MiniLM model on onnxruntime (no doubles)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cuecard.embeddings import DIMENSIONS, embed, minilm, similarity, warm_up


def test_rows_are_normalised_float32_in_input_order():
    texts = ["a short one", "a much longer sentence about building data pipelines in Python", "x"]
    vectors = embed(texts)
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Order preserved despite length-sorted batching: each row equals its text embedded alone.
    for text, row in zip(texts, vectors, strict=True):
        assert np.allclose(minilm.get_encoder().encode([text])[0], row, atol=1e-5)


def test_empty_text_gets_zero_row_and_string_is_rejected():
    vectors = embed(["", "   ", "hello"])
    assert not vectors[0].any() and not vectors[1].any() and vectors[2].any()
    assert embed([]).shape == (0, DIMENSIONS)
    with pytest.raises(TypeError):
        embed("not a list")


def test_conflict_question_is_closer_to_teammate_story_than_to_migration():
    question = "Tell me about a conflict with a coworker"
    teammate = "I disagreed with a teammate about the API design; we argued, then agreed on a compromise"
    migration = "I migrated our PostgreSQL database to a new cluster with zero downtime"
    assert similarity(question, teammate) > similarity(question, migration) + 0.15


def test_similarity_shapes():
    assert isinstance(similarity("a cat", "a dog"), float)
    matrix = similarity(["a cat", "a dog"], ["a kitten", "a car", "a puppy"])
    assert matrix.shape == (2, 3)
    assert matrix[0].argmax() == 0 and matrix[1].argmax() == 2
    vectors = embed(["a cat"])
    assert abs(similarity(vectors[0], "a cat") - 1.0) < 1e-4


def test_speed_after_load():
    warm_up()
    start = time.perf_counter()
    for i in range(20):
        embed([f"Describe a project you are proud of, number {i}"])
    per_sentence = (time.perf_counter() - start) / 20
    assert per_sentence < 0.1, per_sentence  # ~9 ms on an idle core; margin for a busy CI


def test_tampered_model_is_refused(tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(minilm.EmbeddingModelError, match="sha256"):
        minilm.MiniLMEncoder(model_path=fake)
