"""What one session knows besides its audio: who the candidate is, the job, the conversation.

Created by whoever starts the session (WebRTC offer, replay, bot, API) and handed to the
stages that need it (question detector, answer drafter). Stages may keep state here that
later stages read (e.g. the conversation history).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from cuecard.profile.models import CandidateContext


class SessionClock:
    """Seconds since the session started, on the monotonic clock; transcript times of a live
    session are read from it. One clock per session, shared by the stages that place audio in
    time (segmenter, cloud STT), so they agree. A resumed session starts its clock at the time
    already elapsed, so its times go on from where they were."""

    def __init__(self, elapsed: float = 0.0):
        self._t0 = time.monotonic() - max(0.0, elapsed)

    def now(self) -> float:
        return time.monotonic() - self._t0


@dataclass
class SessionContext:
    session_id: str
    user_id: str = "local"
    candidate: CandidateContext = field(default_factory=CandidateContext)
    # Filled by the question stage (cuecard.conversation.Conversation): questions, answers,
    # topics in order, for the drafter and for exports.
    conversation: Any = None
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    clock: SessionClock = field(default_factory=SessionClock)


def _fields(model, record: dict | None) -> dict:
    return {k: v for k, v in (record or {}).items() if k in model.model_fields}


async def load_candidate(store, user_id: str, job_id: str | None = None) -> CandidateContext:
    """The user's stored profile, STAR stories and job (the one named, else the newest) as the
    session's ``CandidateContext``: what the detector and the drafter personalise from."""
    from cuecard.profile.models import Job, Profile, Story

    profile = Profile.model_validate(_fields(Profile, await store.get_profile(user_id)))
    stories = [
        Story.model_validate(_fields(Story, s)) for s in await store.list_owned("stories", user_id, 1000, 0)
    ]
    job_record = None
    if job_id:
        job_record = await store.get_owned("jobs", user_id, job_id)
    else:
        jobs = await store.list_owned("jobs", user_id, 100, 0)
        if jobs:
            job_record = max(jobs, key=lambda j: j.get("updated_at") or j.get("created_at") or 0)
    job = Job.model_validate(_fields(Job, job_record)) if job_record else None
    return CandidateContext(profile=profile, stories=stories, job=job)
