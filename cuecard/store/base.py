"""The storage interface: one small async API per aggregate, two backends (SQLite, MongoDB).

Records are plain dicts with an ``id`` (str). Each backend stores them as documents, so the
same contract tests run on both. Times are unix seconds (float).

Design: every aggregate method (users, sessions, banks…) is written ONCE here, on top of five
document primitives (``_put``, ``_get``, ``_find``, ``_count``, ``_delete_where``) that each
backend implements. That keeps the two backends from drifting apart: the contract suite tests
the primitives through the same public methods on both.

``COLLECTIONS`` names every collection with the fields queries filter or sort on; ``INDEXES``
lists one index per query the API makes. Both backends create them idempotently in ``open()``.
"""

from __future__ import annotations

import abc
import time
import uuid
from typing import Any

Record = dict[str, Any]
Order = list[tuple[str, int]]  # (field, 1 ascending | -1 descending)


class NotFound(KeyError):
    pass


class Conflict(ValueError):
    """A unique field (e.g. a user's email) is already taken."""


# collection -> fields stored as indexed columns (SQLite) / queried fields (Mongo)
COLLECTIONS: dict[str, tuple[str, ...]] = {
    "users": ("email",),
    "profiles": ("user_id",),
    "stories": ("user_id",),
    "jobs": ("user_id",),
    "sessions": ("user_id",),
    "segments": ("session_id", "start"),
    "questions": ("session_id", "start"),
    "suggestions": ("session_id", "question_id"),
    "banks": ("user_id",),
    "bank_questions": ("bank_id", "user_id", "category", "difficulty", "industry", "role", "search_text"),
    "attempts": ("user_id", "session_id"),
    "audit": ("user_id",),
    "revoked_tokens": ("expires_at",),
    "bots": ("user_id",),
}

# One index per query (equality fields first, then the sort fields).
INDEXES: dict[str, list[tuple[str, ...]]] = {
    "users": [("email",)],
    "profiles": [("user_id",)],
    "stories": [("user_id", "created_at")],
    "jobs": [("user_id", "created_at")],
    "sessions": [("user_id", "created_at")],
    "segments": [("session_id", "start", "created_at")],
    "questions": [("session_id", "start", "created_at")],
    "suggestions": [("session_id", "created_at"), ("session_id", "question_id")],
    "banks": [("user_id", "created_at")],
    "bank_questions": [
        ("bank_id", "created_at"),
        ("user_id", "category"),
        ("category", "difficulty"),
        ("industry",),
        ("role",),
    ],
    "attempts": [("user_id", "created_at"), ("session_id",)],
    "audit": [("user_id", "created_at")],
    "revoked_tokens": [("expires_at",)],
    "bots": [("user_id", "created_at")],
}
UNIQUE = {"users": ("email",)}

SESSION_CHILDREN = ("segments", "questions", "suggestions")
USER_OWNED = ("profiles", "stories", "jobs", "bank_questions", "banks", "attempts", "audit", "bots")
BUILTIN_OWNER = "builtin"  # user_id of the starter question bank: readable by all, writable by none


def new_id() -> str:
    return uuid.uuid4().hex


class Store(abc.ABC):
    """Users, their material, sessions and what a session produces, banks, attempts, audit."""

    async def open(self) -> None:
        """Create tables/collections and indexes (idempotent)."""

    async def close(self) -> None:
        pass

    # primitives (per backend) --------------------------------------------------------------
    @abc.abstractmethod
    async def _put(self, coll: str, record: Record) -> None:
        """Insert or replace the record with ``record['id']`` (sets ``created_at`` if absent)."""

    @abc.abstractmethod
    async def _insert_unique(self, coll: str, record: Record) -> None:
        """Insert; raise ``Conflict`` when a UNIQUE field's value is taken."""

    @abc.abstractmethod
    async def _get(self, coll: str, record_id: str) -> Record: ...

    @abc.abstractmethod
    async def _find(
        self, coll: str, where: Record, order: Order, limit: int, offset: int, contains: tuple[str, str] | None = None
    ) -> list[Record]:
        """Records whose fields equal ``where``; ``contains=(field, text)`` adds a substring match."""

    @abc.abstractmethod
    async def _count(self, coll: str, where: Record, contains: tuple[str, str] | None = None) -> int: ...

    @abc.abstractmethod
    async def _delete_where(self, coll: str, where: Record) -> int: ...

    async def _get_opt(self, coll: str, record_id: str) -> Record | None:
        try:
            return await self._get(coll, record_id)
        except NotFound:
            return None

    # sessions ------------------------------------------------------------------------------
    async def create_session(self, session: Record) -> Record:
        record = {"id": new_id(), "state": "active", "created_at": time.time(), **session}
        await self._put("sessions", record)
        return record

    async def get_session(self, session_id: str) -> Record:
        return await self._get("sessions", session_id)

    async def update_session(self, session_id: str, fields: Record) -> Record:
        record = await self.get_session(session_id)
        record.update(fields)
        record["updated_at"] = time.time()
        await self._put("sessions", record)
        return record

    async def list_sessions(self, user_id: str | None = None, limit: int = 50, offset: int = 0) -> list[Record]:
        where = {} if user_id is None else {"user_id": user_id}
        return await self._find("sessions", where, [("created_at", -1)], limit, offset)

    async def count_sessions(self, user_id: str) -> int:
        return await self._count("sessions", {"user_id": user_id})

    async def delete_session(self, session_id: str) -> None:
        await self.get_session(session_id)
        for coll in SESSION_CHILDREN:
            await self._delete_where(coll, {"session_id": session_id})
        await self._delete_where("attempts", {"session_id": session_id})
        await self._delete_where("sessions", {"id": session_id})

    # transcript segments (one per transcript line; upserted as the line grows/refines) ------
    async def _upsert_child(self, coll: str, session_id: str, record: Record, key: str) -> Record:
        doc = {**record, "session_id": session_id, "id": f"{session_id}:{record[key]}"}
        doc.setdefault("created_at", time.time())
        await self._put(coll, doc)
        return doc

    async def upsert_segment(self, session_id: str, segment: Record) -> None:
        await self._upsert_child("segments", session_id, segment, "segment_id")

    async def list_segments(self, session_id: str, limit: int = 1000, offset: int = 0) -> list[Record]:
        return await self._find("segments", {"session_id": session_id}, [("start", 1), ("created_at", 1)], limit, offset)

    # questions and suggestions -------------------------------------------------------------
    async def upsert_question(self, session_id: str, question: Record) -> None:
        await self._upsert_child("questions", session_id, question, "question_id")

    async def list_questions(self, session_id: str, limit: int = 1000, offset: int = 0) -> list[Record]:
        return await self._find("questions", {"session_id": session_id}, [("start", 1), ("created_at", 1)], limit, offset)

    @staticmethod
    def _suggestion_id(session_id: str, question_id: str, option: Any) -> str:
        return f"{session_id}:{question_id}:{option}"

    async def upsert_suggestion(self, session_id: str, suggestion: Record) -> None:
        # Feedback may arrive before the finished suggestion is saved: keep it across upserts.
        existing = await self._get_opt(
            "suggestions", self._suggestion_id(session_id, suggestion["question_id"], suggestion["option"])
        )
        key = f"{suggestion['question_id']}:{suggestion['option']}"
        doc = {**suggestion, "suggestion_key": key}
        if existing is not None:
            doc.setdefault("feedback", existing.get("feedback"))
            doc["created_at"] = existing["created_at"]
        await self._upsert_child("suggestions", session_id, doc, "suggestion_key")

    async def list_suggestions(self, session_id: str, limit: int = 1000, offset: int = 0) -> list[Record]:
        return await self._find("suggestions", {"session_id": session_id}, [("created_at", 1)], limit, offset)

    async def set_suggestion_feedback(self, session_id: str, question_id: str, option: Any, helpful: bool) -> Record:
        record_id = self._suggestion_id(session_id, question_id, option)
        doc = await self._get_opt("suggestions", record_id) or {
            "id": record_id,
            "session_id": session_id,
            "question_id": question_id,
            "option": option,
            "suggestion_key": f"{question_id}:{option}",
            "text": "",
        }
        doc["feedback"] = {"helpful": bool(helpful), "at": time.time()}
        await self._put("suggestions", doc)
        return doc

    async def count_children(self, coll: str, session_id: str) -> int:
        return await self._count(coll, {"session_id": session_id})

    # users -------------------------------------------------------------------------------
    async def create_user(self, email: str, password_hash: str) -> Record:
        record = {"id": new_id(), "email": email.lower(), "password_hash": password_hash, "created_at": time.time()}
        await self._insert_unique("users", record)
        return record

    async def get_user(self, user_id: str) -> Record:
        return await self._get("users", user_id)

    async def find_user_by_email(self, email: str) -> Record | None:
        found = await self._find("users", {"email": email.lower()}, [], 1, 0)
        return found[0] if found else None

    async def delete_user(self, user_id: str) -> None:
        """Everything of the user goes: sessions (with their children), material, banks, log."""
        await self.get_user(user_id)
        while sessions := await self.list_sessions(user_id, limit=200):
            for session in sessions:
                await self.delete_session(session["id"])
        for coll in USER_OWNED:
            await self._delete_where(coll, {"user_id": user_id})
        await self._delete_where("users", {"id": user_id})

    # user-owned documents (profiles, stories, jobs, banks, attempts, audit) ---------------
    async def create_owned(self, coll: str, user_id: str, fields: Record) -> Record:
        now = time.time()
        record = {**fields, "id": new_id(), "user_id": user_id, "created_at": now, "updated_at": now}
        await self._put(coll, record)
        return record

    async def get_owned(self, coll: str, user_id: str, record_id: str) -> Record:
        """The record, or NotFound when it is absent OR belongs to someone else (no leak)."""
        record = await self._get(coll, record_id)
        if record.get("user_id") != user_id:
            raise NotFound(f"{coll} {record_id} not found")
        return record

    async def update_owned(self, coll: str, user_id: str, record_id: str, fields: Record) -> Record:
        record = await self.get_owned(coll, user_id, record_id)
        record.update({k: v for k, v in fields.items() if k not in ("id", "user_id", "created_at")})
        record["updated_at"] = time.time()
        await self._put(coll, record)
        return record

    async def delete_owned(self, coll: str, user_id: str, record_id: str) -> None:
        await self.get_owned(coll, user_id, record_id)
        if coll == "banks":
            await self._delete_where("bank_questions", {"bank_id": record_id})
        await self._delete_where(coll, {"id": record_id})

    async def list_owned(self, coll: str, user_id: str, limit: int = 100, offset: int = 0) -> list[Record]:
        return await self._find(coll, {"user_id": user_id}, [("created_at", 1)], limit, offset)

    async def count_owned(self, coll: str, user_id: str) -> int:
        return await self._count(coll, {"user_id": user_id})

    # meeting bots: the last known snapshot of each, kept after the bot (and the server) ends
    async def put_bot(self, user_id: str, snapshot: Record) -> Record:
        record = {**snapshot, "user_id": user_id, "updated_at": time.time()}
        await self._put("bots", record)
        return record

    # profile: one per user, its id is the user's id ------------------------------------------
    async def get_profile(self, user_id: str) -> Record | None:
        return await self._get_opt("profiles", f"profile:{user_id}")

    async def put_profile(self, user_id: str, profile: Record) -> Record:
        existing = await self.get_profile(user_id)
        now = time.time()
        record = {
            **profile,
            "id": f"profile:{user_id}",
            "user_id": user_id,
            "created_at": existing["created_at"] if existing else now,
            "updated_at": now,
        }
        await self._put("profiles", record)
        return record

    async def delete_profile(self, user_id: str) -> bool:
        return await self._delete_where("profiles", {"id": f"profile:{user_id}"}) > 0

    # question banks ----------------------------------------------------------------------
    async def list_banks(self, user_id: str, limit: int = 100, offset: int = 0) -> list[Record]:
        """The user's banks after the built-in ones."""
        builtin = await self._find("banks", {"user_id": BUILTIN_OWNER}, [("created_at", 1)], 1000, 0)
        own = await self._find("banks", {"user_id": user_id}, [("created_at", 1)], 1000, 0)
        return (builtin + own)[offset : offset + limit]

    async def get_bank(self, user_id: str, bank_id: str) -> Record:
        bank = await self._get("banks", bank_id)
        if bank["user_id"] not in (user_id, BUILTIN_OWNER):
            raise NotFound(f"bank {bank_id} not found")
        return bank

    async def add_bank_question(self, bank: Record, fields: Record) -> Record:
        record = {
            **fields,
            "id": fields.get("id") or new_id(),
            "bank_id": bank["id"],
            "user_id": bank["user_id"],
            "search_text": fields.get("text", "").lower(),
        }
        record.setdefault("created_at", time.time())
        await self._put("bank_questions", record)
        return record

    async def update_bank_question(self, question: Record, fields: Record) -> Record:
        question.update({k: v for k, v in fields.items() if k not in ("id", "user_id", "bank_id", "created_at")})
        question["search_text"] = question.get("text", "").lower()
        question["updated_at"] = time.time()
        await self._put("bank_questions", question)
        return question

    async def search_bank_questions(
        self, owners: list[str], filters: Record, text: str | None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Record], int]:
        """Questions of the given owners' banks matching every filter and the text (substring,
        case-insensitive). Returns (page, total)."""
        contains = ("search_text", text.lower()) if text else None
        found: list[Record] = []
        total = 0
        for owner in owners:
            where = {"user_id": owner, **filters}
            total += await self._count("bank_questions", where, contains)
            found += await self._find("bank_questions", where, [("created_at", 1)], offset + limit, 0, contains)
        return found[offset : offset + limit], total

    async def get_bank_question(self, bank_id: str, question_id: str) -> Record:
        question = await self._get("bank_questions", question_id)
        if question.get("bank_id") != bank_id:
            raise NotFound(f"question {question_id} not found")
        return question

    async def delete_bank_question(self, question_id: str) -> None:
        await self._delete_where("bank_questions", {"id": question_id})

    async def list_bank_questions(self, bank_id: str, limit: int = 100, offset: int = 0) -> list[Record]:
        return await self._find("bank_questions", {"bank_id": bank_id}, [("created_at", 1)], limit, offset)

    async def count_bank_questions(self, bank_id: str) -> int:
        return await self._count("bank_questions", {"bank_id": bank_id})

    async def install_builtin_bank(self, bank: Record, questions: list[Record]) -> None:
        """Write the starter bank once (idempotent: same ids every start-up)."""
        if await self._get_opt("banks", bank["id"]) is not None:
            return
        for question in questions:
            await self.add_bank_question({**bank, "user_id": BUILTIN_OWNER}, question)
        await self._put("banks", {**bank, "user_id": BUILTIN_OWNER, "builtin": True, "created_at": 0.0})

    # audit log -----------------------------------------------------------------------------
    async def audit(self, user_id: str, action: str, **details: Any) -> None:
        await self._put(
            "audit", {"id": new_id(), "user_id": user_id, "action": action, "details": details, "created_at": time.time()}
        )

    async def list_audit(self, user_id: str, limit: int = 100, offset: int = 0) -> list[Record]:
        return await self._find("audit", {"user_id": user_id}, [("created_at", -1)], limit, offset)

    # revoked tokens (logout) ---------------------------------------------------------------
    async def revoke_token(self, jti: str, expires_at: float) -> None:
        await self._put("revoked_tokens", {"id": jti, "expires_at": expires_at})

    async def is_token_revoked(self, jti: str) -> bool:
        return await self._get_opt("revoked_tokens", jti) is not None
