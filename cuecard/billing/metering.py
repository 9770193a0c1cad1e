"""``Meter``: what each account uses, per calendar month (UTC), in ``store.usage``.

- **Live minutes** (live page): the wall time of each live run of a session, from the moment
  its pipeline starts to the moment it ends, summed over the session's runs (a rejoin is a new
  run). Both tracks (mic and tab audio) run in that one pipeline, so they count once. A run
  is written when it ends, as the session's new total (one item per session and month,
  replaced, so a retried write never counts twice).
- **Bot minutes**: the same for a meeting bot, from launch to the end of its task.
- **Practice sessions**: one item per practice round created.
- **LLM tokens**: ``llm_tokens`` adds one item per call (for the drafting / scoring callers).

Decision (meter at the end of a run, not by a ticking clock): a session is never cut for
quota (issue 19), so nothing needs to know the minutes while it runs; writing once at the end
costs one store write per run instead of one a minute. The overage of a session that runs
past the limit is simply part of the total. A process that dies mid-run loses that run's
minutes (the users' favour; the start time is in memory only).

Decision (only with billing on): a self-hosted server (billing off, the default) writes no
usage at all; ``rest_billing.setup`` creates the meter only when billing is on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from loguru import logger

from cuecard.billing.plans import Metric
from cuecard.store.facade import Store


class Meter:
    def __init__(self, store: Callable[[], Store], clock: Callable[[], float] = time.time):
        self._store = store
        self._clock = clock
        # "live_minutes:<session>" / "bot_minutes:<bot id>" -> (start of its run, account billed)
        self._runs: dict[str, tuple[float, str]] = {}

    def started(self, kind: str, ref: str, user_id: str) -> None:
        self._runs[f"{kind}:{ref}"] = (self._clock(), user_id)

    async def ended(self, kind: str, ref: str) -> float:
        """Add the run's minutes to the item's total; the minutes added (0 for no run)."""
        run = self._runs.pop(f"{kind}:{ref}", None)
        if run is None:
            return 0.0
        start, user_id = run
        now = self._clock()
        minutes = max(0.0, now - start) / 60
        usage = self._store().usage
        try:
            total = await usage.amount(user_id, kind, ref, at=now) + minutes
            await usage.record(user_id, kind, total, ref=ref, at=now)
        except Exception as e:  # metering never breaks the end of a session
            logger.warning(f"usage of {kind} {ref} not recorded: {e!r}")
        return minutes

    async def practice_session(self, user_id: str, practice_id: str) -> None:
        await self._store().usage.record(user_id, Metric.PRACTICE_SESSIONS, 1, ref=practice_id, at=self._clock())

    async def llm_tokens(self, user_id: str, tokens: int) -> None:
        await self._store().usage.record(user_id, Metric.LLM_TOKENS, tokens, at=self._clock())

    def running_minutes(self, kind: str, ref: str) -> float:
        run = self._runs.get(f"{kind}:{ref}")
        return 0.0 if run is None else max(0.0, self._clock() - run[0]) / 60
