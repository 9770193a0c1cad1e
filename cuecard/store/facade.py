"""``Store``: the repositories on one backend, opened and closed together, and the deletions
that cross aggregates (a session takes its attempts along; an account takes everything).

The repositories work on an ``EncryptedBackend`` around the given one (``encrypted.py``);
deleting a session or an account also destroys its data key (crypto-shredding)."""

from __future__ import annotations

from pathlib import Path

from cuecard.store.accounts import Accounts
from cuecard.store.backend import Backend
from cuecard.store.banks import Banks
from cuecard.store.bots import Bots
from cuecard.store.crypto import MasterKeys
from cuecard.store.encrypted import (
    EncryptedBackend,
    Keyring,
    read_file,
    session_key_id,
    user_key_id,
    write_file,
)
from cuecard.store.interviews import Interviews
from cuecard.store.material import Material
from cuecard.store.practice import PracticeSessions
from cuecard.store.sessions import Sessions
from cuecard.store.teams import Teams
from cuecard.store.usage import Usage
from cuecard.store.webhooks import Webhooks

SESSION_PAGE = 200


class Store:
    def __init__(self, backend: Backend, master_keys: MasterKeys | None = None):
        self.keyring = Keyring(backend, master_keys or MasterKeys.ephemeral())
        self.backend = backend = EncryptedBackend(backend, self.keyring)
        self.accounts = Accounts(backend)
        self.sessions = Sessions(backend)
        self.banks = Banks(backend)
        self.material = Material(backend)
        self.bots = Bots(backend)
        self.webhooks = Webhooks(backend)  # webhooks and their delivery logs
        self.practice = PracticeSessions(backend)  # practice-mode rounds
        self.interviews = Interviews(backend)  # calendar interviews and subscriptions
        self.usage = Usage(backend)  # metered use per month and billing plans (cuecard/billing)
        self.teams = Teams(backend)  # team organizations, members, invitation links

    @property
    def repositories(self) -> tuple:
        return (
            self.accounts,
            self.sessions,
            self.banks,
            self.material,
            self.bots,
            self.practice,
            self.webhooks,
            self.interviews,
            self.usage,
            self.teams,
        )

    async def open(self) -> None:
        """Create collections and indexes (idempotent)."""
        await self.backend.open(coll for repo in self.repositories for coll in repo.COLLECTIONS)

    async def close(self) -> None:
        await self.backend.close()

    async def write_file(self, user_id: str, path: Path, data: bytes) -> None:
        """Write an account's file (a kept recording, an upload) encrypted under its data key."""
        await write_file(self.keyring, user_id, path, data)

    async def read_file(self, user_id: str, path: Path) -> bytes:
        """An account's file written by ``write_file``, in clear."""
        return await read_file(self.keyring, user_id, path)

    async def _shred(self, key_id: str) -> None:
        """Destroy a data key and scrub what deletions left in the backend's files."""
        await self.keyring.destroy(key_id)
        await self.backend.scrub()

    async def delete_session(self, session_id: str) -> None:
        """The session, its events, the practice attempts made in it and the saved snapshots of
        the bots that wrote into it; ``NotFound`` if absent."""
        session = await self.sessions.get(session_id)
        await self.sessions.delete(session_id)
        await self.material.forget_session(session_id)
        if session.user_id:
            await self.bots.forget_session(session.user_id, session_id)
        await self._shred(session_key_id(session_id))

    async def delete_user(self, user_id: str) -> None:
        """Everything of the user: sessions (with their events), material, banks, bots, the
        audit log, then the account; ``NotFound`` if there is no such account."""
        await self.accounts.get(user_id)
        while sessions := await self.sessions.list(user_id, limit=SESSION_PAGE):
            for session in sessions:
                await self.delete_session(session.id)
        await self.material.delete_all(user_id)
        await self.banks.delete_all(user_id)
        await self.bots.delete_all(user_id)
        await self.practice.delete_all(user_id)
        await self.webhooks.delete_all(user_id)
        await self.interviews.delete_all(user_id)
        await self.usage.delete_all(user_id)
        await self.teams.delete_all(user_id)
        await self.accounts.delete(user_id)
        await self._shred(user_key_id(user_id))
