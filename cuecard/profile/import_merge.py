"""Merging an imported profile into the stored one, and the report of what it took.

Decision (merge rule): the stored profile is what the user reviewed and corrected, so an
import adds and fills, never overwrites.
- Scalar fields (name, headline, summary, email, resume text): the import fills a blank one;
  a non-blank stored value is kept (reported under ``kept``).
- Skills: union; two names are the same skill when their canonical names (the skills
  vocabulary's, e.g. "JS" = "JavaScript") match case-insensitively. Stored order first.
- Roles: the same role when employer and title match (case and punctuation folded) and, when
  both have a start date, the start month matches (someone may hold the same title at the
  same company twice). A matching role gains the achievements it lacked and its blank fields
  are filled; otherwise the role is added. Education by (institution, degree), projects and
  certifications by name, the same way.
Replacing instead would let a LinkedIn export undo the user's edits; keeping duplicates would
make every re-import grow the profile. Re-importing the same file therefore changes nothing
(its report says so: all counts under ``duplicates``).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from cuecard.profile.export import iso_date
from cuecard.profile.models import Profile
from cuecard.profile.skills import canonical

SCALARS = ("name", "headline", "summary", "email", "resume_text")


def _fold(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def _role_key(role: Any) -> tuple[str, str]:
    return (_fold(role.employer), _fold(role.title))


def _same_start(a: str, b: str) -> bool:
    ia, ib = iso_date(a), iso_date(b)
    return not ia or not ib or ia[:7] == ib[:7]


def _key(section: str, item: Any) -> tuple[str, ...]:
    if section == "education":
        return (_fold(item.institution), _fold(item.degree))
    if section == "roles":
        return _role_key(item)
    return (_fold(item.name),)


def _fill(target: BaseModel, source: BaseModel) -> bool:
    """Blank fields of ``target`` from ``source``; list fields gain the items they lack."""
    changed = False
    for name in type(target).model_fields:
        mine, theirs = getattr(target, name), getattr(source, name)
        if isinstance(mine, list):
            new = [x for x in theirs if _fold(str(x)) not in {_fold(str(m)) for m in mine}]
            if new:
                setattr(target, name, [*mine, *new])
                changed = True
        elif not mine and theirs:
            setattr(target, name, theirs)
            changed = True
    return changed


def merge(stored: Profile, imported: Profile) -> tuple[Profile, dict[str, Any]]:
    """(merged profile, report counts)."""
    merged = stored.model_copy(deep=True)
    added: dict[str, int] = {}
    updated: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    kept: list[str] = []
    filled: list[str] = []
    for name in SCALARS:
        theirs = getattr(imported, name)
        if not theirs:
            continue
        mine = getattr(merged, name)
        if not mine:
            setattr(merged, name, theirs)
            filled.append(name)
        elif mine.strip() != theirs.strip():
            kept.append(name)

    seen = {canonical(s).lower() for s in merged.skills}
    for skill in imported.skills:
        key = canonical(skill).lower()
        if key in seen:
            duplicates["skills"] = duplicates.get("skills", 0) + 1
            continue
        seen.add(key)
        merged.skills.append(skill)
        added["skills"] = added.get("skills", 0) + 1

    for section in ("roles", "education", "projects", "certifications"):
        items = getattr(merged, section)
        for item in getattr(imported, section):
            match = next(
                (
                    m
                    for m in items
                    if _key(section, m) == _key(section, item)
                    and (section != "roles" or _same_start(m.start, item.start))
                ),
                None,
            )
            if match is None:
                items.append(item)
                added[section] = added.get(section, 0) + 1
            elif _fill(match, item):
                updated[section] = updated.get(section, 0) + 1
            else:
                duplicates[section] = duplicates.get(section, 0) + 1
    return merged, {"added": added, "updated": updated, "duplicates": duplicates, "filled": filled, "kept": kept}
