"""Figures of one meeting bot on this machine (not a test; run by hand):

    .venv/bin/python tests/bot/bench_meeting_bot.py [N_UTTERANCES] [--mixed]

(``--mixed``: the audio is handled as one mix named by the active-speaker marker, as for the
real platforms, which adds ``bot_speaker_marker_lag_secs`` to every delay.)

A real Chromium bot joins the loopback meeting double (``meeting_double.py``), two named
participants speak N espeak utterances in turn over real WebRTC, the real pipeline (default
settings: Silero + Whisper base int8, interims and refinement on) transcribes them. Prints:
- delay from the end of each utterance's voiced audio (as sent by the remote peer) to its first
  final transcript event, and the median;
- CPU of the bot's own processes (Playwright driver + every Chromium process), as a share of
  one core, while in the call with speech; their PSS memory;
- CPU of this Python process over the same time (pipeline + Whisper, and the meeting double's
  aiortc peer, which a real deployment does not run).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # tests/conftest.py before tests/bot/conftest.py

from conftest import espeak  # noqa: E402  (tests/conftest.py)
from meeting_double import LOOPBACK_WEBRTC_ARGS, MeetingDouble  # noqa: E402
from test_meeting_bot import _cpu_secs, _pss_mb  # noqa: E402

LINES = [
    ("Dana Lee", "Tell me about a project you are proud of."),
    ("Sam Roy", "I led the team that rebuilt our search service."),
    ("Dana Lee", "What was the hardest technical problem there?"),
    ("Sam Roy", "Keeping the old and new indexes in sync during the move."),
    ("Dana Lee", "How did you measure success?"),
    ("Sam Roy", "We tracked query latency and the number of failed searches."),
    ("Dana Lee", "What would you do differently next time?"),
    ("Sam Roy", "I would write the migration plan down much earlier."),
]


async def main(n: int, mixed: bool):
    import aioice.ice
    from loguru import logger

    from cuecard.pipeline.services import Services
    from cuecard.services.whisper.weights import join_base_model
    from cuecard.settings import Settings
    from cuecard.transports.meeting_bot import MeetingBot

    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=True: ["127.0.0.1"]
    tmp = Path(tempfile.mkdtemp(prefix="cuecard-bot-bench-"))
    model = join_base_model(tmp / "whisper-base")
    settings = Settings(
        data_dir=tmp / "data", whisper_model=str(model), bot_allow_loopback_meetings=True, _env_file=None
    )
    services = await Services.create(settings)
    await asyncio.to_thread(services.engine.warm_up)
    lines = (LINES * ((n + len(LINES) - 1) // len(LINES)))[:n]
    clips = []
    for i, (name, text) in enumerate(lines):
        data, _ = sf.read(str(espeak(text, tmp / f"u{i}.wav")), dtype="int16")
        clips.append((name, data))

    async with MeetingDouble() as meeting:
        room = meeting.room("bench", ["Dana Lee", "Sam Roy"])
        bot = MeetingBot(
            services,
            meeting.url("bench", "audio=mixed" if mixed else ""),
            candidate_name="Sam Roy",
            extra_browser_args=LOOPBACK_WEBRTC_ARGS,
        )
        events: list[dict] = []

        async def collect(e):
            events.append(e)

        bot.add_listener(collect)
        task = asyncio.create_task(bot.run())
        guest = await meeting.wait_for_guest("bench", "lobby", timeout=60)
        meeting.set_state("bench", guest.id, "admitted")
        while bot.audio_chunks < 50:  # noqa: ASYNC110 - the bot counts chunks but signals nothing; a benchmark may poll
            await asyncio.sleep(0.1)
        pids = bot.browser.process_ids()
        idle_cpu0, idle_t0 = _cpu_secs(pids), time.monotonic()
        await asyncio.sleep(5)
        idle = (_cpu_secs(bot.browser.process_ids()) - idle_cpu0) / (time.monotonic() - idle_t0)

        cpu0, own0, t0 = _cpu_secs(bot.browser.process_ids()), time.process_time(), time.monotonic()
        ends = []
        for name, samples in clips:
            ((_, ended),) = await asyncio.gather(*room.participant(name).say(samples))
            voiced = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
            ends.append((name, ended - (len(samples) - voiced[-1]) / 16000))
            await asyncio.sleep(1.5)
        await asyncio.sleep(3)
        elapsed = time.monotonic() - t0
        pids = bot.browser.process_ids()
        bot_cpu = (_cpu_secs(pids) - cpu0) / elapsed
        own_cpu = (time.process_time() - own0) / elapsed
        pss = _pss_mb(pids)
        bot.request_leave()
        await task

    finals = [e for e in events if e["type"] == "transcript" and e["final"] and not e.get("refined")]
    delays, used = [], set()
    for name, end in ends:
        later = [e for e in finals if e["speaker"] == name and e["ts"] >= end - 0.5 and e["seq"] not in used]
        if later:
            first = min(later, key=lambda e: e["ts"])
            used.add(first["seq"])
            delays.append(float(first["ts"] - end))
    print(f"audio mode: {bot.platform.audio_mode}; utterances {len(ends)}, transcribed {len(delays)}")
    print("delays (s):", [round(d, 2) for d in delays])
    print(f"median delay speech end -> final transcript event: {statistics.median(delays):.2f} s")
    print(f"bot processes: {len(pids)} (Playwright driver + Chromium)")
    print(f"bot CPU: idle in call {idle * 100:.0f}% of one core; with speech {bot_cpu * 100:.0f}% of one core")
    print(f"bot memory (PSS, all its processes): {pss:.0f} MB")
    print(f"this Python process (pipeline + Whisper + meeting double peer): {own_cpu * 100:.0f}% of one core")
    print(f"cores: {os.cpu_count()}")
    await services.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else 8, "--mixed" in sys.argv))
