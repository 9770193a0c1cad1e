"""The skills vocabulary (``data/skills.txt``) and finding skills in free text.

Decision: a hand-written vocabulary with synonyms instead of a learned skill extractor,
because it is predictable (a user can see why a skill was found), works offline, and never
invents a skill that is not written in the text. Skills outside the vocabulary are still
taken from a resume's or job's explicit "Skills" list, as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

VOCABULARY_PATH = Path(__file__).parent / "data" / "skills.txt"


@dataclass(frozen=True)
class Skill:
    name: str  # canonical name, as shown to the user
    kind: str  # "technical" | "people"
    aliases: tuple[str, ...]  # lower-cased case-insensitive aliases (incl. the name)
    exact_aliases: tuple[str, ...]  # case-sensitive aliases
    implies: tuple[str, ...] = ()  # skills that this one shows too (PostgreSQL > SQL)


def _trie_pattern(aliases: set[str]) -> str:
    """One regex for all aliases, shaped as a character trie.

    A flat alternation of a few hundred aliases is tried alternative by alternative at every
    position of the text (about 13 µs per character); the trie shares prefixes, which makes
    scanning a long resume ~10x faster. Longer aliases are tried before their prefixes
    ("React Native" before "React"). Word boundaries also work for C++, C#, .NET, Node.js and
    CI/CD: no letter/digit (or + # .) directly before, no letter/digit/+/# directly after;
    one- and two-letter aliases (C, R, Go) must also not be followed by "-word" ("C-level").
    """
    trie: dict = {}
    for alias in aliases:
        node = trie
        for ch in alias:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict, depth: int) -> str:
        branches = [
            (r"[\s\-]+" if ch == " " else re.escape(ch)) + build(child, depth + 1)
            for ch, child in sorted(node.items())
            if ch
        ]
        if "" in node:
            branches.append(r"(?![\w+#])" + (r"(?!-\w)" if depth <= 2 else ""))
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return r"(?<![\w+#.])" + build(trie, 0)


@dataclass(frozen=True)
class Vocabulary:
    skills: tuple[Skill, ...]
    by_key: dict  # normalised name or alias -> Skill
    pattern_ci: re.Pattern
    pattern_cs: re.Pattern | None
    alias_to_skill: dict  # alias as matched (lower for ci, exact for cs) -> Skill

    def get(self, name: str) -> Skill | None:
        return self.by_key.get(normalise(name))


def normalise(text: str) -> str:
    """Comparison key for skill names: lower case, single spaces, no surrounding punctuation."""
    return " ".join(text.lower().replace("-", " ").split()).strip(" .,;:")


def parse_vocabulary(text: str) -> Vocabulary:
    skills: list[Skill] = []
    kind = "technical"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("[technical]", "[people]"):
            kind = line.strip("[]")
            continue
        line, _, implied = line.partition(" > ")
        implies = tuple(p.strip() for p in implied.split(",") if p.strip())
        parts = [p.strip() for p in line.split(" | ") if p.strip()]
        name, rest = parts[0], parts[1:]
        exact = tuple(p[1:] for p in rest if p.startswith("="))
        loose = [p for p in rest if not p.startswith("=")]
        if name not in exact:
            loose.insert(0, name)
        skills.append(Skill(name, kind, tuple(dict.fromkeys(a.lower() for a in loose)), exact, implies))
    by_key: dict[str, Skill] = {}
    alias_to_skill: dict[str, Skill] = {}
    for skill in skills:
        for alias in (skill.name, *skill.aliases, *skill.exact_aliases):
            by_key.setdefault(normalise(alias), skill)
        for alias in skill.aliases:
            alias_to_skill.setdefault(alias, skill)
        for alias in skill.exact_aliases:
            alias_to_skill.setdefault(alias, skill)
    loose_aliases = {a for s in skills for a in s.aliases}
    exact_aliases = {a for s in skills for a in s.exact_aliases}
    pattern_ci = re.compile(_trie_pattern(loose_aliases), re.I)
    pattern_cs = re.compile(_trie_pattern(exact_aliases)) if exact_aliases else None
    return Vocabulary(tuple(skills), by_key, pattern_ci, pattern_cs, alias_to_skill)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return parse_vocabulary(VOCABULARY_PATH.read_text(encoding="utf-8"))


def _alias_key(matched: str) -> str:
    return " ".join(re.split(r"[\s\-]+", matched))


def find_skills(text: str, kinds: tuple[str, ...] = ("technical", "people")) -> list[str]:
    """Canonical names of the vocabulary skills mentioned in ``text``, in order of appearance."""
    return list(dict.fromkeys(name for name, _ in find_mentions(text, kinds)))


def find_mentions(text: str, kinds: tuple[str, ...] = ("technical", "people")) -> list[tuple[str, str]]:
    """(canonical name, text as written) for each vocabulary skill mention, in text order."""
    vocab = vocabulary()
    hits: list[tuple[int, int, Skill]] = []
    for match in vocab.pattern_ci.finditer(text):
        skill = vocab.alias_to_skill.get(_alias_key(match.group(0)).lower())
        if skill is None:  # alias spelled with a hyphen where the vocabulary has a space
            skill = vocab.get(match.group(0))
        if skill is not None:
            hits.append((match.start(), match.end(), skill))
    if vocab.pattern_cs is not None:
        for match in vocab.pattern_cs.finditer(text):
            skill = vocab.alias_to_skill.get(_alias_key(match.group(0)))
            overlaps = any(s < match.end() and match.start() < e for s, e, _ in hits)
            if skill is not None and not overlaps:
                hits.append((match.start(), match.end(), skill))
    hits.sort(key=lambda h: h[0])
    return [(skill.name, text[start:end]) for start, end, skill in hits if skill.kind in kinds]


def implied_by(name: str) -> tuple[str, ...]:
    """Skills that having ``name`` also shows, by the vocabulary's "A > B" lines."""
    skill = vocabulary().get(name)
    return skill.implies if skill else ()


def canonical(name: str) -> str:
    """The vocabulary's name for a skill written by a user, or the name as written."""
    skill = vocabulary().get(name)
    return skill.name if skill else " ".join(name.split()).strip(" .,;:")


def same_skill(a: str, b: str) -> bool:
    """True when two skill names are the same skill (equal or synonyms)."""
    return normalise(canonical(a)) == normalise(canonical(b))
