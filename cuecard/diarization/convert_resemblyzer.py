"""Convert Resemblyzer's GE2E voice encoder (``pretrained.pt`` in the ``resemblyzer`` wheel,
Apache-2.0) to ONNX, and verify the result against the original torch pipeline.

NOT imported at run time (it needs torch). Run it in a separate venv::

    python3 -m venv /tmp/convvenv
    /tmp/convvenv/bin/pip install torch==2.13.0 resemblyzer onnx onnxruntime "setuptools<81"
    /tmp/convvenv/bin/python cuecard/diarization/convert_resemblyzer.py \
        --out cuecard/diarization/resemblyzer_ge2e.onnx --verify a.wav b.wav

(``setuptools<81``: webrtcvad, which resemblyzer imports, still needs ``pkg_resources``.)
Then put the printed sha256 into ``embedding.py`` (``MODEL_SHA256``).

The ONNX graph is the encoder exactly as ``VoiceEncoder.forward``: mels ``(batch, frames, 40)``
→ 3-layer LSTM → last hidden state of the top layer → Linear → ReLU → L2 norm → ``(batch, 256)``.
``--verify`` embeds each file with Resemblyzer (``preprocess_wav`` + ``embed_utterance``, i.e.
librosa mel + torch) and with Cuecard's numpy front-end + onnxruntime on the same preprocessed
samples, and prints the cosine similarity (must be > 0.99).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def export(out: Path) -> str:
    import torch
    from resemblyzer import VoiceEncoder

    encoder = VoiceEncoder(device="cpu", verbose=False).eval()
    dummy = torch.zeros(2, 160, 40)
    torch.onnx.export(
        encoder,
        (dummy,),
        str(out),
        input_names=["mels"],
        output_names=["embeddings"],
        dynamic_axes={"mels": {0: "batch", 1: "frames"}, "embeddings": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    return hashlib.sha256(out.read_bytes()).hexdigest()


def _frontend():
    """Cuecard's numpy front-end loaded by path: this venv does not have Cuecard installed."""
    spec = importlib.util.spec_from_file_location("cuecard_frontend", HERE / "frontend.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def verify(onnx_path: Path, wav_paths: list[str]) -> float:
    import numpy as np
    import onnxruntime as ort
    from resemblyzer import VoiceEncoder, preprocess_wav

    fe = _frontend()
    encoder = VoiceEncoder(device="cpu", verbose=False)
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    worst = 1.0
    for path in wav_paths:
        wav = preprocess_wav(Path(path))  # librosa load+resample, -30 dBFS, webrtcvad trim
        reference = encoder.embed_utterance(wav)
        mels = fe.partial_mels(fe.normalize_volume(wav))
        partials = session.run(None, {"mels": mels})[0]
        mean = partials.mean(axis=0)
        ours = mean / np.linalg.norm(mean)
        cosine = float(np.dot(reference, ours))
        worst = min(worst, cosine)
        print(f"{path}\t{len(wav) / 16000:.2f} s\t{len(mels)} partials\tcosine {cosine:.6f}")
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "resemblyzer_ge2e.onnx")
    parser.add_argument("--verify", nargs="*", default=[], help="audio files to compare on")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_export:
        digest = export(args.out)
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes) sha256 {digest}")
    if args.verify:
        worst = verify(args.out, args.verify)
        print(f"lowest cosine {worst:.6f}")
        if worst <= 0.99:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
