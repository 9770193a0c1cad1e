"""Question → concept cards.

Two ways in, in this order:

1. **Names**: every card's name and aliases (normalized phrases) are looked up in the
   question; longer phrases win over shorter ones they overlap ("binary search tree" over
   "binary search"). A card whose name is an ordinary word (``common_word``, e.g. Go, Spark)
   counts only when written with a capital letter inside the sentence or next to a word like
   "language" or "framework".
2. **Meaning**: when no name is found, the question's subject (lead-in stripped) is embedded
   with the project's MiniLM model and compared with every card's name and definition; the
   best card counts when its cosine clears ``MIN_SIMILARITY`` and beats the runner-up.

Among several named cards, the one closest in meaning to the question leads ("which
regularization techniques for neural nets…" is about regularization, though "neural nets" is the
longer name), and when the named card is not where the subject begins, an unnamed card that is
far closer in meaning leads instead ("…combine several word embeddings into one" → pooling word
vectors into a sentence vector). A contrast card ("Attributes vs properties") is found by its
sides as said, in either number or order.

The result also says how the question is built:
- ``compare``: "X vs Y", "difference between X and Y", "X or Y, which…", "when would you
  choose X and when Y" — the two (or three: "A, B and C") cards are answered as a contrast;
- ``multi``: several sentences or "and how/why…" parts naming different cards — each part
  is answered in turn;
- ``single``: one card; ``none``: nothing we have notes on.

Decision: names before meaning. On questions that name their subject (most technical ones)
the alias match is exact and costs microseconds; the embedding is the fallback for
paraphrases ("how do you keep two services from double-charging a card" → idempotency).
``MIN_SIMILARITY`` was set on the project's own technical questions written for tuning
(``tests/fixtures/knowledge/tune_questions.txt``), never on an evaluation list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from cuecard.knowledge.cards import Card, all_cards, cards_by_id, normalize_phrase
from cuecard.knowledge.vectors import card_vectors

MIN_SIMILARITY = 0.46
MAX_PHRASE_WORDS = 7
_CONTEXT_WORDS = {
    "language",
    "framework",
    "library",
    "database",
    "engine",
    "tool",
    "platform",
    "programming",
    "runtime",
    "service",
    "protocol",
    "format",
    "using",
    "in",
    "with",
}
_COMPARE = re.compile(
    r"\b(?:vs\.?|versus|difference|differences|differ|compare|compared|comparison|contrast|"
    r"better than|instead of|rather than|or)\b|\bwhen would you (?:choose|use|pick)\b.*\bwhen\b",
    re.IGNORECASE,
)
_LEADIN = re.compile(
    r"^(?:(?:so|okay|ok|um|uh|right|alright|well|and|now|cool|great)[\s,]+)*"
    r"(?:(?:is|are|does|do|can|could|should|would|will) (?:(?:you|we|i|one) (?:know|use|name|list|say|explain|describe)?\s*)?)?"
    r"(?:(?:how|what|why|when|where|which) (?:do|does|would|can|could|should|will) (?:you|i|we) )?"
    r"(?:can you |could you |would you |please )?"
    r"(?:explain|describe|tell me about|talk me through|walk me through|what is|what are|what's|"
    r"how does|how do|how would you|define|why would you use|when would you use)?\s*",
    re.IGNORECASE,
)


@dataclass
class Hit:
    card: Card
    score: float  # 1.0 for a name match, the cosine for a meaning match
    how: str  # "name" | "meaning"
    start: int = 0  # word position in the question (names only), for order
    size: int = 0  # words in the matched phrase: a longer name is a more specific subject


@dataclass
class Retrieval:
    question: str
    mode: str  # single | compare | multi | none
    hits: list[Hit] = field(default_factory=list)

    @property
    def cards(self) -> list[Card]:
        return [h.card for h in self.hits]

    @property
    def coverage(self) -> str:
        """What the page shows: "full" (notes on every subject named), "partial", "none"."""
        if not self.hits:
            return "none"
        return "full" if all(h.how == "name" or h.score >= MIN_SIMILARITY + 0.1 for h in self.hits) else "partial"

    def key(self) -> str:
        """Identity of the subject, for telling whether a redraft changes the topic."""
        return "+".join(sorted(h.card.id for h in self.hits)) or "none"


@lru_cache(maxsize=1)
def _phrase_index() -> tuple[dict[str, list[str]], int]:
    """normalized phrase -> card ids (a phrase may name several cards, e.g. an acronym)."""
    index: dict[str, list[str]] = {}
    longest = 1
    for card in all_cards():
        for phrase in card.phrases():
            words = phrase.split()
            if len(phrase) < 2 or words[0] in _ARTICLES and not (len(words) > 1 and len(words[1]) == 1):
                continue  # "a star" would fire on "a star schema"; "a b testing" is a name
            for variant in _number_variants(phrase):
                ids = index.setdefault(variant, [])
                if card.id not in ids:
                    ids.append(card.id)
            longest = max(longest, len(phrase.split()))
    return index, min(longest, MAX_PHRASE_WORDS)


_ARTICLES = {"a", "an", "the"}
_CONTRAST_NAME = re.compile(r"\s(?:vs\.?|versus)\s", re.IGNORECASE)


def _number_variants(phrase: str) -> list[str]:
    """The phrase, and its last word's other number ("closures" ↔ "closure"); not for short
    acronyms ("os", "gas")."""
    last = phrase.rsplit(" ", 1)[-1]
    if len(last) <= 2 or len(last) == 3 and " " not in phrase or not last.isalpha():
        return [phrase]  # a lone short word is usually an acronym; "neural net" → "neural nets" is fine
    if last.endswith("ies"):
        other = last[:-3] + "y"
    elif last.endswith(("ches", "shes", "sses", "xes")):
        other = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        other = last[:-1]
    elif last.endswith("y") and last[-2] not in "aeiou":
        other = last[:-1] + "ies"
    elif last.endswith(("ch", "sh", "ss", "x")):
        other = last + "es"
    else:
        other = last + "s"
    return [phrase, phrase[: len(phrase) - len(last)] + other]


def _tokens(text: str) -> list[tuple[str, str]]:
    """(normalized, as written) per word."""
    out = []
    for raw in re.findall(r"[A-Za-z0-9+#][A-Za-z0-9+#'.-]*", text):
        raw = raw.rstrip(".'-")
        norm = normalize_phrase(raw)
        for i, part in enumerate(norm.split()):
            out.append((part, raw if i == 0 else part))
    return out


def _common_word_ok(tokens: list[tuple[str, str]], start: int, end: int, subject_starts: set[int]) -> bool:
    """An ordinary-word name ("closure", "Go", "boosting") counts when it is written as a name
    (capital inside the sentence), sits next to "language"/"framework"…, or IS the subject
    ("What is a closure?")."""
    written = tokens[start][1]
    capitalized = written[:1].isupper() and start > 0
    nearby = {t for t, _ in tokens[max(0, start - 2) : start]} | {t for t, _ in tokens[end : end + 2]}
    return capitalized or bool(nearby & _CONTEXT_WORDS - {"in", "with", "using"}) or start in subject_starts


def _subject_starts(text: str, words: list[str]) -> set[int]:
    """Word positions where each part's subject begins ("what is a |deadlock"), articles skipped."""
    starts, offset = set(), 0
    for part in _parts(text) or [text]:
        part_words = normalize_phrase(part).split()
        subject = normalize_phrase(subject_of(part)).split()
        start = offset + len(part_words) - len(subject)
        while start < len(words) and words[start] in _ARTICLES:
            start += 1
        starts.add(start)
        offset += len(part_words)
    return starts


def name_hits(text: str) -> list[Hit]:
    """Cards named in ``text``, longest phrases first, without overlaps, in spoken order."""
    index, longest = _phrase_index()
    by_id = cards_by_id()
    tokens = _tokens(text)
    words = [t for t, _ in tokens]
    subject_starts = _subject_starts(text, words)
    taken = [False] * len(words)
    found: list[Hit] = []
    seen: set[str] = set()
    for size in range(longest, 0, -1):
        for start in range(0, len(words) - size + 1):
            if any(taken[start : start + size]):
                continue
            phrase = " ".join(words[start : start + size])
            ids = index.get(phrase)
            if not ids:
                continue
            cards = [by_id[i] for i in ids]
            cards = [
                c
                for c in cards
                if not c.common_word
                or normalize_phrase(c.name) != phrase
                or _common_word_ok(tokens, start, start + size, subject_starts)
            ]
            if not cards:
                continue
            for k in range(start, start + size):
                taken[k] = True
            card = cards[0]
            if card.id not in seen:
                seen.add(card.id)
                found.append(Hit(card, 1.0, "name", start, size))
    found += _common_words_beside(found, words, taken, index, by_id, seen, min(subject_starts, default=0))
    return sorted(found, key=lambda h: h.start)


def _common_words_beside(found, words, taken, index, by_id, seen, subject_start: int) -> list[Hit]:
    """Ordinary-word names of the same domain as a name already found ("bagging and boosting").
    Not in the words that frame the question before its subject: "explain what a database
    index is" named the EXPLAIN card beside the index one."""
    domains = {h.card.domain for h in found}
    extra = []
    for start, word in enumerate(words):
        if taken[start] or not domains or start < subject_start:
            continue
        for card_id in index.get(word, []):
            card = by_id[card_id]
            if card.common_word and card.domain in domains and card.id not in seen:
                seen.add(card.id)
                extra.append(Hit(card, 1.0, "name", start, 1))
                break
    return extra


def _similarities(query: np.ndarray) -> np.ndarray:
    # einsum, not ``@``: a matrix-vector product this small is ~0.2 ms either way on an idle
    # machine, but BLAS's threads spin against a busy one (measured 5-30 ms beside a running
    # recognizer), while einsum stays single-threaded.
    what, solves = card_vectors()
    return np.maximum(np.einsum("ij,j->i", what, query), np.einsum("ij,j->i", solves, query))


def subject_of(question: str) -> str:
    """The question without its spoken lead-in: what the embedding should compare."""
    text = question.strip().rstrip("?.! ")
    return _LEADIN.sub("", text, count=1).strip() or text


def meaning_hits(text: str, limit: int = 2) -> list[Hit]:
    """Cards whose meaning is closest to the subject of ``text`` (may be empty)."""
    from cuecard.drafting import semantic

    if not semantic.using_model():
        return []  # the lexical fallback's scale is not calibrated for this
    cards = all_cards()
    if not cards:
        return []
    scores = _similarities(_subject_vector(subject_of(text)))
    order = np.argsort(-scores)[: limit + 1]
    best = float(scores[order[0]])
    if best < MIN_SIMILARITY:
        return []
    return [
        Hit(cards[int(i)], float(scores[int(i)]), "meaning")
        for i in order[:limit]
        if float(scores[int(i)]) >= max(MIN_SIMILARITY, best - 0.03)
    ][:1]


# A card found by meaning replaces the named ones only when it is far closer: "combine several
# word embeddings into one" names word embeddings, but asks about pooling them into a sentence
# vector. Set on the project's tuning questions (a named card's own closeness is usually
# 0.45-0.6; a much closer unnamed card is the question's real subject).
MEANING_OVER_NAME = 0.66
MEANING_OVER_NAME_MARGIN = 0.2


@lru_cache(maxsize=64)
def _closeness(question: str) -> dict[str, float]:
    """Card id → cosine between the question's subject and the card (empty without the model)."""
    from cuecard.drafting import semantic

    if not semantic.using_model():
        return {}
    scores = _similarities(_subject_vector(subject_of(question)))
    return {c.id: float(x) for c, x in zip(all_cards(), scores, strict=True)}


@lru_cache(maxsize=64)
def _subject_vector(subject: str) -> np.ndarray:
    """One embedding per subject, shared by the meaning lookups of one question."""
    from cuecard.drafting import semantic

    return semantic.embed([subject])[0]


def _meaning_over_names(question: str, hits: list[Hit]) -> list[Hit]:
    """``hits``, led by an unnamed card when the question's meaning is much closer to it.
    Only asked when the named card is not where the question's subject begins ("what is a
    closure" names its subject; "…combine several word embeddings into one" does not), which
    also keeps the embedding off most questions' path."""
    words = [t for t, _ in _tokens(question)]
    if not hits or hits[0].start in _subject_starts(question, words):
        return hits
    closeness = _closeness(question)
    if not closeness or not hits:
        return hits
    best_id = max(closeness, key=closeness.__getitem__)
    best = closeness[best_id]
    named_best = max(closeness.get(h.card.id, 0.0) for h in hits)
    if best_id in {h.card.id for h in hits} or best < MEANING_OVER_NAME or best - named_best < MEANING_OVER_NAME_MARGIN:
        return hits
    return [Hit(cards_by_id()[best_id], best, "meaning"), *hits]


def _parts(question: str) -> list[str]:
    """Sentences, and "…, and how/why/when…" clauses: the parts of a multi-part question."""
    pieces = re.split(r"(?<=[?.!])\s+|,?\s+\band (?=(?:how|why|when|what|where|which)\b)", question)
    return [p.strip() for p in pieces if p and len(p.split()) >= 2]


_SIDES = re.compile(
    r"(?:difference|differences|differ)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)(?:[?.,]|\s+(?:and|in|when|why|how)\b|$)"
    r"|(?P<c>[\w+#.-]+(?:\s+[\w+#.-]+){0,2})\s+(?:vs\.?|versus)\s+(?P<d>[\w+#.-]+(?:\s+[\w+#.-]+){0,2})",
    re.IGNORECASE,
)


def _sides(question: str) -> list[str]:
    """The two things a comparison question names, as said ("a mock", "a stub")."""
    match = _SIDES.search(question)
    if not match:
        return []
    sides = [match.group("a") or match.group("c"), match.group("b") or match.group("d")]
    return [" ".join(w for w in normalize_phrase(s).split() if w not in _ARTICLES) for s in sides if s]


@lru_cache(maxsize=1)
def _name_words() -> list[tuple[str, Card]]:
    return [(f" {normalize_phrase(c.name)} ", c) for c in all_cards()]


def named_within(phrase: str) -> Hit | None:
    """The card whose name contains ``phrase`` (or its other number) as whole words, shortest
    name first: "mock" → "Mock object", "stable" → "Stable sorting"."""
    if not phrase or len(phrase.split()) > 3:
        return None
    variants = [f" {v} " for v in _number_variants(phrase)]
    found = [(len(name), card) for name, card in _name_words() if any(v in name for v in variants)]
    if not found:
        return None
    return Hit(min(found, key=lambda f: f[0])[1], 0.9, "name", 0, len(phrase.split()))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _spanning_hit(question: str, hits: list[Hit], sides: list[str]) -> Hit | None:
    """A name hit whose matched phrase holds both sides: the question names one card for the
    whole comparison."""
    if len(sides) != 2:
        return None
    words = [t for t, _ in _tokens(question)]
    for hit in hits:
        phrase = set(words[hit.start : hit.start + hit.size])
        if all(set(side.split()) <= phrase for side in sides):
            return hit
    return None


def _side_stems(text: str) -> set[str]:
    from cuecard.drafting.semantic import content_words

    return {_singular(w) for w in content_words(normalize_phrase(text))}


@lru_cache(maxsize=1)
def _comparison_cards() -> list[tuple[Card, list[set[str]]]]:
    """Cards that are themselves a contrast ("Attributes vs properties"), with their sides' stems."""
    out = []
    for card in all_cards():  # by name only: "Bagging" has the alias "bagging vs boosting"
        parts = re.split(r"\s+(?:vs\.?|versus)\s+", card.name, flags=re.IGNORECASE)
        if len(parts) >= 2:
            out.append((card, [_side_stems(p) for p in parts]))
    return out


def _comparison_card(sides: list[str]) -> Card | None:
    """The contrast card whose sides are the question's two sides, said in any number or
    order ("an attribute and a property" → "Attributes vs properties"): a card written for
    exactly this comparison beats two cards found one side at a time."""
    if len(sides) != 2:
        return None
    wanted = [_side_stems(s) for s in sides]
    if not all(wanted):
        return None
    for card, card_sides in _comparison_cards():
        if len(card_sides) != 2:
            continue
        a, b = card_sides
        if wanted[0] <= a and wanted[1] <= b or wanted[0] <= b and wanted[1] <= a:
            return card
    return None


def _compare_pair(question: str, hits: list[Hit]) -> list[Hit]:
    """The two sides of a comparison: a comparison card alone when there is one ("Liveness vs
    readiness probes"), else the sides as said, else the two most specific names."""
    for hit in hits:
        if re.search(r"\s(?:vs\.?|versus)\s", hit.card.name):
            return [hit]
    sides = _sides(question)
    spanning = _spanning_hit(question, hits, sides)
    if spanning is not None:  # "mutable and immutable objects" is one card's alias
        return [spanning]
    card = _comparison_card(sides)
    if card is not None:
        return [Hit(card, 1.0, "name", 0, len(card.name.split()))]
    pair: list[Hit] = []
    for side in sides:
        named = name_hits(side) or ([h] if (h := named_within(side)) else [])
        if named and named[0].card.id not in {p.card.id for p in pair}:
            pair.append(named[0])
    if len(pair) == 2:
        return pair
    ranked = sorted(hits, key=lambda h: (h.card.domain == "languages", -h.size, h.start))[:2]
    return sorted(ranked, key=lambda h: h.start)


def retrieve(question: str) -> Retrieval:
    """The cards a technical question is about, and how to answer them together."""
    hits = name_hits(question)
    comparing = bool(_COMPARE.search(question))
    if comparing and not _comparison_card(_sides(question)):
        listed = [h for h in hits if h.card.domain != "languages" and not _CONTRAST_NAME.search(h.card.name)]
        if len(listed) >= 3:  # "localStorage, sessionStorage and cookies": every one of them
            return Retrieval(question, "compare", listed[:3])
    if comparing:
        pair = _compare_pair(question, hits)
        whole = len(pair) == 1 and (
            _CONTRAST_NAME.search(pair[0].card.name) or _spanning_hit(question, hits, _sides(question)) is not None
        )
        if whole:  # a contrast card, or one card named for the whole comparison
            return Retrieval(question, "single", pair)
        if len(pair) == 2:
            return Retrieval(question, "compare", pair)
    if comparing and len(hits) == 1:
        # "What's the difference between X and <something we did not catch by name>?"
        other = [
            h
            for h in meaning_hits(question.replace(hits[0].card.name, " "), limit=3)
            if h.card.id != hits[0].card.id and h.card.id in hits[0].card.contrasts + hits[0].card.related
        ]
        if other:
            return Retrieval(question, "compare", [hits[0], other[0]])
    if len(hits) >= 2:
        parts = _parts(question)
        if len(parts) >= 2:
            per_part: list[Hit] = []
            for part in parts:
                named = name_hits(part)
                if named and named[0].card.id not in {h.card.id for h in per_part}:
                    per_part.append(named[0])
            if len(per_part) >= 2:
                return Retrieval(question, "multi", per_part[:3])
        # One subject with context around it ("in Python, how do decorators work?", "which
        # regularization techniques for neural nets…"): languages follow as context, and among
        # the rest the name whose card is closest in meaning to the question leads.
        subjects = [h for h in hits if h.card.domain != "languages"]
        closeness = _closeness(question) if len(subjects) >= 2 else {}
        ranked = sorted(
            hits,
            key=lambda h: (h.card.domain == "languages", -closeness.get(h.card.id, 0.0), -h.size, h.start),
        )
        return Retrieval(question, "single", _meaning_over_names(question, ranked)[:3])
    if hits:
        return Retrieval(question, "single", _meaning_over_names(question, hits))
    subject = " ".join(w for w in normalize_phrase(subject_of(question)).split() if w not in _ARTICLES)
    within = named_within(subject)
    if within is not None:
        return Retrieval(question, "single", [within])
    found = meaning_hits(question)
    return Retrieval(question, "single" if found else "none", found)


def warm_up() -> None:
    """Build the name index and embed every card now (a few seconds), not on the first question."""
    _phrase_index()
    from cuecard.drafting import semantic

    if semantic.using_model():
        card_vectors()
