"""The trained question model: numbers in an ``.npz`` (loaded with ``allow_pickle=False``,
so loading cannot run code), its sha256 pinned in ``question_model.sha256.txt``.

Why npz and not a pickled pipeline: a pickle runs code when loaded and breaks across
scikit-learn versions; the hashed features need no vocabulary, so the model is just an idf
vector and two linear layers.

The type head also reads the sentence embedding of the question (the project's MiniLM on
onnxruntime, ``cuecard.embeddings``, ~7 ms): words the hashed n-grams never saw in our
examples still land near questions of the same kind (a hobby nobody wrote an example about
still reads as a personal question). The embedding costs 5-15 ms on a busy
2-core machine, so a fast head on the n-grams alone answers first, and the embedding is
computed only when that head is less than ``FAST_CONFIDENCE`` sure. If the embedding model cannot be loaded, the
type head runs on the n-grams alone (a zero embedding) and logs it once: worse, not down.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from loguru import logger

from cuecard.checksums import sha256_of
from cuecard.kinds import QUESTION_TYPES
from cuecard.understanding.features import N_FEATURES, counts, weighted

HERE = Path(__file__).parent
MODEL_PATH = HERE / "question_model.npz"
SHA_PATH = HERE / "question_model.sha256.txt"  # .txt: shipped by package-data
TYPES = QUESTION_TYPES  # the classifier head's class order
FAST_CONFIDENCE = 0.9


class ModelIntegrityError(RuntimeError):
    """The model file is missing, changed or corrupt: retrain with ``train.py``."""


@dataclass
class QuestionModel:
    idf: np.ndarray
    det_coef: np.ndarray  # (N,)
    det_intercept: float
    type_coef: np.ndarray  # (4, N)
    type_intercept: np.ndarray  # (4,)
    type_emb_coef: np.ndarray | None = None  # (4, 384) weights of the sentence embedding
    fast_type_coef: np.ndarray | None = None  # (4, N) n-gram-only head
    fast_type_intercept: np.ndarray | None = None
    types: tuple[str, ...] = TYPES

    @classmethod
    def load(cls, path: Path = MODEL_PATH, sha_path: Path = SHA_PATH) -> QuestionModel:
        if not path.exists():
            raise ModelIntegrityError(f"{path} is missing: run python -m cuecard.understanding.train")
        expected = sha_path.read_text().split()[0] if sha_path.exists() else ""
        actual = sha256_of(path)
        if actual != expected:
            raise ModelIntegrityError(f"{path}: sha256 {actual} does not match {sha_path} ({expected or 'missing'})")
        with np.load(path, allow_pickle=False) as z:
            types = tuple(str(t) for t in z["types"])
            model = cls(
                idf=z["idf"].astype(np.float32),
                det_coef=z["det_coef"].astype(np.float32),
                det_intercept=float(z["det_intercept"]),
                type_coef=z["type_coef"].astype(np.float32),
                type_intercept=z["type_intercept"].astype(np.float32),
                type_emb_coef=z["type_emb_coef"].astype(np.float32) if "type_emb_coef" in z.files else None,
                fast_type_coef=z["fast_type_coef"].astype(np.float32) if "fast_type_coef" in z.files else None,
                fast_type_intercept=z["fast_type_intercept"].astype(np.float32)
                if "fast_type_intercept" in z.files
                else None,
                types=types,
            )
        if model.idf.shape != (N_FEATURES,) or model.type_coef.shape != (len(types), N_FEATURES):
            raise ModelIntegrityError(f"{path}: shapes do not match N_FEATURES={N_FEATURES}")
        return model

    def features(self, texts: list[str]):
        return weighted(counts(texts), self.idf)

    def question_probability(self, texts: list[str]) -> np.ndarray:
        x = self.features(texts)
        z = x.dot(self.det_coef) + self.det_intercept
        return 1.0 / (1.0 + np.exp(-z))

    def type_probabilities(self, texts: list[str]) -> np.ndarray:
        x = self.features(texts)
        if self.type_emb_coef is None:
            return _softmax(x.dot(self.type_coef.T) + self.type_intercept)
        probs = np.zeros((len(texts), len(self.types)), np.float32)
        unsure = np.arange(len(texts))
        if self.fast_type_coef is not None:
            probs = _softmax(x.dot(self.fast_type_coef.T) + self.fast_type_intercept)
            unsure = np.flatnonzero(probs.max(axis=1) < FAST_CONFIDENCE)
        if len(unsure):
            emb = sentence_embeddings([texts[i] for i in unsure], self.type_emb_coef.shape[1])
            z = x[unsure].dot(self.type_coef.T) + self.type_intercept + emb.dot(self.type_emb_coef.T)
            probs[unsure] = _softmax(z)
        return probs


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


_embedding_failed = False


def sentence_embeddings(texts: list[str], dims: int) -> np.ndarray:
    """MiniLM embeddings of the texts without spoken fillers; zeros if the model is unavailable."""
    global _embedding_failed
    from cuecard.understanding.text import strip_filler

    if not _embedding_failed:
        try:
            from cuecard.embeddings import embed

            return np.asarray(embed([strip_filler(t) or t for t in texts]), dtype=np.float32)
        except Exception as e:  # a broken embedding model must not stop question typing
            _embedding_failed = True
            logger.warning(f"Question typing without sentence embeddings: {e}")
    return np.zeros((len(texts), dims), np.float32)


@lru_cache(maxsize=1)
def default_model() -> QuestionModel:
    return QuestionModel.load()
