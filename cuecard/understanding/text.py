"""Text helpers shared by the detector, the classifier and training: one normalisation so
that training and run time see text the same way."""

from __future__ import annotations

import re

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " - ", "\u2013": " - "})

# Spoken lead-ins that carry no meaning for "is it a question / what kind": stripped from the
# start so that "So, um, tell me..." and "Tell me..." look alike to the model.
_FILLER = re.compile(
    r"^(?:(?:so|um+|uh+|er+|hmm+|okay|ok|alright|all right|right|well|great|cool|perfect|sure|good|nice|"
    r"got it|mm-?hmm|yeah|yes|thanks|thank you|awesome|now|then|and then|next one|next question|"
    r"okay next question|moving on|let me ask you this|let's switch gears|switching gears|thanks for that|"
    r"i see|interesting)\b[\s,.:;!-]*)+",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"'(]?[A-Za-z0-9])")
_WORD = re.compile(r"[a-z0-9][a-z0-9'+#./-]*[a-z0-9+#]|[a-z0-9]")


def clean(text: str) -> str:
    """Unify quotes/dashes and whitespace; keep case and punctuation."""
    return " ".join(text.translate(_QUOTES).split())


def strip_filler(text: str) -> str:
    return _FILLER.sub("", clean(text)).strip()


def sentences(text: str) -> list[str]:
    """Split on sentence punctuation. Unpunctuated text (read speech, some ASR output) stays
    one sentence, which is what we want: without punctuation we cannot tell where it ends."""
    parts = [p.strip() for p in _SENTENCE_END.split(clean(text))]
    return [p for p in parts if p]


def words(text: str) -> list[str]:
    return _WORD.findall(clean(text).lower())


def model_text(text: str) -> str:
    """What the linear models read: lower case words without fillers, a marker for a
    question mark, and a start marker so bigrams see the first word."""
    body = strip_filler(text)
    toks = words(body)
    marks = []
    if "?" in body:
        marks.append("qmark")
        if body.rstrip().endswith("?"):
            marks.append("endqmark")
    return " ".join(["bos", *toks, *marks]) if toks else ""
