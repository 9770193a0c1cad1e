"""Rebuild ``question_model.npz`` (+ its sha256) from ``data/training.tsv``::

    .venv/bin/python -m cuecard.understanding.data.compose_examples   # regenerate examples
    .venv/bin/python -m cuecard.understanding.train

Two linear heads over the same hashed features: question vs. not (all rows) and the four
types (question rows only; this head also reads the MiniLM sentence embedding). Logistic regression because it is fast (< 1 ms per question),
calibrated enough to threshold, and small to store. Trained only on our own examples.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from cuecard.checksums import sha256_of
from cuecard.understanding.features import counts, weighted
from cuecard.understanding.model import MODEL_PATH, SHA_PATH, TYPES
from cuecard.understanding.text import strip_filler

DATA = Path(__file__).parent / "data" / "training.tsv"


def read_rows(path: Path = DATA) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def fit_idf(m) -> np.ndarray:
    df = np.bincount(m.indices, minlength=m.shape[1]).astype(np.float64)
    n = m.shape[0]
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


def train(rows: list[dict], c_det: float = 4.0, c_type: float = 8.0, report: bool = False):
    texts = [r["text"] for r in rows]
    raw = counts(texts)
    idf = fit_idf(raw)
    x = weighted(raw, idf)
    y_det = np.array([int(r["is_question"]) for r in rows])
    det = LogisticRegression(C=c_det, max_iter=2000, class_weight="balanced")
    det.fit(x, y_det)
    q = np.flatnonzero(y_det == 1)
    y_type = np.array([TYPES.index(rows[i]["type"]) for i in q])
    # A fast type head on the n-grams alone answers when it is sure (most technical questions);
    # the full head reads n-grams and the sentence embedding side by side (see model.py).
    fast = LogisticRegression(C=c_type, max_iter=3000, class_weight="balanced")
    fast.fit(x[q], y_type)
    from cuecard.embeddings import embed

    emb = np.asarray(embed([strip_filler(texts[i]) or texts[i] for i in q]), dtype=np.float32)
    x_type = sp.hstack([x[q], sp.csr_matrix(emb)]).tocsr()
    typ = LogisticRegression(C=c_type, max_iter=3000, class_weight="balanced")
    typ.fit(x_type, y_type)
    typ.n_hashed_ = x.shape[1]
    typ.fast_ = fast
    if report:
        print("detection 5-fold accuracy (own data):", cross_val_score(det, x, y_det, cv=5).mean().round(4))
        print("type 5-fold accuracy (own data):", cross_val_score(typ, x_type, y_type, cv=5).mean().round(4))
    return idf, det, typ


def save(idf, det, typ, path: Path = MODEL_PATH, sha_path: Path = SHA_PATH) -> str:
    assert list(typ.classes_) == list(range(len(TYPES)))
    np.savez_compressed(
        path,
        idf=idf.astype(np.float32),
        det_coef=det.coef_[0].astype(np.float32),
        det_intercept=np.float32(det.intercept_[0]),
        type_coef=typ.coef_[:, : typ.n_hashed_].astype(np.float32),
        type_emb_coef=typ.coef_[:, typ.n_hashed_ :].astype(np.float32),
        fast_type_coef=typ.fast_.coef_.astype(np.float32),
        fast_type_intercept=typ.fast_.intercept_.astype(np.float32),
        type_intercept=typ.intercept_.astype(np.float32),
        types=np.array(TYPES),
    )
    digest = sha256_of(path)
    sha_path.write_text(f"{digest}  {path.name}\n")
    return digest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cv", action="store_true", help="also print 5-fold accuracy on our own data")
    args = parser.parse_args(argv)
    rows = read_rows(args.data)
    idf, det, typ = train(rows, report=args.cv)
    digest = save(idf, det, typ)
    print(f"wrote {MODEL_PATH.name} ({MODEL_PATH.stat().st_size} bytes) sha256 {digest} from {len(rows)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
