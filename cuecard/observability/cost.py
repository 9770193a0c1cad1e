"""What the metrics cost a session: ``python -m cuecard.observability.cost EVENTS.jsonl [SESSION_CPU_SECS]``

``EVENTS.jsonl``: a session's events, one JSON object a line (``cuecard bench latency --events``
or ``cuecard replay`` output). The stream is run through a fresh ``SessionObserver`` with a
``Metrics`` registry many times (thread CPU time), plus ``finish`` and one ``/metrics`` render
per 15 s of audio (Prometheus' default scrape interval is 15 s; 60 s is common). Printed: CPU
per event, per session, and, given the CPU seconds the session itself used (e.g. ``time``'s
user+sys of the replay), the share the metrics add.
"""

from __future__ import annotations

import json
import sys
import time

from cuecard.observability.metrics import Metrics
from cuecard.observability.session_observer import SessionObserver


def measure(events: list[dict], repeats: int = 200) -> dict[str, float]:
    audio_secs = max((float(e.get("end") or 0) for e in events if e.get("type") == "transcript"), default=0.0)
    metrics = Metrics()
    started = time.thread_time()
    for _ in range(repeats):
        observer = SessionObserver("cost", metrics, audio_clock=lambda: 0.0, paced=True)
        for event in events:
            observer.observe(event, float(event.get("t", event.get("end", 0.0)) or 0.0), 0.0)
        observer.finish()
    observe_secs = (time.thread_time() - started) / repeats
    started = time.thread_time()
    for _ in range(repeats):
        metrics.render()
    render_secs = (time.thread_time() - started) / repeats
    scrapes = max(audio_secs / 15.0, 1.0)
    return {
        "events": len(events),
        "audio_secs": audio_secs,
        "observer_secs_per_session": observe_secs,
        "observer_us_per_event": 1e6 * observe_secs / max(len(events), 1),
        "render_secs": render_secs,
        "metrics_secs_per_session": observe_secs + scrapes * render_secs,
    }


def main() -> int:
    events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    result = measure(events)
    for key, value in result.items():
        print(f"{key}: {value:.6g}")
    if len(sys.argv) > 2:
        session_cpu = float(sys.argv[2])
        share = result["metrics_secs_per_session"] / session_cpu
        print(f"share of the session's CPU: {100 * share:.4f}% (session used {session_cpu:.2f} CPU s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
