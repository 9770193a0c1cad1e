"""Accounts and tokens: users (unique email), revoked token ids (logout, refresh rotation) and
each user's audit log."""

from __future__ import annotations

import time
from typing import Any

from cuecard.store.backend import Collection, new_id
from cuecard.store.models import AuditEntry, User
from cuecard.store.repository import OwnedDocuments, Repository

USERS = Collection("users", ("email",), (("email",),), unique=("email",))
REVOKED_TOKENS = Collection("revoked_tokens", ("expires_at",), (("expires_at",),))
AUDIT = Collection("audit", ("user_id",), (("user_id", "created_at"),))


class Accounts(Repository):
    COLLECTIONS = (USERS, REVOKED_TOKENS, AUDIT)

    def __init__(self, backend):
        super().__init__(backend)
        self._audit = OwnedDocuments(backend, AUDIT, AuditEntry, order=(("created_at", -1),))

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
        """The account and its audit log (``Store.delete_user`` removes the rest first)."""
        await self._audit.delete_all(user_id)
        await self._db.delete(USERS, {"id": user_id})

    # revoked tokens ----------------------------------------------------------------------------
    async def revoke_token(self, jti: str, expires_at: float) -> None:
        await self._db.put(REVOKED_TOKENS, {"id": jti, "expires_at": expires_at, "created_at": time.time()})

    async def is_token_revoked(self, jti: str) -> bool:
        return await self._db.get(REVOKED_TOKENS, jti) is not None

    # audit log ---------------------------------------------------------------------------------
    async def audit(self, user_id: str, action: str, **details: Any) -> None:
        entry = AuditEntry(id=new_id(), user_id=user_id, action=action, details=details, created_at=time.time())
        await self._db.put(AUDIT, entry.doc())

    async def list_audit(self, user_id: str, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        return await self._audit.list(user_id, limit, offset)

    async def count_audit(self, user_id: str) -> int:
        return await self._audit.count(user_id)
