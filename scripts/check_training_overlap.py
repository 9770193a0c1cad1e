#!/usr/bin/env python3
"""Fail when the question classifier's training examples overlap an evaluation list.

Usage::

    python3 scripts/check_training_overlap.py ../shared/data/questions/questions-dev.tsv [MORE.tsv ...]

Training examples are every ``text`` of ``cuecard/understanding/data/training.tsv`` and every
string literal in ``cuecard/understanding/data/compose_examples.py`` (templates, slots, lists
of words; read with ``ast``, nothing is imported or run). Each is compared with the
``question`` of every row of the given TSV files after normalisation (lower case, punctuation
removed, spaces collapsed; a template placeholder such as ``{e}`` becomes a break that no run
crosses). A pair is reported when

- ``run``: they share ``RUN_WORDS`` (6) consecutive words, or
- ``twin``: their word sequences differ by at most one word (edit distance <= 1 on words:
  one word inserted, deleted or replaced), for texts of at least ``TWIN_MIN_WORDS`` words
  (shorter ones only when identical: "Why?" vs "How?" is no evidence of copying).

Exit status 1 with the pairs listed when anything overlaps, 0 otherwise, 2 on bad usage.
Standard library only, so CI can run it with the system ``python3``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "cuecard" / "understanding" / "data"
TRAINING_TSV = DATA / "training.tsv"
COMPOSE_PY = DATA / "compose_examples.py"
RUN_WORDS = 6
TWIN_MIN_WORDS = 4
BREAK = "\x00"  # stands for a template placeholder: no run of words crosses it

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NOT_WORD = re.compile(r"[^\w\s\x00]+")


def normalize(text: str) -> str:
    """Lower case, placeholders to breaks, punctuation removed, spaces collapsed."""
    text = _PLACEHOLDER.sub(f" {BREAK} ", text.lower().replace("\u2019", "'"))
    text = text.replace("'", "")  # "what's" and "whats" are one word
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def segments(norm: str) -> list[list[str]]:
    """Word lists between placeholders."""
    out, cur = [], []
    for w in norm.split():
        if w == BREAK:
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        out.append(cur)
    return out


def runs(norm: str, n: int = RUN_WORDS) -> list[tuple[str, ...]]:
    """Every run of ``n`` words within a segment, in text order, without repeats."""
    grams: dict[tuple[str, ...], None] = {}
    for seg in segments(norm):
        for i in range(len(seg) - n + 1):
            grams.setdefault(tuple(seg[i : i + n]), None)
    return list(grams)


def within_one_edit(a: list[str], b: list[str]) -> bool:
    """Word-level Levenshtein distance <= 1, in linear time."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def training_examples(training_tsv: Path = TRAINING_TSV, compose_py: Path = COMPOSE_PY) -> list[tuple[str, str]]:
    """(where, text) for every training row and every string literal of the composer."""
    out: list[tuple[str, str]] = []
    if training_tsv.is_file():
        with open(training_tsv, newline="", encoding="utf-8") as f:
            for n, row in enumerate(csv.DictReader(f, delimiter="\t"), start=2):
                out.append((f"{training_tsv.name}:{n}", row.get("text") or ""))
    if compose_py.is_file():
        tree = ast.parse(compose_py.read_text(encoding="utf-8"), filename=str(compose_py))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append((f"{compose_py.name}:{node.lineno}", node.value))
            elif isinstance(node, ast.JoinedStr):  # f"What is {c}? ..." read as a template
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
                out.append((f"{compose_py.name}:{node.lineno}", text))
    return out


def eval_rows(path: Path, column: str = "question") -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t")
        if column not in (reader.fieldnames or []):
            raise SystemExit(f"{path}: no {column!r} column")
        return [(f"{path.name}:{row.get('id') or n}", row[column] or "") for n, row in enumerate(reader, start=2)]


def overlaps(examples: list[tuple[str, str]], rows: list[tuple[str, str]]) -> list[tuple[str, str, str, str, str]]:
    """(kind, example where, example text, row where, row text) for every overlapping pair."""
    by_run: dict[tuple[str, ...], list[int]] = {}
    by_len: dict[int, list[int]] = {}
    row_norm = [normalize(t) for _, t in rows]
    row_words = [n.split() for n in row_norm]
    for j, norm in enumerate(row_norm):
        for g in runs(norm):
            by_run.setdefault(g, []).append(j)
        by_len.setdefault(len(row_words[j]), []).append(j)
    found, seen = [], set()
    for where, text in examples:
        norm = normalize(text)
        if not norm:
            continue
        hits: dict[int, str] = {}
        for g in runs(norm):
            for j in by_run.get(g, ()):
                hits.setdefault(j, "run: " + " ".join(g))
        for seg in segments(norm):
            for n in (len(seg) - 1, len(seg), len(seg) + 1):
                for j in by_len.get(n, ()):
                    other = row_words[j]
                    if j in hits or max(len(seg), len(other)) < TWIN_MIN_WORDS and seg != other:
                        continue
                    if within_one_edit(seg, other):
                        hits[j] = "twin" if seg != other else "same"
        for j, kind in hits.items():
            key = (norm, j)
            if key not in seen:
                seen.add(key)
                found.append((kind, where, text, rows[j][0], rows[j][1]))
    return found


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("eval_tsv", nargs="+", type=Path, help="TSV with a 'question' column")
    parser.add_argument("--training", type=Path, default=TRAINING_TSV)
    parser.add_argument("--compose", type=Path, default=COMPOSE_PY)
    parser.add_argument("--column", default="question", help="column of the TSV to compare (default: question)")
    args = parser.parse_args(argv)
    examples = training_examples(args.training, args.compose)
    if not examples:
        print(f"no training examples found ({args.training}, {args.compose})", file=sys.stderr)
        return 2
    total = 0
    for path in args.eval_tsv:
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
        rows = eval_rows(path, args.column)
        found = overlaps(examples, rows)
        for kind, where, text, row_where, row_text in sorted(found, key=lambda f: (f[3], f[1])):
            print(f"{kind}\t{where}\t{_short(text)!r}\t{row_where}\t{row_text!r}")
        total += len(found)
        print(f"{path}: {len(found)} overlapping pair(s) between {len(examples)} training examples and {len(rows)} rows",
              file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
