"""The audit log: append-only and tamper-evident (a hash chain), one chain per instance.

Every entry carries ``seq`` (1, 2, 3, … with no gap), ``prev_hash`` (the previous entry's
``hash``; 64 zeros for the first) and ``hash`` = sha256 of the canonical JSON (sorted keys, no
spaces, UTF-8) of the entry's chained fields plus ``prev_hash``. ``verify`` walks the chain in
``seq`` order and names the first entry whose hash, link or number is wrong.

Decisions:
- **One chain per instance, not per account.** A per-account chain cannot show that a whole
  account's log was removed, and entries without an account (a failed login for an unknown
  email, the retention purge, anonymous live-page sessions) would need chains of their own.
  With one chain, removing or editing any entry anywhere breaks every hash after it. Appends
  are serialised by the entry's id (``a<seq>``): two processes appending together both try the
  same next ``seq``, the store's unique id refuses one, and it retries on the new head.
- **Who an entry is about** (``subject``) is chained as ``sha256("user:" + user_id)``, not the
  raw id. The raw ``user_id`` is stored beside it, unchained, only so ``GET /api/audit`` can list
  a user's own entries. Deleting an account clears that ``user_id`` (``forget_user``): the
  entries stay and the chain still verifies, but they no longer point at a person (user ids are
  random 128-bit values, so the digest cannot be turned back into one). Details never hold
  transcript text or credentials, only ids, formats, counts and reasons.
- **No update or delete API.** The repository has ``append``, reads and ``forget_user`` only.
  Someone with write access to the database file can still rewrite the whole chain from the
  tampered entry on; ``cuecard audit verify`` prints the head hash so an operator can keep it
  elsewhere (a ticket, a log shipper) and compare later.
- Entries written before the chain existed (no ``seq``) are left as they are and reported as
  unchained by ``verify``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cuecard.store.backend import Collection, Conflict
from cuecard.store.models import AuditEntry
from cuecard.store.repository import Repository

AUDIT = Collection("audit", ("user_id", "seq"), (("user_id", "created_at"), ("seq",)))
GENESIS = "0" * 64
CHAINED = ("seq", "subject", "actor", "action", "details", "remote", "created_at", "prev_hash")
APPEND_RETRIES = 50
VERIFY_PAGE = 500


def subject_of(user_id: str | None) -> str | None:
    return None if not user_id else hashlib.sha256(f"user:{user_id}".encode()).hexdigest()


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: doc.get(k) for k in CHAINED})).hexdigest()


def entry_id(seq: int) -> str:
    return f"a{seq:012d}"


@dataclass
class ChainReport:
    entries: int  # chained entries checked
    unchained: int  # entries from before the chain (no seq)
    head: str  # the last entry's hash (GENESIS when empty)
    broken_seq: int | None = None
    broken_id: str | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problem


class AuditLog(Repository):
    COLLECTIONS = (AUDIT,)

    def __init__(self, backend, clock: Callable[[], float] = time.time):
        super().__init__(backend)
        self.clock = clock
        self._lock = asyncio.Lock()  # appends of one process wait for each other, not retry

    async def _head(self) -> dict[str, Any] | None:
        found = await self._db.find(AUDIT, {}, (("seq", -1),), 1, 0)
        return found[0] if found and found[0].get("seq") is not None else None

    async def append(
        self,
        user_id: str | None,
        action: str,
        *,
        actor: str = "user",
        remote: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Add an entry at the end of the chain. ``actor``: ``user`` (the account itself),
        ``anonymous`` (the live page without an account), ``system`` (the purge task), or
        ``unknown`` (a failed login for an email without an account)."""
        async with self._lock:
            for _ in range(APPEND_RETRIES):
                head = await self._head()
                seq = (head["seq"] + 1) if head else 1
                doc: dict[str, Any] = {
                    "id": entry_id(seq),
                    "seq": seq,
                    "user_id": user_id,
                    "subject": subject_of(user_id),
                    "actor": actor,
                    "action": action,
                    "details": dict(details or {}),
                    "remote": remote,
                    "created_at": self.clock(),
                    "prev_hash": head["hash"] if head else GENESIS,
                }
                doc["hash"] = entry_hash(doc)
                try:
                    await self._db.insert(AUDIT, doc)
                except Conflict:  # another process took this seq: chain onto its entry
                    await asyncio.sleep(0.005)
                    continue
                return AuditEntry.model_validate(doc)
        raise RuntimeError("audit entry not appended: the chain head kept moving")

    async def list(self, user_id: str, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """The user's entries, newest first."""
        return await self._find(AUDIT, AuditEntry, {"user_id": user_id}, (("created_at", -1),), limit, offset)

    async def count(self, user_id: str) -> int:
        return await self._db.count(AUDIT, {"user_id": user_id})

    async def forget_user(self, user_id: str) -> int:
        """A deleted account's entries stay in the chain, no longer linked to it (the chained
        ``subject`` is a one-way digest); how many were unlinked."""
        docs = await self._db.find(AUDIT, {"user_id": user_id}, (), 1_000_000, 0)
        for doc in docs:
            await self._db.update(AUDIT, doc["id"], {"user_id": None})
        return len(docs)

    async def verify(self) -> ChainReport:
        """Walk the whole chain in ``seq`` order; the first wrong entry ends the walk."""
        report = ChainReport(entries=0, unchained=0, head=GENESIS)
        expected_seq, prev = 1, GENESIS
        offset = 0
        while page := await self._db.find(AUDIT, {}, (("seq", 1), ("id", 1)), VERIFY_PAGE, offset):
            offset += len(page)
            for doc in page:
                if doc.get("seq") is None:
                    report.unchained += 1
                    continue
                problem = ""
                if doc["seq"] != expected_seq:
                    problem = f"expected seq {expected_seq}, found {doc['seq']} (an entry is missing or inserted)"
                elif doc.get("id") != entry_id(doc["seq"]):
                    problem = f"id {doc.get('id')!r} does not match seq {doc['seq']}"
                elif doc.get("prev_hash") != prev:
                    problem = "prev_hash does not match the previous entry's hash"
                elif doc.get("hash") != entry_hash(doc):
                    problem = "hash does not match the entry's content (the entry was changed)"
                if problem:
                    report.broken_seq, report.broken_id, report.problem = doc["seq"], doc.get("id"), problem
                    return report
                report.entries += 1
                prev = report.head = doc["hash"]
                expected_seq += 1
        return report
