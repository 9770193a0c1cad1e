"""Transcripts already paid for: ``sha1(audio) + provider + model`` → text and confidence.

Decision: a small SQLite file in the data directory (``settings.stt_cache_file``), not Redis
and not memory only. Cloud refinements cost money and seconds; a replay of the same recording
(or a second refinement of the same line after a reconnect) must not pay again, also after a
restart. SQLite is already the embedded store, a lookup is well under a millisecond, and
several processes may share the file (WAL mode). The local Whisper engine keeps its own
in-process cache by audio hash (``WhisperEngine.transcribe``); its refinements also land here
so that a replay in a new process skips them.

Decision (issue 14, encryption at rest): the text is a transcript, so it is stored AES-GCM
encrypted under a subkey of the master key (``MasterKey.derive("stt-cache")``; associated
data = the entry's key) and the file is created 0600. Not a per-account data key: an entry is
shared by whoever replays the same audio, and it is a cache: after a master-key rotation old
entries simply stop decrypting and count as misses.
"""

from __future__ import annotations

import base64
import hashlib
import os
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
    def __init__(self, path: Path | str | None, key: bytes | None = None):
        """``path=None`` keeps the cache in memory (tests, or no data directory); ``key``
        (32 bytes) encrypts the text."""
        self._lock = threading.Lock()
        self._aead = None
        if key is not None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._aead = AESGCM(key)
        if path:
            from cuecard.store.crypto import create_private_file

            create_private_file(Path(path))
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
        text = None if row is None else self._open(row[0], audio_key(audio, provider, model))
        if text is None:
            self.misses += 1
            return None
        self.hits += 1
        return CachedTranscript(text, row[1], provider, model)

    def _seal(self, text: str, key: str) -> str:
        if self._aead is None:
            return text
        nonce = os.urandom(12)
        return "enc:" + base64.b64encode(nonce + self._aead.encrypt(nonce, text.encode(), key.encode())).decode()

    def _open(self, stored: str, key: str) -> str | None:
        """The text, or None when it cannot be read (another key, or plain text once encrypted)."""
        if self._aead is None:
            return None if stored.startswith("enc:") else stored
        if not stored.startswith("enc:"):
            return None
        from cryptography.exceptions import InvalidTag

        blob = base64.b64decode(stored[4:])
        try:
            return self._aead.decrypt(blob[:12], blob[12:], key.encode()).decode()
        except InvalidTag:
            return None

    def put(self, audio: bytes, provider: str, model: str, text: str, confidence: float | None):
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO transcripts VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key := audio_key(audio, provider, model),
                    self._seal(text, key),
                    confidence,
                    provider,
                    model,
                    time.time(),
                ),
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
