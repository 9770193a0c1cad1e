"""Sentence vectors of every card, shipped with the package.

Each card has two vectors: its name with its definition (what it *is*) and its "when to use"
with its example (what problem it *solves*); a question is compared with both and the higher
cosine counts. Paraphrased questions usually describe the problem, not the name ("how do you
keep one slow dependency from taking down every caller" → circuit breaker): on the project's
tuning questions the problem vector found the intended card where the definition vector alone
did not.

Decision: embedding ~870 cards twice takes ~30 s on two cores, too long for every process
start, so ``card_vectors.npz`` is built once by ``python -m cuecard.knowledge.vectors`` and
committed with the SHA-256 of the texts it was built from. If the cards change without a
rebuild, the vectors are computed at run time (and a warning says to rebuild).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
from loguru import logger

from cuecard.knowledge.cards import Card, all_cards

VECTORS_PATH = Path(__file__).parent / "card_vectors.npz"


def card_texts(cards: tuple[Card, ...]) -> tuple[list[str], list[str]]:
    what = [f"{c.name}. {c.definition}" for c in cards]
    solves = [f"{c.when_to_use} {c.example}" for c in cards]
    return what, solves


def texts_hash(cards: tuple[Card, ...]) -> str:
    what, solves = card_texts(cards)
    return hashlib.sha256("\n".join(what + solves).encode()).hexdigest()


def _embed(cards: tuple[Card, ...]) -> tuple[np.ndarray, np.ndarray]:
    from cuecard.drafting import semantic

    what, solves = card_texts(cards)
    return semantic.embed(what), semantic.embed(solves)


@lru_cache(maxsize=1)
def card_vectors() -> tuple[np.ndarray, np.ndarray]:
    """(what, solves) matrices, one row per card of ``all_cards()``, L2-normalized."""
    cards = all_cards()
    if VECTORS_PATH.is_file():
        data = np.load(VECTORS_PATH)
        if str(data["hash"]) == texts_hash(cards):
            return data["what"].astype(np.float32), data["solves"].astype(np.float32)
        logger.warning("Card vectors are out of date: run `python -m cuecard.knowledge.vectors`")
    return _embed(cards)


def build() -> Path:
    cards = all_cards()
    what, solves = _embed(cards)
    np.savez_compressed(
        VECTORS_PATH, hash=np.array(texts_hash(cards)), what=what.astype(np.float16), solves=solves.astype(np.float16)
    )
    return VECTORS_PATH


if __name__ == "__main__":
    print(build())
