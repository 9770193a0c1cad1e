"""Question type (technical | behavioral | situational | cultural) with a confidence and a
short topic, from the linear model in ``model.py`` (no torch, well under a millisecond).

``confidence`` is the winning type's probability; ``LOW_CONFIDENCE`` marks cases an LLM may
refine when one is configured (that refinement belongs to the answer drafter, which already
talks to the LLM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cuecard.kinds import QuestionType
from cuecard.understanding.model import QuestionModel, default_model
from cuecard.understanding.topic import topic_of

LOW_CONFIDENCE = 0.5


@dataclass
class Classification:
    type: str
    confidence: float
    topic: str
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


def warm_up(model: QuestionModel | None = None) -> None:
    """Load the model and the sentence-embedding model now rather than on the first question."""
    from cuecard.understanding.model import sentence_embeddings

    model = model or default_model()
    if model.type_emb_coef is not None:
        sentence_embeddings(["warm up"], model.type_emb_coef.shape[1])
    classify("warm up", model)


def classify(question: str, model: QuestionModel | None = None) -> Classification:
    model = model or default_model()
    probs = model.type_probabilities([question])[0]
    scores = {t: round(float(p), 4) for t, p in zip(model.types, probs, strict=True)}
    best = max(scores, key=scores.__getitem__)
    if best != QuestionType.TECHNICAL and asks_about_tool_experience(question):
        return Classification(QuestionType.TECHNICAL, scores[best], topic_of(question), scores)
    return Classification(best, scores[best], topic_of(question), scores)


# "Have you (ever) used / worked with <a known technology>?" is asked to hear what the
# candidate knows about it, not for a STAR story: the model reads the "have you ever" opening
# as behavioral. Only when the object names a knowledge-base card, and no story cue follows.
_EXPERIENCE_OPENING = re.compile(
    r"^(?:(?:so|okay|ok|and|um|uh|right|now)[\s,]+)*(?:have|did) you (?:ever )?(?:used|use|worked with|work with|"
    r"tried|implemented|written|built with|built|coded in|programmed in|styled|deployed|set up)\s+(?P<what>.+)",
    re.IGNORECASE,
)
_STORY_CUE = re.compile(
    r"\b(?:tell me about|a time|situation|what happened|how did (?:that|it) go|walk me through|conflict|"
    r"disagree|mistake|fail|proud|challenge|colleague|team ?mate|manager|customer|our product)\b",
    re.IGNORECASE,
)


def asks_about_tool_experience(question: str) -> bool:
    match = _EXPERIENCE_OPENING.match(question.strip())
    if not match or _STORY_CUE.search(question):
        return False
    from cuecard.knowledge.retrieval import name_hits

    return bool(name_hits(match.group("what")))
