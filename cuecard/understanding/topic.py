"""A short topic for a question ("conflict with a manager", "JavaScript closures").

Rule based on purpose: the topic is shown on the page and used to group questions, so it must
be words the interviewer actually said, never invented. We strip the question's lead-in
("Tell me about a time when you…", "What is the difference between…", "How would you…") and
keep the first clause, at most ``MAX_WORDS`` words, with "your/my" made neutral.
"""

from __future__ import annotations

import re

from cuecard.understanding.text import sentences, strip_filler

MAX_WORDS = 6

_LEADINS = [
    r"(?:can|could|would)\s+you\s+(?:please\s+)?(?:tell|walk|talk|take)\s+(?:me|us)\s+(?:about|through)\s+",
    r"(?:tell|walk|talk|take)\s+(?:me|us)\s+(?:a\s+(?:bit|little)\s+)?(?:more\s+)?(?:about|through)\s+",
    r"(?:i'?d|i\s+would)\s+(?:love|like)\s+to\s+hear\s+(?:about\s+)?",
    r"(?:i'?d|i\s+would)\s+like\s+you\s+to\s+(?:explain|describe)\s+",
    r"(?:can|could)\s+you\s+(?:share|give\s+(?:me|us))\s+(?:an?\s+)?(?:example|experience|time)\s+(?:of|where|when|in\s+which)\s+",
    r"(?:give|share\s+with)\s+(?:me|us)\s+(?:a\s+specific\s+|an?\s+)?(?:example|instance)\s+(?:of|where|when)\s+",
    r"(?:describe|share|recall|think\s+of)\s+(?:a|an|the)\s+(?:time|situation|occasion|moment|experience|instance|example)\s+(?:when|where|in\s+which|that)?\s*",
    r"(?:a|an|the)\s+(?:time|situation|occasion|moment|experience)\s+(?:when|where|in\s+which|that)?\s*",
    r"(?:what(?:'s|\s+is|\s+are|\s+was)?|can\s+you\s+explain|explain|describe|compare)\s+the\s+differences?\s+between\s+",
    r"what\s+would\s+you\s+do\s+if\s+",
    r"how\s+would\s+you\s+(?:handle|deal\s+with|approach|manage|react\s+to|respond\s+to)\s+(?:it\s+if\s+|a\s+situation\s+where\s+)?",
    r"(?:imagine|suppose|assume|picture|let'?s\s+say|say)\s+(?:that\s+)?",
    r"(?:can|could)\s+you\s+(?:explain|describe|define)\s+",
    r"(?:what|how)\s+(?:do|would)\s+you\s+(?:know|think)\s+about\s+",
    r"(?:what(?:'s|\s+is|\s+are)|who\s+is|define|explain|describe|discuss)\s+",
    r"how\s+(?:does|do)\s+",
    r"how\s+(?:would|do|did|will|can|could)\s+you\s+",
    r"(?:have|did)\s+you\s+ever\s+",
    r"when\s+(?:would|should|do)\s+you\s+(?:use|choose)\s+",
    r"why\s+(?:do|did|would|are)\s+you\s+",
    r"what\s+(?:was|is)\s+",
]
_LEADIN = re.compile(r"^(?:" + "|".join(_LEADINS) + r")", re.IGNORECASE)
_YOU = re.compile(
    r"^(?:when\s+)?you\s+(?:had\s+to\s+|have\s+had\s+to\s+|had\s+|have\s+|were\s+|are\s+)?", re.IGNORECASE
)
_CUT = re.compile(
    r"\s*(?:[,;:?.!(]|\s-\s|\b(?:and\s+(?:how|what|why)|how\s+did|what\s+did|and\s+when|and\s+why|in\s+your\s+own\s+words)\b)"
)
_NEUTRAL = {"your": "a", "my": "a", "yours": "", "you've": "", "you'd": "", "you're": ""}
_ARTICLE = re.compile(r"^(?:a|an|the|some|this|that)\s+", re.IGNORECASE)


def topic_of(question: str) -> str:
    sents = sentences(question)
    if not sents:
        return ""
    # The sentence that carries the question: the first one with a lead-in we know, else the first.
    body = strip_filler(sents[0])
    for s in sents:
        if _LEADIN.match(strip_filler(s)):
            body = strip_filler(s)
            break
    rest = body
    for _ in range(3):  # "Tell me about" + "a time when" + ...
        stripped = _LEADIN.sub("", rest, count=1)
        if stripped == rest:
            break
        rest = stripped
    rest = _YOU.sub("", rest, count=1)
    rest = _CUT.split(rest, maxsplit=1)[0]
    tokens = [_NEUTRAL.get(w.lower(), w) for w in rest.split()]
    tokens = [t for t in tokens if t][:MAX_WORDS]
    topic = _ARTICLE.sub("", " ".join(tokens)).strip(" .,-")
    return topic if _says_something(topic) else ""


_FUNCTION_WORDS = frozenset(
    """a an the and or but if of to in on at for from by with about as is are was were be been do does
    did have has had i me my we our you your he she her him his it its they them their this that
    like just so really very what which who how why when where there here not no""".split()
)


def _says_something(topic: str) -> bool:
    """A chip like "like her" or "what would you" is noise on the page: a topic needs at least
    one word that is not a function word, and must not end on a pronoun or preposition."""
    words = re.findall(r"[a-z0-9'+#-]+", topic.lower())
    content = [w for w in words if w not in _FUNCTION_WORDS]
    return bool(content) and words[-1] not in _FUNCTION_WORDS - {"it", "here", "there"}
