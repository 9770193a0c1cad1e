"""Shapes of the candidate's material, shared by parsing, matching, drafting, storage and API.

Pydantic models so that the API validates input with the same definitions the pipeline uses.
Every field a parser fills can be corrected by the user; nothing here is invented: empty
means unknown.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Role(BaseModel):
    title: str = ""
    employer: str = ""
    start: str = ""  # as written in the resume, e.g. "2019-03" or "Mar 2019"
    end: str = ""  # "" or "present" for a current role
    location: str = ""
    achievements: list[str] = Field(default_factory=list)


class Education(BaseModel):
    institution: str = ""
    degree: str = ""
    start: str = ""
    end: str = ""


class Project(BaseModel):
    name: str = ""
    description: str = ""
    start: str = ""
    end: str = ""
    url: str = ""


class Certification(BaseModel):
    name: str = ""
    issuer: str = ""
    date: str = ""
    url: str = ""


class Profile(BaseModel):
    name: str = ""
    headline: str = ""
    summary: str = ""
    email: str = ""
    skills: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    # filled by imports (JSON Resume, LinkedIn export); a resume upload leaves them empty
    projects: list[Project] = Field(default_factory=list)
    certifications: list[Certification] = Field(default_factory=list)
    resume_text: str = ""


class Story(BaseModel):
    """A STAR story: what the candidate tells when asked for an example."""

    id: str = ""
    title: str = ""
    situation: str = ""
    task: str = ""
    action: str = ""
    result: str = ""
    skills: list[str] = Field(default_factory=list)
    role_employer: str = ""  # which role of the profile it comes from, if any
    drafted: bool = False  # True when drafted from a resume achievement and not yet reviewed


class Job(BaseModel):
    id: str = ""
    title: str = ""
    company: str = ""
    seniority: str = ""  # intern | junior | mid | senior | staff | principal | lead | manager | ""
    required_skills: list[str] = Field(default_factory=list)
    preferred_skills: list[str] = Field(default_factory=list)
    responsibilities: list[str] = Field(default_factory=list)
    text: str = ""


class CandidateContext(BaseModel):
    """What a session knows about the candidate: used by detection, drafting and practice."""

    profile: Profile = Field(default_factory=Profile)
    stories: list[Story] = Field(default_factory=list)
    job: Job | None = None

    def version_key(self) -> str:
        """Changes whenever any of the material changes: part of every draft cache key."""
        import hashlib

        return hashlib.sha1(self.model_dump_json().encode()).hexdigest()[:16]
