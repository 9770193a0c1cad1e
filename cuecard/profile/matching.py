"""Match a candidate (profile + stories) against a job: coverage, gaps, and story fit.

Decisions:
- Whether a skill is *shown* is decided by the skills vocabulary only (exact name, synonym,
  or a vocabulary implication such as PostgreSQL ⇒ SQL), never by embeddings: a coverage
  figure must be explainable, and every shown skill carries its evidence (the skill list
  entry, the role achievement or the story that mentions it).
- Which story fits a requirement is ranked with sentence embeddings (MiniLM, see
  :mod:`cuecard.embeddings`) blended with skill overlap, because requirements and stories
  rarely share words ("handle disagreement constructively" vs "pushed back on the launch
  date"). Score = 0.6·cosine + 0.4·(share of the requirement's skills the story shows) when
  the requirement names skills, else the cosine; stories under ``MIN_FIT`` are not offered.
- ``coverage`` is ``None`` when the job lists no required skill (nothing to cover), rather
  than a misleading 0 or 1.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from loguru import logger
from pydantic import BaseModel, Field

from cuecard.profile.models import Job, Profile, Story
from cuecard.profile.skills import canonical, find_mentions, find_skills, implied_by, normalise
from cuecard.profile.stories import story_text

MIN_FIT = 0.3
STORIES_PER_REQUIREMENT = 3
SEMANTIC_WEIGHT = 0.6

MatchKind = Literal["exact", "synonym", "implied"]
RequirementKind = Literal["required_skill", "preferred_skill", "responsibility"]


class SkillEvidence(BaseModel):
    source: Literal["skills", "role", "story"]
    text: str  # the skill list entry, the achievement, or the story title
    match: MatchKind
    role_employer: str = ""
    story_id: str = ""


class SkillCoverage(BaseModel):
    skill: str
    required: bool
    shown: bool
    evidence: list[SkillEvidence] = Field(default_factory=list)


class StoryFit(BaseModel):
    story_id: str
    title: str
    score: float
    shared_skills: list[str] = Field(default_factory=list)


class RequirementFit(BaseModel):
    requirement: str
    kind: RequirementKind
    stories: list[StoryFit] = Field(default_factory=list)


class JobMatch(BaseModel):
    coverage: float | None  # shown required skills / required skills; None if none required
    required_shown: int = 0
    required_total: int = 0
    skills: list[SkillCoverage] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)  # required skills not shown
    preferred_gaps: list[str] = Field(default_factory=list)  # preferred skills not shown
    requirements: list[RequirementFit] = Field(default_factory=list)
    # False when the embedding model could not be loaded: stories were then ranked by shared
    # skills only (coverage and gaps do not depend on the model).
    semantic_ranking: bool = True


# --- evidence --------------------------------------------------------------------------------


def _mention_match(skill: str, written: str) -> MatchKind:
    return "exact" if normalise(written) == normalise(skill) else "synonym"


def _evidence_in_text(text: str) -> dict[str, MatchKind]:
    """skill -> match kind, for every skill a passage shows directly or by implication."""
    found: dict[str, MatchKind] = {}
    for name, written in find_mentions(text):
        kind = _mention_match(name, written)
        if found.get(name) != "exact":
            found[name] = kind
        for implied in implied_by(name):
            found.setdefault(implied, "implied")
    return found


def _skill_list_evidence(profile: Profile) -> dict[str, list[SkillEvidence]]:
    out: dict[str, list[SkillEvidence]] = {}
    for written in profile.skills:
        name = canonical(written)
        kind = _mention_match(name, written)
        out.setdefault(name, []).append(SkillEvidence(source="skills", text=written, match=kind))
        for implied in implied_by(name):
            out.setdefault(implied, []).append(SkillEvidence(source="skills", text=written, match="implied"))
    return out


def collect_evidence(profile: Profile, stories: list[Story]) -> dict[str, list[SkillEvidence]]:
    """canonical skill -> where the candidate shows it (skill list, achievements, stories)."""
    evidence = _skill_list_evidence(profile)
    for role in profile.roles:
        for achievement in [role.title, *role.achievements]:
            for name, kind in _evidence_in_text(achievement).items():
                evidence.setdefault(name, []).append(
                    SkillEvidence(source="role", text=achievement, match=kind, role_employer=role.employer)
                )
    for story in stories:
        for name, kind in _story_skills(story).items():
            evidence.setdefault(name, []).append(
                SkillEvidence(source="story", text=story.title or story.action, match=kind, story_id=story.id)
            )
    return evidence


def _story_skills(story: Story) -> dict[str, MatchKind]:
    """Skills a story shows: its tags (as the user edited them) and what it says was done.

    The situation is left out: for drafted stories it is the role's title and employer,
    which would credit every story of a role with the title's skills ("Backend Engineer").
    """
    found = _evidence_in_text(" ".join([story.title, story.task, story.action, story.result]))
    for tag in story.skills:
        name = canonical(tag)
        found.setdefault(name, _mention_match(name, tag))
        for implied in implied_by(name):
            found.setdefault(implied, "implied")
    return found


def _lookup(evidence: dict[str, list[SkillEvidence]], skill: str) -> list[SkillEvidence]:
    key = normalise(canonical(skill))
    return [e for name, items in evidence.items() if normalise(name) == key for e in items]


# --- story fit -------------------------------------------------------------------------------


def _rank_stories(
    requirement_vectors: np.ndarray | None,
    requirement_skills: list[list[str]],
    stories: list[Story],
    story_vectors: np.ndarray | None,
) -> list[list[StoryFit]]:
    """Best stories per requirement; without vectors (no model) by shared skills alone."""
    if not stories:
        return [[] for _ in requirement_skills]
    semantic = requirement_vectors is not None and story_vectors is not None
    if requirement_vectors is not None and story_vectors is not None:
        cosine = np.clip(requirement_vectors @ story_vectors.T, 0.0, 1.0)
    else:
        cosine = np.zeros((len(requirement_skills), len(stories)), np.float32)
    story_skill_sets = [{normalise(s) for s in _story_skills(story)} for story in stories]
    ranked: list[list[StoryFit]] = []
    for row, skills in zip(cosine, requirement_skills, strict=True):
        wanted = {normalise(s) for s in skills}
        fits = []
        for j, story in enumerate(stories):
            shared = [s for s in skills if normalise(s) in story_skill_sets[j]]
            if wanted and not semantic:
                score = len(shared) / len(wanted)
            elif wanted:
                score = SEMANTIC_WEIGHT * row[j] + (1 - SEMANTIC_WEIGHT) * len(shared) / len(wanted)
            else:
                score = float(row[j])
            if score >= MIN_FIT:
                fits.append(
                    StoryFit(story_id=story.id, title=story.title, score=round(float(score), 3), shared_skills=shared)
                )
        fits.sort(key=lambda f: f.score, reverse=True)
        ranked.append(fits[:STORIES_PER_REQUIREMENT])
    return ranked


def _embed_or_none(texts: list[str]) -> np.ndarray | None:
    """Sentence vectors, or None when the model is missing or damaged (logged once per call)."""
    from cuecard.embeddings import EmbeddingModelError, embed  # lazy: parsing needs no model

    try:
        return embed(texts)
    except (EmbeddingModelError, ImportError, OSError) as exc:
        logger.warning(f"Story ranking without embeddings (shared skills only): {exc}")
        return None


def match(profile: Profile, stories: list[Story], job: Job) -> JobMatch:
    """Coverage, gaps and story fit of a candidate for a job."""
    evidence = collect_evidence(profile, stories)
    result = JobMatch(coverage=None)
    for required, skills in ((True, job.required_skills), (False, job.preferred_skills)):
        for skill in skills:
            found = _lookup(evidence, skill)
            result.skills.append(SkillCoverage(skill=skill, required=required, shown=bool(found), evidence=found))
            if not found:
                (result.gaps if required else result.preferred_gaps).append(skill)
    result.required_total = len(job.required_skills)
    result.required_shown = result.required_total - len(result.gaps)
    if result.required_total:
        result.coverage = round(result.required_shown / result.required_total, 3)

    requirements: list[tuple[str, RequirementKind, list[str]]] = (
        [(s, "required_skill", [s]) for s in job.required_skills]
        + [(s, "preferred_skill", [s]) for s in job.preferred_skills]
        + [(r, "responsibility", find_skills(r)) for r in job.responsibilities]
    )
    if requirements:
        vectors = story_vectors = None
        if stories:
            vectors = _embed_or_none([_requirement_text(text, kind) for text, kind, _ in requirements])
            story_vectors = _embed_or_none([story_text(s) for s in stories]) if vectors is not None else None
            result.semantic_ranking = story_vectors is not None
        ranked = _rank_stories(vectors, [skills for _, _, skills in requirements], stories, story_vectors)
        result.requirements = [
            RequirementFit(requirement=text, kind=kind, stories=fits)
            for (text, kind, _), fits in zip(requirements, ranked, strict=True)
        ]
    return result


def _requirement_text(text: str, kind: str) -> str:
    # A bare skill name ("Go") embeds poorly; a short phrase around it places it better.
    return f"experience with {text}" if kind != "responsibility" else text
