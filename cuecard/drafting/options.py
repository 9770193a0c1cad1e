"""Answer options and their length limit.

Every question gets the same three options, so the page can lay them out side by side:

- ``concise``: the core answer in a few sentences, to say when time is short;
- ``story``: the full structured answer (STAR for behavioral questions);
- ``deep_dive``: the structured answer plus the points a strong answer adds.

Decision: each option is at most 225 words — 90 seconds at 150 words per minute, the pace
we assume for the speaking-time estimate. Longer text is cut at the last sentence that fits
(or at the word limit if a single sentence is too long), never mid-word, so the limit holds
for the composer and for LLM output alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cuecard.kinds import AnswerOption

OPTIONS = tuple(AnswerOption)  # concise, story, deep_dive: the order they are shown
WORDS_PER_MINUTE = 150
MAX_SPEAKING_SECS = 90
MAX_WORDS = WORDS_PER_MINUTE * MAX_SPEAKING_SECS // 60  # 225
# Target sizes the composer aims for (the limit above is the hard cap).
# Keyed by option; looked up with the plain strings options travel as (StrEnum hashes as str).
TARGET_WORDS: dict[str, int] = {AnswerOption.CONCISE: 90, AnswerOption.STORY: 170, AnswerOption.DEEP_DIVE: 225}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def word_count(text: str) -> int:
    return len(text.split())


def speaking_secs(text: str) -> float:
    return round(word_count(text) * 60.0 / WORDS_PER_MINUTE, 1)


def enforce_word_limit(text: str, max_words: int = MAX_WORDS) -> str:
    """``text`` cut to at most ``max_words`` words, at a sentence or line end when possible.

    Line breaks are kept (labelled parts are one per line)."""
    if word_count(text) <= max_words:
        return text.strip()
    kept: list[str] = []
    used = 0
    for line in text.strip().split("\n"):
        pieces = [p for p in re.split(r"(?<=[.!?])\s+", line) if p]
        line_kept: list[str] = []
        for piece in pieces:
            n = word_count(piece)
            if used + n > max_words:
                break
            line_kept.append(piece)
            used += n
        if line_kept:
            kept.append(" ".join(line_kept))
        if len(line_kept) < len(pieces) or used >= max_words:
            break
    result = "\n".join(kept).strip()
    if not result:  # the first sentence alone is too long: cut at the word limit
        result = " ".join(text.split()[:max_words])
    return result


@dataclass
class DraftOption:
    option: str
    text: str
    source: str  # prepared | llm | composer

    @property
    def word_count(self) -> int:
        return word_count(self.text)

    @property
    def speaking_secs(self) -> float:
        return speaking_secs(self.text)
