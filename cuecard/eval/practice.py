"""``cuecard eval practice MANIFEST.tsv [--cache DIR] [--text] [--job FILE]``

Scores every answer of a graded practice manifest and says how well the scores agree with the
human grades. Columns: ``question``, ``type``, ``audio`` (path relative to the manifest),
``grade`` (1–5, higher is better; several answers per question); ``id`` and ``answer_text``
are used when present.

Per answer it prints the grade, the overall score, the three sub-scores and the duration; then
what LENGTH ALONE scores (the answer's duration taken as its score) on the same pairs, the
timing of transcription (seconds per second of audio) and of ``score_answer``
(transcript-ready → scorecard, median and p95), and last::

    practice scoring: pairwise agreement <a> over <n> pairs, Spearman <r>

Pairs are two answers to the same question with different grades; a pair agrees when the
better-graded answer scored strictly higher (a tie does not agree). Spearman is over all
answers (score against grade).

``--cache DIR`` keeps each file's recognised words as JSON so that re-running the scorer does
not re-transcribe; ``--text`` scores ``answer_text`` as typed (evenly timed words, no ASR).

Measured (project dev set, ``tests/fixtures/practice``: 24 questions written for Cuecard, 4
graded answers each, voiced by ``bench/practice/make_practice_audio.py``; split by question;
the scorer was tuned on the tune half only; machine loaded by other work, load average 15–25
on 2 cores):

=============  ==========================  ==========================
half           scorer: agreement / rho     length alone: agreement / rho
=============  ==========================  ==========================
tune (ASR)     0.930 over 71 / 0.879       0.620 / 0.242
check (ASR)    0.870 over 69 / 0.757       0.652 / 0.195
tune (typed)   0.958 / 0.904               0.662 / 0.319
check (typed)  0.899 / 0.800               0.667 / 0.302
=============  ==========================  ==========================

``score_answer`` (transcript ready → scorecard, after ``warm_up``): median 180 ms, p95
407–494 ms, max 849 ms at load average ~20; median 40–44 ms, p95 72–74 ms, max 93 ms at load
average ~7. Transcription (base model, int8, 2 threads, question as prompt): median 0.39–0.54 s
per second of audio at load ~20, 0.26 (max 0.36) at load ~10.
"""

from __future__ import annotations

import csv
import hashlib
import json
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any


def pairwise_agreement(rows: list[dict[str, Any]], key: str) -> tuple[float, int, int]:
    """(agreement, pairs, ties) of ``row[key]`` against ``row['grade']`` within each question."""
    by_question: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_question.setdefault(row["question"], []).append(row)
    agree = pairs = ties = 0
    for answers in by_question.values():
        for a, b in combinations(answers, 2):
            if a["grade"] == b["grade"]:
                continue
            better, worse = (a, b) if a["grade"] > b["grade"] else (b, a)
            pairs += 1
            if better[key] > worse[key]:
                agree += 1
            elif better[key] == worse[key]:
                ties += 1
    return (agree / pairs if pairs else 0.0), pairs, ties


def spearman(xs: list[float], ys: list[float]) -> float:
    from scipy.stats import spearmanr

    if len(xs) < 2:
        return 0.0
    value = spearmanr(xs, ys).statistic
    return float(value) if value == value else 0.0  # NaN when one side is constant


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _cached_words(audio: Path, question: str, cache: Path | None, timings: list[tuple[float, float]]):
    from cuecard.practice.transcribe import load_audio_array, words_from_audio
    from cuecard.practice.words import Word

    key = None
    if cache is not None:
        digest = hashlib.sha1(audio.read_bytes() + question.encode()).hexdigest()[:16]
        key = cache / f"{audio.stem}-{digest}.json"
        if key.exists():
            return [Word(**w) for w in json.loads(key.read_text())]
    samples = load_audio_array(audio)
    started = time.perf_counter()
    words = words_from_audio(samples, question=question)
    timings.append((time.perf_counter() - started, len(samples) / 16_000))
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(json.dumps([w.to_dict() for w in words]))
    return words


def main(args) -> int:
    from cuecard.practice.scoring import score_answer, warm_up
    from cuecard.practice.transcribe import words_from_text

    manifest = Path(args.manifest)
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if getattr(args, "limit", None):
        rows = rows[: args.limit]
    missing = {"question", "grade"} - set(rows[0].keys() if rows else ())
    if not rows or missing or (not getattr(args, "text", False) and "audio" not in rows[0]):
        print(f"cuecard eval practice: {manifest} needs columns question, type, audio, grade", file=sys.stderr)
        return 2
    job = None
    if getattr(args, "job", None):
        from cuecard.profile.files import load_job

        job = load_job(args.job)
    cache = Path(args.cache) if getattr(args, "cache", None) else None
    warm_up()  # a server warms up at start; the timing below is of answers, not of model loading
    asr_timings: list[tuple[float, float]] = []
    score_secs: list[float] = []
    results: list[dict[str, Any]] = []
    for row in rows:
        if getattr(args, "text", False):
            words = words_from_text(row.get("answer_text", ""))
        else:
            words = _cached_words(manifest.parent / row["audio"], row["question"], cache, asr_timings)
        started = time.perf_counter()
        card = score_answer(row["question"], row.get("type", ""), words, job=job)
        score_secs.append(time.perf_counter() - started)
        sub = {s.name: s.score for s in card.subscores}
        result = {
            "id": row.get("id") or row.get("audio", ""),
            "question": row["question"],
            "grade": float(row["grade"]),
            "score": card.overall,
            "duration": float(card.metrics.get("duration_s", 0.0)),
            **sub,
        }
        results.append(result)
        print(
            f"{result['id']:<24} grade {result['grade']:.0f}  score {card.overall:.1f}  "
            f"delivery {sub['delivery']} content {sub['content']} relevance {sub['relevance']}  "
            f"{result['duration']:.0f} s",
            flush=True,
        )
    grades = [r["grade"] for r in results]
    length_agreement, n, _ = pairwise_agreement(results, "duration")
    print(
        f"length alone: pairwise agreement {length_agreement:.3f} over {n} pairs, "
        f"Spearman {spearman([r['duration'] for r in results], grades):.3f}"
    )
    if asr_timings:
        per_second = [secs / max(audio, 1e-9) for secs, audio in asr_timings]
        print(
            f"transcription: {statistics.median(per_second):.3f} s per s of audio median, "
            f"p95 {_percentile(per_second, 0.95):.3f} over {len(asr_timings)} files"
        )
    print(
        f"score_answer: median {1000 * statistics.median(score_secs):.0f} ms, "
        f"p95 {1000 * _percentile(score_secs, 0.95):.0f} ms, max {1000 * max(score_secs):.0f} ms"
    )
    agreement, n, ties = pairwise_agreement(results, "score")
    rho = spearman([r["score"] for r in results], grades)
    print(f"practice scoring: pairwise agreement {agreement:.3f} over {n} pairs, Spearman {rho:.3f}")
    return 0
