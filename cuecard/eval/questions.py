"""``cuecard eval questions MANIFEST.tsv [--non-questions ASR_MANIFEST.tsv]``.

Each row of MANIFEST (columns ``question``, ``label``, ``asked_by``) is fed to the question
detector stage (``QuestionDetector``, the same processor the live pipeline runs) as one
interviewer utterance: a final ``TranscriptFrame`` then an ``UtteranceEndFrame``. Rows are
1000 s apart on the session clock, so no row is read as a follow-up or a second part of
another. Each ``transcript`` of ``--non-questions`` is fed the same way and must not be
detected.

Printed: one line per mistake (to find them), per-class precision/recall of the type,
the classification time, ``detection precision <p> recall <r>`` and, last,
``type accuracy <a> macro-F1 <f> over <n> questions``.

Decisions:
- Rows asked by the candidate (label ``candidate_question``) are also fed as interviewer
  utterances, as the issue says every row is, but they are scored in neither detection
  (positives are the *interviewer* questions, negatives the non-question sentences) nor type
  (only ``asked_by == interviewer`` rows). In a session the detector never sees them as the
  interviewer's: candidate lines cannot trigger (role gate, covered by the tests). We print how
  many of them read as questions, for information only.
- Rows labelled ``none`` (interviewer talk that is not a question: small talk, logistics,
  check-ins, statements; ``tests/fixtures/interviewer_talk/tune.tsv``) are non-questions like
  the ``--non-questions`` sentences: counted against detection precision, never typed.
- Type metrics measure the classifier: a row the detector missed is typed by calling the
  classifier on its text (counted in a separate line), so one miss is not counted twice.
- Classification time is measured around ``classify()`` on each interviewer question (one
  call each, warm process, before the detector has seen the text so that no cache helps):
  the work done per question on top of detection. Wall time depends on what else the
  machine runs; the CPU time of the calling thread (onnxruntime runs the embedding on it,
  one intra-op thread) does not, so both are printed.
"""

from __future__ import annotations

import asyncio
import csv
import statistics
import sys
import time
from pathlib import Path

from cuecard.kinds import QUESTION_TYPES as TYPES
from cuecard.kinds import QuestionStatus, Role

NON_QUESTION_COLUMN = "transcript"
NON_QUESTION_LABEL = "none"
ROW_SPACING_SECS = 1000.0


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise SystemExit(f"cuecard eval questions: {path}: no such file")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t")
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"cuecard eval questions: {path}: missing column(s) {', '.join(missing)}")
        return list(reader)


async def detect_all(texts: list[str]) -> dict[int, dict]:
    """Run the detector stage over the texts (one interviewer utterance each); returns, per
    text index, the last question frame for it (status, type, …)."""
    from pipecat.frames.frames import Frame
    from pipecat.tests.utils import run_test

    from cuecard.frames import INTERVIEWER, QuestionFrame, TranscriptFrame, UtteranceEndFrame
    from cuecard.processors.question_detector import QuestionDetector

    frames: list[Frame] = []
    for i, text in enumerate(texts):
        start = i * ROW_SPACING_SECS
        end = start + max(1.0, 0.35 * len(text.split()))
        frames.append(
            TranscriptFrame(
                text=text,
                user_id=INTERVIEWER,
                timestamp="",
                role=INTERVIEWER,
                start=start,
                end=end,
                segment_id=f"row{i}",
                utterance_closed=True,
            )
        )
        frames.append(UtteranceEndFrame(role=INTERVIEWER, utterance_id=f"row{i}", start=start, end=end))
    down, _ = await run_test(QuestionDetector(), frames_to_send=frames)
    last: dict[int, dict] = {}
    for f in down:
        if isinstance(f, QuestionFrame):
            last[int(f.segment_id.removeprefix("row"))] = {"status": f.status, "type": f.type, "topic": f.topic}
    return last


def per_class(pairs: list[tuple[str, str]]) -> tuple[dict[str, tuple[float, float, float, int]], float]:
    stats: dict[str, tuple[float, float, float, int]] = {}
    f1s = []
    for c in TYPES:
        tp = sum(1 for g, p in pairs if g == c and p == c)
        pred = sum(1 for _, p in pairs if p == c)
        gold = sum(1 for g, _ in pairs if g == c)
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        stats[c] = (precision, recall, f1, gold)
        if gold:
            f1s.append(f1)
    return stats, (sum(f1s) / len(f1s) if f1s else 0.0)


async def _run(args) -> int:
    from cuecard.understanding.classifier import classify, warm_up

    rows = read_tsv(Path(args.manifest), ("question", "label", "asked_by"))
    negatives = read_tsv(Path(args.non_questions), (NON_QUESTION_COLUMN,)) if args.non_questions else []
    if args.limit:
        rows, negatives = rows[: args.limit], negatives[: args.limit]
    texts = [r["question"] for r in rows] + [n[NON_QUESTION_COLUMN] for n in negatives]
    interviewer = [
        i
        for i, r in enumerate(rows)
        if r["asked_by"].strip() == Role.INTERVIEWER and r["label"].strip() != NON_QUESTION_LABEL
    ]
    # Timed first, while no text is in the embedding cache: the cost of a question heard once.
    warm_up()
    kinds, times, cpu_times = {}, [], []
    for i in interviewer:
        started, cpu_started = time.perf_counter(), time.thread_time()
        kinds[i] = classify(rows[i]["question"])
        times.append(time.perf_counter() - started)
        cpu_times.append(time.thread_time() - cpu_started)
    results = await detect_all(texts)

    def detected(i: int) -> bool:
        return results.get(i, {}).get("status") == QuestionStatus.CONFIRMED

    candidate = [
        i
        for i, r in enumerate(rows)
        if r["asked_by"].strip() == Role.CANDIDATE and r["label"].strip() != NON_QUESTION_LABEL
    ]
    neg_idx = [i for i, r in enumerate(rows) if r["label"].strip() == NON_QUESTION_LABEL]
    neg_idx += [len(rows) + j for j in range(len(negatives))]

    pairs, typed_without_detection = [], 0
    for i in interviewer:
        text, gold = rows[i]["question"], rows[i]["label"].strip()
        predicted = results[i]["type"] if detected(i) else kinds[i].type
        typed_without_detection += not detected(i)
        pairs.append((gold, predicted))
        if not detected(i):
            print(f"missed question\t{text}")
        if predicted != gold:
            print(f"wrong type\t{gold} -> {predicted}\t{text}")
    for i in neg_idx:
        if detected(i):
            print(f"false alarm\t{texts[i][:120]}")

    tp = sum(detected(i) for i in interviewer)
    fp = sum(detected(i) for i in neg_idx)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / len(interviewer) if interviewer else 0.0
    stats, macro_f1 = per_class(pairs)
    accuracy = sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0

    for c, (p, r, f1, n) in stats.items():
        print(f"{c:<12} precision {p:.3f} recall {r:.3f} F1 {f1:.3f} (n={n})")
    if candidate:
        print(
            f"candidate_question rows (fed as interviewer utterances, not scored): "
            f"{sum(detected(i) for i in candidate)}/{len(candidate)} read as questions"
        )
    if typed_without_detection:
        print(f"{typed_without_detection} missed question(s) typed by the classifier directly")
    if times:
        ms = sorted(t * 1000 for t in times)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        print(
            f"classification time mean {statistics.fmean(ms):.2f} ms p95 {p95:.2f} ms max {ms[-1]:.2f} ms "
            f"(CPU mean {1000 * statistics.fmean(cpu_times):.2f} ms) over {len(ms)} questions"
        )
    print(
        f"detection precision {precision:.3f} recall {recall:.3f} "
        f"({tp}/{len(interviewer)} questions, {fp}/{len(neg_idx)} non-questions detected)"
    )
    print(f"type accuracy {accuracy:.3f} macro-F1 {macro_f1:.3f} over {len(pairs)} questions")
    sys.stdout.flush()
    return 0


def main(args) -> int:
    return asyncio.run(_run(args))
