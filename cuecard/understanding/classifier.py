"""Question type (technical | behavioral | situational | cultural) with a confidence and a
short topic, from the linear model in ``model.py`` (no torch, well under a millisecond).

``confidence`` is the winning type's probability; ``LOW_CONFIDENCE`` marks cases an LLM may
refine when one is configured (that refinement belongs to the answer drafter, which already
talks to the LLM).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    return Classification(best, scores[best], topic_of(question), scores)
