"""The local speech-to-text path end to end on real speech: replay → segmenter → Whisper →
events, with roles, times, interims, refinement and the decode cache."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cuecard.eval.asr import lines_text
from cuecard.pipeline.replay import replay_tracks
from cuecard.transports.replay import load_audio

FIXTURES = Path(__file__).parent / "fixtures"


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)


pytestmark = pytest.mark.slow


def words(text: str) -> set[str]:
    return {w.strip(".,?!").lower() for w in text.split()}


async def test_two_tracks_give_role_labelled_final_lines(services, speak):
    question = load_audio(speak("What made you apply for this position?"))
    answer = load_audio(speak("I enjoy building reliable payment systems."))
    gap = silence(1.2)
    interviewer = np.concatenate([question, gap, silence(len(answer) / 16000), gap])
    candidate = np.concatenate([silence(len(question) / 16000), gap, answer, gap])
    events = await replay_tracks(services, {"interviewer": interviewer, "candidate": candidate})

    finals = [e for e in events if e["type"] == "transcript" and e["final"]]
    by_role = {r: " ".join(e["text"] for e in finals if e["role"] == r) for r in ("interviewer", "candidate")}
    assert {"apply", "position"} <= words(by_role["interviewer"])
    assert {"payment", "systems"} <= words(by_role["candidate"])
    q = next(e for e in finals if e["role"] == "interviewer")
    assert q["end"] <= len(question) / 16000 + 0.5 and q["start"] < 0.5
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # Persisted: the session's transcript is in the store.
    session_id = events[0]["session_id"]
    stored = await services.store.sessions.list_segments(session_id)
    assert {"interviewer", "candidate"} <= {s.role for s in stored}


async def test_real_speech_matches_reference(services):
    audio = load_audio(FIXTURES / "asr/wav/118-121721-0000.wav")
    events = await replay_tracks(services, {"candidate": audio}, persist=False)
    assert words(lines_text(events)) >= {"stitch", "time", "saves", "embarrassing", "exposure"}


async def test_interim_text_while_speaking_in_real_time(services, speak):
    audio = load_audio(
        speak("Could you walk me through the architecture of the last system you designed and why you chose it?")
    )
    events = await replay_tracks(services, {"interviewer": audio}, realtime=True, persist=False)
    interims = [e for e in events if e["type"] == "transcript" and not e["final"]]
    finals = [e for e in events if e["type"] == "transcript" and e["final"]]
    assert interims, "no interim transcript while speaking"
    assert interims[0]["segment_id"] == finals[0]["segment_id"]  # same line, replaced in place
    assert events.index(interims[0]) < events.index(finals[0])


async def test_refinement_replaces_the_line_in_place(services, speak):
    # Two sentences with a short pause: two segments, one utterance, one line.
    first = load_audio(speak("I led the migration of our billing database."))
    second = load_audio(speak("It took three months and nobody noticed downtime."))
    audio = np.concatenate([first, silence(0.45), second])
    events = await replay_tracks(services, {"candidate": audio}, persist=False)
    finals = [e for e in events if e["type"] == "transcript" and e["final"]]
    assert len({e["segment_id"] for e in finals}) == 1
    # Whisper base hears espeak's "database" as "data base" in some decodes: not the point here.
    assert words(finals[-1]["text"]) >= {"migration", "months", "nobody"}, [e["text"] for e in finals]
    assert finals[-1]["refined"] and finals[-1]["segment_id"] == finals[0]["segment_id"]


def test_same_audio_is_not_decoded_twice(services):
    audio = load_audio(FIXTURES / "asr/wav/8226-274369-0000.wav").astype(np.float32) / 32768
    first = services.engine.transcribe_live(audio)
    second = services.engine.transcribe_live(audio)
    assert first is second  # served from the engine's cache (same audio hash, same model)
    assert services.engine.transcribe(audio).cached is False
    assert services.engine.transcribe(audio).cached is True


async def test_refinements_run_in_the_idle_priority_lane(services):
    """A refinement must never hold up a live decode: it runs in its own thread, with its own
    model, at idle CPU priority — and so do the threads ctranslate2 starts for that model."""
    import os
    import threading

    from cuecard.services.whisper.engine import PRIORITY_FINAL, PRIORITY_REFINE

    pcm = load_audio(FIXTURES / "asr/wav/8226-274369-0000.wav").tobytes()
    engine = services.engine
    seen = {}

    def policy(tid):
        return os.sched_getscheduler(tid)

    def where():
        return threading.current_thread().name, policy(threading.get_native_id())

    seen["live"] = await engine.queue.submit(PRIORITY_FINAL, where)
    seen["background"] = await engine.background.submit(PRIORITY_FINAL, where)
    assert seen["live"] == ("whisper-live", os.SCHED_OTHER)
    assert seen["background"] == ("whisper-background", os.SCHED_IDLE)

    refined = await engine.decode(pcm, priority=PRIORITY_REFINE, beam_size=5)
    assert "background" in engine.loaded_lanes and refined.text
    # Every thread of the process that is not a Python thread and runs at idle priority was
    # started by the background model (its ctranslate2 worker and OpenMP team).
    python_tids = {t.native_id for t in threading.enumerate()}
    idle = [
        int(t) for t in os.listdir("/proc/self/task") if int(t) not in python_tids and policy(int(t)) == os.SCHED_IDLE
    ]
    assert idle, "the background model's worker threads do not run at idle priority"


def test_replay_cli_prints_json_events(settings, tmp_path):
    env = {"CUECARD_DATA_DIR": str(settings.data_dir), "CUECARD_WHISPER_MODEL": settings.whisper_model}
    wav = FIXTURES / "asr/wav/118-121721-0000.wav"
    out = subprocess.run(
        [sys.executable, "-m", "cuecard.cli", "replay", str(wav), "--interviewer", str(wav)],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert {e["role"] for e in events if e["type"] == "transcript"} == {"candidate", "interviewer"}
    assert all({"text", "start", "end", "final"} <= e.keys() for e in events if e["type"] == "transcript")


def test_replay_cli_rejects_unsupported_audio(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    out = subprocess.run(
        [sys.executable, "-m", "cuecard.cli", "replay", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "not an audio file" in out.stderr


def test_eval_asr_prints_wer_line(settings):
    env = {
        "CUECARD_DATA_DIR": str(settings.data_dir),
        "CUECARD_WHISPER_MODEL": settings.whisper_model,
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "cuecard.cli", "eval", "asr", str(FIXTURES / "asr/manifest.tsv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("WER ") and "over 3 utterances, RTF" in last
    wer = float(last.split()[1].rstrip("%"))
    assert wer < 40.0
