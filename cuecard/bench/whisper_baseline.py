"""``cuecard bench whisper-baseline MANIFEST.tsv``: the accuracy ceiling of the model itself.

Off-the-shelf faster-whisper on whole files — its own VAD, ``condition_on_previous_text=False``,
two threads, no pipeline of ours — with the same model, manifest format, normalizer and WER as
``cuecard eval asr``. It answers "how good can the live pipeline get with this model?": the
live pipeline decodes as the audio arrives and cannot hear the rest of the file, so this is
roughly its upper bound. ``--beam``, ``--compute-type`` and ``--no-vad`` vary the decode.

Last line: ``WER <x>% over <n> utterances, RTF <y>`` (as ``cuecard eval asr``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cuecard.eval.asr import read_manifest


def main(args) -> int:
    parser = argparse.ArgumentParser(prog="cuecard bench whisper-baseline")
    parser.add_argument("manifest")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--no-vad", action="store_true")
    parser.add_argument("--limit", type=int, default=0)
    opts = parser.parse_args(args.args)

    import jiwer
    from faster_whisper import WhisperModel
    from whisper_normalizer.english import EnglishTextNormalizer

    from cuecard.services.whisper.engine import pcm16_to_float
    from cuecard.services.whisper.weights import resolve_model
    from cuecard.settings import Settings
    from cuecard.transports.replay import load_audio

    settings = Settings()
    model_path = resolve_model(settings.whisper_model, settings.data_dir)
    model = WhisperModel(model_path, device="cpu", compute_type=opts.compute_type, cpu_threads=2)
    manifest = Path(opts.manifest)
    rows = read_manifest(manifest, ("file", "transcript"))[: opts.limit or None]
    norm = EnglishTextNormalizer()
    refs, hyps, audio_secs, started = [], [], 0.0, time.perf_counter()
    for row in rows:
        audio = pcm16_to_float(load_audio(manifest.parent / row["file"]).tobytes())
        audio_secs += len(audio) / 16000
        segments, _ = model.transcribe(
            audio,
            language="en",
            beam_size=opts.beam,
            condition_on_previous_text=False,
            vad_filter=not opts.no_vad,
        )
        hyp = norm(" ".join(s.text.strip() for s in segments))
        refs.append(norm(row["transcript"]))
        hyps.append(hyp)
        print(f"{row['file']}\tWER {100 * jiwer.wer(refs[-1], hyp):.1f}%\t{hyp}", flush=True)
    rtf = (time.perf_counter() - started) / audio_secs if audio_secs else 0.0
    print(f"WER {100 * jiwer.wer(refs, hyps):.2f}% over {len(refs)} utterances, RTF {rtf:.3f}")
    return 0
