"""``python -m cuecard.knowledge.coverage``: how many cards each domain has."""

from __future__ import annotations

from collections import Counter

from cuecard.knowledge.cards import DOMAINS, all_cards


def main() -> int:
    cards = all_cards()
    counts = Counter(c.domain for c in cards)
    for domain in DOMAINS:
        print(f"{domain:<20} {counts.get(domain, 0):4d}")
    aliases = sum(len(c.aliases) for c in cards)
    print(f"{len(cards)} cards in {len(counts)} domains, {aliases} aliases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
