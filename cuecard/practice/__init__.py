"""Practice mode: offline scoring of spoken answers and question generation.

Public interface (the API, page and round flow build on these names only):

- :class:`Word`, :class:`SubScore`, :class:`Scorecard`, :func:`score_answer` (``scoring``)
- :class:`PracticeQuestion`, :func:`generate_questions`, :func:`follow_up` (``questions``)
- :func:`words_from_audio`, :func:`words_from_text` (``transcribe``)
"""

from cuecard.practice.questions import PracticeQuestion, follow_up, generate_questions
from cuecard.practice.scoring import Scorecard, SubScore, Word, score_answer
from cuecard.practice.transcribe import words_from_audio, words_from_text

__all__ = [
    "PracticeQuestion",
    "Scorecard",
    "SubScore",
    "Word",
    "follow_up",
    "generate_questions",
    "score_answer",
    "words_from_audio",
    "words_from_text",
]
