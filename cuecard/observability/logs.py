"""Structured logs (``settings.json_logs``): one JSON object per line (loguru ``serialize``).

Every line logged while a session runs carries its id: ``SessionRunner.run`` runs the pipeline
inside ``logger.contextualize(session_id=...)``, and the tasks the pipeline starts inherit that
context (``contextvars``), so the id is in ``record.extra.session_id`` of each line without
any stage passing it on. Lines outside a session have ``session_id`` null.
"""

from __future__ import annotations

import sys

from loguru import logger


def configure_logging(settings) -> bool:
    """JSON lines on stderr when ``settings.json_logs``; False (loguru's default) otherwise."""
    if not settings.json_logs:
        return False
    logger.remove()
    logger.configure(extra={"session_id": None})
    logger.add(sys.stderr, serialize=True, level="INFO", enqueue=False)
    return True
