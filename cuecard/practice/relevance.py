"""Relevance: does the answer address the question?

Two signals: the MiniLM cosine between the question and the answer (the best of its
windows, and the whole), and the share of the question's key terms the answer uses. A long,
fluent answer about something else has a low cosine on every window and misses the key
terms, so it scores low whatever its length.

Decision: windows of ~60 words, best and mean both used. A strong answer is on topic
throughout; an answer that mentions the topic once and then drifts gets one good window but a
low mean.
"""

from __future__ import annotations

import numpy as np

from cuecard.practice.scoring import SubScore
from cuecard.practice.text import content_terms, quote_around, sentences, stem

WINDOW_WORDS = 60
# Cosine → points: below LOW nothing, above HIGH full marks (set on the tune half).
COS_LOW, COS_HIGH = 0.15, 0.60
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


def windows(text: str, size: int = WINDOW_WORDS) -> list[str]:
    words = text.split()
    if len(words) <= size:
        return [text]
    step = size // 2
    return [" ".join(words[i : i + size]) for i in range(0, len(words) - step, step)]


def question_terms(question: str) -> list[str]:
    return [t for t in content_terms(question) if t not in {stem(f) for f in _FRAMING}]


def embedding_similarity(question: str, text: str) -> tuple[float, float]:
    """(best window cosine, mean window cosine)."""
    from cuecard.embeddings.minilm import get_encoder

    parts = windows(text)
    vectors = get_encoder().encode([question, *parts])
    sims = vectors[1:] @ vectors[0]
    return float(np.max(sims)), float(np.mean(sims))


def relevance_score(question: str, text: str, qtype: str = "") -> SubScore:
    if len(text.split()) < 3:
        return SubScore("relevance", 0, [], "Answer the question that was asked.", {"gate": 0.0})
    best, mean = embedding_similarity(question, text)
    terms = question_terms(question)
    answer_stems = {stem(w) for w in text.lower().replace("’", "'").split()}
    answer_stems |= {stem(w.strip(".,!?;:\"'")) for w in text.lower().split()}
    used = [t for t in terms if t in answer_stems]
    term_share = len(used) / len(terms) if terms else 0.5
    cosine = 0.5 * best + 0.5 * mean
    cos_points = np.clip((cosine - COS_LOW) / (COS_HIGH - COS_LOW), 0.0, 1.0)
    raw = 5.0 * (0.7 * cos_points + 0.3 * term_share)
    score = int(max(0, min(5, round(raw))))
    gate = float(np.clip((cosine - COS_LOW) / 0.25, 0.0, 1.0))
    evidence = []
    if used:
        evidence.append(f"uses the question's terms: {', '.join(used[:6])}")
    best_sentence = _most_related(question, text)
    if best_sentence:
        evidence.append(f"most on-topic: “{quote_around(best_sentence)}”")
    missing = [t for t in terms if t not in answer_stems]
    if score >= 4:
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
