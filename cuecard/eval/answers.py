"""``cuecard eval answers QUESTIONS.tsv [--profile F] [--stories F] [--job F] [--label T]``

Drafts every question of the file offline, exactly as ``cuecard draft`` does (classified as a
live session would, snapped to known terms, composed from the knowledge base and the
candidate's material), and scores every option of every draft with this rubric:

- **placeholders**: a fill-in slot (``[…]``, ``{…}``, ``<…>``, "TODO", "___") — the draft cannot
  be read aloud as it stands;
- **on topic**: the question's key terms are answered — each card the question names (by name
  or alias) is named in the draft (a contrast card, "X vs Y", answers both sides); a question
  naming no card needs half of its subject's content words (stemmed; words that only frame a
  comparison, such as difference, between, versus, do not count) in the draft;
- **substantive**: the draft says something beyond restating the question and the candidate's
  material — at least ``MIN_NEW_WORDS`` distinct content words that appear in neither;
- **grounded**: nothing about the candidate their material does not say — every number and
  every capitalized name inside a sentence appears in the material, the question or the
  knowledge base's text;
- **length**: at most 225 words (90 s spoken).

A question's draft is **useful** when all three options pass all five. Rows are read from a
TSV with a ``question`` column (``label``/``asked_by`` honoured when present: candidate
questions are skipped). Last line::

    answers: useful <u>/<n> (on-topic <t>, substantive <s>, grounded <g>, placeholders <p>)

where on-topic/substantive/grounded count questions whose three options all pass, and
placeholders counts questions with a slot in any option.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from cuecard.drafting.options import MAX_WORDS
from cuecard.drafting.semantic import content_words, stem
from cuecard.kinds import Role

MIN_NEW_WORDS = 12
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]+>|\bTODO\b|_{3,}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NAME = re.compile(r"(?<![.:!?]\s)(?<!^)\b[A-Z][a-zA-Z]+")


# How a question is asked, not what it is about: "what's the difference between a stable and an
# unstable sort" is answered by a draft about stable and unstable sorts that never says
# "difference between" (such drafts were marked off topic).
_FRAMING = {stem(w) for w in "difference differences differ between versus compare compared comparison explain".split()}


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def placeholders(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def on_topic(question: str, text: str) -> bool:
    from cuecard.knowledge.cards import normalize_phrase
    from cuecard.knowledge.retrieval import name_hits, subject_of

    draft = f" {normalize_phrase(text)} "
    named = name_hits(question)
    wanted = _stems(subject_of(question)) - _FRAMING
    described = bool(wanted) and len(wanted & _stems(text)) >= max(1, len(wanted) // 2)
    if named and COMPARE.search(question) and len(named) >= 2:
        # Both sides; a card written as the contrast itself ("while vs do-while loops") answers
        # both, and a language named beside it ("…in JavaScript") is context, not a side.
        contrast = [h for h in named if _CONTRAST_NAME.search(h.card.name)]
        if contrast:
            return _answers_card(contrast[0].card, draft, text)
        return all(_answers_card(h.card, draft, text) for h in named[:2])
    if named:  # a term the question names is explained, or the draft answers what it describes
        return any(_answers_card(h.card, draft, text) for h in named) or described
    return described


_CONTRAST_NAME = re.compile(r"\s(?:vs\.?|versus)\s", re.IGNORECASE)
COMPARE = re.compile(r"\b(?:vs\.?|versus|difference|differ|compare|compared)\b", re.IGNORECASE)


def _answers_card(card, draft: str, text: str) -> bool:
    """The draft names the card (any alias), or a comparison card's both sides, or most of the
    words of its name ("what happens when you type a URL")."""
    from cuecard.knowledge.cards import normalize_phrase

    sides = re.split(r"\s+(?:vs\.?|versus)\s+", card.name)
    if len(sides) > 1:
        return all(f" {normalize_phrase(side)} " in draft or _stems(side) <= _stems(text) for side in sides)
    if any(f" {p} " in draft for p in _variants(card.phrases())):
        return True
    wanted = _stems(card.name)
    return bool(wanted) and len(wanted & _stems(text)) * 3 >= len(wanted) * 2


def _variants(phrases: list[str]) -> list[str]:
    from cuecard.knowledge.retrieval import _number_variants

    return [v for p in phrases for v in _number_variants(p)]


def substantive(question: str, text: str, material: str) -> bool:
    return len(_stems(text) - _stems(question) - _stems(material)) >= MIN_NEW_WORDS


def ungrounded(text: str, allowed: str) -> list[str]:
    """Numbers and in-sentence names in ``text`` that ``allowed`` does not contain."""
    allowed_numbers = set(_NUMBER.findall(allowed))
    allowed_words = {w.lower() for w in re.findall(r"[A-Za-z]+", allowed)}
    bad = [n for n in _NUMBER.findall(text) if n not in allowed_numbers]
    for line in text.splitlines():
        bad += [m.group(0) for m in _NAME.finditer(line) if m.group(0).lower() not in allowed_words]
    return bad


def knowledge_text() -> str:
    from cuecard.knowledge.cards import all_cards

    return " ".join(
        " ".join(
            [c.name, *c.aliases, c.definition, c.how_it_works, c.when_to_use, c.when_not_to_use, c.tradeoffs, c.example]
        )
        for c in all_cards()
    )


def read_questions(path: Path, label: str | None) -> list[str]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    out = []
    for row in rows:
        if row.get("asked_by", Role.INTERVIEWER) != Role.INTERVIEWER or row.get("label") == "candidate_question":
            continue
        if label and row.get("label") != label:
            continue
        out.append(row["question"])
    return out


def main(args) -> int:
    from cuecard.drafting.command import draft_one, load_candidate
    from cuecard.drafting.composer import Composer

    path = Path(args.manifest)
    if not path.is_file():
        print(f"cuecard eval answers: no such file {path}", file=sys.stderr)
        return 2
    questions = read_questions(path, getattr(args, "label", None))
    if args.limit:
        questions = questions[: args.limit]
    candidate = load_candidate(args.profile, args.stories, args.job)
    material = candidate.model_dump_json()
    kb = knowledge_text()
    composer = Composer(candidate)
    totals = {"useful": 0, "on_topic": 0, "substantive": 0, "grounded": 0, "placeholders": 0}
    shown = 0
    for question in questions:
        result = draft_one(composer, question)
        texts = [o["text"] for o in result["options"]]
        allowed = " ".join([material, question, kb])
        checks = {
            "on_topic": all(on_topic(question, t) for t in texts),
            "substantive": all(substantive(question, t, material) for t in texts),
            "grounded": all(not ungrounded(t, allowed) for t in texts),
            "placeholders": any(placeholders(t) for t in texts),
            "length": all(len(t.split()) <= MAX_WORDS for t in texts),
        }
        useful = (
            checks["on_topic"]
            and checks["substantive"]
            and checks["grounded"]
            and not checks["placeholders"]
            and checks["length"]
        )
        for key in ("on_topic", "substantive", "grounded", "placeholders"):
            totals[key] += int(checks[key])
        totals["useful"] += int(useful)
        failed = [k for k in ("on_topic", "substantive", "grounded", "length") if not checks[k]]
        failed += ["placeholders"] if checks["placeholders"] else []
        print(
            f"{'useful ' if useful else 'NOT    '} {result['question_type']:<11} {result['coverage']:<7} "
            f"{result['topic'][:28]:<28} {','.join(failed) or '-':<24} {question[:70]}"
        )
        if shown < args.show:
            shown += 1
            for option in result["options"]:
                print(f"    [{option['option']}] {option['text']}".replace("\n", " / "))
    n = len(questions)
    print(
        f"answers: useful {totals['useful']}/{n} (on-topic {totals['on_topic']}, substantive "
        f"{totals['substantive']}, grounded {totals['grounded']}, placeholders {totals['placeholders']})"
    )
    return 0
