"""``cuecard bench latency SCENARIO_DIR``: end of each question → the draft the candidate can use.

Replays ``interviewer.wav`` and ``candidate.wav`` at real-time pace through the FULL session
pipeline (VAD, speech-to-text, question detection, answer drafting, event sink) with the
embedded defaults, and for every row of ``questions.tsv`` (``start end text label``) prints
whether a question was detected over it, its type, the time of the first draft, the time of
the *lasting* draft, and how many drafts were replaced. The clock is the replay's: audio time
``t`` is queued at wall time ``t0 + t``; an event's time is when the sink hands it to listeners
(what the page would receive). Last line::

    end-of-question to lasting draft: p50 <a> ms, p95 <b> ms, replaced <r> per question, detected <k>/<n>

Decision: the lasting draft, not the first, is what counts. A first draft shown 2 s before the
question ended and then replaced four times is not an answer the candidate could use: the
lasting draft is the first appearance of the draft that was still on screen 5 s after the
question ended (``LASTING_AFTER_SECS``). A draft is one run of suggestion events of the first
option (``concise``) for one question id; a new run starts with ``replaces: true`` or a new
question id over the same row, and a withdrawal (``withdrawn: true``) takes the draft off the
screen. ``replaced`` counts every draft of a row but the lasting one, including drafts of
tentative questions later withdrawn, averaged over detected rows.

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
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cuecard.drafting.options import OPTIONS
from cuecard.frames import CANDIDATE, INTERVIEWER
from cuecard.kinds import QuestionStatus, SuggestionSource


def read_questions(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [
            {"start": float(r["start"]), "end": float(r["end"]), "text": r["text"], "label": r["label"]}
            for r in csv.DictReader(f, delimiter="\t")
        ]


def load_candidate(scenario: Path):
    from cuecard.profile.models import CandidateContext, Job

    data = json.loads((scenario / "profile.json").read_text()) if (scenario / "profile.json").is_file() else {}
    job = Job(**json.loads((scenario / "job.json").read_text())) if (scenario / "job.json").is_file() else None
    return CandidateContext(profile=data.get("profile", {}), stories=data.get("stories", []), job=job)


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else float("nan")


LASTING_AFTER_SECS = 5.0


def assign_questions(
    rows: list[dict], received: list[tuple[float, dict]], include_withdrawn: bool = False
) -> list[list[str]]:
    """Question ids detected over each row: by the question's audio times when it has them,
    else by when it was received (between this row's start and the next row's)."""
    ids: list[list[str]] = [[] for _ in rows]
    for at, event in received:
        if event["type"] != "question" or event.get("status") == QuestionStatus.WITHDRAWN and not include_withdrawn:
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
            last[event["question_id"]] = event.get("status", QuestionStatus.CONFIRMED)
    return {qid for qid, status in last.items() if status == QuestionStatus.WITHDRAWN}


async def start_test_server(delay: float):
    """The OpenAI-compatible test double in its own process, like a real model server."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cuecard.drafting.llm_test_server", "--delay", str(delay), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None  # stdout=PIPE above
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


async def run(
    scenario: Path, *, llm_delay: float | None, cold: bool, settings=None, events_path: str | None = None
) -> int:
    from cuecard.drafting import semantic
    from cuecard.knowledge.retrieval import warm_up as knowledge_warm_up
    from cuecard.pipeline.context import SessionContext
    from cuecard.pipeline.replay import replay_tracks
    from cuecard.pipeline.services import Services
    from cuecard.settings import Settings
    from cuecard.transports.replay import load_audio

    rows = read_questions(scenario / "questions.tsv")
    tracks: dict[str, np.ndarray] = {
        INTERVIEWER: load_audio(scenario / "interviewer.wav"),
        CANDIDATE: load_audio(scenario / "candidate.wav"),
    }
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
        await asyncio.to_thread(knowledge_warm_up)
        await asyncio.to_thread(services.drafting.composer_for, candidate)
        await asyncio.to_thread(services.drafting.prepared_for, candidate)
    received: list[tuple[float, dict]] = []
    t0_holder: list[float] = []

    async def on_event(event: dict):
        received.append((time.monotonic(), event))

    try:
        await replay_tracks(
            services,
            tracks,
            realtime=True,
            on_event=on_event,
            persist=False,
            on_start=t0_holder.append,
            context=SessionContext(session_id="bench-latency", candidate=candidate),
        )
    finally:
        await services.close()  # also closes the draft cache and the LLM client
        requests = await stop_test_server(server, base_url) if server is not None else []
    t0 = t0_holder[0]
    timeline = [(at - t0, event) for at, event in received]
    wall_minus_mono = time.time() - time.monotonic()
    request_times = [r["received_wall"] - wall_minus_mono - t0 for r in requests if r["path"] == "/v1/chat/completions"]
    if events_path:  # every event with its time on the replay clock, for digging into outliers
        await asyncio.to_thread(_write_events, events_path, timeline)
    report(rows, timeline, llm_delay, request_times)
    return 0


def _write_events(path, timeline: list[tuple[float, dict]]) -> None:
    with open(path, "w") as f:
        for at, event in timeline:
            f.write(json.dumps({"t": round(at, 3), **event}) + "\n")


def draft_runs(timeline: list[tuple[float, dict]], ids: list[str]) -> list[dict]:
    """The drafts shown for these question ids, in order: ``{"qid", "start", "end", "source"}``
    (``end`` is when it left the screen: replaced or withdrawn; ``inf`` if it stayed)."""
    first_option = OPTIONS[0]
    runs: list[dict] = []
    current: dict | None = None
    for at, event in timeline:
        if (
            event["type"] != "suggestion"
            or event["question_id"] not in ids
            or event.get("option", first_option) != first_option
        ):
            continue
        if event.get("withdrawn"):
            if current is not None and current["qid"] == event["question_id"]:
                current["end"] = at
                current = None
            continue
        if not event.get("text"):
            continue
        new_run = current is None or current["qid"] != event["question_id"] or event.get("replaces")
        if new_run:
            if current is not None:
                current["end"] = at
            current = {"qid": event["question_id"], "start": at, "end": float("inf"), "source": event["source"]}
            runs.append(current)
    return runs


def report(
    rows: list[dict], timeline: list[tuple[float, dict]], llm_delay: float | None, request_times: Sequence[float] = ()
):
    ids_per_row = assign_questions(rows, timeline)
    all_ids_per_row = assign_questions(rows, timeline, include_withdrawn=True)
    withdrawn = withdrawn_ids(timeline)
    delays, firsts, replaced, overheads, before_request, detected = [], [], [], [], [], 0
    for i, (row, ids, all_ids) in enumerate(zip(rows, ids_per_row, all_ids_per_row, strict=True)):
        ids = [q for q in ids if q not in withdrawn]
        qtype, delay, first_delay, source, n_replaced = "-", None, None, "-", 0
        if ids:
            detected += 1
            confirmed = [
                e
                for _, e in timeline
                if e["type"] == "question" and e["question_id"] in ids and e.get("status") == QuestionStatus.CONFIRMED
            ]
            qtype = (confirmed or [e for _, e in timeline if e["type"] == "question" and e["question_id"] in ids])[-1][
                "question_type"
            ]
            runs = draft_runs(timeline, all_ids)
            horizon = row["end"] + LASTING_AFTER_SECS
            if runs:
                first_delay = runs[0]["start"] - row["end"]
                firsts.append(first_delay)
            lasting = next((r for r in reversed(runs) if r["start"] <= horizon and r["end"] > horizon), None)
            if lasting is not None:
                delay, source = lasting["start"] - row["end"], lasting["source"]
                delays.append(delay)
            n_replaced = len(runs) - (1 if lasting is not None else 0)
            replaced.append(n_replaced)
            if llm_delay is not None:
                asked = next(
                    (
                        at
                        for at, e in timeline
                        if e["type"] == "question"
                        and e["question_id"] in ids
                        and e.get("status") == QuestionStatus.CONFIRMED
                    ),
                    None,
                )
                llm_first = next(
                    (
                        at
                        for at, e in timeline
                        if e["type"] == "suggestion"
                        and e["question_id"] in ids
                        and e["source"] == SuggestionSource.LLM
                        and e.get("text")
                    ),
                    None,
                )
                if asked is not None and llm_first is not None:
                    overheads.append(llm_first - asked - llm_delay)
                    sent = [t for t in request_times if asked <= t <= llm_first]
                    if sent:  # split: question event -> request at the server, and the rest
                        before_request.append(sent[0] - asked)
        first = f"first {first_delay * 1000:+6.0f} ms" if first_delay is not None else "first      -   "
        shown = f"lasting {delay * 1000:+6.0f} ms" if delay is not None else "no lasting draft "
        status = "detected" if ids else "MISSED  "
        print(
            f"{i + 1:3d} {status} {row['label']:>11} -> {qtype:<11} {first}  {shown}  replaced {n_replaced}"
            f"  {source:<8} {row['text'][:60]}"
        )
    if llm_delay is not None:
        print(
            f"LLM test server first-token delay {llm_delay * 1000:.0f} ms; pipeline overhead excluding it "
            f"(question event -> first LLM suggestion - delay): p50 {percentile_ms(overheads, 50):.0f} ms, "
            f"p95 {percentile_ms(overheads, 95):.0f} ms over {len(overheads)} questions "
            f"(of which question event -> request at the server: p50 {percentile_ms(before_request, 50):.0f} ms)"
        )
    print(
        f"end-of-question to first draft: p50 {percentile_ms(firsts, 50):.0f} ms, "
        f"p95 {percentile_ms(firsts, 95):.0f} ms"
    )
    per_question = sum(replaced) / len(replaced) if replaced else float("nan")
    print(
        f"end-of-question to lasting draft: p50 {percentile_ms(delays, 50):.0f} ms, "
        f"p95 {percentile_ms(delays, 95):.0f} ms, replaced {per_question:.2f} per question, "
        f"detected {detected}/{len(rows)}"
    )


def main(args) -> int:
    parser = argparse.ArgumentParser(
        prog="cuecard bench latency", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario_dir")
    parser.add_argument(
        "--llm-test-server-delay",
        type=float,
        default=None,
        metavar="SECS",
        help="draft with the loopback OpenAI-compatible test double, first token after SECS",
    )
    parser.add_argument("--events", metavar="FILE", help="write every event with its replay time (JSON lines)")
    parser.add_argument("--cold", action="store_true", help="no warm-up, no prepared answers before the clock starts")
    a = parser.parse_args(getattr(args, "args", None) or [])
    scenario = Path(a.scenario_dir)
    missing = [n for n in ("interviewer.wav", "candidate.wav", "questions.tsv") if not (scenario / n).is_file()]
    if missing:
        print(f"cuecard bench latency: {scenario} lacks {', '.join(missing)}")
        return 2
    return asyncio.run(run(scenario, llm_delay=a.llm_test_server_delay, cold=a.cold, events_path=a.events))
