"""``cuecard draft [--profile FILE] [--stories FILE] [--job FILE] [--json] QUESTION...``

Drafts answers offline, as a live session would for a confirmed question: the question is
classified (type, topic), snapped to known technical terms, and composed from the knowledge
base and the candidate's material. One JSON object per question with ``--json``::

    {"question", "question_type", "topic", "coverage",
     "options": [{"option", "text", "source", "word_count", "speaking_secs"}]}
"""

from __future__ import annotations

import argparse
import json
import sys

from cuecard.drafting.options import OPTIONS, speaking_secs, word_count
from cuecard.kinds import SuggestionSource
from cuecard.profile.models import CandidateContext, Profile


def load_candidate(profile: str | None, stories: str | None, job: str | None) -> CandidateContext:
    from cuecard.profile.files import load_job, load_profile, load_stories

    return CandidateContext(
        profile=load_profile(profile) if profile else Profile(),
        stories=load_stories(stories) if stories else [],
        job=load_job(job) if job else None,
    )


def understand(question: str) -> tuple[str, str, str]:
    """(text as snapped to known terms, type, topic) for one question."""
    from cuecard.understanding.classifier import classify

    text = question
    try:
        from cuecard.knowledge.snap import snap_terms

        text = snap_terms(question).text
    except ImportError:  # snapping is an optional refinement of the text
        pass
    kind = classify(text)
    return text, kind.type, kind.topic


def draft_one(composer, question: str) -> dict:
    text, qtype, topic = understand(question)
    plan = composer.plan(text, qtype, topic)
    options = []
    for option in OPTIONS:
        draft = composer.render(plan, option)
        options.append(
            {
                "option": option,
                "text": draft,
                "source": SuggestionSource.COMPOSER,
                "word_count": word_count(draft),
                "speaking_secs": speaking_secs(draft),
            }
        )
    return {
        "question": question,
        "question_type": qtype,
        "topic": plan.topic_name or topic,
        "coverage": plan.coverage,
        "options": options,
    }


def main(argv: list[str] | None = None) -> int:
    from cuecard.drafting.composer import Composer
    from cuecard.profile.files import MaterialFileError

    parser = argparse.ArgumentParser(
        prog="cuecard draft", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("question", nargs="+")
    parser.add_argument("--profile", help="resume: md, txt, pdf, docx, or JSON Resume resume.json")
    parser.add_argument("--stories", help="STAR stories: JSON, YAML or Markdown")
    parser.add_argument("--job", help="job description: text or JSON")
    parser.add_argument("--json", action="store_true", help="one JSON object per question")
    args = parser.parse_args(argv)
    try:
        candidate = load_candidate(args.profile, args.stories, args.job)
    except (MaterialFileError, OSError) as e:
        print(f"cuecard draft: {e}", file=sys.stderr)
        return 2
    composer = Composer(candidate)
    for question in args.question:
        result = draft_one(composer, question)
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
            continue
        print(f"Q: {question}\n   {result['question_type']} · {result['topic'] or '-'} · notes: {result['coverage']}")
        for option in result["options"]:
            print(f"\n  [{option['option']}] {option['word_count']} words, {option['speaking_secs']:.0f} s")
            for line in option["text"].splitlines():
                print(f"    {line}")
        print()
    return 0
