"""A session's vocabulary: the words the interviewer is likely to say that speech recognition
does not know — for biasing recognition of the interviewer's track and for snapping.

- **Session terms**: the job's required and preferred skills, then the profile's skills, as
  the candidate wrote them (``CandidateContext``); people skills ("Mentoring") are snapped to
  but not put in prompts.
- **Live prompt** (every decode of the interviewer's speech, and the cloud providers' hints):
  the session terms, then names of cards the job names (in its skills or its text), then the
  jargon names of the knowledge-base domains those cards belong to. Within
  ``LIVE_PROMPT_TOKENS`` Whisper tokens.
- **Refinement prompt** (the beam-5 re-decode of a closed interviewer line, see
  ``processors/whisper_stt.py``): the session terms, then the cards the line's live text points
  at — names heard exactly, and, when the line is technical (its best card by meaning, MiniLM,
  scores at least ``MEANING_GATE``, or ``MEANING_GATE_TECHNICAL`` when our classifier types it
  technical), names it nearly says (letters or sound, looser than snapping: a prompt only makes
  a name likelier, it does not write it), the cards those are contrasted with or related to,
  and the cards closest in meaning. Within ``REFINE_PROMPT_TOKENS``.

Whisper takes the prompt as text before ``<|startoftranscript|>`` (faster-whisper's
``hotwords``): a comma-separated list of names, spelled and capitalized as they should come out.

Decision: a short prompt of the most relevant names, rebuilt per line for the refinement.
Measured on this machine (2 cores shared with other engineers' jobs) with our own spoken set
(``python scripts/make_terms_set.py /tmp/terms``: 74 questions, espeak-ng, 6 voices/speeds;
thresholds and prompt contents chosen on the tuning half only), ``cuecard eval terms``:

    variant                                    tune half (85 terms)   check half (70 terms)
    no bias (--no-bias)                        recall 0.529 WER 28.0%  recall 0.571 WER 28.4%
    bias, no job: refinement prompt from the   recall 0.906 WER 14.0%  recall 0.900 WER 14.5%
      line's live text (names heard, near
      names, their related/contrasted cards,
      closest cards in meaning)

    bias + job (tests/fixtures/jobs/backend_acme.md: its skills and cards in every live decode)
                                               recall 0.906 WER 12.9%

LibriSpeech dev (``cuecard eval asr``, same day): candidate track 5.08 %; interviewer track
with the bias (``CUECARD_EVAL_ROLE=interviewer``, no job) 5.11 % — the gate lets 7 of 100
literature lines have a prompt. Variant not kept: letting near names alone open the gate gave
36 prompted lines and 5.26 %.

Prompt cost (``python -m cuecard.eval.terms --prompt-cost /tmp/terms/tune/manifest.tsv
--limit 10``: mean seconds per 3-7 s clip, prompt of card names; other jobs were running, so
differences under ~0.1 s are noise):

    prompt tokens          0     15     32     48     64     96     128    200
    live decode (beam 1)   0.45   0.45   0.49   0.47   0.54   0.60   0.43   0.52
    refinement (beam 5)    1.76   2.34   1.74   1.76   1.71   1.77   1.52   1.85

The decoder reads the prompt in one pass, so its length barely shows next to the fixed cost of
a call; the live lane keeps to 48 tokens anyway (every interim of the interviewer pays it, and
a long list of names only dilutes the ones that matter), the refinement to 64.

Whisper's prompt holds 223 tokens; we use ``LIVE_PROMPT_TOKENS`` (48) for every live decode
of a session with skills, and ``REFINE_PROMPT_TOKENS`` (64) for the background refinement.
Without a job or profile the live prompt is empty and the interviewer's live decode is the
candidate's.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from loguru import logger

from cuecard.knowledge.cards import Card, all_cards, normalize_phrase

LIVE_PROMPT_TOKENS = 48
REFINE_PROMPT_TOKENS = 64
SESSION_SHARE_TOKENS = 20  # of the refinement prompt, kept for the session's own terms
MAX_HINTS = 50  # cloud providers: Deepgram keyterms, Google phrase hints
MEANING_GATE = 0.40  # best card cosine for a line to be about cards (our ordinary talk: p95 0.39)
# A line our classifier types as technical needs less ("How does this make Rm algorithm differ
# from Bm4 when a draft has negative edge weights?" scores 0.31 for Dijkstra's algorithm).
# Our own non-technical interview sentences pass one of the gates 10 % of the time.
MEANING_GATE_TECHNICAL = 0.30
MEANING_MARGIN = 0.30  # cards within this of the best one are offered too
MEANING_LIMIT = 6
NEAR_LIMIT = 6
NEIGHBOURS_PER_CARD = 4


def session_terms(candidate) -> list[str]:
    """The job's required and preferred skills, then the profile's skills (no duplicates)."""
    if candidate is None:
        return []
    found: list[str] = []
    seen: set[str] = set()
    job = candidate.job
    groups = [job.required_skills, job.preferred_skills] if job is not None else []
    groups.append(candidate.profile.skills)
    for group in groups:
        for term in group:
            key = normalize_phrase(term)
            if key and key not in seen:
                seen.add(key)
                found.append(term.strip())
    return found


def technical_terms(terms: list[str]) -> list[str]:
    """``terms`` without people skills ("Mentoring", "Conflict resolution": ordinary words
    Whisper knows; they would only take room in the prompt)."""
    from cuecard.profile.skills import vocabulary as skills

    vocab = skills()
    return [t for t in terms if (skill := vocab.get(t)) is None or skill.kind != "people"]


# --- tokens ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer

    from cuecard.knowledge.snap import _whisper_tokenizer

    path = _whisper_tokenizer()
    return Tokenizer.from_file(str(path)) if path is not None else None


def count_tokens(text: str) -> int:
    """Whisper tokens of ``text`` (about 1 per 4 characters without the tokenizer)."""
    tok = _tokenizer()
    if tok is None:
        return len(text) // 4 + 1
    return len(tok.encode(" " + text, add_special_tokens=False).ids)


def prompt_from(terms: Iterable[str], max_tokens: int) -> str:
    """A comma-separated list of ``terms`` (first ones first, no duplicates) within
    ``max_tokens`` Whisper tokens; "" when there is nothing to say."""
    kept: list[str] = []
    seen: set[str] = set()
    used = 1  # the closing "."
    for term in terms:
        key = normalize_phrase(term)
        if not key or key in seen:
            continue
        cost = count_tokens(term) + (1 if kept else 0)  # ", "
        if used + cost > max_tokens:
            continue  # a shorter name further down may still fit
        seen.add(key)
        kept.append(term)
        used += cost
    return ", ".join(kept) + ("." if kept else "")


# --- cards ---------------------------------------------------------------------------------------


def _jargon(card: Card) -> bool:
    """A name Whisper is likely to mishear: a word outside the dictionary, or an acronym."""
    from cuecard.knowledge.snap import is_english_word

    if card.common_word:
        return False
    words = normalize_phrase(card.name).split()
    return any(not is_english_word(w) for w in words) or bool(re.search(r"\b[A-Z]{2,}", card.name))


def _hintable(card: Card) -> bool:
    """Cards whose name may go in a prompt: not ordinary words (a prompt saying "Stack" or
    "EXPLAIN" makes Whisper write them where nobody said them), not long descriptive titles
    ("What happens when you type a URL into the browser")."""
    return not card.common_word and len(card.name.split()) <= 6


def job_cards(candidate) -> list[Card]:
    """Cards the job names (skills first, then its text), then the jargon cards of the
    domains those belong to, in file order."""
    from cuecard.knowledge.retrieval import name_hits

    if candidate is None:
        return []
    named: list[Card] = []
    texts = list(session_terms(candidate))
    if candidate.job is not None:
        texts += candidate.job.responsibilities
        texts.append(candidate.job.text)
    for text in texts:
        for hit in name_hits(text):
            if hit.card not in named:
                named.append(hit.card)
    domains = {c.domain for c in named}
    extra = [c for c in all_cards() if c.domain in domains and c not in named and _jargon(c)]
    return [c for c in named + extra if _hintable(c)]


def _meaning_scores(text: str) -> np.ndarray | None:
    """Cosine of ``text`` with every card's "what it is" vector (name and definition; order of
    ``all_cards()``), from the shipped card vectors (``knowledge/vectors.py``); None without the
    sentence model. (The "what it solves" vector matches ordinary talk about work too often:
    our non-technical sentences would pass the gate 2× as often.)"""
    from cuecard.drafting import semantic
    from cuecard.knowledge.vectors import card_vectors

    try:
        if not semantic.using_model():
            return None
        query = semantic.embed([text])[0]
        return card_vectors()[0] @ query
    except Exception as e:
        logger.debug(f"no meaning hints: {e}")
        return None


def _technical(text: str) -> bool:
    from cuecard.understanding.classifier import classify

    try:
        return classify(text).type == "technical"
    except Exception:
        return False


def heard_cards(text: str) -> list[Card]:
    """Cards the (possibly misheard) ``text`` points at, most likely first: names heard
    exactly, names it nearly says, the cards those are contrasted with or related to (a
    question names a pair more often than not: "saga … instead of two-phase commit"), then the
    closest in meaning. Only for a technical line (``_technical_line``); another line gets
    just the names heard exactly (ordinary speech is full of words outside the dictionary —
    people's and places' names — that nearly say some card name)."""
    from cuecard.knowledge.cards import cards_by_id
    from cuecard.knowledge.retrieval import name_hits
    from cuecard.knowledge.snap import near_names

    named: list[Card] = [h.card for h in name_hits(text)]
    scores = _meaning_scores(text)
    if scores is None:  # no sentence model: below every meaning gate
        return [c for c in named if _hintable(c)]
    cards = all_cards()
    order = np.argsort(-scores)[:MEANING_LIMIT]
    best = float(scores[order[0]]) if len(order) else 0.0
    if best >= MEANING_GATE:
        limit = MEANING_LIMIT
    elif best >= MEANING_GATE_TECHNICAL and _technical(text):
        limit = MEANING_LIMIT // 2
    else:
        return [c for c in named if _hintable(c)]
    meaning = [
        cards[int(i)] for i in order[:limit] if float(scores[i]) >= max(MEANING_GATE_TECHNICAL, best - MEANING_MARGIN)
    ]
    by_name = {c.name: c for c in cards}
    for name in near_names(text, limit=NEAR_LIMIT):
        card = by_name.get(name)
        if card is not None and card not in named:
            named.append(card)
    by_id = cards_by_id()
    neighbours: list[Card] = []
    for card in [*named, *meaning[:1]]:
        for card_id in [*card.contrasts, *card.related][:NEIGHBOURS_PER_CARD]:
            other = by_id.get(card_id)
            if other is not None and other not in named and other not in neighbours:
                neighbours.append(other)
    out: list[Card] = []
    for card in [*named, *meaning[:1], *neighbours, *meaning[1:]]:
        if card not in out and _hintable(card):
            out.append(card)
    return out


class SessionVocabulary:
    """Recognition hints and snapping terms of one session, read from its ``SessionContext``
    (the candidate may be set after the pipeline is built: it is read when first needed and
    again whenever it is replaced)."""

    def __init__(self, context=None, *, candidate=None) -> None:
        self._context = context
        self._candidate = candidate
        self._seen_id: int | None = None
        self._terms: list[str] = []
        self._prompt_terms: list[str] = []
        self._live: str = ""
        self._hints: list[str] = []
        self._lock = threading.Lock()

    def _current(self):
        return self._context.candidate if self._context is not None else self._candidate

    def _refresh(self):
        candidate = self._current()
        if id(candidate) == self._seen_id:
            return
        with self._lock:
            if id(candidate) == self._seen_id:
                return
            terms = session_terms(candidate)
            names = [c.name for c in job_cards(candidate)]
            self._terms = terms
            self._prompt_terms = technical_terms(terms)
            self._live = prompt_from([*self._prompt_terms, *names], LIVE_PROMPT_TOKENS)
            self._hints = list(dict.fromkeys([*self._prompt_terms, *names]))[:MAX_HINTS]
            self._seen_id = id(candidate)

    @property
    def terms(self) -> list[str]:
        self._refresh()
        return list(self._terms)

    def live_prompt(self) -> str | None:
        """Prompt of every live decode of the interviewer (None: no session vocabulary)."""
        self._refresh()
        return self._live or None

    def hints(self) -> list[str]:
        """Phrases for cloud providers' recognition hints (Deepgram keyterms, Google phrases)."""
        self._refresh()
        return list(self._hints)

    def refine_prompt(self, heard: str) -> str | None:
        """Prompt of the re-decode of an interviewer line whose live text was ``heard``."""
        self._refresh()
        names = [c.name for c in heard_cards(heard)] if heard.strip() else []
        # The session's first terms keep a share of the prompt; the line's own cards take the
        # rest, said last (nearest to the speech); terms fill what the line leaves.
        terms = prompt_from(self._prompt_terms, SESSION_SHARE_TOKENS).rstrip(".")
        budget = REFINE_PROMPT_TOKENS - (count_tokens(terms) + 1 if terms else 0)
        chosen = prompt_from(names, budget).rstrip(".")
        if not chosen and self._prompt_terms:
            terms = prompt_from(self._prompt_terms, REFINE_PROMPT_TOKENS).rstrip(".")
        return ", ".join(p for p in (terms, chosen) if p) + "." if (terms or chosen) else None

    def snap(self, text: str):
        from cuecard.knowledge.snap import snap_terms

        return snap_terms(text, self.terms)
