"""How the reference-free quality figures track word error rate.

``python -m cuecard.observability.quality_eval MANIFEST.tsv [--limit N] [--group K]``

Replays each file of a ``cuecard eval asr`` manifest through the live pipeline (the same path
and settings as ``cuecard eval asr``, ``cuecard.eval.asr.recognise``), and for each file
computes its WER against the reference (Whisper's normalizer, as ``eval asr``) and, from the
events alone (``SessionObserver``), the share of words the refinement changed and the mean
confidence. It prints the Pearson and Spearman correlations of each proxy with WER over files
and over groups of ``K`` consecutive files (a "session" of K utterances, pooled WER), and the
WER of the live text before refinement.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import jiwer
import numpy as np
from whisper_normalizer.english import EnglishTextNormalizer

from cuecard.frames import CANDIDATE
from cuecard.observability.session_observer import SessionObserver


def spearman(a: list[float], b: list[float]) -> float:
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return pearson(list(ra), list(rb))


def pearson(a: list[float], b: list[float]) -> float:
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


async def run(manifest: Path, limit: int, group: int) -> list[dict]:
    from cuecard.eval.asr import lines_text, read_manifest, recognise
    from cuecard.settings import Settings

    rows = read_manifest(manifest, ("file", "transcript"))[:limit]
    norm = EnglishTextNormalizer()
    results: list[dict] = []

    async def scored(row: dict, events: list[dict]):
        observer = SessionObserver("eval", None, audio_clock=lambda: 0.0, paced=False)
        for event in events:
            observer.observe(event, 0.0, 0.0)
        summary = observer.finish()
        ref, hyp = norm(row["transcript"]), norm(lines_text(events))
        live = norm(lines_text(events, refined=False))
        result = {
            "file": row["file"],
            "ref": ref,
            "hyp": hyp,
            "live": live,
            "wer": jiwer.wer(ref, hyp) if ref else float(bool(hyp)),
            "live_wer": jiwer.wer(ref, live) if ref else float(bool(live)),
            "refined_share": summary["refined_share"] or 0.0,
            "confidence": summary["mean_confidence"] or 0.0,
        }
        results.append(result)
        print(
            f"{row['file']}\tWER {100 * result['wer']:.1f}%\tlive {100 * result['live_wer']:.1f}%"
            f"\trefined {100 * result['refined_share']:.1f}%\tconfidence {result['confidence']:.3f}",
            flush=True,
        )

    await recognise(manifest, rows, Settings(), role=CANDIDATE, on_file=scored)
    report(results, group)
    return results


def report(results: list[dict], group: int) -> None:
    wer = [r["wer"] for r in results]
    live_wer = [r["live_wer"] for r in results]
    share = [r["refined_share"] for r in results]
    conf = [r["confidence"] for r in results]
    print(f"files {len(results)}: WER {100 * np.mean(wer):.2f}% (mean per file), live {100 * np.mean(live_wer):.2f}%")
    for name, proxy in (("refined share", share), ("mean confidence", conf)):
        print(
            f"per file, {name} vs WER: Pearson {pearson(proxy, wer):+.2f}, Spearman {spearman(proxy, wer):+.2f}; "
            f"vs live WER: Pearson {pearson(proxy, live_wer):+.2f}"
        )
    groups = [results[i : i + group] for i in range(0, len(results) - group + 1, group)]
    if len(groups) >= 3:
        g_wer = [jiwer.wer([r["ref"] for r in g], [r["hyp"] for r in g]) for g in groups]
        g_share = [
            sum(r["refined_share"] * max(len(r["live"].split()), 1) for r in g)
            / sum(max(len(r["live"].split()), 1) for r in g)
            for g in groups
        ]
        g_conf = [float(np.mean([r["confidence"] for r in g])) for g in groups]
        print(
            f"per session of {group} files ({len(groups)} sessions): refined share vs WER Pearson "
            f"{pearson(g_share, g_wer):+.2f}, Spearman {spearman(g_share, g_wer):+.2f}; mean confidence vs WER "
            f"Pearson {pearson(g_conf, g_wer):+.2f}, Spearman {spearman(g_conf, g_wer):+.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--group", type=int, default=5)
    a = parser.parse_args()
    asyncio.run(run(Path(a.manifest), a.limit, a.group))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
