"""The trained question model: numbers in an ``.npz`` (loaded with ``allow_pickle=False``,
so loading cannot run code), its sha256 pinned in ``question_model.sha256``.

Why npz and not a pickled pipeline: a pickle runs code when loaded and breaks across
scikit-learn versions; the hashed features need no vocabulary, so the model is just an idf
vector and two linear layers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from cuecard.understanding.features import N_FEATURES, counts, weighted

HERE = Path(__file__).parent
MODEL_PATH = HERE / "question_model.npz"
SHA_PATH = HERE / "question_model.sha256"
TYPES = ("technical", "behavioral", "situational", "cultural")


class ModelIntegrityError(RuntimeError):
    """The model file is missing, changed or corrupt: retrain with ``train.py``."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class QuestionModel:
    idf: np.ndarray
    det_coef: np.ndarray  # (N,)
    det_intercept: float
    type_coef: np.ndarray  # (4, N)
    type_intercept: np.ndarray  # (4,)
    types: tuple[str, ...] = TYPES

    @classmethod
    def load(cls, path: Path = MODEL_PATH, sha_path: Path = SHA_PATH) -> "QuestionModel":
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
        z = x.dot(self.type_coef.T) + self.type_intercept
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def default_model() -> QuestionModel:
    return QuestionModel.load()
