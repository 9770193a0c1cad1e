"""Delivery: speaking rate, filler words, long pauses and length against the type's target.

Decision: "like" counts as a filler only where it cannot be the verb or the preposition —
after "and/so/but/was/is/it's", next to another filler, at the start of the answer, or beside
a comma in the transcript ("it was, like, hard"); "I like", "would like", "tools like Kafka" are
not fillers. Pauses come from gaps between word timestamps (> 2 s), never from the audio,
so typed or replayed transcripts are scored the same way.
"""

from __future__ import annotations

import re
from typing import Any

from cuecard.practice.scoring import SubScore
from cuecard.practice.words import Word

LONG_PAUSE_S = 2.0
# Length targets per type, seconds (issue 15 item 4; cultural and situational by analogy).
TARGET_SECS = {
    "behavioral": (60.0, 120.0),
    "technical": (30.0, 90.0),
    "cultural": (30.0, 90.0),
    "situational": (45.0, 120.0),
}
WPM_RANGE = (110.0, 175.0)
SINGLE_FILLERS = {"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm", "basically", "literally"}
PHRASE_FILLERS = (("you", "know"), ("sort", "of"), ("kind", "of"), ("i", "mean"))
# "kind of"/"sort of" are fillers unless followed by a noun-ish determiner use ("what kind of data").
_KIND_OF_NOT_FILLER_PREV = {"what", "which", "this", "that", "a", "the", "any", "some", "same", "every", "one"}
_LIKE_FILLER_PREV = {"and", "so", "but", "was", "is", "it's", "were", "like", "um", "uh", "just", "er"}
_WORD = re.compile(r"[a-z0-9']+")


def _norm(text: str) -> str:
    m = _WORD.findall(text.lower().replace("’", "'"))
    return m[0] if m else ""


def find_fillers(words: list[Word]) -> list[tuple[int, str]]:
    """(index of the word, filler as said) for each filler in the answer."""
    norm = [_norm(w.text) for w in words]
    found: list[tuple[int, str]] = []
    skip = -1
    for i, token in enumerate(norm):
        if i <= skip or not token:
            continue
        prev = norm[i - 1] if i > 0 else ""
        nxt = norm[i + 1] if i + 1 < len(norm) else ""
        if token in SINGLE_FILLERS:
            found.append((i, token))
        elif (token, nxt) in PHRASE_FILLERS:
            if token in ("sort", "kind") and prev in _KIND_OF_NOT_FILLER_PREV:
                continue
            if (
                token == "you"
                and i + 2 < len(norm)
                and norm[i + 2] in ("how", "what", "that", "the", "it", "why", "when")
                and not words[i + 1].text.rstrip().endswith(",")
            ):
                continue  # "you know how it works" is a real clause; "you know, it was" is not
            found.append((i, f"{token} {nxt}"))
            skip = i + 1
        elif token == "like" and _like_is_filler(words, norm, i):
            found.append((i, "like"))
    return found


def _like_is_filler(words: list[Word], norm: list[str], i: int) -> bool:
    prev = norm[i - 1] if i > 0 else ""
    comma_before = i > 0 and words[i - 1].text.rstrip().endswith(",")
    comma_after = words[i].text.rstrip().endswith(",")
    return i == 0 or prev in _LIKE_FILLER_PREV or comma_before or comma_after


def long_pauses(words: list[Word], threshold: float = LONG_PAUSE_S) -> list[tuple[int, float]]:
    """(index of the word after the pause, gap in seconds) for gaps longer than ``threshold``."""
    return [
        (i, round(words[i].start - words[i - 1].end, 2))
        for i in range(1, len(words))
        if words[i].start - words[i - 1].end > threshold
    ]


def _context(words: list[Word], i: int, before: int = 3, after: int = 3) -> str:
    return " ".join(w.text.strip() for w in words[max(0, i - before) : i + after + 1])


def delivery_metrics(words: list[Word]) -> dict[str, Any]:
    spoken = [w for w in words if w.text.strip()]
    duration = max(0.0, spoken[-1].end - spoken[0].start) if spoken else 0.0
    minutes = max(duration / 60.0, 1e-9)
    fillers = find_fillers(spoken)
    pauses = long_pauses(spoken)
    return {
        "words": len(spoken),
        "duration_s": round(duration, 1),
        "wpm": round(len(spoken) / minutes, 1) if duration > 0 else 0.0,
        "fillers": len(fillers),
        "fillers_per_min": round(len(fillers) / minutes, 2) if duration > 0 else 0.0,
        "long_pauses": len(pauses),
        "longest_pause_s": max((g for _, g in pauses), default=0.0),
    }


def delivery_score(words: list[Word], qtype: str) -> tuple[SubScore, dict[str, Any]]:
    """The delivery sub-score and the metrics it was computed from."""
    spoken = [w for w in words if w.text.strip()]
    metrics = delivery_metrics(spoken)
    low, high = TARGET_SECS.get(qtype, TARGET_SECS["technical"])
    metrics["target_s"] = [low, high]
    if metrics["words"] < 5:
        return SubScore("delivery", 0, [], "Answer the question aloud in full sentences.", {"penalties": {}}), metrics
    penalties: dict[str, int] = {}
    evidence: list[str] = []
    advice: list[tuple[int, str]] = []
    wpm = metrics["wpm"]
    if wpm < WPM_RANGE[0] or wpm > WPM_RANGE[1]:
        far = wpm < WPM_RANGE[0] - 25 or wpm > WPM_RANGE[1] + 30
        penalties["pace"] = 2 if far else 1
        slow = wpm < WPM_RANGE[0]
        advice.append(
            (
                penalties["pace"],
                f"{'Speed up' if slow else 'Slow down'} to about 130–160 words per minute (you spoke at {wpm:.0f}).",
            )
        )
    fpm = metrics["fillers_per_min"]
    fillers = find_fillers(spoken)
    if fillers:
        penalties["fillers"] = 0 if fpm <= 2 else 1 if fpm <= 5 else 2 if fpm <= 10 else 3
        for i, said in fillers[:3]:
            evidence.append(f"“…{_context(spoken, i)}…” (filler: {said})")
        if penalties["fillers"]:
            top = max({s for _, s in fillers}, key=lambda s: sum(1 for _, x in fillers if x == s))
            advice.append(
                (
                    penalties["fillers"],
                    f"Replace “{top}” with a short silent pause ({fpm:.1f} fillers per minute; aim for under 2).",
                )
            )
    pauses = long_pauses(spoken)
    if pauses:
        penalties["pauses"] = 1 if len(pauses) <= 2 else 2
        for i, gap in pauses[:2]:
            evidence.append(f"{gap:.1f} s pause before “{_context(spoken, i, 0, 4)}”")
        advice.append(
            (penalties["pauses"], "Plan the next point before you start it so that no pause runs past two seconds.")
        )
    duration = metrics["duration_s"]
    if duration < low:
        penalties["length"] = 1 if duration >= 0.6 * low else 2 if duration >= 0.3 * low else 3
        advice.append(
            (
                penalties["length"],
                f"Say more: {duration:.0f} s is short for a {qtype} answer (aim for {low:.0f}–{high:.0f} s).",
            )
        )
    elif duration > high:
        penalties["length"] = 1 if duration <= 1.5 * high else 2
        advice.append(
            (
                penalties["length"],
                f"Cut to {high:.0f} s or less: lead with the point and drop the preamble ({duration:.0f} s now).",
            )
        )
    evidence.insert(0, f"{metrics['words']} words in {duration:.0f} s ({wpm:.0f} wpm)")
    score = max(0, 5 - sum(penalties.values()))
    improvement = max(advice)[1] if advice else "Keep this pace; open with a one-sentence summary of your answer."
    return SubScore("delivery", score, evidence, improvement, {"penalties": penalties}), metrics
