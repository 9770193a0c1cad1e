"""Accounts and tokens: register, log in, refresh, log out, who am I, delete my account.

Auth model (decisions):
- Passwords are hashed with argon2id (``argon2-cffi`` defaults), in a worker thread so a login
  never stalls the event loop. Unknown emails are checked against a dummy hash so response
  time does not reveal which emails have accounts.
- Access tokens are JWTs (``settings.access_token_ttl_secs``, 15 min by default): every
  request carries one as ``Authorization: Bearer``; the WebSocket may pass it as ``?token=``
  because browsers cannot set headers on a WebSocket. The algorithm is pinned (HS256 only:
  ``alg: none`` and RS/HS confusion fail) and ``iss``/``aud`` are required and checked; access
  and refresh tokens have different audiences, so one can never stand for the other.
- Refresh tokens are JWTs too (30 days), exchanged at ``/api/auth/refresh``. Every login starts
  a token *family* (``fam`` claim, carried by its access and refresh tokens). A refresh
  consumes its token atomically (``accounts.consume_token``: one insert, so of concurrent uses
  exactly one wins, across processes); a second use of a consumed refresh token is *reuse* —
  one copy was stolen — and revokes the whole family: the thief's and the owner's refresh
  tokens and every access token of the family stop working, and a ``token_reuse`` entry
  is audited.
- Logout revokes the access token and its family (so the refresh token too) by id in the
  store's ``revoked_tokens`` collection: shared by every process that shares the store.
  Family ids are stored there as ``fam:<id>``.
- Login is throttled per account and per address with exponential backoff, and passwords
  must pass the policy (``security_login``: the decisions are there).
- The secret is ``settings.jwt_secret``, else a random 256-bit secret created once in
  ``<data_dir>/jwt_secret`` (mode 0600), so restarts and processes sharing the data dir agree.
- The middleware sets ``request[USER_ID]`` for every route (including ``/api/offer``) when the
  token is valid, and leaves it unset otherwise.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
import uuid
from pathlib import Path

import jwt
from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field

from cuecard.api.errors import ApiError
from cuecard.api.keys import AUTH_ERROR, JWT_SECRET, LOGIN_THROTTLE, RATE_LIMITER, SETTINGS, TOKEN_CLAIMS, USER_ID
from cuecard.api.rest_common import INT, NUM, STR, ApiRoutes, obj, read_model, require_user, services
from cuecard.api.rest_consent import audit_event
from cuecard.api.security_login import LoginThrottle, password_problem
from cuecard.settings import Settings
from cuecard.store import Conflict, NotFound
from cuecard.store.models import User
from cuecard.store.ratelimit import make_rate_limiter

routes = ApiRoutes("auth")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, only for constant-time misses")
ALGORITHM = "HS256"
ISSUER = "cuecard"
AUDIENCES = {"access": "cuecard-api", "refresh": "cuecard-refresh"}
AUTH_WINDOW_SECS = 60  # settings.auth_rate_limit_per_minute counts attempts per this window


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=10, max_length=256)


class LoginCredentials(Credentials):
    """Login checks any length: accounts made under an older policy must still log in."""

    password: str = Field(min_length=1, max_length=256)


def throttled(wait: int) -> ApiError:
    error = ApiError(429, "login_throttled", f"too many failed logins; try again in {wait} s", "password")
    error.headers["Retry-After"] = str(wait)
    return error


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=4096)


class LogoutBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str | None = Field(default=None, max_length=4096)


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)


USER = obj(("id", "email", "created_at"), id=STR, email=STR, created_at=NUM)
TOKENS = obj(
    ("user", "access_token", "refresh_token", "token_type", "expires_in"),
    user=USER,
    access_token=STR,
    refresh_token=STR,
    token_type=STR,
    expires_in=INT,
)


def load_secret(settings: Settings) -> str:
    if settings.jwt_secret:
        return settings.jwt_secret
    path = Path(settings.ensure_data_dir()) / "jwt_secret"
    if not path.exists():
        # O_EXCL: two processes starting together cannot both write a different secret.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    for _ in range(50):  # the other process may still be writing it
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")


def issue(secret: str, user_id: str, kind: str, ttl: int, family: str | None = None) -> tuple[str, dict]:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "type": kind,
        "jti": uuid.uuid4().hex,
        "fam": family or uuid.uuid4().hex,
        "iss": ISSUER,
        "aud": AUDIENCES[kind],
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), claims


def decode(secret: str, token: str, kind: str) -> dict:
    """The token's claims; ``ApiError(401)`` if it is malformed, expired or of another kind."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCES[kind],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "jti", "fam", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise ApiError(401, "token_expired", f"{kind} token has expired", "token") from None
    except jwt.PyJWTError as e:
        raise ApiError(401, "invalid_token", f"invalid {kind} token", "token") from e
    if claims.get("type") != kind:
        raise ApiError(401, "invalid_token", f"not a {kind} token", "token")
    return claims


async def _claims_of(request: web.Request, token: str, kind: str, *, check_jti: bool = True) -> dict:
    """``check_jti=False``: the caller consumes the token itself (refresh, reuse detection)."""
    claims = decode(request.app[JWT_SECRET], token, kind)
    accounts = services(request).store.accounts
    revoked = check_jti and await accounts.is_token_revoked(claims["jti"])
    if revoked or await accounts.is_token_revoked(family_key(claims)):
        raise ApiError(401, "token_revoked", f"{kind} token was revoked", "token")
    try:
        await accounts.get(claims["sub"])
    except NotFound:
        raise ApiError(401, "invalid_token", "the token's account no longer exists", "token") from None
    return claims


def family_key(claims: dict) -> str:
    return f"fam:{claims['fam']}"


async def revoke_family(request: web.Request, claims: dict, ttl: int) -> None:
    """Revoke every token of the claims' family (kept until its longest token has expired)."""
    await services(request).store.accounts.revoke_token(family_key(claims), time.time() + ttl)


async def token_still_valid(request: web.Request, token: str, kind: str = "access") -> bool:
    """For long-lived connections: False once the token has expired or was revoked."""
    try:
        await _claims_of(request, token, kind)
    except ApiError:
        return False
    return True


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    if request.path.startswith("/api/sessions/") and request.path.endswith("/events"):
        return request.query.get("token") or None
    return None


@web.middleware
async def auth_middleware(request: web.Request, handler):
    token = bearer_token(request)
    if token is not None:
        try:
            claims = await _claims_of(request, token, "access")
        except ApiError as e:
            request[AUTH_ERROR] = e.message
        else:
            request[USER_ID] = claims["sub"]
            request[TOKEN_CLAIMS] = claims
    return await handler(request)


async def rate_limit(request: web.Request, what: str):
    settings = request.app[SETTINGS]
    key = f"auth:{what}:{request.remote}"
    if not await request.app[RATE_LIMITER].hit(key, settings.auth_rate_limit_per_minute, AUTH_WINDOW_SECS):
        raise ApiError(429, "rate_limited", f"too many {what} attempts; try again in a minute")


async def _hash(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    def verify():
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def _tokens(request: web.Request, user: User, family: str | None = None) -> dict:
    """A new access and refresh token of ``family`` (a new family: a new login)."""
    settings = request.app[SETTINGS]
    secret = request.app[JWT_SECRET]
    family = family or uuid.uuid4().hex
    access, _ = issue(secret, user.id, "access", settings.access_token_ttl_secs, family)
    refresh, _ = issue(secret, user.id, "refresh", settings.refresh_token_ttl_secs, family)
    return {
        "user": user.public(),
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_secs,
    }


@routes.add(
    "POST",
    "/api/auth/register",
    "Create an account; returns tokens",
    body=Credentials,
    response=TOKENS,
    status=201,
    auth=False,
)
async def register(request: web.Request) -> web.Response:
    await rate_limit(request, "register")
    body = await read_model(request, Credentials)
    problem = password_problem(body.password, request.app[SETTINGS])
    if problem:
        raise ApiError(400, "weak_password", problem, "password")
    accounts = services(request).store.accounts
    try:
        user = await accounts.create(body.email, await _hash(body.password))
    except Conflict:
        raise ApiError(409, "email_taken", "an account with this email exists", "email") from None
    await audit_event(request, user.id, "register")
    return web.json_response(_tokens(request, user), status=201)


@routes.add(
    "POST",
    "/api/auth/login",
    "Log in with email and password; returns tokens (429 with Retry-After while throttled)",
    body=LoginCredentials,
    response=TOKENS,
    auth=False,
)
async def login(request: web.Request) -> web.Response:
    await rate_limit(request, "login")
    body = await read_model(request, LoginCredentials)
    throttle = request.app[LOGIN_THROTTLE]
    address = request.remote or "unknown"
    wait = await throttle.retry_after(body.email, address)
    if wait:  # not even checked: see security_login on why the right password waits too
        raise throttled(wait)
    accounts = services(request).store.accounts
    user = await accounts.find_by_email(body.email)
    ok = await _verify(user.password_hash if user else _DUMMY_HASH, body.password)
    if user is None or not ok:
        await throttle.failed(body.email, address)
        await audit_event(request, user.id if user else None, "login_failed")  # unknown email: nobody's log
        raise ApiError(401, "invalid_credentials", "email or password is wrong", "password")
    await throttle.succeeded(body.email)
    await audit_event(request, user.id, "login")
    return web.json_response(_tokens(request, user))


@routes.add(
    "POST",
    "/api/auth/refresh",
    "Exchange a refresh token for new tokens (the old one is revoked)",
    body=RefreshBody,
    response=TOKENS,
    auth=False,
)
async def refresh(request: web.Request) -> web.Response:
    await rate_limit(request, "refresh")
    body = await read_model(request, RefreshBody)
    claims = await _claims_of(request, body.refresh_token, "refresh", check_jti=False)
    accounts = services(request).store.accounts
    if not await accounts.consume_token(claims["jti"], claims["exp"]):
        # Used before: a copy is in someone else's hands. End the whole family.
        await revoke_family(request, claims, request.app[SETTINGS].refresh_token_ttl_secs)
        await audit_event(request, claims["sub"], "token_reuse", family=claims["fam"])
        raise ApiError(401, "token_reused", "refresh token was already used; sign in again", "token")
    await audit_event(request, claims["sub"], "token_refresh")
    return web.json_response(_tokens(request, await accounts.get(claims["sub"]), claims["fam"]))


@routes.add(
    "POST",
    "/api/auth/logout",
    "Revoke the access token and its sign-in's refresh tokens (and the refresh token if given)",
    body=LogoutBody,
    status=204,
)
async def logout(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, LogoutBody)
    accounts = services(request).store.accounts
    claims = request[TOKEN_CLAIMS]
    ttl = request.app[SETTINGS].refresh_token_ttl_secs
    await accounts.revoke_token(claims["jti"], claims["exp"])
    await revoke_family(request, claims, ttl)  # the refresh token of this sign-in too
    if body.refresh_token:
        try:
            refresh_claims = decode(request.app[JWT_SECRET], body.refresh_token, "refresh")
        except ApiError:
            refresh_claims = None
        if refresh_claims and refresh_claims["sub"] == user_id:
            await accounts.revoke_token(refresh_claims["jti"], refresh_claims["exp"])
            await revoke_family(request, refresh_claims, ttl)
    await audit_event(request, user_id, "logout")
    return web.Response(status=204)


@routes.add("GET", "/api/auth/me", "The logged-in account", response=USER)
async def me(request: web.Request) -> web.Response:
    user_id = require_user(request)
    return web.json_response((await services(request).store.accounts.get(user_id)).public())


@routes.add(
    "DELETE",
    "/api/auth/me",
    "Delete the account and everything of it (password required)",
    body=PasswordBody,
    status=204,
)
async def delete_me(request: web.Request) -> web.Response:
    user_id = require_user(request)
    body = await read_model(request, PasswordBody)
    store = services(request).store
    user = await store.accounts.get(user_id)
    if not await _verify(user.password_hash, body.password):
        raise ApiError(401, "invalid_credentials", "password is wrong", "password")
    await audit_event(request, user_id, "account_delete")  # stays in the chain, unlinked (store/audit.py)
    await store.delete_user(user_id)
    claims = request[TOKEN_CLAIMS]
    await store.accounts.revoke_token(claims["jti"], claims["exp"])
    return web.Response(status=204)


def setup(app: web.Application):
    """The auth middleware (after the error middleware), the JWT secret, the rate limiter and
    the ``/api/auth`` routes."""
    app.middlewares.append(auth_middleware)

    async def secret_and_limiter(app: web.Application):
        settings = app[SETTINGS]
        app[JWT_SECRET] = load_secret(settings)
        app[RATE_LIMITER] = make_rate_limiter(settings.redis_url)
        app[LOGIN_THROTTLE] = LoginThrottle(settings)
        yield
        await app[RATE_LIMITER].close()
        await app[LOGIN_THROTTLE].close()

    app.cleanup_ctx.append(secret_and_limiter)
    routes.setup(app)
