"""Recognition quality without references: how much the background refinement changed.

Every finished utterance is re-decoded with a wider beam and its whole audio
(``cuecard.processors.whisper_stt``); where the live decode was wrong, the refinement tends to
change it. The share of live words the refinement changed (word edit distance between the
live and the refined line, over the live words) is therefore a live proxy for the word error
rate that needs no reference transcript; the mean decode confidence is a second one. How well
they track ``cuecard eval asr`` is measured in the README (Observability).
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """Lower-case words without punctuation: a refinement that only fixes a comma changes none."""
    return _WORD.findall(text.lower())


def changed_words(live: str, refined: str) -> int:
    """Word edits (substitutions, insertions, deletions) from the live to the refined text."""
    return int(Levenshtein.distance(words(live), words(refined)))
