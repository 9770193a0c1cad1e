"""Encryption at rest: a ``Backend`` that encrypts documents on their way to the real backend.

Decision (issue 14, deliverable 2):

- **Layer.** ``EncryptedBackend`` sits between the repositories and the SQLite or MongoDB
  backend and implements the same primitives, so both backends and every repository (also the
  ones other features add later) get the same encryption without knowing about it; the contract
  suite runs through it. ``Store`` always builds one.
- **What is encrypted.** Every top-level field of a document except ``id``, the owner and
  link ids (``user_id``, ``session_id``, ``bank_id``), timestamps (``created_at``,
  ``updated_at``, ``expires_at``) and the fields queries filter or sort on
  (``Collection.fields``) — unless a queried field is declared ``sealed`` because it holds the
  user's words (a bank question's ``search_text``, ``category``, ``industry``, ``role``). A
  written document keeps its secret fields together in one AES-GCM value
  ``_sealed = {"_ct": base64(nonce||ciphertext), "_k": key id}`` (field names hidden too); an
  ``update`` seals each changed field as its own value of the same form, which wins over the
  same field inside ``_sealed``, so an update stays one atomic write without reading the
  document first. Associated data is ``collection, id, field``: a ciphertext copied to another
  document or field does not decrypt. Variant tried first: every field its own value on every
  write (≈ 8 AES-GCM operations per transcript line instead of 1); reading lines back was
  slower with it (87-271 ms against 26-105 ms wall time for 2000 lines, noisy runs).
- **Not encrypted:** ``users`` (email is the login lookup; the password is an Argon2 hash),
  ``revoked_tokens`` (random ids), ``audit`` (ids, actions and addresses, no user text; its
  entries outlive a deleted account and must still verify) and ``keys`` (wrapped keys), and the
  built-in question bank (owner ``builtin``, public content). Documents written before this
  layer existed are read as they are and encrypted on their next write.
- **Which key.** A document with a ``user_id`` uses that account's data key (``user:<id>``).
  Documents of a session (events, suggestions) use their session's key: the owner's, or for an
  anonymous session a data key of its own (``session:<id>``), because there is no account to
  hang it on and deleting the session (or the retention purge) must shred it too. A session
  claimed later keeps its old values under the session key (each value names its key) and
  writes new ones under the owner's; deleting the session destroys both. Documents with no
  owner at all use an instance key (``instance``).
- **Search on encrypted data.** A query on a sealed field or a substring search (``contains``)
  cannot run in the database any more; the layer reads the documents matching the plain part
  of the filter (one user's questions: the owner is always in the filter), decrypts them and
  filters in Python, then pages. The built-in bank (plain, owner ``builtin``) still searches
  in the database with its indexes.
- **Crypto-shredding.** ``Store.delete_user`` and ``Store.delete_session`` destroy the data
  key (its wrapped copy is deleted, SQLite overwrites it and truncates the WAL: ``scrub``),
  so a copy of the rows taken before cannot be decrypted even with the master key.
- **Files** (uploads, recordings kept on disk): ``Store.write_file`` / ``Store.read_file``
  encrypt them under the account's data key the same way (associated data: account and file
  name), so deleting the account shreds them too. Uploaded resumes and exports are never
  written to disk: they are parsed or built in memory and only their content is stored.
- **Rotation** (``cuecard keys rotate``, ``keys_rotation.py``): data keys are re-wrapped, never
  changed, so no data is re-encrypted. Each key document is rewritten in one ``update``
  (atomic per key; a key destroyed meanwhile is not brought back). A server
  accepts every master key it knows (current + ``previous_master_key`` / ``master.key.previous``)
  by the id stored with each wrapped key, and in key-file mode re-reads the key files when it
  meets an id it does not know, so a running server keeps working while the command runs.

Cost (``python bench/encryption_cost.py``: 2000 transcript-line upserts then one read of
them, SQLite, CPU time, medians of 5; the 2-core machine was shared with other jobs, load
average ≈ 12, so the figures are indicative): writes 0.14-0.20 s plain, 0.17-0.26 s encrypted
(+11 to +38 % over four runs, ≈ 0.03 ms per line); reading the 2000 lines back 11-14 ms plain,
26-29 ms encrypted. Deleting 100 sessions of 20 lines each (events, key shredding, WAL
truncation) took 201 ms CPU with ``secure_delete=ON`` and 176 ms with it off (≈ 2 ms per
deleted session either way). The store contract suite's time is dominated by the machine's
load (3.4-6.1 s in alternating runs with and without encryption).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard

from cuecard.store.backend import Backend, Collection, Conflict, Contains, Doc, Order, Where
from cuecard.store.crypto import (
    KEY_BYTES,
    CiphertextError,
    DataKey,
    DataKeyMissing,
    MasterKey,
    MasterKeyError,
    MasterKeys,
    write_private_file,
)
from cuecard.store.models import BUILTIN_OWNER

KEYS = Collection("keys")
PLAIN_COLLECTIONS = frozenset({"users", "revoked_tokens", "audit", KEYS.name})
PLAIN_FIELDS = frozenset({"id", "created_at", "updated_at", "expires_at", "user_id", "session_id", "bank_id"})
SESSIONS = "sessions"
SEALED = "_sealed"  # a whole document's secret fields, as one value
INSTANCE_KEY = "instance"
SCAN_PAGE = 500
SESSION_CACHE = 10_000


def user_key_id(user_id: str) -> str:
    return f"user:{user_id}"


def session_key_id(session_id: str) -> str:
    return f"session:{session_id}"


def _aad(coll: Collection, doc_id: str, field: str) -> bytes:
    return "\x1f".join((coll.name, doc_id, field)).encode()


def _is_sealed_value(value: Any) -> TypeGuard[Doc]:
    return isinstance(value, dict) and value.keys() == {"_ct", "_k"}


class Keyring:
    """The data keys: created on first use, wrapped by the master key in the ``keys``
    collection, unwrapped once per process and kept in memory."""

    def __init__(self, backend: Backend, masters: MasterKeys):
        self._db = backend
        self.masters = masters
        self._keys: dict[str, DataKey] = {}

    async def check(self) -> None:
        """Start-up: refuse a master key that did not wrap the stored data keys."""
        found = await self._db.find(KEYS, {}, (), 1, 0)
        if found:
            self._unwrap(found[0])

    def _unwrap(self, doc: Doc) -> bytes:
        wraps: dict[str, str] = doc.get("wraps") or {}
        for attempt in range(2):
            for master_id, wrapped in wraps.items():
                master = self.masters.find(master_id)
                if master is not None:
                    return master.unwrap(wrapped)
            if attempt == 0 and not self.masters.reload():
                break
        raise MasterKeyError(
            f"the master key ({self.masters.source}, id {self.masters.current.id}) is not the one the "
            f"stored data keys were wrapped with (id {', '.join(wraps) or '?'}): restore the original "
            "master key (CUECARD_MASTER_KEY or <data_dir>/master.key); without it the data cannot be read"
        )

    def _wrap_doc(self, key_id: str, secret: bytes, created_at: float | None = None) -> Doc:
        master = self.masters.current
        return {"id": key_id, "created_at": created_at or time.time(), "wraps": {master.id: master.wrap(secret)}}

    async def get(self, key_id: str, create: bool) -> DataKey:
        key = self._keys.get(key_id)
        if key is not None:
            return key
        doc = await self._db.get(KEYS, key_id)
        if doc is None:
            if not create:
                raise DataKeyMissing(f"data key {key_id} no longer exists (deleted): the data cannot be read")
            try:
                secret = secrets.token_bytes(KEY_BYTES)
                await self._db.insert(KEYS, self._wrap_doc(key_id, secret))
            except Conflict:  # another process made it first: use theirs
                return await self.get(key_id, create)
        else:
            secret = self._unwrap(doc)
        key = self._keys[key_id] = DataKey(key_id, secret)
        return key

    async def destroy(self, key_id: str) -> bool:
        """Crypto-shredding: forget the key here and delete its only (wrapped) copy."""
        self._keys.pop(key_id, None)
        return await self._db.delete(KEYS, {"id": key_id}) > 0

    async def rewrap_all(self, new: MasterKey, page: int = SCAN_PAGE) -> int:
        """Re-wrap every data key under ``new`` (the key itself is unchanged); how many."""
        done, offset = 0, 0
        while batch := await self._db.find(KEYS, {}, (("id", 1),), page, offset):
            for doc in batch:
                secret = self._unwrap(doc)
                # update, not put: a key destroyed meanwhile (an account deleted) stays destroyed
                if await self._db.update(KEYS, doc["id"], {"wraps": {new.id: new.wrap(secret)}}) is not None:
                    done += 1
            offset += len(batch)
        return done


class EncryptedBackend(Backend):
    """Encrypts what goes into ``inner`` and decrypts what comes out (see the module's
    Decision)."""

    def __init__(self, inner: Backend, keyring: Keyring):
        self.inner = inner
        self.keyring = keyring
        self._session_keys: OrderedDict[str, str] = OrderedDict()

    def __getattr__(self, name: str) -> Any:  # backend extras (MongoBackend.drop)
        return getattr(self.inner, name)

    # which fields, which key -------------------------------------------------------------------
    @staticmethod
    def _plain(coll: Collection) -> frozenset[str]:
        return (PLAIN_FIELDS | set(coll.fields)) - set(coll.sealed)

    def _remember_session(self, session_id: str, key_id: str) -> None:
        self._session_keys[session_id] = key_id
        self._session_keys.move_to_end(session_id)
        while len(self._session_keys) > SESSION_CACHE:
            self._session_keys.popitem(last=False)

    async def _session_key(self, session_id: str) -> str:
        key_id = self._session_keys.get(session_id)
        if key_id is None:
            session = await self.inner.get(Collection(SESSIONS), session_id)
            owner = session.get("user_id") if session else None
            key_id = user_key_id(owner) if owner else session_key_id(session_id)
            self._remember_session(session_id, key_id)
        return key_id

    async def _key_id(self, coll: Collection, doc: Doc) -> str | None:
        if coll.name in PLAIN_COLLECTIONS:
            return None
        owner = doc.get("user_id")
        if owner == BUILTIN_OWNER:
            return None
        if coll.name == SESSIONS:
            key_id = user_key_id(owner) if owner else session_key_id(doc["id"])
            self._remember_session(doc["id"], key_id)
            return key_id
        if owner:
            return user_key_id(owner)
        if doc.get("session_id"):
            return await self._session_key(doc["session_id"])
        return INSTANCE_KEY

    # sealing -----------------------------------------------------------------------------------
    @staticmethod
    def _sealed_value(key: DataKey, value: Any, aad: bytes) -> Doc:
        blob = key.seal(json.dumps(value).encode(), aad)
        return {"_ct": base64.b64encode(blob).decode(), "_k": key.id}

    async def _opened_value(self, value: Doc, aad: bytes) -> Any:
        key = await self.keyring.get(value["_k"], create=False)
        return json.loads(key.open(base64.b64decode(value["_ct"]), aad))

    async def _seal_fields(self, coll: Collection, doc_id: str, fields: Doc, key_id: str) -> Doc:
        """An update's fields: each secret one its own value (the update stays one write)."""
        plain = self._plain(coll)
        key = await self.keyring.get(key_id, create=True)
        return {
            name: value if name in plain else self._sealed_value(key, value, _aad(coll, doc_id, name))
            for name, value in fields.items()
        }

    async def _seal(self, coll: Collection, doc: Doc) -> Doc:
        """A whole document: the plain fields, and the others together in one value."""
        key_id = await self._key_id(coll, doc)
        if key_id is None:
            return dict(doc)
        plain = self._plain(coll)
        out = {name: value for name, value in doc.items() if name in plain}
        secret = {name: value for name, value in doc.items() if name not in plain}
        if secret:
            key = await self.keyring.get(key_id, create=True)
            out[SEALED] = self._sealed_value(key, secret, _aad(coll, doc["id"], SEALED))
        return out

    async def _open(self, coll: Collection, doc: Doc | None) -> Doc | None:
        """The document in clear: plain fields, the sealed ones, then fields sealed one by one
        by later updates (newer than the same field in the whole-document value)."""
        if doc is None or coll.name in PLAIN_COLLECTIONS:
            return doc
        out: Doc = {name: value for name, value in doc.items() if name != SEALED and not _is_sealed_value(value)}
        whole = doc.get(SEALED)
        if _is_sealed_value(whole):
            out.update(await self._opened_value(whole, _aad(coll, doc["id"], SEALED)))
        for name, value in doc.items():
            if name != SEALED and _is_sealed_value(value):
                out[name] = await self._opened_value(value, _aad(coll, doc["id"], name))
        return out

    # queries that need decryption --------------------------------------------------------------
    def _needs_scan(self, coll: Collection, where: Where, contains: Contains | None) -> bool:
        if coll.name in PLAIN_COLLECTIONS or where.get("user_id") == BUILTIN_OWNER:
            return False
        plain = self._plain(coll)
        return any(f not in plain for f in where) or (contains is not None and contains[0] not in plain)

    @staticmethod
    def _matches(doc: Doc, where: Where, contains: Contains | None) -> bool:
        if any(doc.get(f) != v for f, v in where.items()):
            return False
        if contains is None:
            return True
        value = doc.get(contains[0])
        return isinstance(value, str) and contains[1] in value

    async def _scan(self, coll: Collection, where: Where, order: Order, contains: Contains | None) -> list[Doc]:
        """Every match, decrypted and filtered here, in ``order``."""
        plain = self._plain(coll)
        pushed = {f: v for f, v in where.items() if f in plain}
        found: list[Doc] = []
        offset = 0
        while batch := await self.inner.find(coll, pushed, order, SCAN_PAGE, offset):
            for doc in batch:
                opened = await self._open(coll, doc)
                if opened is not None and self._matches(opened, where, contains):
                    found.append(opened)
            offset += len(batch)
            if len(batch) < SCAN_PAGE:
                break
        return found

    # primitives --------------------------------------------------------------------------------
    async def open(self, collections: Iterable[Collection]) -> None:
        await self.inner.open([*collections, KEYS])
        await self.keyring.check()

    async def close(self) -> None:
        await self.inner.close()

    async def insert(self, coll: Collection, doc: Doc) -> None:
        await self.inner.insert(coll, await self._seal(coll, doc))

    async def put(self, coll: Collection, doc: Doc) -> None:
        await self.inner.put(coll, await self._seal(coll, doc))

    async def get(self, coll: Collection, key: str) -> Doc | None:
        return await self._open(coll, await self.inner.get(coll, key))

    async def update(self, coll: Collection, key: str, fields: Doc) -> Doc | None:
        if coll.name in PLAIN_COLLECTIONS or set(fields) <= self._plain(coll):
            return await self._open(coll, await self.inner.update(coll, key, fields))
        current = await self.inner.get(coll, key)
        if current is None:
            return None
        key_id = await self._key_id(coll, {**current, **fields})
        sealed = fields if key_id is None else await self._seal_fields(coll, key, fields, key_id)
        return await self._open(coll, await self.inner.update(coll, key, sealed))

    async def find(self, coll, where, order: Order = (), limit=100, offset=0, contains=None):
        if self._needs_scan(coll, where, contains):
            return (await self._scan(coll, where, order, contains))[offset : offset + limit]
        docs = await self.inner.find(coll, where, order, limit, offset, contains)
        return [d for d in [await self._open(coll, doc) for doc in docs] if d is not None]

    async def count(self, coll, where, contains=None) -> int:
        if self._needs_scan(coll, where, contains):
            return len(await self._scan(coll, where, (), contains))
        return await self.inner.count(coll, where, contains)

    async def delete(self, coll: Collection, where: Where) -> int:
        if not self._needs_scan(coll, where, None):
            return await self.inner.delete(coll, where)
        gone = 0
        for doc in await self._scan(coll, where, (), None):
            gone += await self.inner.delete(coll, {"id": doc["id"]})
        return gone

    async def scrub(self) -> None:
        await self.inner.scrub()

    async def encrypt_existing(self, coll: Collection) -> int:
        """Rewrite the collection's documents that hold clear text (written before encryption
        existed) encrypted; how many. Idempotent."""
        if coll.name in PLAIN_COLLECTIONS:
            return 0
        plain = self._plain(coll)
        done, offset = 0, 0
        while batch := await self.inner.find(coll, {}, (("id", 1),), SCAN_PAGE, offset):
            for doc in batch:
                clear = [f for f, v in doc.items() if f not in plain and f != SEALED and not _is_sealed_value(v)]
                if clear and await self._key_id(coll, doc) is not None:
                    opened = await self._open(coll, doc)
                    if opened is not None:
                        await self.inner.put(coll, await self._seal(coll, opened))
                        done += 1
            offset += len(batch)
        return done


FILE_MAGIC = b"CUECARD-ENC1\n"


async def write_file(keyring: Keyring, user_id: str, path: Path, data: bytes) -> None:
    """An account's file (an upload, a recording) encrypted under its data key, mode 0600 in
    a 0700 directory; the associated data binds it to the account and the file name."""
    key = await keyring.get(user_key_id(user_id), create=True)
    blob = FILE_MAGIC + key.seal(data, _file_aad(user_id, path))
    await asyncio.to_thread(_write_private, path, blob)


async def read_file(keyring: Keyring, user_id: str, path: Path) -> bytes:
    """The file in clear; ``DataKeyMissing`` once the account is deleted; a file written
    before encryption existed is returned as it is."""
    blob = await asyncio.to_thread(path.read_bytes)
    if not blob.startswith(FILE_MAGIC):
        return blob
    key = await keyring.get(user_key_id(user_id), create=False)
    return key.open(blob[len(FILE_MAGIC) :], _file_aad(user_id, path))


def _file_aad(user_id: str, path: Path) -> bytes:
    return "\x1f".join(("file", user_id, path.name)).encode()


def _write_private(path: Path, blob: bytes) -> None:
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    for directory in reversed(missing):  # every directory made here is private (0700)
        directory.mkdir(mode=0o700, exist_ok=True)
    write_private_file(path, blob, replace=True)


__all__ = [
    "CiphertextError",
    "DataKeyMissing",
    "EncryptedBackend",
    "Keyring",
    "MasterKeyError",
    "read_file",
    "session_key_id",
    "user_key_id",
    "write_file",
]
