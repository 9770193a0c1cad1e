"""The quota check made when capture starts (``POST /api/offer``, ``POST /api/bots``; order:
authentication → consent → quota → capacity → validation), and the practice-round check.

Over quota: **402** ``{"error": "quota_exceeded", "limit", "used", "resets_at", "message"}``
(``resets_at``: the first day of next month, UTC, ISO date). Nothing captured is lost: the
check runs before any session or bot is created, and a running session is never cut.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

from aiohttp import web

from cuecard.billing.plans import Limits, Metric, Plan, limits
from cuecard.settings import Settings
from cuecard.store.facade import Store

QUOTA_EXCEEDED = {
    "type": "object",
    "required": ["error", "limit", "used", "resets_at", "message"],
    "properties": {
        "error": {"type": "string", "enum": ["quota_exceeded"]},
        "limit": {"type": "integer"},
        "used": {"type": "number"},
        "resets_at": {"type": "string", "format": "date"},
        "message": {"type": "string"},
        "metric": {"type": "string"},
        "plan": {"type": "string"},
    },
}


def resets_at(at: float | None = None) -> date:
    """The first day of the next calendar month (UTC)."""
    now = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return date(now.year + now.month // 12, now.month % 12 + 1, 1)


class QuotaExceeded(web.HTTPPaymentRequired):
    def __init__(self, metric: str, plan: str, limit: int, used: float, message: str):
        self.metric, self.limit, self.used = metric, limit, used
        body = {
            "error": "quota_exceeded",
            "metric": metric,
            "plan": plan,
            "limit": limit,
            "used": round(used, 2),
            "resets_at": resets_at().isoformat(),
            "message": message,
        }
        super().__init__(text=json.dumps(body), content_type="application/json")


def capture_minutes(totals: dict[str, float]) -> float:
    """Live-page and bot minutes together: both count against the live-minutes limit."""
    return totals.get(Metric.LIVE_MINUTES, 0.0) + totals.get(Metric.BOT_MINUTES, 0.0)


async def effective_plan(store: Store, user_id: str) -> str:
    """The account's own plan, or Team when it is a member of an organization whose owner
    has the Team plan (the owner pays for the seats)."""
    plan = await store.usage.plan(user_id)
    if plan != Plan.FREE:
        return plan
    membership = await store.teams.membership(user_id)
    if membership and membership.get("role") == "member":
        org = await store.teams.org(membership["org_id"])
        if org and await store.usage.plan(org["user_id"]) == Plan.TEAM:
            return Plan.TEAM
    return plan


async def plan_limits(settings: Settings, store: Store, user_id: str) -> tuple[str, Limits]:
    plan = await effective_plan(store, user_id)
    return plan, limits(settings, plan)


async def check_capture(settings: Settings, store: Store, user_id: str) -> None:
    """402 when the account used its live minutes of the month."""
    plan, plan_limit = await plan_limits(settings, store, user_id)
    if plan_limit.live_minutes <= 0:
        return
    used = capture_minutes(await store.usage.totals(user_id))
    if used >= plan_limit.live_minutes:
        raise QuotaExceeded(
            Metric.LIVE_MINUTES,
            plan,
            plan_limit.live_minutes,
            used,
            f"the {plan} plan's {plan_limit.live_minutes} live minutes of this month are used up "
            f"({used:.0f} used); they reset on {resets_at().isoformat()}, or upgrade the plan",
        )


async def check_practice(settings: Settings, store: Store, user_id: str) -> None:
    """402 when the account started its practice rounds of the month."""
    plan, plan_limit = await plan_limits(settings, store, user_id)
    if plan_limit.practice_sessions <= 0:
        return
    used = (await store.usage.totals(user_id)).get(Metric.PRACTICE_SESSIONS, 0.0)
    if used >= plan_limit.practice_sessions:
        raise QuotaExceeded(
            Metric.PRACTICE_SESSIONS,
            plan,
            plan_limit.practice_sessions,
            used,
            f"the {plan} plan's {plan_limit.practice_sessions} practice sessions of this month are used up; "
            f"they reset on {resets_at().isoformat()}, or upgrade the plan",
        )
