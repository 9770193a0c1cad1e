"""Sentence embeddings for matching stories to questions and job requirements.

Usage::

    from cuecard.embeddings import embed, similarity
    vectors = embed(["Tell me about a conflict", "I disagreed with a teammate"])  # (2, 384)
    similarity("conflict with a coworker", "disagreement with a teammate")      # float

Backed by all-MiniLM-L6-v2 (int8 ONNX, run with onnxruntime; no torch): see
:mod:`cuecard.embeddings.minilm` for where the weights come from and how they are verified.
The model is loaded once per process on first use (``warm_up()`` does it eagerly, e.g. at
session start) and is thread-safe for concurrent ``embed`` calls.

Decision: recently embedded texts are kept in a small in-process LRU cache, because the same
stories and requirements are embedded again for every question of a session.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from cuecard.embeddings.minilm import DIMENSIONS, EmbeddingModelError, get_encoder

__all__ = ["DIMENSIONS", "EmbeddingModelError", "embed", "similarity", "warm_up"]

_CACHE_SIZE = 4096
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def warm_up() -> None:
    """Load and verify the model now instead of on the first question."""
    get_encoder().encode(["warm up"])


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts: a float32 array of shape ``(len(texts), 384)``, rows L2-normalised.

    Empty or whitespace-only texts get a zero row (similarity 0 to everything), so callers
    can pass user-edited fields without filtering them first.
    """
    if isinstance(texts, str):
        raise TypeError("embed() takes a list of strings; wrap a single string in a list")
    texts = [str(t) for t in texts]
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _cache_lock:
        for i, text in enumerate(texts):
            key = " ".join(text.split())
            if not key:
                continue
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
                out[i] = cached
            else:
                missing.setdefault(key, []).append(i)
    if missing:
        keys = list(missing)
        vectors = get_encoder().encode(keys)
        with _cache_lock:
            for key, vector in zip(keys, vectors, strict=True):
                out[missing[key]] = vector
                _cache[key] = vector
                _cache.move_to_end(key)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return out


def _as_matrix(value: str | Sequence[str] | np.ndarray) -> np.ndarray:
    if isinstance(value, str):
        return embed([value])
    if isinstance(value, np.ndarray):
        return value.reshape(1, -1) if value.ndim == 1 else value
    return embed(list(value))


def similarity(a: str | Sequence[str] | np.ndarray, b: str | Sequence[str] | np.ndarray) -> float | np.ndarray:
    """Cosine similarity between texts or embeddings.

    Two strings (or two 1-D vectors) give a float; otherwise a matrix of shape
    ``(len(a), len(b))``. Inputs may be strings, lists of strings, or rows from ``embed``.
    """
    scalar = (isinstance(a, str) or (isinstance(a, np.ndarray) and a.ndim == 1)) and (
        isinstance(b, str) or (isinstance(b, np.ndarray) and b.ndim == 1)
    )
    matrix = _as_matrix(a) @ _as_matrix(b).T
    return float(matrix[0, 0]) if scalar else matrix
