"""``cuecard practice score --question Q ANSWER_AUDIO [--type T] [--job FILE] [--json]``

Transcribes the answer with the project's faster-whisper model (word timestamps), scores it
offline (delivery, content, relevance, overall) and prints the scorecard with its evidence and
one improvement per sub-score, then the drafting engine's model answer.
"""

from __future__ import annotations

import json
import sys
import time

from cuecard.practice.scoring import Scorecard


def render(card: Scorecard) -> str:
    """The scorecard as plain text, as the CLI prints it."""
    m = card.metrics
    lines = [
        f"Question ({card.qtype}): {card.question}",
        f"Overall: {card.overall:.1f} / 5",
        f"  {m.get('words', 0)} words, {m.get('duration_s', 0):.0f} s, {m.get('wpm', 0):.0f} wpm, "
        f"{m.get('fillers_per_min', 0):.1f} fillers/min, {m.get('long_pauses', 0)} long pauses",
    ]
    for sub in card.subscores:
        lines.append(f"\n{sub.name}: {sub.score} / 5")
        lines.extend(f"  - {e}" for e in sub.evidence)
        lines.append(f"  Improve: {sub.improvement}")
    lines.append(f"\nTranscript: {card.transcript}")
    if card.model_answer:
        lines.append(f"\nModel answer:\n  {card.model_answer}")
    return "\n".join(lines)


def main(args) -> int:
    from cuecard.practice.scoring import score_answer
    from cuecard.practice.transcribe import AnswerAudioError, words_from_audio

    job = None
    try:
        if args.job:
            from cuecard.profile.files import load_job

            job = load_job(args.job)
        started = time.perf_counter()
        words = words_from_audio(args.answer_audio, question=args.question)
    except (AnswerAudioError, OSError, ValueError) as e:
        print(f"cuecard practice score: {e}", file=sys.stderr)
        return 2
    transcribed = time.perf_counter()
    card = score_answer(args.question, args.type, words, job=job)
    scored = time.perf_counter()
    if not args.no_model_answer:
        from cuecard.practice.model_answer import draft_model_answer

        card.model_answer = draft_model_answer(args.question, job=job)
    timings = {"transcribe_s": round(transcribed - started, 3), "score_s": round(scored - transcribed, 3)}
    if args.json:
        print(json.dumps({**card.to_dict(), "timings": timings}, ensure_ascii=False))
    else:
        print(render(card))
        print(f"\n(transcribed in {timings['transcribe_s']:.2f} s, scored in {1000 * timings['score_s']:.0f} ms)")
    return 0
