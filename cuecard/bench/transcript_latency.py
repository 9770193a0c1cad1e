"""``cuecard bench transcript-latency [MANIFEST.tsv]``: end of an utterance → its final text.

Builds one interviewer track from N utterances of an ASR manifest (default: the LibriSpeech
dev set in ``../shared``) separated by silence, replays it at real-time pace through the full
local pipeline (interims on, as live), and for each utterance measures the wall-clock delay
from its last speech sample (found by energy, not by the VAD under test) to the first final
transcript event covering it — the moment the event leaves the pipeline for the page.

It also measures how far the text on the page is behind the speech while someone talks: for
every 0.1 s of each utterance's speech, the wait until a transcript event (interim or final)
whose audio reaches that moment arrives — ``interim text behind speech: median … p95 … max``.

Last line: ``end of utterance to final transcript: median <a> ms, p95 <b> ms over <n> utterances``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

import numpy as np

from cuecard.bench.make_scenario import speech_bounds
from cuecard.frames import INTERVIEWER, SAMPLE_RATE

# The energy end of an utterance can trail the VAD's by a soft last sound ("…exposure" in
# 118-121721 ends 0.35 s after the VAD heard speech end): a final line ending this close counts.
COVER_SLACK_SECS = 0.5
DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / ".." / "shared/data/asr/librispeech-clean/manifest.tsv"


def build_track(files: list[Path], gap_secs: float) -> tuple[np.ndarray, list[tuple[float, float]]]:
    from cuecard.transports.replay import load_audio

    parts, spans, cursor = [], [], 0
    gap = np.zeros(int(gap_secs * SAMPLE_RATE), np.int16)
    for f in files:
        audio = load_audio(f)
        first, last = speech_bounds(audio, threshold_db=-40.0)
        parts += [audio, gap]
        spans.append(((cursor + first) / SAMPLE_RATE, (cursor + last) / SAMPLE_RATE))
        cursor += len(audio) + len(gap)
    return np.concatenate(parts), spans


async def _run(opts) -> int:
    from cuecard.eval.asr import read_manifest
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.settings import Settings
    from cuecard.store.sqlite import SQLiteStore

    manifest = Path(opts.manifest)
    rows = read_manifest(manifest, ("file",))[opts.skip : opts.skip + opts.n]
    track, spans = build_track([manifest.parent / r["file"] for r in rows], opts.gap)
    services = await Services.create(Settings(), store=SQLiteStore(":memory:"))
    await asyncio.to_thread(services.engine.warm_up)
    t0_box: list[float] = []

    shown: list[tuple[float, dict]] = []  # every live transcript event (interim or final)

    async def on_event(event):
        if event["type"] == "transcript" and not event.get("refined"):
            shown.append((time.monotonic(), event))

    # replay_tracks returns t0 only after feeding; take it from the first frame instead.
    started = time.monotonic()
    cpu_before = time.process_time()  # every thread of the process: decodes, VAD, pipeline
    await replay_tracks(
        services,
        {INTERVIEWER: track},
        realtime=True,
        persist=False,
        on_event=on_event,
        on_start=t0_box.append,
    )
    t0 = t0_box[0] if t0_box else started
    cpu = time.process_time() - cpu_before
    arrivals = [(wall, ev) for wall, ev in shown if ev.get("final")]
    await services.close()
    delays = []
    for i, (_s, e) in enumerate(spans):
        covering = [(wall, ev) for wall, ev in arrivals if ev["end"] >= e - COVER_SLACK_SECS and ev["start"] <= e]
        if not covering:
            print(f"{i:3d} {rows[i]['file']}: no final transcript covering the end")
            continue
        wall, ev = min(covering, key=lambda p: p[0])
        delay = wall - (t0 + e)
        delays.append(delay)
        print(f"{i:3d} {rows[i]['file']}: {1000 * delay:7.0f} ms  {ev['text'][-60:]}")
    if not delays:
        print("end of utterance to final transcript: no utterance measured")
        return 1
    audio_secs = len(track) / SAMPLE_RATE
    cores = os.cpu_count() or 1
    print(
        f"CPU {cpu:.1f} s for {audio_secs:.1f} s of audio: {cpu / audio_secs:.3f} CPU-seconds per "
        f"second of speech, {cpu / audio_secs / cores:.2f} of this machine's {cores} cores "
        f"(VAD, interims, finals and refinements of one live session)"
    )
    behind = np.array(text_behind_speech(shown, spans, t0)) * 1000
    if len(behind):
        print(
            f"interim text behind speech: median {np.median(behind):.0f} ms, "
            f"p95 {np.percentile(behind, 95):.0f} ms, max {behind.max():.0f} ms "
            f"over {len(behind)} moments of speech"
        )
    d = np.array(delays) * 1000
    print(
        f"end of utterance to final transcript: median {np.median(d):.0f} ms, "
        f"p95 {np.percentile(d, 95):.0f} ms over {len(d)} utterances"
    )
    return 0


def text_behind_speech(
    shown: list[tuple[float, dict]], spans: list[tuple[float, float]], t0: float, step: float = 0.1
) -> list[float]:
    """For each moment of speech (every ``step`` s), how long until the page showed text whose
    audio reached it: the arrival of the first transcript event covering it, minus the moment."""
    waits = []
    for start, end in spans:
        for moment in np.arange(start, end, step):
            covering = [wall for wall, ev in shown if ev["start"] <= moment + step and ev["end"] >= moment]
            if covering:
                waits.append(min(covering) - (t0 + moment))
    return waits


def main(args) -> int:
    parser = argparse.ArgumentParser(prog="cuecard bench transcript-latency")
    parser.add_argument("manifest", nargs="?", default=str(DEFAULT_MANIFEST))
    parser.add_argument("--n", type=int, default=12, help="utterances")
    parser.add_argument("--skip", type=int, default=0)
    parser.add_argument("--gap", type=float, default=2.0, help="silence between utterances (s)")
    return asyncio.run(_run(parser.parse_args(args.args)))
