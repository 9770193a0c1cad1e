"""Sentence similarity for drafting: the project's embedding model when it is installed,
a lexical fallback otherwise.

Decision: drafting codes against ``cuecard.embeddings.embed(texts) -> L2-normalized array``
(MiniLM on onnxruntime, owned by the candidate-material module). When that module is absent
or fails to load (fresh checkout without the model, tests of this package alone), we use a
hashed bag of words and word pairs so that drafting keeps working — it only matches less
well on paraphrases. Both return L2-normalized rows, so a dot product is the cosine.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

import numpy as np
from loguru import logger

_WORD = re.compile(r"[a-z0-9][a-z0-9+#./-]*")
_DIM = 2048
# Words that carry no meaning for matching a question to a story or a prepared question.
STOP_WORDS = frozenset(
    """a an the and or but if of to in on at for from by with about as is are was were be been
    being do does did done have has had having i me my we our you your he she it its they them
    their this that these those what which who whom whose when where why how can could would
    should will shall may might must there here so than then too very just also into out up
    down over under again once any all some such no not only own same other tell describe
    give example time me us let walk through please""".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS and len(w) > 1]


def stem(word: str) -> str:
    """Crude suffix stripping, shared by the lexical fallback and the answers rubric."""
    if len(word) > 5 and word.endswith("ies"):
        return word[:-3] + "y"  # "properties" and "property" are one stem
    if len(word) > 5 and word.endswith("es") and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-1]  # "attributes" → "attribute", as the singular stays; "classes" → "class" below
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def lexical_embed(texts: list[str]) -> np.ndarray:
    """Hashed bag of stemmed content words plus adjacent pairs, L2-normalized."""
    out = np.zeros((len(texts), _DIM), np.float32)
    for row, text in enumerate(texts):
        stems = [stem(w) for w in content_words(text)]
        for feature in stems + [a + " " + b for a, b in zip(stems, stems[1:], strict=False)]:
            weight = 1.0 if " " not in feature else 0.5
            out[row, zlib.crc32(feature.encode()) % _DIM] += weight
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


@lru_cache(maxsize=1)
def _project_embedder():
    try:
        from cuecard.embeddings import embed  # the shared MiniLM model, when available

        embed(["warm up"])
        return embed
    except Exception as e:  # absent module or model: say so once and use the fallback
        logger.info(f"Drafting uses lexical similarity (cuecard.embeddings unavailable: {e})")
        return None


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalized sentence vectors (model if available, lexical fallback otherwise)."""
    if not texts:
        return np.zeros((0, _DIM), np.float32)
    model = _project_embedder()
    if model is not None:
        try:
            return np.asarray(model(list(texts)), np.float32)
        except Exception as e:
            logger.warning(f"Embedding failed, using lexical similarity: {e}")
    return lexical_embed(list(texts))


def using_model() -> bool:
    return _project_embedder() is not None
