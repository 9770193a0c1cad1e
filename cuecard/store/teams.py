"""Team organizations: an owner, members (role ``owner`` or ``member``), invitation links.

One organization per account (as owner or member). Members' own data stays theirs: nothing
here reads another member's sessions, banks or material; the organization only lends its
plan (the owner's Team subscription) to its members and counts them as seats.

A member may share one of their question banks with the team (``org_shared_banks``): the
other members can then list and read its questions, never change them. Nothing else is shared.

Invitation links carry a random token; only its SHA-256 is stored (id of the invitation
document), so a copy of the store cannot be used to join. A link works until it expires or is
revoked, for any number of people (each one a seat).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from cuecard.store.backend import Collection, new_id
from cuecard.store.repository import Repository

ORGS = Collection("orgs", ("user_id",), (("user_id",),))
MEMBERS = Collection("org_members", ("user_id", "org_id", "role"), (("org_id", "created_at"), ("user_id",)))
INVITATIONS = Collection("org_invitations", ("org_id",), (("org_id",),))
# A member's question bank shared with the team (read-only for the others); id = "<org>:<bank>".
SHARED_BANKS = Collection("org_shared_banks", ("user_id", "org_id"), (("org_id", "created_at"), ("user_id",)))
INVITATION_TTL_SECS = 7 * 24 * 3600
MEMBER_PAGE = 500


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Teams(Repository):
    COLLECTIONS = (ORGS, MEMBERS, INVITATIONS, SHARED_BANKS)

    async def create(self, owner_id: str, name: str) -> dict[str, Any]:
        now = time.time()
        org_id = new_id()
        org: dict[str, Any] = {"id": org_id, "user_id": owner_id, "name": name, "created_at": now, "updated_at": now}
        await self._db.put(ORGS, org)
        await self._add_member(org_id, owner_id, "owner")
        return org

    async def _add_member(self, org_id: str, user_id: str, role: str) -> dict[str, Any]:
        doc = {
            "id": f"{org_id}:{user_id}",
            "org_id": org_id,
            "user_id": user_id,
            "role": role,
            "created_at": time.time(),
        }
        await self._db.put(MEMBERS, doc)
        return doc

    async def membership(self, user_id: str) -> dict[str, Any] | None:
        """The account's membership (``org_id``, ``role``), or None."""
        found = await self._db.find(MEMBERS, {"user_id": user_id}, (), 1)
        return found[0] if found else None

    async def org(self, org_id: str) -> dict[str, Any] | None:
        return await self._db.get(ORGS, org_id)

    async def members(self, org_id: str) -> list[dict[str, Any]]:
        return await self._db.find(MEMBERS, {"org_id": org_id}, (("created_at", 1),), MEMBER_PAGE)

    async def seats(self, org_id: str) -> int:
        return await self._db.count(MEMBERS, {"org_id": org_id})

    async def invite(self, org_id: str, created_by: str, ttl_secs: int = INVITATION_TTL_SECS) -> tuple[str, float]:
        """A new invitation token (shown once) and when it expires."""
        token = secrets.token_urlsafe(24)
        now = time.time()
        expires_at = now + ttl_secs
        doc = {"id": token_hash(token), "org_id": org_id, "created_by": created_by, "created_at": now}
        await self._db.put(INVITATIONS, {**doc, "expires_at": expires_at})
        return token, expires_at

    async def accept(self, token: str, user_id: str) -> dict[str, Any] | None:
        """Join the invitation's organization as a member; None for an unknown or expired link."""
        invitation = await self._db.get(INVITATIONS, token_hash(token))
        if invitation is None or invitation.get("expires_at", 0) < time.time():
            return None
        return await self._add_member(invitation["org_id"], user_id, "member")

    async def remove_member(self, org_id: str, user_id: str) -> bool:
        return await self._db.delete(MEMBERS, {"id": f"{org_id}:{user_id}", "role": "member"}) > 0

    async def share_bank(self, org_id: str, bank_id: str, user_id: str) -> None:
        doc = {"id": f"{org_id}:{bank_id}", "org_id": org_id, "bank_id": bank_id, "user_id": user_id}
        await self._db.put(SHARED_BANKS, {**doc, "created_at": time.time()})

    async def unshare_bank(self, org_id: str, bank_id: str) -> bool:
        return await self._db.delete(SHARED_BANKS, {"id": f"{org_id}:{bank_id}"}) > 0

    async def shared_bank(self, org_id: str, bank_id: str) -> dict[str, Any] | None:
        return await self._db.get(SHARED_BANKS, f"{org_id}:{bank_id}")

    async def shared_banks(self, org_id: str) -> list[dict[str, Any]]:
        return await self._db.find(SHARED_BANKS, {"org_id": org_id}, (("created_at", 1),), MEMBER_PAGE)

    async def delete_all(self, user_id: str) -> None:
        """The account's membership, and the organization it owns (with its members' seats and links)."""
        for org in await self._db.find(ORGS, {"user_id": user_id}, (), MEMBER_PAGE):
            await self._db.delete(MEMBERS, {"org_id": org["id"]})
            await self._db.delete(INVITATIONS, {"org_id": org["id"]})
            await self._db.delete(SHARED_BANKS, {"org_id": org["id"]})
            await self._db.delete(ORGS, {"id": org["id"]})
        await self._db.delete(MEMBERS, {"user_id": user_id})
        await self._db.delete(SHARED_BANKS, {"user_id": user_id})
