"""Question banks: CRUD of banks and their questions, and search by text, category,
difficulty, industry and role across the built-in starter bank and the user's own banks.

The starter bank (``cuecard/store/data/starter_bank.json``) is written by the project (never
copied from evaluation data); it is installed at start-up with fixed ids, is readable by every
user and writable by none (403 ``read_only``). Category, industry and role are free text
stored lower-case so that filters match regardless of how they were typed.
"""

from __future__ import annotations

import json
from enum import Enum, StrEnum
from pathlib import Path

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cuecard.api.errors import ApiError, bad_request
from cuecard.api.keys import SERVICES
from cuecard.api.rest_common import (
    INT,
    NUM,
    PAGE_PARAMS,
    STR,
    ApiRoutes,
    not_found,
    obj,
    page,
    page_of,
    paged,
    read_model,
    require_user,
    services,
    validation_error,
)
from cuecard.store import BUILTIN_OWNER, NotFound, Store
from cuecard.store.models import Bank, BankQuestion

routes = ApiRoutes("banks")
STARTER_BANK = Path(__file__).resolve().parent.parent / "store" / "data" / "starter_bank.json"
FILTERS = ("category", "difficulty", "industry", "role")


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


class BankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class BankPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class BankQuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    category: str = Field(default="general", max_length=60)
    difficulty: Difficulty = Difficulty.medium
    industry: str = Field(default="general", max_length=60)
    role: str = Field(default="any", max_length=60)


BANK = obj(
    ("id", "name", "builtin"),
    id=STR,
    name=STR,
    description=STR,
    builtin={"type": "boolean"},
    question_count=INT,
    created_at=NUM,
)
BANK_QUESTION = obj(
    ("id", "bank_id", "text", "category", "difficulty", "industry", "role"),
    id=STR,
    bank_id=STR,
    text=STR,
    category=STR,
    difficulty=STR,
    industry=STR,
    role=STR,
)


def _normalise(fields: dict) -> dict:
    out = dict(fields)
    if isinstance(out.get("difficulty"), Enum):
        out["difficulty"] = out["difficulty"].value
    for key in ("category", "industry", "role"):
        if key in out and isinstance(out[key], str):
            out[key] = out[key].strip().lower()
    return out


def bank_view(bank: Bank, count: int) -> dict:
    return {**bank.public(), "question_count": count}


async def install_starter_bank(store: Store) -> None:
    data = json.loads(STARTER_BANK.read_text())
    await store.banks.install_builtin(data["bank"], [_normalise(q) for q in data["questions"]])


async def _bank(request: web.Request, user_id: str, writable: bool = False) -> Bank:
    bank_id = request.match_info["bank_id"]
    try:
        bank = await services(request).store.banks.get(user_id, bank_id)
    except NotFound:
        raise not_found(f"bank {bank_id} not found", "bank_id") from None
    if writable and bank.user_id != user_id:
        raise ApiError(403, "read_only", "the built-in bank cannot be changed", "bank_id")
    return bank


@routes.add(
    "GET", "/api/banks", "Question banks: the built-in ones, then the user's", response=page_of(BANK), query=PAGE_PARAMS
)
async def list_banks(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, offset = page(request)
    every = await services(request).store.banks.list(user_id, limit=10_000)
    items = [b.public() for b in every[offset : offset + limit]]
    return web.json_response(paged(items, len(every), limit, offset))


@routes.add("POST", "/api/banks", "Create a question bank", body=BankIn, response=BANK, status=201)
async def create_bank(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, BankIn)
    bank = await services(request).store.banks.create(user_id, body.model_dump())
    return web.json_response(bank_view(bank, 0), status=201)


@routes.add("GET", "/api/banks/{bank_id}", "One bank with its question count", response=BANK)
async def get_bank(request: web.Request) -> web.Response:
    bank = await _bank(request, require_user(request))
    return web.json_response(bank_view(bank, await services(request).store.banks.count_questions(bank.id)))


@routes.add("PATCH", "/api/banks/{bank_id}", "Rename or describe a bank", body=BankPatch, response=BANK)
async def update_bank(request: web.Request) -> web.Response:
    user_id = require_user(request)
    bank = await _bank(request, user_id, writable=True)
    body = await read_model(request, BankPatch)
    banks = services(request).store.banks
    record = await banks.update(user_id, bank.id, body.model_dump(exclude_none=True))
    return web.json_response(bank_view(record, await banks.count_questions(bank.id)))


@routes.add("DELETE", "/api/banks/{bank_id}", "Delete a bank and its questions", status=204)
async def delete_bank(request: web.Request) -> web.Response:
    user_id = require_user(request)
    bank = await _bank(request, user_id, writable=True)
    await services(request).store.banks.delete(user_id, bank.id)
    return web.Response(status=204)


@routes.add(
    "GET",
    "/api/banks/{bank_id}/questions",
    "The questions of a bank",
    response=page_of(BANK_QUESTION),
    query=PAGE_PARAMS,
)
async def list_questions(request: web.Request) -> web.Response:
    bank = await _bank(request, require_user(request))
    limit, offset = page(request)
    banks = services(request).store.banks
    items = await banks.list_questions(bank.id, limit, offset)
    total = await banks.count_questions(bank.id)
    return web.json_response(paged([q.public() for q in items], total, limit, offset))


@routes.add(
    "POST",
    "/api/banks/{bank_id}/questions",
    "Add a question to a bank",
    body=BankQuestionIn,
    response=BANK_QUESTION,
    status=201,
)
async def add_question(request: web.Request) -> web.Response:
    bank = await _bank(request, require_user(request), writable=True)
    body = await read_model(request, BankQuestionIn)
    record = await services(request).store.banks.add_question(bank, _normalise(body.model_dump()))
    return web.json_response(record.public(), status=201)


class _Patch(BaseModel):
    """Any JSON object: PATCH merges it into the stored question, then validates the result."""

    model_config = ConfigDict(extra="allow")


async def _question(request: web.Request, bank: Bank) -> BankQuestion:
    question_id = request.match_info["question_id"]
    try:
        return await services(request).store.banks.get_question(bank.id, question_id)
    except NotFound:
        raise not_found(f"question {question_id} not found", "question_id") from None


@routes.add("GET", "/api/banks/{bank_id}/questions/{question_id}", "One bank question", response=BANK_QUESTION)
async def get_question(request: web.Request) -> web.Response:
    bank = await _bank(request, require_user(request))
    return web.json_response((await _question(request, bank)).public())


@routes.add(
    "PATCH",
    "/api/banks/{bank_id}/questions/{question_id}",
    "Edit a bank question",
    body=BankQuestionIn,
    response=BANK_QUESTION,
)
async def update_question(request: web.Request) -> web.Response:
    bank = await _bank(request, require_user(request), writable=True)
    question = await _question(request, bank)
    raw = await read_model(request, _Patch)
    current = {k: v for k, v in question.content().items() if k in BankQuestionIn.model_fields and v is not None}
    try:
        fields = BankQuestionIn.model_validate({**current, **raw.model_dump()}).model_dump()
    except ValidationError as e:
        raise validation_error(e) from e
    record = await services(request).store.banks.update_question(question, _normalise(fields))
    return web.json_response(record.public())


@routes.add("DELETE", "/api/banks/{bank_id}/questions/{question_id}", "Remove a question from a bank", status=204)
async def delete_question(request: web.Request) -> web.Response:
    bank = await _bank(request, require_user(request), writable=True)
    question = await _question(request, bank)
    await services(request).store.banks.delete_question(question.id)
    return web.Response(status=204)


SEARCH_PARAMS = [
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}, "description": "text contains"},
    *({"name": f, "in": "query", "schema": {"type": "string", "maxLength": 60}} for f in FILTERS),
    {"name": "source", "in": "query", "schema": {"type": "string", "enum": ["all", "builtin", "own"]}},
    *PAGE_PARAMS,
]


@routes.add(
    "GET",
    "/api/bank-questions",
    "Search questions of the built-in and the user's banks by text, category, difficulty, industry and role",
    response=page_of(BANK_QUESTION),
    query=SEARCH_PARAMS,
)
async def search(request: web.Request) -> web.Response:
    user_id = require_user(request)
    limit, offset = page(request)
    text = request.query.get("q", "").strip()
    if len(text) > 200:
        raise bad_request("q is longer than 200 characters", "q")
    filters = {}
    for name in FILTERS:
        value = request.query.get(name, "").strip().lower()
        if len(value) > 60:
            raise bad_request(f"{name} is longer than 60 characters", name)
        if value:
            filters[name] = value
    source = request.query.get("source", "all")
    owners = {"all": [BUILTIN_OWNER, user_id], "builtin": [BUILTIN_OWNER], "own": [user_id]}.get(source)
    if owners is None:
        raise bad_request("source must be all, builtin or own", "source")
    items, total = await services(request).store.banks.search(owners, filters, text or None, limit, offset)
    return web.json_response(paged([q.public() for q in items], total, limit, offset))


def setup(app: web.Application):
    async def starter_bank(app: web.Application):
        """Install (or refresh) the built-in starter bank; the store is open (``core`` runs first)."""
        await install_starter_bank(app[SERVICES].store)
        yield

    app.cleanup_ctx.append(starter_bank)
    routes.setup(app)
