"""Speaker embeddings on onnxruntime: Resemblyzer's GE2E voice encoder, no torch at run time.

Decision: Resemblyzer's GE2E (Apache-2.0, weights shipped in the ``resemblyzer`` wheel) rather
than a larger x-vector/ECAPA model: it is the only speaker model whose weights a PyPI package
ships that we verified here, it is 5.7 MB as ONNX, and one 1.6 s partial costs a few ms on one
core — cheap enough to embed every segment of a live session. The ONNX file is committed next
to this module (converted by ``convert_resemblyzer.py``; see ``NOTICE-resemblyzer.txt``) and
its sha256 is checked at load, so a damaged or swapped file fails loudly instead of producing
silently wrong speaker labels.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime as ort

from cuecard.checksums import sha256_of
from cuecard.diarization import frontend

MODEL_PATH = Path(__file__).with_name("resemblyzer_ge2e.onnx")
MODEL_SHA256 = "afd0d4b3c08695c5ad367ae66bfea68d5e853d07c87f4fa55e2ff7ac72d34ca5"
EMBEDDING_SIZE = 256


class ModelIntegrityError(RuntimeError):
    """The embedding model file is missing or not the one we converted."""


def verify_model(path: Path = MODEL_PATH, sha256: str = MODEL_SHA256) -> Path:
    if not path.is_file():
        raise ModelIntegrityError(f"speaker embedding model not found: {path}")
    digest = sha256_of(path)
    if digest != sha256:
        raise ModelIntegrityError(
            f"{path}: sha256 {digest} does not match the expected {sha256}; "
            "re-run cuecard/diarization/convert_resemblyzer.py or restore the file"
        )
    return path


def as_float(audio: bytes | np.ndarray) -> np.ndarray:
    """16 kHz mono int16 (bytes or array) or float samples → float32 in [-1, 1]."""
    if isinstance(audio, (bytes, bytearray, memoryview)):
        audio = np.frombuffer(audio, dtype=np.int16)
    audio = np.asarray(audio)
    if audio.dtype == np.int16:
        return audio.astype(np.float32) / 32768.0
    return audio.astype(np.float32)


class SpeakerEmbedder:
    """``embed(audio)`` → L2-normalised 256-d voice vector (cosine = dot product)."""

    def __init__(self, path: Path = MODEL_PATH, sha256: str = MODEL_SHA256, threads: int = 1):
        verify_model(path, sha256)
        options = ort.SessionOptions()
        # One thread: a segment is a handful of partials, and Whisper owns the other core.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def embed_partials(self, audio: bytes | np.ndarray, rate: float = 1.3) -> np.ndarray:
        """One embedding per 1.6 s partial, ``(n, 256)``, each L2-normalised."""
        wav = frontend.normalize_volume(as_float(audio))
        mels = frontend.partial_mels(wav, rate=rate)
        with self._lock:
            return self._session.run(None, {"mels": mels})[0]

    def embed_windows(self, windows: list[np.ndarray]) -> np.ndarray:
        """One embedding per window (float samples, each volume-normalised on its own), in one
        encoder call per distinct length: a window ≤ 1.6 s is one partial as long as itself
        (no zero padding: trailing silence would dilute the LSTM's last state)."""
        mels = [frontend.mel_spectrogram(frontend.normalize_volume(w))[: frontend.PARTIAL_FRAMES] for w in windows]
        out = np.zeros((len(windows), EMBEDDING_SIZE), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for i, mel in enumerate(mels):
            by_length.setdefault(len(mel), []).append(i)
        with self._lock:
            for indexes in by_length.values():
                batch = np.stack([mels[i] for i in indexes]).astype(np.float32)
                out[indexes] = self._session.run(None, {"mels": batch})[0]
        return out

    def embed(self, audio: bytes | np.ndarray, rate: float = 1.3) -> np.ndarray:
        """Resemblyzer's utterance embedding: the normalised mean of the partial embeddings."""
        partials = self.embed_partials(audio, rate=rate)
        mean = partials.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean


@lru_cache(maxsize=1)
def shared_embedder() -> SpeakerEmbedder:
    """One model per process (5.7 MB, ~0.1 s to load) shared by all sessions."""
    return SpeakerEmbedder()
