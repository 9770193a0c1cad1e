"""``cuecard eval asr MANIFEST.tsv``: WER and real-time factor of the replay path.

Each file goes through the same pipeline as a live session (VAD segmentation, Whisper,
refinement) as the candidate track; with ``CUECARD_EVAL_ROLE=interviewer`` (or ``args.role``)
as the interviewer track, whose recognition is biased with the session vocabulary
(``cuecard.knowledge.vocabulary``; the session has no job here, so only lines that sound
technical get a prompt). The transcript of a file is its final lines in time order
(a refined line replaces its live text, as it does on the page). WER uses jiwer after
Whisper's English text normalizer on both sides; RTF = processing time / audio time.
"""

from __future__ import annotations

import asyncio
import csv
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import jiwer
from whisper_normalizer.english import EnglishTextNormalizer

from cuecard.frames import CANDIDATE, SAMPLE_RATE


def read_manifest(path: Path, columns: tuple[str, ...]) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if rows and any(c not in rows[0] for c in columns):
        missing = [c for c in columns if c not in rows[0]]
        raise SystemExit(f"{path}: missing column(s) {', '.join(missing)}")
    return rows


def lines_text(events: list[dict], refined: bool = True) -> str:
    """Final text per line, in time order; with ``refined=False`` the live (first) text."""
    lines: dict[str, dict] = {}
    for e in events:
        if e["type"] != "transcript" or not e.get("final"):
            continue
        if not refined and e.get("refined"):
            continue
        lines[e["segment_id"]] = e
    return " ".join(e["text"] for e in sorted(lines.values(), key=lambda e: e["start"]))


async def recognise(
    manifest: Path,
    rows: list[dict],
    settings,
    *,
    role: str = CANDIDATE,
    candidate=None,
    realtime: bool = False,
    on_file: Callable[[dict, list[dict]], Awaitable[None]],
) -> tuple[float, float]:
    """Replay each row's file through the live pipeline as ``role`` (a fresh session per file,
    with ``candidate`` as its material) and call ``on_file(row, events)``. Returns (audio
    seconds, processing seconds)."""
    from cuecard.pipeline.context import SessionContext
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.store.sqlite import SQLiteStore
    from cuecard.transports.replay import load_audio

    if not realtime:
        settings.interim_period_secs = 0  # nobody reads interims of a batch run
    services = await Services.create(settings, store=SQLiteStore(":memory:"))
    await asyncio.to_thread(services.engine.warm_up)
    audio_secs = proc_secs = 0.0
    try:
        for i, row in enumerate(rows):
            audio = load_audio(manifest.parent / row["file"])
            context = None
            if candidate is not None:
                context = SessionContext(session_id=f"eval-{i}", candidate=candidate)
            started = time.perf_counter()
            events = await replay_tracks(services, {role: audio}, realtime=realtime, persist=False, context=context)
            proc_secs += time.perf_counter() - started
            audio_secs += len(audio) / SAMPLE_RATE
            await on_file(row, events)
    finally:
        await services.close()
    return audio_secs, proc_secs


async def _run(args) -> int:
    from cuecard.settings import Settings

    manifest = Path(args.manifest)
    rows = read_manifest(manifest, ("file", "transcript"))
    if args.limit:
        rows = rows[: args.limit]
    role = getattr(args, "role", None) or os.environ.get("CUECARD_EVAL_ROLE") or CANDIDATE
    norm = EnglishTextNormalizer()
    refs, hyps, live_hyps = [], [], []

    async def scored(row: dict, events: list[dict]):
        ref, hyp = norm(row["transcript"]), norm(lines_text(events))
        live = norm(lines_text(events, refined=False))
        refs.append(ref)
        hyps.append(hyp)
        live_hyps.append(live)
        wer = jiwer.wer(ref, hyp) if ref else float(bool(hyp))
        live_wer = jiwer.wer(ref, live) if ref else float(bool(live))
        print(f"{row['file']}\tWER {100 * wer:.1f}% (live {100 * live_wer:.1f}%)\t{hyp}", flush=True)

    audio_secs, proc_secs = await recognise(
        manifest, rows, Settings(), role=role, realtime=args.realtime, on_file=scored
    )
    rtf = proc_secs / audio_secs if audio_secs else 0.0
    if role != CANDIDATE:
        print(f"decoded as the {role} track")
    print(f"live text before refinement: WER {100 * jiwer.wer(refs, live_hyps):.2f}%")
    print(f"WER {100 * jiwer.wer(refs, hyps):.2f}% over {len(refs)} utterances, RTF {rtf:.3f}")
    return 0


def main(args) -> int:
    return asyncio.run(_run(args))
