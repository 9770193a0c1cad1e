"""``cuecard bench draft-time QUESTIONS.tsv [--profile F] [--job F] [--stories F]``: how long the
offline composer takes to draft one final question (plan: retrieval and story matching, then
the three options), after the session's warm-up (cards embedded, model loaded). Last line::

    draft one question: median <a> ms, p95 <b> ms, max <c> ms over <n> questions
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cuecard.drafting.command import load_candidate
from cuecard.drafting.composer import Composer
from cuecard.drafting.options import OPTIONS
from cuecard.eval.answers import read_questions
from cuecard.knowledge.retrieval import warm_up


def main(args) -> int:
    parser = argparse.ArgumentParser(
        prog="cuecard bench draft-time", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("questions")
    parser.add_argument("--profile")
    parser.add_argument("--stories")
    parser.add_argument("--job")
    a = parser.parse_args(getattr(args, "args", None) or [])
    warm_up()
    composer = Composer(load_candidate(a.profile, a.stories, a.job))
    questions = read_questions(a.questions, None)
    composer.drafts(questions[0], "technical")  # first call pays one-time imports
    times = []
    for question in questions:
        started = time.perf_counter()
        plan = composer.plan(question, "technical")
        for option in OPTIONS:
            composer.render(plan, option)
        times.append((time.perf_counter() - started) * 1000)
    ms = np.asarray(times)
    print(
        f"draft one question: median {np.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, "
        f"max {ms.max():.1f} ms over {len(ms)} questions"
    )
    return 0
