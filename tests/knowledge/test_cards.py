"""The knowledge base's data files: schema, limits, coverage, and links between cards."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from cuecard.knowledge.cards import DOMAINS, TEXT_FIELDS, WORD_LIMITS, all_cards, load_cards, normalize_phrase

# Tolerance over the per-field word limits: the limits are a writing guide; an answer's
# hard 225-word cap is enforced by the composer.
TOLERANCE = 1.35
COMMON_ENGLISH = {
    "rest",
    "go",
    "spark",
    "state",
    "hooks",
    "lock",
    "signal",
    "port",
    "route",
    "token",
    "quick",
    "heap",
    "stack",
    "queue",
    "graph",
    "tree",
    "sort",
    "join",
    "view",
    "index",
    "mock",
    "raft",
    "helm",
    "pods",
    "saga",
    "recall",
    "precision",
    "boosting",
    "attention",
    "flutter",
    "churn",
    "swift",
    "rust",
    "react",
    "node",
    "table",
    "class",
    "object",
}


@pytest.fixture(scope="module")
def cards():
    return load_cards()


def test_at_least_600_cards_across_every_domain(cards):
    counts = Counter(c.domain for c in cards)
    assert len(cards) >= 600, len(cards)
    assert set(counts) <= set(DOMAINS)
    thin = {d: counts.get(d, 0) for d in DOMAINS if counts.get(d, 0) < 15}
    assert not thin, thin


def test_ids_unique_and_namespaced(cards):
    ids = [c.id for c in cards]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+", i) for i in ids), [i for i in ids if "." not in i]


def test_every_text_field_is_present_speakable_and_within_limits(cards):
    problems = []
    for card in cards:
        for name in TEXT_FIELDS:
            text = getattr(card, name).strip()
            if not text:
                problems.append((card.id, name, "empty"))
            if re.search(r"[\[\]{}<>]|\be\.g\.|\bi\.e\.|\betc\.", text):
                problems.append((card.id, name, "bracket or abbreviation"))
            if len(text.split()) > WORD_LIMITS[name] * TOLERANCE:
                problems.append((card.id, name, f"{len(text.split())} words"))
    assert not problems, problems[:20]


def test_no_bare_common_word_alias(cards):
    """A bare "rest" or "go" alias would fire on everyday talk."""
    bad = [(c.id, a) for c in cards for a in c.aliases if normalize_phrase(a) in COMMON_ENGLISH]
    assert not bad, bad


def test_illustrative_examples_are_said_as_such(cards):
    bad = [c.id for c in cards if not re.match(r"^(For example|For instance)\b", c.example.strip())]
    assert len(bad) <= len(cards) // 20, bad[:20]


def test_links_resolve_and_contrasts_mostly_point_both_ways(cards):
    by_id = {c.id: c for c in cards}
    assert all(r in by_id for c in cards for r in c.related + c.contrasts)
    pairs = [(c.id, o) for c in cards for o in c.contrasts]
    one_way = [(a, b) for a, b in pairs if a not in by_id[b].contrasts]
    assert len(one_way) <= len(pairs) // 2, one_way[:10]


def test_the_cached_loader_sees_the_same_cards(cards):
    assert [c.id for c in all_cards()] == [c.id for c in cards]


def test_a_name_or_alias_points_to_one_card(cards):
    """Two cards sharing a phrase make retrieval pick by file order; allow only a handful."""
    owners: dict[str, list[str]] = {}
    for card in cards:
        for phrase in card.phrases():
            owners.setdefault(phrase, []).append(card.id)
    shared = {p: ids for p, ids in owners.items() if len(ids) > 1}
    assert len(shared) <= 5, shared
