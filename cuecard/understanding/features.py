"""Feature hashing for the question models: stateless, so nothing but numbers is saved.

Word 1-2 grams and character 3-5 grams of ``text.model_text`` are hashed into
``N_FEATURES`` columns (scikit-learn's ``HashingVectorizer``, whose murmurhash output does not
depend on the scikit-learn version), weighted by idf learned in training and L2-normalised.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from cuecard.understanding.text import model_text

N_FEATURES = 2**17

_WORDS = HashingVectorizer(
    n_features=N_FEATURES,
    analyzer="word",
    ngram_range=(1, 2),
    token_pattern=r"\S+",
    lowercase=False,
    alternate_sign=False,
    norm=None,
)
_CHARS = HashingVectorizer(
    n_features=N_FEATURES,
    analyzer="char_wb",
    ngram_range=(3, 5),
    lowercase=False,
    alternate_sign=False,
    norm=None,
)


def counts(texts: list[str]) -> sp.csr_matrix:
    """Raw hashed counts (word and character features share the space, offset apart)."""
    prepared = [model_text(t) for t in texts]
    w = _WORDS.transform(prepared)
    c = _CHARS.transform(prepared)
    # Sublinear counts: a word said twice is not twice the evidence.
    m = (w + c).tocsr().astype(np.float32)
    m.data = 1.0 + np.log(m.data)
    return m


def weighted(m: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    m = m.multiply(idf.reshape(1, -1)).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms).dot(m).tocsr()
