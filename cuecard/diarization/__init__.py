"""Who is speaking within one track: speaker embeddings + online clustering, no torch.

    frontend.py            Resemblyzer's mel front-end in numpy (verified against librosa/torch)
    embedding.py           GE2E voice encoder on onnxruntime (resemblyzer_ge2e.onnx, sha256-checked)
    clustering.py          online clustering with labels that never change once shown
    track.py               one track: segment → windows → labels (live stage and eval share it)
    convert_resemblyzer.py the .pt → .onnx conversion, run in a separate venv with torch

The live stage is ``cuecard/processors/diarizer.py``; the evaluation is
``cuecard eval diarization MANIFEST.tsv`` (``cuecard/eval/diarization.py``).
"""
