"""``cuecard eval terms MANIFEST.tsv [--no-bias] [--limit N] [--job F] [--profile F]``: are
the names in the interviewer's questions heard?

Each file (manifest columns ``file``, relative to the manifest, and ``transcript``) goes through
the live pipeline as the **interviewer** track — the path of ``cuecard eval asr``, with the
session vocabulary biasing recognition (``--no-bias``: without it) — and the recognised text
(the final lines, refined) is snapped to known names (``cuecard.knowledge.snap``).

- A **term** is a knowledge-base name or alias found in the reference transcript (normalized
  phrase match, longest first, not overlapping). Cards marked ``common_word`` (Graph, Queue,
  EXPLAIN) do not count: they are ordinary words, not jargon to be heard.
- A term is **recalled** when its card is named in the snapped hypothesis, by its name or any
  of its aliases.
- **WER** is computed on the recognised text before snapping, with the normalizer of
  ``cuecard eval asr``.

``--job``/``--profile`` give the session a job description and resume (their skills go in the
prompt); without them the session has no skills and only the knowledge base is used.

Prints one line per file, then, last::

    term recall <r> over <n> terms, WER <w>%

``python -m cuecard.eval.terms --prompt-cost MANIFEST.tsv [--limit N]`` measures what a prompt
costs the decoder instead (results in the Decision of ``cuecard/knowledge/vocabulary.py``).
"""

from __future__ import annotations

import asyncio
import time
from functools import lru_cache
from pathlib import Path

from cuecard.knowledge.cards import all_cards, normalize_phrase


@lru_cache(maxsize=1)
def _phrase_index() -> tuple[dict[str, frozenset[str]], int, frozenset[str]]:
    """normalized phrase → card ids; the longest phrase in words; ids of common-word cards."""
    index: dict[str, set[str]] = {}
    longest = 1
    common = set()
    for card in all_cards():
        if card.common_word:
            common.add(card.id)
        for phrase in card.phrases():
            if len(phrase) < 2:
                continue
            index.setdefault(phrase, set()).add(card.id)
            longest = max(longest, len(phrase.split()))
    return {p: frozenset(ids) for p, ids in index.items()}, longest, frozenset(common)


def reference_terms(text: str) -> list[frozenset[str]]:
    """The terms of a reference transcript: per name or alias found (longest first, not
    overlapping), the ids of the card(s) it names. Common-word cards are left out."""
    index, longest, common = _phrase_index()
    words = normalize_phrase(text).split()
    taken = [False] * len(words)
    found: list[tuple[int, frozenset[str]]] = []
    for size in range(min(longest, len(words)), 0, -1):
        for start in range(0, len(words) - size + 1):
            if any(taken[start : start + size]):
                continue
            ids = index.get(" ".join(words[start : start + size]))
            if not ids:
                continue
            for k in range(start, start + size):
                taken[k] = True
            ids = ids - common
            if ids and ids not in [f for _, f in found]:
                found.append((start, ids))
    return [ids for _, ids in sorted(found, key=lambda f: f[0])]


def named_cards(text: str) -> set[str]:
    """Ids of every card one of whose names or aliases occurs in ``text`` (overlaps allowed)."""
    index, longest, _ = _phrase_index()
    words = normalize_phrase(text).split()
    out: set[str] = set()
    for size in range(1, min(longest, len(words)) + 1):
        for start in range(0, len(words) - size + 1):
            out |= index.get(" ".join(words[start : start + size]), frozenset())
    return out


def term_recall(reference: str, hypothesis: str) -> tuple[int, int, list[str]]:
    """(recalled, terms, names of the missed terms' cards)."""
    from cuecard.knowledge.cards import cards_by_id

    terms = reference_terms(reference)
    heard = named_cards(hypothesis)
    missed = [ids for ids in terms if not ids & heard]
    by_id = cards_by_id()
    return len(terms) - len(missed), len(terms), [by_id[sorted(ids)[0]].name for ids in missed]


def _candidate(args):
    from cuecard.profile.models import CandidateContext

    profile = getattr(args, "profile", None)
    job = getattr(args, "job", None)
    if not profile and not job:
        return CandidateContext()
    from cuecard.drafting.command import load_candidate

    return load_candidate(profile, None, job)


async def _run(args) -> int:
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    from cuecard.eval.asr import lines_text, read_manifest, recognise
    from cuecard.frames import INTERVIEWER
    from cuecard.knowledge.snap import snap_terms
    from cuecard.knowledge.vocabulary import session_terms
    from cuecard.settings import Settings

    manifest = Path(args.manifest)
    rows = read_manifest(manifest, ("file", "transcript"))
    if args.limit:
        rows = rows[: args.limit]
    settings = Settings()
    settings.stt_vocabulary_bias = not getattr(args, "no_bias", False)
    candidate = _candidate(args)
    extra = session_terms(candidate)
    norm = EnglishTextNormalizer()
    recalled = total = 0
    refs, hyps = [], []

    async def scored(row: dict, events: list[dict]):
        nonlocal recalled, total
        heard = lines_text(events)
        snapped = snap_terms(heard, extra)
        got, n, missed = term_recall(row["transcript"], snapped.text)
        recalled += got
        total += n
        ref, hyp = norm(row["transcript"]), norm(heard)
        refs.append(ref)
        hyps.append(hyp)
        wer = jiwer.wer(ref, hyp) if ref else float(bool(hyp))
        fixes = "; ".join(f"{a} -> {b}" for a, b in snapped.replacements)
        print(
            f"{row['file']}\tterms {got}/{n}\tWER {100 * wer:.1f}%\t{snapped.text}"
            + (f"\tsnapped: {fixes}" if fixes else "")
            + (f"\tmissed: {', '.join(missed)}" if missed else ""),
            flush=True,
        )

    await recognise(
        manifest,
        rows,
        settings,
        role=INTERVIEWER,
        candidate=candidate,
        realtime=getattr(args, "realtime", False),
        on_file=scored,
    )
    recall = recalled / total if total else 0.0
    wer = 100 * jiwer.wer(refs, hyps) if refs else 0.0
    print(f"term recall {recall:.3f} over {total} terms, WER {wer:.2f}%")
    return 0


def main(args) -> int:
    return asyncio.run(_run(args))


# --- prompt cost ---------------------------------------------------------------------------------


def prompt_cost(manifest: Path, limit: int | None, sizes: tuple[int, ...] = (0, 16, 32, 48, 64, 96, 128, 200)) -> None:
    """Mean decode seconds per clip with prompts of ``sizes`` tokens, in the live lane (beam 1,
    short window) and the refinement's decode (beam 5, faster-whisper), on the interviewer's
    files of ``manifest``. The prompt is card names of the knowledge base (relevant or not:
    cost depends on length only)."""
    import numpy as np
    import soundfile as sf

    from cuecard.eval.asr import read_manifest
    from cuecard.knowledge.vocabulary import count_tokens, prompt_from
    from cuecard.services.whisper.engine import WhisperEngine
    from cuecard.settings import Settings

    s = Settings()
    engine = WhisperEngine(
        s.whisper_model,
        data_dir=s.ensure_data_dir(),
        compute_type=s.whisper_compute_type,
        threads=s.whisper_threads,
        language=s.language,
    )
    engine.warm_up()
    rows = read_manifest(manifest, ("file", "transcript"))[: limit or None]
    clips = [sf.read(str(manifest.parent / r["file"]), dtype="float32")[0] for r in rows]
    names = [c.name for c in all_cards() if not c.common_word]
    print("prompt_tokens\tlive_beam1_s\trefine_beam5_s")
    for size in sizes:
        prompt = prompt_from(names, size) if size else None
        live, refine = [], []
        for audio in clips:
            t = time.perf_counter()
            engine.transcribe_live(np.ascontiguousarray(audio), hotwords=prompt)
            live.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.transcribe(audio, beam_size=5, hotwords=prompt, use_cache=False)
            refine.append(time.perf_counter() - t)
        n = count_tokens(prompt) if prompt else 0
        print(f"{n}\t{np.mean(live):.3f}\t{np.mean(refine):.3f}", flush=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cuecard.eval.terms")
    parser.add_argument("--prompt-cost", metavar="MANIFEST", required=True)
    parser.add_argument("--limit", type=int)
    a = parser.parse_args()
    prompt_cost(Path(a.prompt_cost), a.limit)
