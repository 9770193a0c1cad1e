"""The transcript unit practice scoring works on: a word with its timing."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass


@dataclass
class Word:
    """One recognised word; ``start``/``end`` in seconds from the start of the answer
    (faster-whisper word timestamps, or evenly spread estimates for typed text)."""

    text: str
    start: float
    end: float

    def to_dict(self) -> dict:
        return asdict(self)


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def plain(words: list[Word]) -> str:
    """The words joined as one text, as written."""
    return " ".join(w.text.strip() for w in words if w.text.strip())


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept inside: "don't")."""
    return _TOKEN.findall(text.lower().replace("’", "'"))
