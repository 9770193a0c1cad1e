"""Understanding the interview from its transcript: is this a question, what kind, about what.

- ``detector.detect(text)``: question or not, confidence, and the question span;
- ``classifier.classify(text)``: type, confidence, topic;
- ``followup.is_follow_up_cue(text)``: does a new line continue the previous question;
- ``llm_refine.TypeRefiner``: asks a configured LLM about types the classifier is unsure of;
- ``train.py`` rebuilds ``question_model.npz`` from ``data/training.tsv`` (our own examples).
"""

from cuecard.understanding.classifier import Classification, classify
from cuecard.understanding.detector import Detection, detect

__all__ = ["Classification", "Detection", "classify", "detect"]
