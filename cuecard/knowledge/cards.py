"""Concept cards: the offline knowledge base behind technical answer drafts.

A card is one concept an interviewer may ask about, written by the Cuecard project in its own
words (``cards/*.yaml``, one file per domain or language group). Each card says what the thing
is, how it works, when to use it and when not, what it costs, and a short illustrative example —
the parts of a spoken technical answer. ``aliases`` carry acronyms, spellings and frequent
speech-recognition mishearings, so a misheard "cooper netties" still finds Kubernetes.

Decision: cards are plain data files (YAML), not code, so that anyone can correct a sentence
without touching Python; ``tests/test_knowledge_cards.py`` checks the schema (required fields,
word limits, no brackets, unique ids, domains from ``DOMAINS``) and
``python -m cuecard.knowledge.coverage`` prints the coverage per domain.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

CARDS_DIR = Path(__file__).parent / "cards"
DOMAINS = (
    "frontend",
    "mobile",
    "backend",
    "databases",
    "distributed-systems",
    "cloud-devops",
    "data-structures",
    "algorithms",
    "operating-systems",
    "networking",
    "security",
    "machine-learning",
    "data-engineering",
    "testing",
    "languages",
    "product-analytics",
)
TEXT_FIELDS = ("definition", "how_it_works", "when_to_use", "when_not_to_use", "tradeoffs", "example")
# Word limits per field (the schema test enforces them with a small tolerance).
WORD_LIMITS = {
    "definition": 30,
    "how_it_works": 60,
    "when_to_use": 30,
    "when_not_to_use": 30,
    "tradeoffs": 40,
    "example": 35,
}

_NON_WORD = re.compile(r"[^a-z0-9+#]+")


_ORDINAL = re.compile(r"\b([a-z]) th\b")


def normalize_phrase(text: str) -> str:
    """Lower case, punctuation and hyphens as spaces: "B-Tree" and "b tree" are one phrase.
    ``+`` and ``#`` stay (C++, C#); "k-th" and "kth" are one word."""
    return _ORDINAL.sub(r"\1th", " ".join(_NON_WORD.sub(" ", text.lower()).split()))


class Card(BaseModel):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    common_word: bool = False
    domain: str
    definition: str
    how_it_works: str
    when_to_use: str
    when_not_to_use: str
    tradeoffs: str
    example: str
    related: list[str] = Field(default_factory=list)
    contrasts: list[str] = Field(default_factory=list)
    source_file: str = ""

    def phrases(self) -> list[str]:
        """Every normalized way to say this card's name (name first)."""
        seen: list[str] = []
        for text in [self.name, *self.aliases]:
            phrase = normalize_phrase(text)
            if phrase and phrase not in seen:
                seen.append(phrase)
        return seen

    def search_text(self) -> str:
        """What the card's embedding is computed from: its name, aliases and definition."""
        return f"{self.name}. {', '.join(self.aliases[:4])}. {self.definition}"


def load_cards(directory: Path = CARDS_DIR) -> list[Card]:
    """Every card of every ``*.yaml`` file, in file then card order; related/contrast entries
    given by name or alias are resolved to card ids (unknown ones are dropped)."""
    cards: list[Card] = []
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text()) or []:
            cards.append(Card(**raw, source_file=path.name))
    by_phrase: dict[str, str] = {}
    ids = {c.id for c in cards}
    for card in cards:
        for phrase in card.phrases():
            by_phrase.setdefault(phrase, card.id)

    def resolve(refs: list[str], own: str) -> list[str]:
        out = []
        for ref in refs:
            target = ref if ref in ids else by_phrase.get(normalize_phrase(ref))
            if target and target != own and target not in out:
                out.append(target)
        return out

    for card in cards:
        card.related = resolve(card.related, card.id)
        card.contrasts = resolve(card.contrasts, card.id)
    return cards


@lru_cache(maxsize=1)
def all_cards() -> tuple[Card, ...]:
    return tuple(load_cards())


@lru_cache(maxsize=1)
def cards_by_id() -> dict[str, Card]:
    return {c.id: c for c in all_cards()}


def vocabulary() -> list[str]:
    """Names and aliases of all cards, as written (for recognition hints and snapping)."""
    out: list[str] = []
    for card in all_cards():
        out.append(card.name)
        out.extend(card.aliases)
    return out
