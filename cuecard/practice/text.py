"""Small text helpers shared by the practice scorers: sentences, stems, content terms, quotes."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from as is are was were be been being
    it its it's this that these those there here what which who whom whose when where why how do does did
    doing done have has had having i me my we our us you your they them their he she his her him not no yes
    can could would should will shall may might must just also very really about into over under than too
    more most some any all each other such only own same few both up down out off again further once
    am let let's tell describe explain talk walk through time example give think like get got make made
    well okay ok um uh yeah one thing things way lot kind sort know mean say said""".split()
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s+(?=(?:so|and then|then|after that|in the end|as a result)\b)", re.I)


def sentences(text: str) -> list[str]:
    """Sentences of a transcript; long runs without punctuation are cut into ~25-word pieces."""
    out: list[str] = []
    for part in re.split(r"(?<=[.!?])\s+", text.strip()):
        words = part.split()
        for i in range(0, len(words), 25):
            piece = " ".join(words[i : i + 25])
            if piece:
                out.append(piece)
    return out


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "caching"/"cache"/"cached" and "queues"/"queue"."""
    w = word.lower().strip("'")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w.rstrip("e") if len(w) > 4 else w


def content_terms(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order, without repeats."""
    seen: list[str] = []
    for word in re.findall(r"[a-z0-9+#']+", text.lower()):
        if word in STOPWORDS or len(word) < 3 and not any(c.isdigit() for c in word):
            continue
        s = stem(word)
        if s not in seen:
            seen.append(s)
    return seen


def quote_around(sentence: str, limit: int = 18) -> str:
    """A quote of at most ``limit`` words from a transcript sentence."""
    words = sentence.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")
