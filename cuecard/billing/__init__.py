"""Plans, metering and quotas for a hosted Cuecard (``CUECARD_BILLING=on``; off by default).

- ``plans.py``: the Free / Pro / Team plans and their monthly limits, from ``Settings``.
- ``metering.py``: ``Meter`` records live minutes, bot minutes, practice sessions and LLM
  tokens per account and calendar month (``store.usage``).
- ``quotas.py``: the check made when capture starts (402 ``quota_exceeded``).

With billing off nothing here is created: no route, no metering, no limit.
"""
