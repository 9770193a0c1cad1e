"""Login throttling with backoff (per account and per address) and the password policy.

Throttling (decisions):
- Failed logins are counted per account (the e-mail as typed, lower case, whether or not it
  has an account: an unknown e-mail must not answer differently) and per client address,
  within ``login_failure_window_secs`` of the last failure. From
  ``login_failures_before_backoff`` failures on (4x that per address), each further attempt
  must wait ``base * 2**(failures - threshold)`` seconds after the last failure, capped at
  ``login_backoff_max_secs``. Until then every attempt answers 429 with ``Retry-After``.
  A success clears the account's count. So a guesser spread over many addresses still gets
  about a dozen guesses per account per quarter hour, and one address cannot sweep accounts.
- The right password does **not** pass while throttled: the password is not even checked.
  If it were, the throttle would become a verification oracle — a throttled attacker's
  guesses would still be evaluated, and a distinct answer for the right one would end the
  search at full speed. The price is that an attacker can keep an account's owner waiting;
  the cap bounds that wait (15 min by default) and the answer says how long.
- State lives in Redis when configured (shared by every server process), else in memory.

Password policy: at least ``password_min_length`` characters (10) and not one of the 10,000
most common passwords (``data/common_passwords.txt``, from the zxcvbn package's frequency
list, MIT license beside it), compared case-insensitively and also with trailing digits and
punctuation removed ("Password123!" is "password").
"""

from __future__ import annotations

import math
import time
from functools import lru_cache
from pathlib import Path

from cuecard.settings import Settings

COMMON_PASSWORDS = Path(__file__).with_name("data") / "common_passwords.txt"
ADDRESS_FACTOR = 4  # an address may fail this many times more often than one account


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in COMMON_PASSWORDS.read_text().splitlines() if line.strip())


def password_problem(password: str, settings: Settings) -> str | None:
    """Why ``password`` is refused, or None."""
    if len(password) < settings.password_min_length:
        return f"password must be at least {settings.password_min_length} characters long"
    lowered = password.lower()
    stem = lowered.rstrip("0123456789!@#$%^&*.?_- ")
    common = common_passwords()
    if lowered in common or (stem and stem in common and len(stem) >= 4) or len(set(lowered)) <= 2:
        return "this password is too common; choose a less guessable one"
    return None


class _MemoryFailures:
    def __init__(self) -> None:
        self._data: dict[str, tuple[int, float]] = {}

    async def get(self, key: str) -> tuple[int, float]:
        return self._data.get(key, (0, 0.0))

    async def add(self, key: str, now: float, window: int) -> None:
        count, last = self._data.get(key, (0, 0.0))
        if now - last > window:
            count = 0
        if len(self._data) > 100_000:  # forget stale entries rather than grow without bound
            self._data = {k: v for k, v in self._data.items() if now - v[1] <= window}
        self._data[key] = (count + 1, now)

    async def clear(self, key: str) -> None:
        self._data.pop(key, None)

    async def close(self) -> None:
        pass


class _RedisFailures:
    def __init__(self, url: str, prefix: str = "cuecard:login:") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def get(self, key: str) -> tuple[int, float]:
        values = await self._redis.hmget(self._prefix + key, "count", "last")
        return int(values[0] or 0), float(values[1] or 0.0)

    async def add(self, key: str, now: float, window: int) -> None:
        name = self._prefix + key
        # The count runs while failures keep coming: the key expires a window after the last one.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, "count", 1)
            pipe.hset(name, "last", repr(now))
            pipe.expire(name, window)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


class LoginThrottle:
    def __init__(self, settings: Settings, clock=time.time):
        self.settings = settings
        self.clock = clock
        self._failures = _RedisFailures(settings.redis_url) if settings.redis_url else _MemoryFailures()

    def _wait(self, count: int, last: float, threshold: int, now: float) -> float:
        s = self.settings
        if count < threshold or now - last > s.login_failure_window_secs:
            return 0.0
        delay = min(s.login_backoff_base_secs * 2 ** min(count - threshold, 30), s.login_backoff_max_secs)
        return max(0.0, last + delay - now)

    async def retry_after(self, email: str, address: str) -> int:
        """Seconds until the next attempt may be checked (0 = now)."""
        now = self.clock()
        threshold = self.settings.login_failures_before_backoff
        account = self._wait(*await self._failures.get(f"a:{email.lower()}"), threshold, now)
        by_address = self._wait(*await self._failures.get(f"ip:{address}"), threshold * ADDRESS_FACTOR, now)
        wait = max(account, by_address)
        return math.ceil(wait) if wait > 0 else 0

    async def failed(self, email: str, address: str) -> None:
        now, window = self.clock(), self.settings.login_failure_window_secs
        await self._failures.add(f"a:{email.lower()}", now, window)
        await self._failures.add(f"ip:{address}", now, window)

    async def succeeded(self, email: str) -> None:
        await self._failures.clear(f"a:{email.lower()}")

    async def close(self) -> None:
        await self._failures.close()
