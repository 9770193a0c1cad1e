"""What a storage backend implements: a handful of document primitives on named collections.

A document is a JSON-able dict with a string ``id`` and a ``created_at`` (unix seconds). The
repositories (``accounts``, ``sessions``, ``banks``, ``material``, ``bots``) declare their
collections as ``Collection`` values and call only the primitives below, so a backend knows
nothing about users, sessions or banks, and both backends run the same repository code.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]
Where = dict[str, Any]  # field -> value, all must be equal ("id" is the key)
Order = Sequence[tuple[str, int]]  # (field, 1 ascending | -1 descending)
Contains = tuple[str, str]  # (field, text): the field's value contains the text (case-sensitive)


class NotFound(KeyError):
    pass


class Conflict(ValueError):
    """The id, or a unique field (a user's email), is already taken."""


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Collection:
    """One collection: the fields queries filter or sort on (real columns in SQLite), one index
    per query the repositories make (equality fields first, then the sort fields), and at most
    one unique index (it must also be one of ``indexes``). ``sealed`` names queried fields that
    hold the user's words: the encrypting layer (``encrypted.py``) keeps them out of the plain
    columns and filters on them after decryption."""

    name: str
    fields: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    unique: tuple[str, ...] | None = None
    sealed: tuple[str, ...] = ()

    def missing(self, key: str) -> NotFound:
        return NotFound(f"{self.name.rstrip('s')} {key} not found")


class Backend(abc.ABC):
    """The primitives. Every method takes the ``Collection`` it works on; ``where`` is field
    equality (an empty dict matches everything); documents go in and come out as plain dicts,
    never shared with the caller (the backend copies what it keeps)."""

    @abc.abstractmethod
    async def open(self, collections: Iterable[Collection]) -> None:
        """Create collections and indexes (idempotent: runs at every start-up)."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def insert(self, coll: Collection, doc: Doc) -> None:
        """Add a new document; ``Conflict`` when its id or a unique field's value is taken."""

    @abc.abstractmethod
    async def put(self, coll: Collection, doc: Doc) -> None:
        """Insert, or replace the whole document with the same id."""

    @abc.abstractmethod
    async def get(self, coll: Collection, key: str) -> Doc | None: ...

    @abc.abstractmethod
    async def update(self, coll: Collection, key: str, fields: Doc) -> Doc | None:
        """Set top-level ``fields`` of one document atomically; the updated document, or None
        when there is none with this id."""

    @abc.abstractmethod
    async def find(
        self,
        coll: Collection,
        where: Where,
        order: Order = (),
        limit: int = 100,
        offset: int = 0,
        contains: Contains | None = None,
    ) -> list[Doc]:
        """One page of the matching documents in ``order``."""

    @abc.abstractmethod
    async def count(self, coll: Collection, where: Where, contains: Contains | None = None) -> int: ...

    @abc.abstractmethod
    async def delete(self, coll: Collection, where: Where) -> int:
        """Delete every matching document; how many went."""

    async def scrub(self) -> None:
        """Make deleted documents unrecoverable from the backend's own files where it can
        (SQLite: checkpoint and truncate the write-ahead log). Nothing by default."""
        return None
