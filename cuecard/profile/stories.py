"""Draft STAR stories from resume achievements.

Decision: drafts are split from the achievement's own words only — situation from the role
(title, employer, dates), action from the main clause, result from a trailing outcome clause
("…, reducing X by 40%", "…, which avoided Y", "resulting in Z"), task from an explicit
purpose clause ("to support…", "in order to…") or a "tasked with / responsible for" phrase.
Nothing is paraphrased or added, so no number, name or claim appears that the resume does not
contain; parts that the text does not give stay empty for the user to fill in. Every draft is
marked ``drafted=True`` until the user reviews it.
"""

from __future__ import annotations

import hashlib
import re

from cuecard.profile.models import Profile, Role, Story
from cuecard.profile.skills import find_skills

# Achievements shorter than this are labels ("Team lead"), not stories.
MIN_WORDS = 5
TITLE_WORDS = 8

_OUTCOME_VERBS = (
    r"reduc|cut|cutt|increas|improv|sav|boost|grow|grew|lower|achiev|rais|doubl|tripl|halv|"
    r"decreas|accelerat|shorten|eliminat|prevent|avoid|enabl|allow|deliver|generat|earn|win|won|"
    r"speed|sped|drop|shrink|shrank|free|freed|unblock|increas"
)
# A trailing clause that states an outcome. Ordered from the most explicit marker.
_RESULT_PATTERNS = (
    re.compile(
        r"[,;:]?\s*\b(?:resulting in|which resulted in|leading to|so that|with the result that)\b\s*(?P<result>.+)$",
        re.I,
    ),
    re.compile(rf"[,;]\s*(?:which|that)\s+(?P<result>(?:{_OUTCOME_VERBS})\w*\b.+)$", re.I),
    re.compile(rf"[,;]\s*(?P<result>(?:{_OUTCOME_VERBS})\w*ing\b.+)$", re.I),
    re.compile(r"[,;]\s*(?:and\s+)?(?P<result>(?:both|all|everyone|the team)\b.+)$", re.I),
)
_TASK_PATTERNS = (
    re.compile(r"\b(?:tasked with|responsible for|charged with|asked to)\s+(?P<task>[^,;]+)", re.I),
    re.compile(r"\b(?:in order to|so as to)\s+(?P<task>[^,;]+)", re.I),
    re.compile(
        r"\bto\s+(?P<task>(?:support|enable|handle|meet|reduce|improve|replace|scale|allow|serve|fix|remove|prevent|speed up|comply with)\b[^,;]*)",
        re.I,
    ),
)


def story_id(employer: str, achievement: str) -> str:
    """Stable id: re-drafting the same resume gives the same ids (no duplicates on re-import)."""
    digest = hashlib.sha1(f"{employer}\n{achievement}".encode()).hexdigest()[:12]
    return f"drafted-{digest}"


def _sentence(text: str) -> str:
    text = text.strip(" ,;:-—–")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _situation(role: Role) -> str:
    parts = []
    if role.title and role.employer:
        parts.append(f"As {role.title} at {role.employer}")
    elif role.title:
        parts.append(f"As {role.title}")
    elif role.employer:
        parts.append(f"At {role.employer}")
    if role.start:
        parts.append(f"({role.start}–{role.end})" if role.end else f"(from {role.start})")
    return (" ".join(parts) + ".") if parts else ""


# "Cut the bill by 35% by partitioning tables": the outcome comes first, the means after.
# Means markers from the most to the least specific; the first kind present decides.
_OUTCOME_FIRST = re.compile(rf"^(?:{_OUTCOME_VERBS})\w*\b", re.I)
_MEANS_MARKERS = (r"by\s+\w+ing", r"after\s+\w+ing", r"through", r"thanks to", r"using", r"with")


def _split_outcome_first(text: str) -> tuple[str, str] | None:
    """(action, result) for an achievement that states its outcome before its means."""
    if not _OUTCOME_FIRST.match(text):
        return None
    for marker in _MEANS_MARKERS:
        match = re.search(rf"\s(?:{marker})\b", text[1:], re.I)
        if match is None:
            continue
        result, action = text[: match.start() + 1], text[match.start() + 2 :]
        if len(result.split()) < 3 or len(action.split()) < 3:
            return None
        # "...by adding a cache; p95 latency fell 40%": the clause after ";" is outcome too.
        action, _, more = action.partition("; ")
        return action, (f"{result}; {more}" if more else result)
    return None


def split_star(achievement: str) -> tuple[str, str, str]:
    """(task, action, result) taken verbatim from one achievement sentence."""
    text = " ".join(achievement.split()).rstrip(".")
    result = ""
    outcome_first = _split_outcome_first(text)
    if outcome_first:
        return "", _sentence(outcome_first[0]), _sentence(outcome_first[1])
    for pattern in _RESULT_PATTERNS:
        match = pattern.search(text)
        if match and len(text[: match.start()].split()) >= 3:
            result = match.group("result")
            text = text[: match.start()]
            break
    task = ""
    for i, pattern in enumerate(_TASK_PATTERNS):
        match = pattern.search(text)
        if match:
            task = match.group("task")
            # "Tasked with X, did Y": the action is Y (a purpose clause stays in the action).
            rest = (text[: match.start()] + text[match.end() :]).strip(" ,;")
            if i == 0 and len(rest.split()) >= 3:
                text = rest
            break
    return _sentence(task), _sentence(text), _sentence(result)


def _title(achievement: str) -> str:
    words = re.split(r"[,;:]", achievement, maxsplit=1)[0].split()
    title = " ".join(words[:TITLE_WORDS])
    return title + ("…" if len(words) > TITLE_WORDS else "")


def draft_story(role: Role, achievement: str) -> Story:
    task, action, result = split_star(achievement)
    return Story(
        id=story_id(role.employer, achievement),
        title=_title(achievement),
        situation=_situation(role),
        task=task,
        action=action,
        result=result,
        skills=find_skills(achievement),
        role_employer=role.employer,
        drafted=True,
    )


def draft_stories(profile: Profile) -> list[Story]:
    """One drafted story per resume achievement of at least a few words, in resume order."""
    stories: list[Story] = []
    seen: set[str] = set()
    for role in profile.roles:
        for achievement in role.achievements:
            if len(achievement.split()) < MIN_WORDS:
                continue
            story = draft_story(role, achievement)
            if story.id not in seen:
                seen.add(story.id)
                stories.append(story)
    return stories


def story_text(story: Story) -> str:
    """The story as one passage, for embedding and matching."""
    parts = [story.title, story.situation, story.task, story.action, story.result]
    return " ".join(p for p in parts if p)
