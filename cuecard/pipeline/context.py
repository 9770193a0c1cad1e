"""What one session knows besides its audio: who the candidate is, the job, the conversation.

Created by whoever starts the session (WebRTC offer, replay, bot, API) and handed to the
stages that need it (question detector, answer drafter). Stages may keep state here that
later stages read (e.g. the conversation history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cuecard.profile.models import CandidateContext


@dataclass
class SessionContext:
    session_id: str
    user_id: str = "local"
    candidate: CandidateContext = field(default_factory=CandidateContext)
    # Filled by the question stage (cuecard.conversation.Conversation): questions, answers,
    # topics in order, for the drafter and for exports.
    conversation: Any = None
    settings_overrides: dict[str, Any] = field(default_factory=dict)
