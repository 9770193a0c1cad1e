"""Transcripts already paid for: ``sha1(audio) + provider + model`` → text and confidence.

Decision: a small SQLite file in the data directory (``settings.stt_cache_file``), not Redis
and not memory only. Cloud refinements cost money and seconds; a replay of the same recording
(or a second refinement of the same line after a reconnect) must not pay again, also after a
restart. SQLite is already the embedded store, a lookup is well under a millisecond, and
several processes may share the file (WAL mode). The local Whisper engine keeps its own
in-process cache by audio hash (``WhisperEngine.transcribe``); its refinements also land here
so that a replay in a new process skips them.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CachedTranscript:
    text: str
    confidence: float | None
    provider: str
    model: str


def audio_key(audio: bytes, provider: str, model: str) -> str:
    return f"{hashlib.sha1(audio).hexdigest()}:{provider}:{model}"


class TranscriptCache:
    def __init__(self, path: Path | str | None):
        """``path=None`` keeps the cache in memory (tests, or no data directory)."""
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS transcripts (key TEXT PRIMARY KEY, text TEXT NOT NULL,"
            " confidence REAL, provider TEXT, model TEXT, created REAL)"
        )
        self._db.commit()
        self.hits = 0
        self.misses = 0

    def get(self, audio: bytes, provider: str, model: str) -> CachedTranscript | None:
        with self._lock:
            row = self._db.execute(
                "SELECT text, confidence FROM transcripts WHERE key = ?",
                (audio_key(audio, provider, model),),
            ).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return CachedTranscript(row[0], row[1], provider, model)

    def put(self, audio: bytes, provider: str, model: str, text: str, confidence: float | None):
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO transcripts VALUES (?, ?, ?, ?, ?, ?)",
                (audio_key(audio, provider, model), text, confidence, provider, model, time.time()),
            )
            self._db.commit()

    def purge_older_than(self, cutoff: float) -> int:
        """Drop entries written before ``cutoff`` (unix seconds): the retention purge keeps
        transcribed text no longer than sessions are kept (``cuecard/retention.py``)."""
        with self._lock:
            gone = self._db.execute("DELETE FROM transcripts WHERE created < ?", (cutoff,)).rowcount
            self._db.commit()
        return gone

    def close(self):
        with self._lock:
            self._db.close()
