"""Is this interviewer text a question (or a request phrased as a statement), and where is it?

The linear model (``model.py``) scores each sentence; a few rules add what a bag of words
cannot see (word order at the start: "do you…" vs. "you do…", the question mark, small talk
that is phrased as a question but must not trigger a draft). The question span runs from the
first question sentence (with one set-up sentence before it, "Imagine you're on call.") to the
last question sentence, so trailing "Take your time." is not part of it: that is where the
question ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cuecard.understanding.model import QuestionModel, default_model
from cuecard.understanding.text import sentences, strip_filler, words

QUESTION_THRESHOLD = 0.5

_AUX = (
    r"(?:do|does|did|can|could|would|will|should|have|has|had|is|are|was|were|may|might|shall)"
    r"(?:n't)?"
)
_INTERROGATIVE = re.compile(
    rf"^(?:(?:and|but|so|now|then|also)\s+)?(?:"
    rf"(?:what|which|who|why|how|where|when)(?:'s|'re|'d|'ve)\b"
    rf"|(?:what|which|who|why|how|where|when)(?:\s+\w+){{0,2}}?\s+{_AUX}\s+(?:you|we|they|i|your|one|someone|anyone|it|there|this|that)\b"
    rf"|(?:what|which|who|why|how|where|when)\s+{_AUX}\s+(?:you|we|they|i|your|our|my|it|there|this|that|these|those|the|a|an|some|any|one)\b"
    rf"|{_AUX}\s+(?:you|we|they|it|there|i|he|she|your|this|that|the|a|an|any|anyone|someone|one)\b"
    rf")",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^(?:(?:and|but|so|now|then|also|please|maybe|just|okay)\s+)?(?:"
    r"tell\s+(?:me|us)|walk\s+(?:me|us)\s+through|talk\s+(?:me|us)\s+through|take\s+(?:me|us)\s+through|"
    r"describe|explain|define|compare|contrast|discuss|outline|summari[sz]e|elaborate|"
    r"give\s+(?:me|us)|share|talk\s+(?:about|a\s+bit|a\s+little)|name|list|write|implement|design|"
    r"build|sketch|show\s+(?:me|us)|create|code|solve|calculate|estimate|optimi[sz]e|debug|fix|refactor|rewrite|reverse|"
    r"convert|prove|derive|draw|make\s+(?:this|it|a|an|the)|think\s+(?:of|about)\s+a\s+time|recall|"
    r"i'?d\s+(?:love|like)\s+(?:to\s+hear|you\s+to|to\s+know|to\s+understand)|i\s+(?:want|would\s+like)\s+(?:to\s+hear|you\s+to|to\s+know)|"
    r"i'?m\s+(?:curious|interested)|i\s+wonder|i'?m\s+wondering|let'?s\s+(?:say|imagine|talk|discuss)|"
    r"imagine|suppose|picture|assume|say\s+you|pretend"
    r")\b",
    re.IGNORECASE,
)
# Phrased as questions, but nothing the candidate should get an answer draft for.
_SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey)?[\s,]*(?:how\s+(?:are|is|was)\s+(?:you|your\s+(?:day|week|weekend|morning|trip))|"
    r"can\s+you\s+(?:hear|see)\s+(?:me|my)|(?:could|can)\s+you\s+(?:repeat|say\s+that|speak\s+up|hear)|"
    r"is\s+(?:the\s+)?(?:audio|sound|video|connection)|are\s+you\s+(?:ready|there|still\s+there|on\s+mute)|"
    r"shall\s+we\s+(?:get\s+started|begin|start)|(?:did|do)\s+you\s+(?:get|have)\s+(?:the|my)\s+(?:invite|link|email)|"
    r"is\s+now\s+(?:still\s+)?a\s+good\s+time|can\s+i\s+get\s+you|did\s+you\s+find\s+the\s+(?:office|place)|"
    r"sorry[,\s]|you'?re\s+on\s+mute|any\s+questions\s+before\s+we\s+start)",
    re.IGNORECASE,
)
# Exclamations of narrative speech ("What a fine morning!", "How strange it was").
_EXCLAMATION = re.compile(r"^(?:what\s+an?\s+(?!time|situation|example)|how\s+(?:strange|fine|lovely|beautiful|sad|odd|happy|glad|long\s+the))", re.IGNORECASE)


@dataclass
class Detection:
    is_question: bool
    confidence: float  # probability that the text holds a question/request
    question_text: str  # the question span (empty if none)
    sentence_scores: list[float]


def sentence_score(sentence: str, model_p: float) -> float:
    """Combine the model's probability with word-order cues the model cannot see."""
    body = strip_filler(sentence)
    n = len(words(body))
    if n == 0:
        return 0.0
    if _SMALL_TALK.match(body):
        return min(model_p, 0.1)
    if _EXCLAMATION.match(body) and not body.endswith("?"):
        return min(model_p, 0.3)
    p = model_p
    interrogative = bool(_INTERROGATIVE.match(body))
    request = bool(_REQUEST.match(body))
    if body.endswith("?") and n >= 2:
        p = max(p, 0.9 if interrogative or request else 0.7)
    elif interrogative and n >= 3:
        p = max(p, 0.6)
    elif request and n >= 2:
        p = max(p, 0.6)
    elif n <= 2 and not body.endswith("?"):
        p = min(p, 0.3)  # "Great.", "Got it." and friends
    return float(p)


def detect(text: str, model: QuestionModel | None = None) -> Detection:
    model = model or default_model()
    sents = sentences(text)
    if not sents:
        return Detection(False, 0.0, "", [])
    probs = model.question_probability(sents)
    scores = [sentence_score(s, float(p)) for s, p in zip(sents, probs)]
    hits = [i for i, s in enumerate(scores) if s >= QUESTION_THRESHOLD]
    if not hits:
        return Detection(False, max(scores), "", scores)
    first, last = hits[0], hits[-1]
    if first > 0 and _is_setup(sents[first - 1]):
        first -= 1
    span = " ".join(sents[first : last + 1])
    return Detection(True, max(scores), span, scores)


_SETUP = re.compile(
    r"^(?:imagine|suppose|say|let'?s\s+say|picture|assume|consider|pretend|if|you'?re|you\s+are|your|"
    r"you\s+have|you\s+join|there'?s|here'?s|we\s+have\s+a|our\s+(?:team|product|service|client|customer)\s+(?:has|is))\b",
    re.IGNORECASE,
)


def _is_setup(sentence: str) -> bool:
    return bool(_SETUP.match(strip_filler(sentence)))
