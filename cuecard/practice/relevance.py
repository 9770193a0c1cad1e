"""Relevance: does the answer address the question?

Two signals: the MiniLM cosine between the question and the answer (the best of its
windows, and the whole), and the share of the question's key terms the answer uses. A long,
fluent answer about something else has a low cosine on every window and misses the key
terms, so it scores low whatever its length.

Decision: windows of ~40 words, best and mean both used. A strong answer is on topic
throughout; an answer that mentions the topic once and then drifts gets one good window but a
low mean. The windows do not overlap and there are at most three (spread over the answer):
the encoder's time grows with the tokens it reads, and with overlapping windows a two-minute
answer took ~350 ms on a loaded machine, over a third of the 1 s budget.
"""

from __future__ import annotations

import math
import re

import numpy as np

from cuecard.practice.content import HYPOTHETICAL, PLAN
from cuecard.practice.scoring import SubScore
from cuecard.practice.text import content_terms, quote_around, sentences, specificity, stem
from cuecard.practice.themes import theme_vocabulary, themes_of

WINDOW_WORDS = 40
MAX_WINDOWS = 3
# Cosine → points: below low nothing, above high full marks, per type (set on the tune half:
# a told story shares few words with "tell me about a time…", a technical answer many).
COS_RANGE = {
    "technical": (0.15, 0.60),
    "behavioral": (0.05, 0.40),
    "situational": (0.10, 0.50),
    "cultural": (0.10, 0.50),
}
# Weight of the cosine against the key/theme terms: a technical answer repeats the question's
# terms, a told story or a plan rarely does (tune half: 0.6 for all types scored the
# on-topic short stories 2/5).
COS_WEIGHT = {"technical": 0.6, "behavioral": 0.45, "situational": 0.45, "cultural": 0.45}
THEME_WORDS_FOR_FULL = 5
# Generic phrases per 100 words from which an answer is "talking in general" (tune half:
# long generic answers 2.9–6.9, every other answer ≤ 2.3 bar two short middling ones).
GENERIC_CAP_PER_100 = 2.8
GENERIC_CAP_COUNT = 4
_FRAMING = {
    "tell",
    "describe",
    "explain",
    "walk",
    "talk",
    "time",
    "example",
    "would",
    "handle",
    "approach",
    "situation",
    "difference",
    "between",
    "work",
    "works",
    "want",
    "why",
    "your",
    "you",
}


def windows(text: str, size: int = WINDOW_WORDS, most: int = MAX_WINDOWS) -> list[str]:
    """Consecutive pieces of about ``size`` words (at most ``most``, spread over the answer)."""
    words = text.split()
    if len(words) <= size * 1.5:
        return [text]
    pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    if len(pieces[-1].split()) < size // 2:  # a short tail joins the piece before it
        pieces[-2:] = [pieces[-2] + " " + pieces[-1]]
    if len(pieces) > most:
        step = (len(pieces) - 1) / (most - 1)
        pieces = [pieces[round(i * step)] for i in range(most)]
    return pieces


def question_terms(question: str) -> list[str]:
    return [t for t in content_terms(question) if t not in {stem(f) for f in _FRAMING}]


def embedding_similarity(question: str, text: str) -> tuple[float, float]:
    """(best window cosine, mean window cosine)."""
    from cuecard.embeddings.minilm import get_encoder

    parts = windows(text)
    vectors = get_encoder().encode([question, *parts])
    sims = vectors[1:] @ vectors[0]
    return float(np.max(sims)), float(np.mean(sims))


def theme_share(question: str, text: str) -> tuple[float | None, list[str]]:
    """(share of a full theme vocabulary used, the words found), None when no theme matches."""
    vocabulary = theme_vocabulary(question)
    if not vocabulary:
        return None, []
    lower = text.lower()
    words = set(re.findall(r"[a-z]+", lower))
    found = sorted(v for v in vocabulary if (" " in v and v in lower) or any(w.startswith(v) for w in words))
    return min(1.0, len(found) / THEME_WORDS_FOR_FULL), found


def relevance_score(question: str, text: str, qtype: str = "") -> SubScore:
    if len(text.split()) < 3:
        return SubScore("relevance", 0, [], "Answer the question that was asked.", {"gate": 0.0})
    best, mean = embedding_similarity(question, text)
    terms = question_terms(question)
    answer_stems = {stem(w.strip(".,!?;:\"'")) for w in text.lower().replace("’", "'").split()}
    used = [t for t in terms if t in answer_stems]
    term_share = len(used) / len(terms) if terms else 0.5
    themed, theme_words = theme_share(question, text)
    low, high = COS_RANGE.get(qtype, COS_RANGE["technical"])
    cosine = 0.5 * best + 0.5 * mean
    cos_points = float(np.clip((cosine - low) / (high - low), 0.0, 1.0))
    term_points = max(term_share, themed) if themed is not None else term_share
    weight = COS_WEIGHT.get(qtype, COS_WEIGHT["technical"])
    raw = 5.0 * (weight * cos_points + (1 - weight) * term_points)
    spec = specificity(text)
    cap, cap_reason = 5.0, ""
    if spec["generic_per_100"] >= GENERIC_CAP_PER_100 and spec["generic"] >= GENERIC_CAP_COUNT:
        cap, cap_reason = 2.0, "general statements instead of an answer"
    elif qtype == "behavioral" and spec["past_actions"] < 2 and spec["concrete_per_100"] < 3:
        cap, cap_reason = 2.0, "no actual occasion described"
    elif qtype == "situational" and HYPOTHETICAL.search(question) and not PLAN.search(text):
        cap, cap_reason = 3.0, "no plan of what you would do"
    score = int(max(0.0, min(cap, math.floor(raw + 0.5))))
    gate = float(np.clip(score / 3.0, 0.0, 1.0))
    evidence = []
    if used:
        evidence.append(f"uses the question's terms: {', '.join(used[:6])}")
    if theme_words:
        evidence.append(f"on the theme ({', '.join(themes_of(question))}): {', '.join(theme_words[:6])}")
    best_sentence = _most_related(question, text)
    if best_sentence:
        evidence.append(f"most on-topic: “{quote_around(best_sentence)}”")
    if cap_reason:
        evidence.append(f"capped: {cap_reason} ({spec['generic']} generic phrases in {spec['words']} words)")
    missing = [t for t in terms if t not in answer_stems]
    if cap_reason == "no actual occasion described":
        improvement = "Tell one specific time: when and where it happened, what you did, what came of it."
    elif cap_reason:
        improvement = "Drop the general statements (“I believe…”, “it is important…”) and answer what was asked."
    elif score >= 4:
        improvement = "Answer the question in your first sentence, then support it."
    elif missing:
        improvement = (
            f"Address the question directly — it asks about {', '.join(missing[:3])}; say it in your first sentence."
        )
    else:
        improvement = "Stay on the question: cut general statements and answer what was asked first."
    details = {
        "cosine_best": round(best, 3),
        "cosine_mean": round(mean, 3),
        "term_share": round(term_share, 2),
        "theme_share": None if themed is None else round(themed, 2),
        "raw": round(raw, 2),
        "cap": cap,
        "generic_per_100": spec["generic_per_100"],
        "gate": round(gate, 2),
    }
    return SubScore("relevance", score, evidence, improvement, details)


def _most_related(question: str, text: str) -> str | None:
    terms = set(question_terms(question))
    best, best_hits = None, 0
    for sentence in sentences(text):
        hits = sum(1 for w in sentence.lower().split() if stem(w.strip(".,!?;:")) in terms)
        if hits > best_hits:
            best, best_hits = sentence, hits
    return best
