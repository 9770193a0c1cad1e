"""Team accounts (mounted with billing on, by ``rest_billing.setup``): ``POST /api/teams``,
``GET /api/teams/mine``, ``POST /api/teams/invitations``, ``POST /api/teams/join``,
``POST /api/teams/members/remove``.

Roles: the owner creates the organization, makes invitation links and removes members;
members join by link and get the Team plan while the owner has it (``effective_plan`` in
``cuecard/billing/quotas.py``); every member counts as a seat (the Team checkout's quantity).
Members' data stays private: no route here shows another member's sessions, banks or
material, and only the owner sees the members' emails. One organization per account.
Routes carry no ids in the path: each acts on the caller's own organization.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.errors import ApiError
from cuecard.api.rest_common import INT, NUM, STR, ApiRoutes, obj, read_model, require_user, services
from cuecard.store import NotFound
from cuecard.store.facade import Store
from cuecard.store.models import Bank

routes = ApiRoutes("teams")

ROLE = {"type": "string", "enum": ["owner", "member"]}
MEMBER = obj(("user_id", "role", "joined_at"), user_id=STR, role=ROLE, email=STR, joined_at=NUM)
TEAM = obj(
    ("id", "name", "role", "seats"),
    id=STR,
    name=STR,
    role=ROLE,
    seats=INT,
    members={"type": "array", "items": MEMBER},
)
INVITATION = obj(("token", "url", "expires_at"), token=STR, url=STR, expires_at=NUM)
JOINED = obj(("id", "role"), id=STR, role=ROLE)
REMOVED = obj(("removed",), removed=STR)


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, pattern=r"\S")


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=8, max_length=200)


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(min_length=1, max_length=128)


async def owned_seats(store: Store, user_id: str) -> int:
    """Seats of the organization the account owns (1 when it owns none)."""
    membership = await store.teams.membership(user_id)
    if not membership or membership.get("role") != "owner":
        return 1
    return await store.teams.seats(membership["org_id"])


async def _membership(store: Store, user_id: str, owner: bool = False) -> dict:
    membership = await store.teams.membership(user_id)
    if membership is None:
        raise ApiError(404, "not_found", "you are not in a team")
    if owner and membership.get("role") != "owner":
        raise ApiError(403, "forbidden", "only the team's owner can do this")
    return membership


@routes.add("POST", "/api/teams", "Create a team; the caller becomes its owner", body=TeamIn, response=TEAM, status=201)
async def create_team(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, TeamIn)
    store = services(request).store
    if await store.teams.membership(user_id) is not None:
        raise ApiError(409, "conflict", "you are already in a team")
    org = await store.teams.create(user_id, body.name.strip())
    return web.json_response({"id": org["id"], "name": org["name"], "role": "owner", "seats": 1}, status=201)


@routes.add("GET", "/api/teams/mine", "The caller's team, role and seats (members: owner only)", response=TEAM)
async def get_my_team(request: web.Request) -> web.Response:
    user_id = require_user(request)
    store = services(request).store
    membership = await _membership(store, user_id)
    org = await store.teams.org(membership["org_id"]) or {}
    members = await store.teams.members(membership["org_id"])
    answer = {"id": membership["org_id"], "name": org.get("name", ""), "role": membership["role"]}
    answer["seats"] = len(members)
    if membership["role"] == "owner":
        listed = []
        for m in members:
            entry = {"user_id": m["user_id"], "role": m["role"], "joined_at": m["created_at"]}
            try:
                entry["email"] = (await store.accounts.get(m["user_id"])).email
            except NotFound:
                pass  # an account deleted meanwhile
            listed.append(entry)
        answer["members"] = listed
    return web.json_response(answer)


@routes.add(
    "POST", "/api/teams/invitations", "An invitation link to the caller's team (owner only)", response=INVITATION
)
async def post_invitation(request: web.Request) -> web.Response:
    user_id = require_user(request)
    store = services(request).store
    membership = await _membership(store, user_id, owner=True)
    token, expires_at = await store.teams.invite(membership["org_id"], user_id)
    url = f"{request.url.origin()}/account?join_team={token}"
    return web.json_response({"token": token, "url": url, "expires_at": expires_at})


@routes.add("POST", "/api/teams/join", "Join a team with an invitation link's token", body=JoinIn, response=JOINED)
async def post_join(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, JoinIn)
    store = services(request).store
    if await store.teams.membership(user_id) is not None:
        raise ApiError(409, "conflict", "you are already in a team")
    joined = await store.teams.accept(body.token, user_id)
    if joined is None:
        raise ApiError(404, "not_found", "this invitation link is unknown or expired", "token")
    return web.json_response({"id": joined["org_id"], "role": joined["role"]})


@routes.add(
    "POST",
    "/api/teams/members/remove",
    "Remove a member from the caller's team (owner only)",
    body=MemberIn,
    response=REMOVED,
)
async def post_remove_member(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, MemberIn)
    store = services(request).store
    membership = await _membership(store, user_id, owner=True)
    if not await store.teams.remove_member(membership["org_id"], body.user_id):
        raise ApiError(404, "not_found", "no such member in your team", "user_id")
    return web.json_response({"removed": body.user_id})


class BankRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bank_id: str = Field(min_length=1, max_length=128)


SHARED_BANK = obj(("id", "name", "question_count", "shared_by_me"), id=STR, name=STR, question_count=INT)
SHARED_BANK["properties"]["shared_by_me"] = {"type": "boolean"}
SHARED_BANKS = obj(("items",), items={"type": "array", "items": SHARED_BANK})
SHARE = obj(("bank_id", "shared"), bank_id=STR, shared={"type": "boolean"})
QUESTIONS = obj(("items",), items={"type": "array", "items": obj(("id", "text"), id=STR, text=STR)})


@routes.add(
    "POST", "/api/teams/banks/share", "Share one of your question banks with your team", body=BankRef, response=SHARE
)
async def post_share_bank(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, BankRef)
    store = services(request).store
    membership = await _membership(store, user_id)
    try:
        bank = await store.banks.get(user_id, body.bank_id)
    except NotFound:
        bank = None
    if bank is None or bank.user_id != user_id:  # built-in banks are everyone's already
        raise ApiError(404, "not_found", "no such bank of yours", "bank_id")
    await store.teams.share_bank(membership["org_id"], bank.id, user_id)
    return web.json_response({"bank_id": bank.id, "shared": True})


@routes.add(
    "POST",
    "/api/teams/banks/unshare",
    "Stop sharing a bank (its owner or the team's owner)",
    body=BankRef,
    response=SHARE,
)
async def post_unshare_bank(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, BankRef)
    store = services(request).store
    membership = await _membership(store, user_id)
    shared = await store.teams.shared_bank(membership["org_id"], body.bank_id)
    if shared is None or (shared["user_id"] != user_id and membership["role"] != "owner"):
        raise ApiError(404, "not_found", "no such shared bank", "bank_id")
    await store.teams.unshare_bank(membership["org_id"], body.bank_id)
    return web.json_response({"bank_id": body.bank_id, "shared": False})


async def _shared(store: Store, user_id: str, bank_id: str | None = None) -> list[tuple[dict[str, Any], Bank]]:
    """(share, bank) of the caller's team, all or one; banks deleted meanwhile are skipped."""
    membership = await _membership(store, user_id)
    shares = await store.teams.shared_banks(membership["org_id"])
    found = []
    for share in shares:
        if bank_id is not None and share["bank_id"] != bank_id:
            continue
        try:
            found.append((share, await store.banks.get(share["user_id"], share["bank_id"])))
        except NotFound:
            continue
    return found


@routes.add("GET", "/api/teams/banks", "The question banks shared with your team", response=SHARED_BANKS)
async def get_shared_banks(request: web.Request) -> web.Response:
    user_id = require_user(request)
    store = services(request).store
    items = []
    for share, bank in await _shared(store, user_id):
        count = await store.banks.count_questions(share["bank_id"])
        items.append(
            {
                "id": share["bank_id"],
                "name": bank.name,
                "question_count": count,
                "shared_by_me": share["user_id"] == user_id,
            }
        )
    return web.json_response({"items": items})


@routes.add(
    "GET",
    "/api/teams/banks/{bank_id}/questions",
    "The questions of a bank shared with your team (read-only)",
    response=QUESTIONS,
)
async def get_shared_bank_questions(request: web.Request) -> web.Response:
    user_id = require_user(request)
    store = services(request).store
    bank_id = request.match_info["bank_id"]
    try:
        found = await _shared(store, user_id, bank_id)
    except ApiError:
        found = []
    if not found:
        raise ApiError(404, "not_found", "no such bank shared with your team", "bank_id")
    questions = await store.banks.list_questions(bank_id, limit=1000)
    return web.json_response({"items": [q.public() for q in questions]})


def setup(app: web.Application) -> None:
    routes.setup(app)
