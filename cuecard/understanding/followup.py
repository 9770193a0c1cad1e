"""Does a new interviewer question continue the previous one ("And what did you learn from
that?", "What about the database side?", "Why?")?

Rule based: a follow-up is recognised by how it starts (a connective or a "what about…")
or by being short and pointing back with a pronoun ("How did that go?"). The time window and
"is there a previous question" are decided by the caller (the detector stage).
"""

from __future__ import annotations

import re

from cuecard.understanding.text import clean, words

_CUE = re.compile(
    r"^(?:and|also|plus|but|so\s+(?:what|how|why|then)|then\s+what|and\s+then|what\s+about|how\s+about|"
    r"what\s+else|anything\s+else|why\s+(?:is|was)\s+that|"
    r"what\s+happened\s+(?:next|then|after)|what\s+was\s+the\s+(?:outcome|result|impact)|"
    r"what\s+did\s+you\s+learn|what\s+would\s+you\s+do\s+differently|how\s+did\s+(?:that|it|they|he|she|the\s+team)\b|"
    r"(?:can|could)\s+you\s+(?:expand|elaborate|say\s+more|go\s+(?:deeper|into\s+more\s+detail)|give\s+(?:me\s+)?an\s+example)|"
    r"tell\s+me\s+more|say\s+more|going\s+back\s+to|(?:to\s+)?follow(?:ing)?\s+up|building\s+on\s+that|"
    r"on\s+that\s+(?:note|point)|in\s+that\s+(?:case|situation)|looking\s+back|if\s+you\s+(?:could|had\s+to)\s+do\s+it\s+again)\b"
    r"|^(?:and\s+)?why(?:\s+not)?\s*[?.!]*$",
    re.IGNORECASE,
)
_POINTER = {"that", "it", "this", "those", "they", "them", "then", "there"}
SHORT_WORDS = 7


def is_follow_up_cue(text: str) -> bool:
    body = re.sub(
        r"^(?:(?:um+|uh+|okay|ok|right|yeah|great|interesting|got\s+it|i\s+see|mm-?hmm)[\s,.!]+)+",
        "",
        clean(text),
        flags=re.IGNORECASE,
    )
    if _CUE.match(body):
        return True
    toks = words(body)
    return 0 < len(toks) <= SHORT_WORDS and bool(_POINTER & set(toks))
