"""Spoken technical answers from concept cards and the candidate's own material.

Shape of an answer: what it is → how it works → when to use it and what it costs → an example.
The example is the candidate's own when their resume or stories mention the subject (the
achievement as written, with the role it comes from), otherwise the card's illustrative
example, which is said as one ("For example, …") and never claimed as the candidate's.

The three options differ in what leads and how much is said:
- ``concise`` (≤ 60 words): the definition and the core of how it works;
- ``story``: the candidate's own example first, then the explanation; without an own example,
  the explanation around the card's illustrative example;
- ``deep_dive`` (≤ 225 words): every part, plus when not to use it and what it is often
  compared with.

Comparisons ("X vs Y") answer both cards side by side and say when to pick each; multi-part
questions answer each part in the order asked. When no card matches (``coverage == "none"``)
the draft says so honestly: a clarifying question to ask, and the candidate's closest
experience as talking points — never a template with blanks.

Decision: no fill-in slot ever reaches the page. Every sentence is either a card's sentence
(written by the project), a fact copied from the candidate's material, or a fixed connective
phrase; a part with nothing to say is left out rather than bracketed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cuecard.drafting.options import enforce_word_limit
from cuecard.kinds import AnswerOption
from cuecard.knowledge.cards import Card, cards_by_id, normalize_phrase
from cuecard.knowledge.retrieval import Retrieval, subject_of

CONCISE_WORDS = 60
STORY_WORDS = 170
DEEP_WORDS = 225

# First words of an achievement that read as a past-tense action, so "I" can lead it.
_PAST_VERBS = set(
    """built led ran wrote made drove grew cut won set took began brought chose
found gave got kept lent met paid put sent shipped spent taught thought told understood rebuilt
rewrote redesigned oversaw undertook""".split()
)


@dataclass
class Evidence:
    """A line of the candidate's own material that shows the subject."""

    sentence: str  # first person, as said
    employer: str = ""
    title: str = ""


def first_sentence(text: str) -> str:
    match = re.search(r"(?<=[.!?])\s", text.strip())
    return text.strip()[: match.start()].strip() if match else text.strip()


def sentence(text: str) -> str:
    text = " ".join(text.split()).strip().rstrip(";,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    first = text.split(" ", 1)[0] if text else ""
    if (
        first in {"I", "I'm", "I've", "I'd"}
        or len(first) > 1
        and (first.isupper() or any(c.isupper() for c in first[1:]))
    ):
        return text
    return text[:1].lower() + text[1:]


def first_person(achievement: str) -> str:
    """ "Cut p95 latency by 80%" → "I cut p95 latency by 80%." (as written otherwise)."""
    text = achievement.strip().rstrip(".")
    first = text.split(" ", 1)[0].lower() if text else ""
    if first.endswith("ed") or first in _PAST_VERBS:
        return sentence("I " + lower_first(text))
    if first in {"i", "we"}:
        return sentence(text)
    return sentence(f"one thing I did there: {lower_first(text)}")


def _named(card: Card, text: str) -> str:
    """Card sentences often start "Use it when…" / "It…": in a contrast "it" is ambiguous."""
    text = re.sub(
        r"^(Use|Choose|Pick|Reach for|Avoid|Skip|Prefer) (?:it|them)\b",
        lambda m: f"{m.group(1)} {lower_first(card.name)}",
        text,
    )
    return re.sub(r"^(?:It|They)\b", card.name, text)


def _mentions(text: str, phrases: list[str]) -> bool:
    """A phrase as whole words; a long one-word phrase also by its stem ("idempotency" is
    mentioned by "idempotent")."""
    norm = f" {normalize_phrase(text)} "
    if any(f" {p} " in norm for p in phrases if len(p) > 2):
        return True
    stems = [p[:-2] for p in phrases if " " not in p and len(p) >= 9]
    return any(f" {stem}" in norm for stem in stems)


_VENDORS = {"apache", "amazon", "aws", "google", "microsoft", "azure", "the"}


def _evidence_phrases(card: Card) -> list[str]:
    """The card's phrases, plus its name without a vendor word: a resume says "Airflow", not
    "Apache Airflow"."""
    phrases = card.phrases()
    words = normalize_phrase(card.name).split()
    if len(words) > 1 and words[0] in _VENDORS:
        phrases.append(" ".join(words[1:]))
    return phrases


def find_evidence(card: Card, candidate) -> Evidence | None:
    """The candidate's own line about this card (or a directly related one): a reviewed story
    first, then a resume achievement. None when their material does not mention it."""
    related = [card] + [cards_by_id()[i] for i in card.related if i in cards_by_id()][:3]
    for subject in related:
        phrases = _evidence_phrases(subject)
        for story in sorted(candidate.stories, key=lambda s: s.drafted):
            if not story.action or story.drafted and not story.result:
                continue
            if _mentions(" ".join([story.title, story.action, story.result, " ".join(story.skills)]), phrases):
                role = next(
                    (
                        r
                        for r in candidate.profile.roles
                        if story.role_employer and r.employer.lower() == story.role_employer.lower()
                    ),
                    None,
                )
                said = " ".join(
                    filter(
                        None,
                        [
                            sentence(first_sentence(story.situation)) if story.situation else "",
                            sentence(first_sentence(story.action)),
                            sentence(first_sentence(story.result)) if story.result else "",
                        ],
                    )
                )
                return Evidence(said, story.role_employer, role.title if role else "")
        for role in candidate.profile.roles:
            for achievement in role.achievements:
                if _mentions(achievement, phrases):
                    return Evidence(first_person(achievement), role.employer, role.title)
    return None


def _where(evidence: Evidence) -> str:
    if evidence.title and evidence.employer:
        return f"An example from my work as {evidence.title} at {evidence.employer}"
    if evidence.employer:
        return f"An example from my work at {evidence.employer}"
    return "An example from my own work"


def _own_example(evidence: Evidence | None) -> str:
    if evidence is None:
        return ""
    return f"{_where(evidence)}: {evidence.sentence}"


def _single(card: Card, option: str, evidence: Evidence | None) -> list[str]:
    how = card.how_it_works
    own = _own_example(evidence)
    if option == AnswerOption.CONCISE:
        return [card.definition, _fill(how, CONCISE_WORDS - len(card.definition.split()))]
    if option == AnswerOption.STORY:
        if own:
            return [own, card.definition, how, card.tradeoffs]
        return [card.definition, how, card.example, card.when_to_use]
    contrast = ""
    others = [cards_by_id()[i] for i in card.contrasts if i in cards_by_id()]
    if others:
        contrast = f"It is often compared with {others[0].name}: {lower_first(others[0].definition)}."
    return [card.definition, how, card.when_to_use, card.when_not_to_use, card.tradeoffs, own or card.example, contrast]


def _compare(cards: list[Card], option: str, evidence: Evidence | None) -> list[str]:
    """Two or three things side by side: what each is, how each works, when to pick each."""
    if option == AnswerOption.CONCISE:
        return [_short(c.definition, CONCISE_WORDS // len(cards)) for c in cards]
    lines = [
        *(c.definition for c in cards),
        "The key difference is in how they work. " + " ".join(_named(c, first_sentence(c.how_it_works)) for c in cards),
        *(_named(c, c.when_to_use) for c in cards),
    ]
    own = _own_example(evidence)
    if option == AnswerOption.STORY and own:
        return [own, *lines]
    if option == AnswerOption.DEEP_DIVE:
        lines += [*(c.tradeoffs for c in cards), own]
    return lines


def _fill(text: str, budget: int) -> str:
    """As many of ``text``'s sentences as fit ``budget`` words; at least the first sentence,
    cut to its leading clauses when it alone is too long. A one-line first sentence ("Static
    is normal flow.") says too little on its own, so the next ones follow when they fit."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    if not sentences:
        return ""
    kept = _short(sentences[0], max(budget, 12))
    if kept != sentences[0]:
        return kept
    for extra in sentences[1:]:
        if len((kept + " " + extra).split()) > budget:
            break
        kept += " " + extra
    return kept


def _short(text: str, budget: int) -> str:
    """``text`` cut to its leading clauses that fit ``budget`` words (at least the first)."""
    if len(text.split()) <= budget:
        return text
    clauses = re.split(r"(?<=[,;])\s+", text.rstrip("."))
    kept = clauses[0]
    for clause in clauses[1:]:
        if len((kept + " " + clause).split()) > budget:
            break
        kept += " " + clause
    return kept.rstrip(",;") + "."


def _multi(cards: list[Card], option: str, evidence: Evidence | None) -> list[str]:
    lines = []
    budget = (CONCISE_WORDS - 4) // max(1, len(cards))
    for i, card in enumerate(cards):
        lead = "First, " if i == 0 else ("Then, " if i < len(cards) - 1 else "And finally, ")
        body = (
            _short(card.definition, budget)
            if option == AnswerOption.CONCISE
            else f"{card.definition} {first_sentence(card.how_it_works)}"
        )
        lines.append(lead + lower_first(body) + ".")
        if option == AnswerOption.DEEP_DIVE:
            lines.append(card.tradeoffs)
    own = _own_example(evidence)
    if option != AnswerOption.CONCISE and own:
        lines.append(own)
    return lines


_NOT_A_SUBJECT = re.compile(r"^(?:do|does|did|if|you|your|i|we|they|it|is|are|was|that|this|to|be|have|had)\b", re.I)


def _no_notes(question: str, option: str, closest: Evidence | None, skills: list[str]) -> list[str]:
    subject = lower_first(subject_of(question))
    if subject and len(subject.split()) <= 6 and not _NOT_A_SUBJECT.match(subject):
        ask = (
            f"Before I answer, could I check what you mean by {subject}: in general, or in a specific "
            f"part of your system?"
        )
    else:  # a long or garbled subject read back to the interviewer would sound odd
        ask = "Before I answer, could you tell me a little more about the setting you have in mind?"
    lines = [ask]
    if closest is not None:
        at = f" at {closest.employer}" if closest.employer else ""
        lines.append(f"The closest thing I have done was{at}: {closest.sentence}")
    if skills and closest is not None and option != AnswerOption.CONCISE:
        lines.append(f"Related experience I can speak to: {', '.join(skills[:3])}.")
    if option == AnswerOption.DEEP_DIVE:
        lines.append(
            "I would then reason from first principles out loud: what the problem is, the simplest "
            "thing that works, and what it costs at scale."
        )
    return lines


def own_evidence(retrieval: Retrieval, candidate) -> Evidence | None:
    """The candidate's own line about the first retrieved card that has one."""
    return next((e for e in (find_evidence(c, candidate) for c in retrieval.cards) if e), None)


def technical_lines(
    retrieval: Retrieval,
    option: str,
    evidence: Evidence | None,
    *,
    closest: Evidence | None = None,
    skills: list[str] | None = None,
) -> list[str]:
    """The sentences of one option (before the word limit). ``evidence`` is
    :func:`own_evidence` of the retrieval, found once per question for all three options."""
    cards = retrieval.cards
    if retrieval.mode == "none" or not cards:
        return _no_notes(retrieval.question, option, closest, skills or [])
    if retrieval.mode == "compare" and len(cards) >= 2:
        return _compare(cards[:3], option, evidence)
    if retrieval.mode == "multi" and len(cards) >= 2:
        return _multi(cards, option, evidence)
    return _single(cards[0], option, evidence)


def technical_draft(retrieval: Retrieval, option: str, evidence: Evidence | None, **kwargs) -> str:
    limits: dict[str, int] = {AnswerOption.CONCISE: CONCISE_WORDS, AnswerOption.STORY: STORY_WORDS}
    limit = limits.get(option, DEEP_WORDS)
    lines = [sentence(line) for line in technical_lines(retrieval, option, evidence, **kwargs) if line.strip()]
    return enforce_word_limit("\n".join(lines), limit)
