"""What one session knows besides its audio: who the candidate is, the job, the conversation.

Created by whoever starts the session (WebRTC offer, replay, bot, API) and handed to the
stages that need it (question detector, answer drafter). Stages may keep state here that
later stages read (e.g. the conversation history). What changes during a session at the
user's request (a speaker's name) reaches the stages as a frame, not through this object.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from cuecard.conversation import Conversation
from cuecard.profile.models import CandidateContext
from cuecard.store import Store


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
    # Filled by the question stage: questions, answers, topics in order, for the drafter and
    # for exports. Made with the context (for this session id).
    conversation: Conversation = field(default_factory=Conversation)
    clock: SessionClock = field(default_factory=SessionClock)
    # Session option: several people speak into the user's microphone, so its track is split
    # by voice ("You", "Mic speaker 2", …). None: the server's ``mic_multiple_speakers``.
    mic_multiple_speakers: bool | None = None
    # Offline models only (the Free plan with billing on, cuecard/billing): local Whisper, no
    # cloud STT, no LLM drafting or question refinement, whatever the server configures.
    offline_only: bool = False

    def __post_init__(self):
        if not self.conversation.session_id:
            self.conversation.session_id = self.session_id


async def load_candidate(store: Store, user_id: str, job_id: str | None = None) -> CandidateContext:
    """The user's stored profile, STAR stories and job (the one named, else the newest) as the
    session's ``CandidateContext``: what the detector and the drafter personalise from."""
    from cuecard.profile.models import Job, Profile, Story

    material = store.material
    stored_profile = await material.get_profile(user_id)
    profile = stored_profile.profile() if stored_profile else Profile()
    stories = [s.project(Story) for s in await material.stories.list(user_id, 1000, 0)]
    job_record = None
    if job_id:
        job_record = await material.jobs.get(user_id, job_id)
    else:
        jobs = await material.jobs.list(user_id, 100, 0)
        if jobs:
            job_record = max(jobs, key=lambda j: j.updated_at or j.created_at or 0)
    job = job_record.project(Job) if job_record else None
    return CandidateContext(profile=profile, stories=stories, job=job)
