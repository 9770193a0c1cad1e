"""Provider health and back-off: a pure policy, no I/O, no sleeping.

A provider that failed is not tried again for ``base_secs``, doubled per consecutive failure
up to ``max_secs``; one result from it (``succeeded``) starts the count over. The clock is
injected (``time.monotonic`` by default) so the policy is tested by advancing a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class _State:
    retry_at: float = 0.0
    delay: float = 0.0
    failures: int = 0


class ProviderHealth:
    def __init__(
        self,
        names: Iterable[str],
        *,
        base_secs: float = 2.0,
        max_secs: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._base, self._max, self._clock = base_secs, max_secs, clock
        self._state = {name: _State() for name in names}

    def available(self, name: str) -> bool:
        """Not backing off (never failed, succeeded since, or its back-off ran out)."""
        return self._state[name].retry_at <= self._clock()

    def failed(self, name: str) -> float:
        """Record a failure; returns the back-off (seconds) before it is tried again."""
        s = self._state[name]
        s.failures += 1
        s.delay = min(self._max, s.delay * 2 if s.delay else self._base)
        s.retry_at = self._clock() + s.delay
        return s.delay

    def succeeded(self, name: str) -> None:
        self._state[name] = _State()

    def delay(self, name: str) -> float:
        return self._state[name].delay

    def failures(self, name: str) -> int:
        return self._state[name].failures

    def retry_in(self, name: str) -> float:
        """Seconds until ``name`` may be tried again (0 when available)."""
        return max(self._state[name].retry_at - self._clock(), 0.0)
