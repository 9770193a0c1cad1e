"""``cuecard bench latency SCENARIO_DIR``: end of each question → first suggestion on the page.

Replays ``interviewer.wav`` and ``candidate.wav`` at real-time pace through the FULL session
pipeline (VAD, speech-to-text, question detection, answer drafting, event sink) with the
embedded defaults, and for every row of ``questions.tsv`` (``start end text label``) prints
whether a question was detected over it, its type, and the delay from the row's ``end`` to
the first suggestion event with text for that question (negative when a prepared answer
appeared before the question ended). The clock is the replay's: audio time ``t`` is queued
at wall time ``t0 + t``; an event's time is when the sink hands it to listeners (what the
page would receive). Last line::

    end-of-question to first suggestion: p50 <a> ms, p95 <b> ms, detected <k>/<n>

``profile.json`` (``{"profile": ..., "stories": [...]}``) and ``job.json`` in the directory
become the session's candidate material.

Decisions:
- Prepared answers are drafted before the replay clock starts, as a live session does while
  the interviewer says hello (the scenarios start straight with a question); the Whisper
  model is warmed up likewise. ``--cold`` skips both.
- ``--llm-test-server-delay D`` starts the loopback OpenAI-compatible test double with a
  fixed first-token delay ``D`` in its own process (as a real model server is; in-process its
  work would be charged to the pipeline) and points the session at it, then also prints the pipeline's
  own LLM overhead per question: (first LLM suggestion event) − (question event) − ``D``,
  i.e. everything between detection and the page except the model's time to first token.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

from cuecard.frames import CANDIDATE, INTERVIEWER


def read_questions(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [{"start": float(r["start"]), "end": float(r["end"]), "text": r["text"], "label": r["label"]}
                for r in csv.DictReader(f, delimiter="\t")]


def load_candidate(scenario: Path):
    from cuecard.profile.models import CandidateContext, Job

    data = json.loads((scenario / "profile.json").read_text()) if (scenario / "profile.json").is_file() else {}
    job = Job(**json.loads((scenario / "job.json").read_text())) if (scenario / "job.json").is_file() else None
    return CandidateContext(profile=data.get("profile", {}), stories=data.get("stories", []), job=job)


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else float("nan")


def assign_questions(rows: list[dict], received: list[tuple[float, dict]]) -> list[list[str]]:
    """Question ids detected over each row: by the question's audio times when it has them,
    else by when it was received (between this row's start and the next row's)."""
    ids: list[list[str]] = [[] for _ in rows]
    for at, event in received:
        if event["type"] != "question" or event.get("status") == "withdrawn":
            continue
        start, end = float(event.get("start") or 0), float(event.get("end") or 0)
        for i, row in enumerate(rows):
            next_start = rows[i + 1]["start"] if i + 1 < len(rows) else float("inf")
            if end > 0:
                hit = start < row["end"] + 0.5 and end > row["start"] - 0.5
            else:
                hit = row["start"] <= at < next_start
            if hit and event["question_id"] not in ids[i]:
                ids[i].append(event["question_id"])
                break
    return ids


def withdrawn_ids(received: list[tuple[float, dict]]) -> set[str]:
    """Questions whose last status is withdrawn."""
    last: dict[str, str] = {}
    for _, event in received:
        if event["type"] == "question":
            last[event["question_id"]] = event.get("status", "confirmed")
    return {qid for qid, status in last.items() if status == "withdrawn"}


async def start_test_server(delay: float):
    """The OpenAI-compatible test double in its own process, like a real model server."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cuecard.drafting.llm_test_server", "--delay", str(delay),
        stdout=asyncio.subprocess.PIPE)
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    return proc, json.loads(line)["base_url"]


async def stop_test_server(proc, base_url: str) -> list[dict]:
    """Stop the test double; return what it received (path, wall-clock time)."""
    import aiohttp

    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(base_url.rsplit("/v1", 1)[0] + "/test-double/requests") as response:
                return await response.json()
    finally:
        proc.terminate()
        await proc.wait()


async def run(scenario: Path, *, llm_delay: float | None, cold: bool, settings=None,
              events_path: str | None = None) -> int:
    from cuecard.drafting import semantic
    from cuecard.pipeline.context import SessionContext
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.processors.answer_drafter import composer_for, prepared_for
    from cuecard.settings import Settings
    from cuecard.transports.replay import load_audio

    rows = read_questions(scenario / "questions.tsv")
    tracks = {INTERVIEWER: load_audio(scenario / "interviewer.wav"), CANDIDATE: load_audio(scenario / "candidate.wav")}
    candidate = load_candidate(scenario)
    server = None
    settings = settings or Settings()
    if llm_delay is not None:
        server, base_url = await start_test_server(llm_delay)
        settings = settings.model_copy(update={"llm_base_url": base_url, "llm_model": "test-double"})
    services = await Services.create(settings)
    if not cold:
        await asyncio.to_thread(services.engine.warm_up)
        await asyncio.to_thread(semantic.embed, ["warm up"])
        await asyncio.to_thread(composer_for, candidate)
        await asyncio.to_thread(prepared_for, candidate)
    received: list[tuple[float, dict]] = []
    t0_holder: list[float] = []

    async def on_event(event: dict):
        received.append((time.monotonic(), event))

    try:
        await replay_tracks(services, tracks, realtime=True, on_event=on_event, persist=False,
                            on_start=t0_holder.append,
                            context=SessionContext(session_id="bench-latency", candidate=candidate))
    finally:
        await services.close()  # also closes the draft cache and the LLM client
        requests = await stop_test_server(server, base_url) if server is not None else []
    t0 = t0_holder[0]
    timeline = [(at - t0, event) for at, event in received]
    wall_minus_mono = time.time() - time.monotonic()
    request_times = [r["received_wall"] - wall_minus_mono - t0 for r in requests
                     if r["path"] == "/v1/chat/completions"]
    if events_path:  # every event with its time on the replay clock, for digging into outliers
        with open(events_path, "w") as f:
            for at, event in timeline:
                f.write(json.dumps({"t": round(at, 3), **event}) + "\n")
    report(rows, timeline, llm_delay, request_times)
    return 0


def report(rows: list[dict], timeline: list[tuple[float, dict]], llm_delay: float | None,
           request_times: list[float] = ()):
    ids_per_row = assign_questions(rows, timeline)
    withdrawn = withdrawn_ids(timeline)
    delays, overheads, before_request, detected = [], [], [], 0
    for i, (row, ids) in enumerate(zip(rows, ids_per_row)):
        ids = [q for q in ids if q not in withdrawn]
        qtype, delay, source = "-", None, "-"
        if ids:
            detected += 1
            confirmed = [e for _, e in timeline if e["type"] == "question" and e["question_id"] in ids
                         and e.get("status") == "confirmed"]
            qtype = (confirmed or [e for _, e in timeline if e["type"] == "question" and e["question_id"] in ids])[-1]["question_type"]
            first = next(((at, e) for at, e in timeline if e["type"] == "suggestion" and e["question_id"] in ids
                          and e.get("text")), None)
            if first is not None:
                delay, source = first[0] - row["end"], first[1]["source"]
                delays.append(delay)
            if llm_delay is not None:
                asked = next((at for at, e in timeline if e["type"] == "question" and e["question_id"] in ids
                              and e.get("status") == "confirmed"), None)
                llm_first = next((at for at, e in timeline if e["type"] == "suggestion" and e["question_id"] in ids
                                  and e["source"] == "llm" and e.get("text")), None)
                if asked is not None and llm_first is not None:
                    overheads.append(llm_first - asked - llm_delay)
                    sent = [t for t in request_times if asked <= t <= llm_first]
                    if sent:  # split: question event -> request at the server, and the rest
                        before_request.append(sent[0] - asked)
        shown = f"{delay * 1000:+7.0f} ms" if delay is not None else "   no suggestion"
        status = "detected" if ids else "MISSED  "
        print(f"{i + 1:3d} {status} {row['label']:>11} -> {qtype:<11} {shown}  {source:<8} {row['text'][:70]}")
    if llm_delay is not None:
        print(f"LLM test server first-token delay {llm_delay * 1000:.0f} ms; pipeline overhead excluding it "
              f"(question event -> first LLM suggestion - delay): p50 {percentile_ms(overheads, 50):.0f} ms, "
              f"p95 {percentile_ms(overheads, 95):.0f} ms over {len(overheads)} questions "
              f"(of which question event -> request at the server: p50 {percentile_ms(before_request, 50):.0f} ms)")
    print(f"end-of-question to first suggestion: p50 {percentile_ms(delays, 50):.0f} ms, "
          f"p95 {percentile_ms(delays, 95):.0f} ms, detected {detected}/{len(rows)}")


def main(args) -> int:
    parser = argparse.ArgumentParser(prog="cuecard bench latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario_dir")
    parser.add_argument("--llm-test-server-delay", type=float, default=None, metavar="SECS",
                        help="draft with the loopback OpenAI-compatible test double, first token after SECS")
    parser.add_argument("--events", metavar="FILE", help="write every event with its replay time (JSON lines)")
    parser.add_argument("--cold", action="store_true", help="no warm-up, no prepared answers before the clock starts")
    a = parser.parse_args(getattr(args, "args", None) or [])
    scenario = Path(a.scenario_dir)
    missing = [n for n in ("interviewer.wav", "candidate.wav", "questions.tsv") if not (scenario / n).is_file()]
    if missing:
        print(f"cuecard bench latency: {scenario} lacks {', '.join(missing)}")
        return 2
    return asyncio.run(run(scenario, llm_delay=a.llm_test_server_delay, cold=a.cold, events_path=a.events))
