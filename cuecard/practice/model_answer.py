"""The model answer shown after scoring: the drafting engine's best draft for the question."""

from __future__ import annotations

from typing import Any


def draft_model_answer(
    question: str, *, profile: Any = None, job: Any = None, resources: Any = None, stories: Any = None
) -> str | None:
    """The drafting engine's "full" draft (the same composer ``cuecard draft`` uses), or None."""
    from cuecard.drafting.command import draft_one
    from cuecard.profile.models import CandidateContext, Profile

    candidate = CandidateContext(profile=profile or Profile(), stories=list(stories or []), job=job)
    if resources is not None and hasattr(resources, "composer_for"):
        composer = resources.composer_for(candidate)
    else:
        from cuecard.drafting.composer import Composer

        composer = Composer(candidate)
    result = draft_one(composer, question)
    options = result.get("options") or []
    if not options:
        return None
    # The "story" option: the full structured answer (STAR for behavioral questions).
    best = next((o for o in options if o.get("option") == "story"), options[0])
    return str(best["text"]) or None
