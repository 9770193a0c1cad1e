"""Question banks and their questions: the built-in starter bank (owner ``BUILTIN_OWNER``,
readable by every user) and each user's own banks.

A question keeps its bank's owner and a lower-case copy of its text (``search_text``) so that
search filters by owner and finds text case-insensitively with one query per owner.
"""

from __future__ import annotations

import builtins
import time
from typing import Any

from cuecard.store.backend import Collection, new_id
from cuecard.store.models import BUILTIN_OWNER, Bank, BankQuestion
from cuecard.store.repository import OLDEST_FIRST, OwnedDocuments, Repository

BANKS = Collection("banks", ("user_id",), (("user_id", "created_at"),))
BANK_QUESTIONS = Collection(
    "bank_questions",
    ("bank_id", "user_id", "category", "difficulty", "industry", "role", "search_text"),
    (("bank_id", "created_at"), ("user_id", "category"), ("category", "difficulty"), ("industry",), ("role",)),
    # the user's words: encrypted, filtered after decryption (the built-in bank's stay in columns)
    sealed=("category", "industry", "role", "search_text"),
)
ALL = 1000  # more banks than any user has: the list is paged after the built-in ones are put first


class Banks(Repository):
    COLLECTIONS = (BANKS, BANK_QUESTIONS)

    def __init__(self, backend):
        super().__init__(backend)
        self._own = OwnedDocuments(backend, BANKS, Bank)

    # banks -------------------------------------------------------------------------------------
    async def create(self, user_id: str, fields: dict[str, Any]) -> Bank:
        return await self._own.create(user_id, fields)

    async def get(self, user_id: str, bank_id: str) -> Bank:
        """The user's bank or a built-in one; ``NotFound`` for anyone else's."""
        bank = await self._require(BANKS, Bank, bank_id)
        if bank.user_id not in (user_id, BUILTIN_OWNER):
            raise BANKS.missing(bank_id)
        return bank

    async def list(self, user_id: str, limit: int = 100, offset: int = 0) -> list[Bank]:
        """The built-in banks, then the user's, each oldest first."""
        builtin = await self._own.list(BUILTIN_OWNER, ALL, 0)
        own = await self._own.list(user_id, ALL, 0)
        return (builtin + own)[offset : offset + limit]

    async def update(self, user_id: str, bank_id: str, fields: dict[str, Any]) -> Bank:
        return await self._own.update(user_id, bank_id, fields)

    async def delete(self, user_id: str, bank_id: str) -> None:
        """The user's bank with its questions."""
        await self._own.get(user_id, bank_id)
        await self._db.delete(BANK_QUESTIONS, {"bank_id": bank_id})
        await self._db.delete(BANKS, {"id": bank_id})

    async def delete_all(self, user_id: str) -> None:
        await self._db.delete(BANK_QUESTIONS, {"user_id": user_id})
        await self._own.delete_all(user_id)

    async def install_builtin(self, bank: dict[str, Any], questions: builtins.list[dict[str, Any]]) -> None:
        """Write a built-in bank once (idempotent: the same ids at every start-up)."""
        if await self._db.get(BANKS, bank["id"]) is not None:
            return
        record = Bank.model_validate({**bank, "user_id": BUILTIN_OWNER, "builtin": True, "created_at": 0.0})
        for question in questions:
            await self.add_question(record, question)
        await self._db.put(BANKS, record.doc())

    # questions ---------------------------------------------------------------------------------
    async def add_question(self, bank: Bank, fields: dict[str, Any]) -> BankQuestion:
        question = BankQuestion.model_validate(
            {
                "created_at": time.time(),
                **fields,
                "id": fields.get("id") or new_id(),
                "bank_id": bank.id,
                "user_id": bank.user_id,
                "search_text": fields.get("text", "").lower(),
            }
        )
        await self._db.put(BANK_QUESTIONS, question.doc())
        return question

    async def get_question(self, bank_id: str, question_id: str) -> BankQuestion:
        """``NotFound`` unless the question is in that bank."""
        question = await self._require(BANK_QUESTIONS, BankQuestion, question_id)
        if question.bank_id != bank_id:
            raise BANK_QUESTIONS.missing(question_id)
        return question

    async def update_question(self, question: BankQuestion, fields: dict[str, Any]) -> BankQuestion:
        changes = {k: v for k, v in fields.items() if k not in BankQuestion.BOOKKEEPING}
        changes["search_text"] = str(changes.get("text", question.text)).lower()
        changes["updated_at"] = time.time()
        return await self._update(BANK_QUESTIONS, BankQuestion, question.id, changes)

    async def delete_question(self, question_id: str) -> None:
        await self._db.delete(BANK_QUESTIONS, {"id": question_id})

    async def list_questions(self, bank_id: str, limit: int = 100, offset: int = 0) -> builtins.list[BankQuestion]:
        return await self._find(BANK_QUESTIONS, BankQuestion, {"bank_id": bank_id}, OLDEST_FIRST, limit, offset)

    async def count_questions(self, bank_id: str) -> int:
        return await self._db.count(BANK_QUESTIONS, {"bank_id": bank_id})

    async def search(
        self, owners: builtins.list[str], filters: dict[str, str], text: str | None, limit: int = 50, offset: int = 0
    ) -> tuple[builtins.list[BankQuestion], int]:
        """Questions of the given owners' banks matching every filter and containing the text
        (case-insensitive); (page, total)."""
        contains = ("search_text", text.lower()) if text else None
        found: list[BankQuestion] = []
        total = 0
        for owner in owners:
            where = {"user_id": owner, **filters}
            total += await self._db.count(BANK_QUESTIONS, where, contains)
            found += await self._find(BANK_QUESTIONS, BankQuestion, where, OLDEST_FIRST, offset + limit, 0, contains)
        return found[offset : offset + limit], total
