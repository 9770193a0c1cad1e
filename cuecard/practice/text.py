"""Small text helpers shared by the practice scorers: sentences, stems, content terms, quotes."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from as is are was were be been being
    it its it's this that these those there here what which who whom whose when where why how do does did
    doing done have has had having i me my we our us you your they them their he she his her him not no yes
    can could would should will shall may might must just also very really about into over under than too
    more most some any all each other such only own same few both up down out off again further once
    am let let's tell describe explain talk walk through time example give think like get got make made
    well okay ok um uh yeah one thing things way lot kind sort know mean say said""".split()
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s+(?=(?:so|and then|then|after that|in the end|as a result)\b)", re.I)


def sentences(text: str) -> list[str]:
    """Sentences of a transcript; long runs without punctuation are cut into ~25-word pieces."""
    out: list[str] = []
    for part in re.split(r"(?<=[.!?])\s+", text.strip()):
        words = part.split()
        for i in range(0, len(words), 25):
            piece = " ".join(words[i : i + 25])
            if piece:
                out.append(piece)
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "caching"/"cache"/"cached" and "queues"/"queue"."""
    w = word.lower().strip("'")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w.rstrip("e") if len(w) > 4 else w


def content_terms(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order, without repeats."""
    seen: list[str] = []
    for word in re.findall(r"[a-z0-9+#']+", text.lower()):
        if word in STOPWORDS or len(word) < 3 and not any(c.isdigit() for c in word):
            continue
        s = stem(word)
        if s not in seen:
            seen.append(s)
    return seen


def quote_around(sentence: str, limit: int = 18) -> str:
    """A quote of at most ``limit`` words from a transcript sentence."""
    words = sentence.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


# Phrases of opinion and platitude: a generic answer is made of them, a specific one barely uses them.
GENERIC_PHRASES = re.compile(
    r"\b(?:i (?:think|believe|feel|would say)|in my (?:opinion|view|experience)|i(?:'m| am) (?:a )?(?:big|strong|firm) believer|"
    r"(?:is|are) (?:so |really |very |also |absolutely )?(?:important|key|essential|crucial|vital|valuable|fundamental)|"
    r"the (?:most )?important (?:thing|skill|part|ingredient)|matters? (?:a lot|most|too)|"
    r"i (?:always|really|truly|genuinely) (?:try|value|believe|love|enjoy|care|appreciate)|i(?:'ve| have) always|"
    r"in (?:general|short|summary|the end of the day)|at the end of the day|overall|to sum up|"
    r"every (?:engineer|developer|team|company|person|job)|good (?:engineers|teams|leaders|developers)|"
    r"great (?:teams|engineers|software|products)|(?:growth|positive) mindset|lifelong learner|passionate|"
    r"communication is|culture|best practices|work life balance|it is normal|that is why|on the same team|"
    r"throughout my (?:whole )?career|over the years|many (?:different )?(?:projects|teams|companies|years)|"
    r"a (?:great|good|big|very) (?:question|topic|part)|everyone benefits|for everybody|for everyone)\b",
    re.IGNORECASE,
)
_PAST_ACTION = re.compile(
    r"\b(?:i|we)\s+(?:then\s+|also\s+|first\s+|finally\s+)?(?:[a-z]+ed|built|wrote|led|ran|set|made|took|gave|"
    r"sent|spoke|met|found|brought|chose|kept|went|got|cut|put|split|drew|told|shipped|broke|paid|won|"
    r"lost|began|began|held|hit|knew|saw|sat|thought|understood|did|had to)\b",
    re.IGNORECASE,
)
_NUMBER_TOKEN = re.compile(
    r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|percent|half)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+")


def specificity(text: str) -> dict[str, float]:
    """Counts of what makes an answer concrete (past actions, numbers, names) and of generic
    phrases, with both per 100 words."""
    words = max(1, len(text.split()))
    generic = len(GENERIC_PHRASES.findall(text))
    past = len(_PAST_ACTION.findall(text))
    numbers = len(_NUMBER_TOKEN.findall(text))
    names = len(
        {m for m in _NAME.findall(text) if m not in {"I", "I'm", "I've", "I'd", "I'll", "So", "And", "But", "Then"}}
    )
    concrete = past + numbers + names
    return {
        "words": words,
        "generic": generic,
        "past_actions": past,
        "numbers": numbers,
        "names": names,
        "generic_per_100": round(100 * generic / words, 2),
        "concrete_per_100": round(100 * concrete / words, 2),
    }
