"""Is this interviewer text a question (or a request phrased as a statement), and where is it?

The linear model (``model.py``) scores each sentence; a few rules add what a bag of words
cannot see (word order at the start: "do you…" vs. "you do…", the question mark, a run-on
whose last clause asks, small talk, logistics and check-ins that are phrased as questions but
must not trigger a draft: "Can you hear me okay?", "Does that make sense?"). The rules do not
overrule a model that is sure a sentence is chatter (``MODEL_SURE_NOT``), except for requests. The question span runs from the
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
# Phrased as questions (or requests), but nothing the candidate should get an answer draft
# for: greetings, audio/video checks, logistics, check-ins ("Does that make sense?"). Matched at
# the start of a sentence, after fillers and an optional "Oh,"/"Sorry,"/"Sounds good,".
_SMALL_TALK = re.compile(
    r"^(?:(?:hi|hello|hey|oh|ah|sorry|sounds\s+good|no\s+worries|all\s+good|anyway|actually)\b[\s,.!]*)*(?:"
    # greetings, travel, refreshments
    r"how\s+(?:are|is|was)\s+(?:you|it\s+going|everything|your\s+(?:day|week|weekend|morning|afternoon|evening|trip|flight|drive|commute))|"
    r"how'?s\s+(?:it\s+going|everything|life|your\s+(?:day|week|weekend|morning|afternoon)|the\s+weather)|"
    r"how\s+was\s+(?:the|your)\s+(?:drive|trip|flight|commute|journey|weekend|holiday|ride|traffic)|"
    r"(?:did|do)\s+you\s+(?:have\s+(?:any\s+)?trouble\s+(?:finding|getting|with\s+the\s+(?:link|parking|directions))|"
    r"find\s+(?:the|our)\s+(?:office|building|place|room|parking|way))|"
    r"where\s+are\s+you\s+(?:calling|joining|dialing|dialling)\b|was\s+(?:the\s+)?traffic\b|"
    r"(?:can|could|may)\s+i\s+(?:get|grab|bring|offer)\s+you|(?:do\s+you\s+)?(?:want|need)\s+(?:some|a)\s+(?:water|coffee|tea|drink|break)\b|"
    # audio and video
    r"(?:can|could)\s+(?:you|everyone|everybody)\s+(?:still\s+)?hear\b|"
    r"(?:can|could)\s+(?:you|everyone|everybody)\s+(?:still\s+)?see\s+(?:me\b|my\s+|the\s+(?:screen|diagram|doc|document|slides?|whiteboard|link|chat|editor)\b|this\s*\??$|it\s*\??$)|"
    r"(?:could|can)\s+you\s+(?:repeat|say\s+that|speak\s+up)|"
    r"is\s+(?:the\s+|my\s+)?(?:audio|sound|video|connection|mic|microphone|camera|screen)\s+(?:okay|ok|alright|all\s+right|good|better|"
    r"fine|working|clear|coming|still|any\s+better|on\s+your\s+end|cutting|breaking|frozen|lagging|showing|visible|shared|up)\b|"
    r"are\s+you\s+(?:ready|there|still\s+(?:there|with\s+me)|on\s+mute|able\s+to\s+(?:hear|see))|"
    r"did\s+i\s+lose\s+you|am\s+i\s+(?:coming\s+through|breaking\s+up|on\s+mute)|you'?re\s+on\s+mute|"
    # logistics
    r"shall\s+we\s+(?:get\s+started|begin|start)|let'?s\s+(?:get\s+started|begin|wrap\s+up|take\s+a\s+(?:quick\s+)?(?:break|pause))\b|"
    r"let'?s\s+see\s*[.!]?$|where\s+(?:was\s+i|were\s+we)\b|"
    r"(?:did|do)\s+you\s+(?:get|have|receive)\s+(?:the|my)\s+(?:invite|link|email|calendar)|did\s+(?:the|my)\s+link\b|"
    r"(?:were|are)\s+you\s+able\s+to\s+(?:open|join|access|get\s+into)\b|is\s+now\s+(?:still\s+)?a\s+good\s+time|"
    r"is\s+it\s+(?:okay|ok|alright|all\s+right|fine)\s+(?:if|to\s+record)|(?:do|would)\s+you\s+mind\s+if\b|"
    r"(?:does|would|will|is)\s+(?:monday|tuesday|wednesday|thursday|friday|next\s+week|that\s+time|this\s+time|that\s+slot)\b|"
    r"(?:can|could)\s+you\s+(?:type|paste|put|drop)\s+(?:that|it|this)\s+in(?:to)?\s+the\s+chat|"
    r"(?:give|bear\s+with)\s+me\s+(?:a|one|just\s+a)\s+(?:sec|second|moment|minute|min)\b|(?:one|just\s+a)\s+sec(?:ond)?\b|"
    r"let\s+me\s+(?:just\s+)?(?:share\s+my|stop\s+sharing|pull\s+up|find\s+the|grab|take\s+(?:a\s+)?(?:quick\s+)?note|write\s+(?:that|this)|"
    r"jot|type\s+(?:that|this|up)|note\s+(?:that|this)|put\s+a\s+link|drop\s+a\s+link|send\s+you)\b|"
    # check-ins
    r"(?:does|did)\s+(?:that|this|it|everything)\s+(?:all\s+)?(?:make\s+sense|answer\s+your|sound\s+(?:okay|ok|good|right|fair))|"
    r"(?:make|makes)\s+sense\s*\??$|sounds?\s+good\s*\??$|is\s+that\s+(?:clear|okay|ok|alright|fair)\s*\??$|"
    r"(?:any|do\s+you\s+have\s+any)\s+questions\s+(?:so\s+far|before|on\s+(?:that|this)|about\s+(?:that|the\s+format))|"
    r"should\s+i\s+(?:repeat|rephrase)|(?:do|would)\s+you\s+(?:want|like)\s+me\s+to\s+(?:repeat|rephrase|clarify)|"
    r"(?:do|would)\s+you\s+(?:need|want|like)\s+(?:a|some)\s+(?:minute|moment|second|time\s+to\s+think)"
    r")",
    re.IGNORECASE,
)
# Below this probability the model is sure the sentence is chatter ("Did I lose you?"): the
# word-order and question-mark rules add what the model cannot see, but do not overrule it.
# Requests ("Walk me through…, just the highlights") still count: chatter is rarely an
# imperative to the candidate, and the imperative kind is listed in ``_SMALL_TALK``.
MODEL_SURE_NOT = 0.2
# Exclamations of narrative speech ("What a fine morning!", "How strange it was").
_EXCLAMATION = re.compile(
    r"^(?:what\s+an?\s+(?!time|situation|example)|how\s+(?:strange|fine|lovely|beautiful|sad|odd|happy|glad|long\s+the))",
    re.IGNORECASE,
)


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
    request = bool(_REQUEST.match(body))
    if model_p < MODEL_SURE_NOT and not request:
        return float(p)
    interrogative = bool(_INTERROGATIVE.match(body)) or _asks_at_the_end(body)
    if body.endswith("?") and n >= 2:
        p = max(p, 0.9 if interrogative or request else 0.7)
    elif interrogative and n >= 3:
        p = max(p, 0.6)
    elif request and n >= 2:
        p = max(p, 0.6)
    elif n <= 2 and not body.endswith("?"):
        p = min(p, 0.3)  # "Great.", "Got it." and friends
    return float(p)


def _asks_at_the_end(body: str) -> bool:
    """A run-on whose last clause is the question ("…slow builds, like forty minutes in CI,
    how would you attack that")."""
    clauses = _CLAUSE.split(body)
    if len(clauses) < 2:
        return False
    tail = strip_filler(clauses[-1])
    return len(words(tail)) >= 3 and bool(_INTERROGATIVE.match(tail) or _REQUEST.match(tail))


_CLAUSE = re.compile(r"[,;:]\s+|\s+-\s+")


def detect(text: str, model: QuestionModel | None = None) -> Detection:
    model = model or default_model()
    sents = sentences(text)
    if not sents:
        return Detection(False, 0.0, "", [])
    probs = model.question_probability(sents)
    scores = [sentence_score(s, float(p)) for s, p in zip(sents, probs, strict=True)]
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
