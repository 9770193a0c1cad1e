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

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.errors import ApiError
from cuecard.api.rest_common import INT, NUM, STR, ApiRoutes, obj, read_model, require_user, services
from cuecard.store import NotFound
from cuecard.store.facade import Store

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


def setup(app: web.Application) -> None:
    routes.setup(app)
