"""Accounts and tokens: users (unique email), revoked token ids (logout, refresh rotation), the
account's privacy settings (``retention_days``) and the audit log (a hash chain, ``audit.py``)."""

from __future__ import annotations

import time
from typing import Any

from cuecard.store.audit import AUDIT, AuditLog
from cuecard.store.backend import Collection, Conflict, new_id
from cuecard.store.models import AuditEntry, User
from cuecard.store.repository import Repository

USERS = Collection("users", ("email",), (("email",),), unique=("email",))
REVOKED_TOKENS = Collection("revoked_tokens", ("expires_at",), (("expires_at",),))
# Expired revoked tokens are forgotten this long after expiry (clock skew, JWT leeway), checked
# at the first revocation of a process and then every PURGE_EVERY revocations.
TOKEN_PURGE_GRACE_SECS = 24 * 3600
PURGE_EVERY = 64
PURGE_BATCH = 500


class Accounts(Repository):
    COLLECTIONS = (USERS, REVOKED_TOKENS, AUDIT)

    def __init__(self, backend):
        super().__init__(backend)
        self._revocations = 0
        self.log = AuditLog(backend)

    async def create(self, email: str, password_hash: str) -> User:
        """``Conflict`` when the email (case-insensitive) has an account."""
        user = User(id=new_id(), email=email.lower(), password_hash=password_hash, created_at=time.time())
        await self._db.insert(USERS, user.doc())
        return user

    async def get(self, user_id: str) -> User:
        return await self._require(USERS, User, user_id)

    async def find_by_email(self, email: str) -> User | None:
        found = await self._find(USERS, User, {"email": email.lower()}, (), 1, 0)
        return found[0] if found else None

    async def delete(self, user_id: str) -> None:
        """The account; its audit entries stay in the chain, unlinked from it (see
        ``audit.py``). ``Store.delete_user`` removes the rest first."""
        await self.log.forget_user(user_id)
        await self._db.delete(USERS, {"id": user_id})

    # revoked tokens ----------------------------------------------------------------------------
    async def revoke_token(self, jti: str, expires_at: float) -> None:
        await self._db.put(REVOKED_TOKENS, {"id": jti, "expires_at": expires_at, "created_at": time.time()})
        self._revocations += 1
        if self._revocations % PURGE_EVERY == 1:  # the first one in a process, then now and then
            await self.purge_expired_tokens()

    async def purge_expired_tokens(self, now: float | None = None) -> int:
        """Forget revoked token ids whose tokens expired over ``TOKEN_PURGE_GRACE_SECS`` ago:
        an expired token is refused anyway, so the list need not grow forever. Oldest first
        through the ``expires_at`` index; how many went."""
        cutoff = (time.time() if now is None else now) - TOKEN_PURGE_GRACE_SECS
        gone = 0
        while True:
            oldest = await self._db.find(REVOKED_TOKENS, {}, (("expires_at", 1),), PURGE_BATCH, 0)
            expired = [doc["id"] for doc in oldest if (doc.get("expires_at") or 0) < cutoff]
            for jti in expired:
                gone += await self._db.delete(REVOKED_TOKENS, {"id": jti})
            if len(expired) < PURGE_BATCH:
                return gone

    async def consume_token(self, jti: str, expires_at: float) -> bool:
        """Revoke ``jti`` if nobody has yet: True for the one caller that did (an atomic insert,
        so of concurrent refreshes of one token exactly one wins, across processes too)."""
        try:
            await self._db.insert(REVOKED_TOKENS, {"id": jti, "expires_at": expires_at, "created_at": time.time()})
        except Conflict:
            return False
        return True

    async def is_token_revoked(self, jti: str) -> bool:
        return await self._db.get(REVOKED_TOKENS, jti) is not None

    # privacy settings --------------------------------------------------------------------------
    async def update_settings(self, user_id: str, **fields: Any) -> User:
        """Set account settings (``retention_days``) on the user's record."""
        return await self._update(USERS, User, user_id, {**fields, "updated_at": time.time()})

    # audit log ---------------------------------------------------------------------------------
    async def audit(
        self,
        user_id: str | None,
        action: str,
        *,
        actor: str = "user",
        remote: str | None = None,
        **details: Any,
    ) -> AuditEntry:
        """Append to the hash-chained audit log (``audit.py``)."""
        return await self.log.append(user_id, action, actor=actor, remote=remote, details=details)

    async def list_audit(self, user_id: str, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        return await self.log.list(user_id, limit, offset)

    async def count_audit(self, user_id: str) -> int:
        return await self.log.count(user_id)
