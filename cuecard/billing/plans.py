"""The plans and their monthly limits (every limit from ``Settings``; 0 = unlimited).

- **Free**: offline models only (local Whisper, no cloud STT or LLM), ``free_live_minutes``
  live minutes (live page and meeting bots together) and ``free_practice_sessions`` practice
  rounds a month.
- **Pro**: cloud providers and the LLM; ``pro_*`` limits (unlimited by default).
- **Team**: Pro for an organization's members; ``team_*`` limits (unlimited by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cuecard.settings import Settings


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"
    TEAM = "team"


class Metric(StrEnum):
    LIVE_MINUTES = "live_minutes"
    BOT_MINUTES = "bot_minutes"
    PRACTICE_SESSIONS = "practice_sessions"
    LLM_TOKENS = "llm_tokens"


@dataclass(frozen=True)
class Limits:
    live_minutes: int  # live page + bot minutes a month; 0 = unlimited
    practice_sessions: int
    cloud_models: bool  # cloud STT / LLM providers allowed


def limits(settings: Settings, plan: str) -> Limits:
    if plan == Plan.PRO:
        return Limits(settings.pro_live_minutes, settings.pro_practice_sessions, True)
    if plan == Plan.TEAM:
        return Limits(settings.team_live_minutes, settings.team_practice_sessions, True)
    return Limits(settings.free_live_minutes, settings.free_practice_sessions, False)
