"""Jargon-aware hearing end to end on real speech (espeak-ng clips in tests/fixtures/terms):
the session vocabulary biases the interviewer's recognition only, and ``cuecard eval terms``
reports term recall and WER."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cuecard.eval.terms import named_cards, reference_terms, term_recall
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.replay import replay_tracks
from cuecard.pipeline.services import Services
from cuecard.profile.models import CandidateContext, Job
from cuecard.transports.replay import load_audio

FIXTURES = Path(__file__).parent / "fixtures"


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)


def test_terms_are_card_names_in_the_reference_and_recalled_by_any_alias():
    terms = reference_terms(
        "How does Dijkstra's algorithm differ from Bellman-Ford when a graph has negative edge weights?"
    )
    assert len(terms) == 2  # Dijkstra's algorithm, Bellman-Ford; "graph" is a common-word card
    assert term_recall("Explain the Dijkstra algorithm.", "Explain the dyke stra algorithm.")[:2] == (1, 1)
    got, n, missed = term_recall("What is Kubernetes?", "What is cooper?")
    assert (got, n) == (0, 1) and missed == ["Kubernetes"]
    assert named_cards("") == set()


@pytest.mark.slow
async def test_vocabulary_biases_the_interviewer_track_and_not_the_candidate(settings):
    """The same clip on both tracks, at different times: with the job's skills in the session,
    the interviewer's live decode hears "Dijkstra's"; the candidate's, unbiased, does not
    (Whisper base hears "this make Rm algorithm"). With the setting off, neither is biased."""
    clip = load_audio(FIXTURES / "terms/dijkstra.wav")
    gap, quiet = silence(1.5), silence(len(clip) / 16000)
    tracks = {
        "interviewer": np.concatenate([clip, gap, quiet, gap]),
        "candidate": np.concatenate([quiet, gap, clip, gap]),
    }
    job = Job(required_skills=["Dijkstra's algorithm", "Bellman-Ford algorithm"])

    async def run(bias: bool) -> dict[str, list[dict]]:
        services = await Services.create(settings.model_copy(update={"stt_vocabulary_bias": bias}))
        try:
            context = SessionContext(session_id=f"bias-{bias}", candidate=CandidateContext(job=job))
            events = await replay_tracks(services, tracks, persist=False, context=context)
        finally:
            await services.close()
        finals = [e for e in events if e["type"] == "transcript" and e["final"]]
        return {role: [e for e in finals if e["role"] == role] for role in ("interviewer", "candidate")}

    biased = await run(True)
    live = next(e for e in biased["interviewer"] if not e.get("refined"))
    assert "Dijkstra" in live["text"], live["text"]
    assert biased["candidate"] and all("Dijkstra" not in e["text"] for e in biased["candidate"])
    unbiased = await run(False)
    assert all("Dijkstra" not in e["text"] for e in unbiased["interviewer"]), unbiased["interviewer"]


@pytest.mark.slow
def test_eval_terms_prints_recall_and_wer(settings):
    env = {
        "CUECARD_DATA_DIR": str(settings.data_dir),
        "CUECARD_WHISPER_MODEL": settings.whisper_model,
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "cuecard.cli", "eval", "terms", str(FIXTURES / "terms/manifest.tsv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == ["dijkstra.wav", "nginx.wav"]
    match = re.fullmatch(r"term recall (\d\.\d{3}) over (\d+) terms, WER (\d+\.\d{2})%", lines[-1])
    assert match, lines[-1]
    assert int(match.group(2)) == 4 and float(match.group(1)) >= 0.75


@pytest.mark.slow
def test_a_long_prompt_does_not_cut_the_live_decode(services):
    """ctranslate2 counts the prompt in the decode's length limit: the live decode makes room
    for it (a 128-token prompt used to leave an empty text)."""
    from cuecard.knowledge.cards import all_cards
    from cuecard.knowledge.vocabulary import count_tokens, prompt_from

    audio = load_audio(FIXTURES / "terms/dijkstra.wav").astype(np.float32) / 32768
    prompt = prompt_from([c.name for c in all_cards() if not c.common_word], 128)
    assert count_tokens(prompt) > 100
    text = services.engine.transcribe_live(audio, hotwords=prompt).text
    assert len(text.split()) >= 12 and "weights" in text, text
