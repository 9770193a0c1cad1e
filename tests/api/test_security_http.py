"""HTTP hardening (issue 14, finding "low"): absurdly nested JSON is a 400, security headers on
every response and no version in ``Server``, a Host allowlist (DNS rebinding), JSON bodies only
as ``application/json``, a CORS allowlist, a quota on stored session settings."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from cuecard.api.app import create_app

from .conftest import api_settings

DEEP = ("[" * 2000 + "]" * 2000).encode()
DEEP_OBJECT = ('{"a":' * 2000 + "1" + "}" * 2000).encode()
JSON = {"Content-Type": "application/json"}


async def test_deeply_nested_json_is_a_400_everywhere(client, register):
    user = await register()
    targets = [
        ("POST", "/api/auth/register", {}),
        ("POST", "/api/auth/login", {}),
        ("POST", "/api/auth/refresh", {}),
        ("POST", "/api/offer", {}),
        ("PATCH", "/api/offer", {}),
        ("POST", "/api/sessions", user.headers),
        ("PUT", "/api/profile", user.headers),
        ("POST", "/api/stories", user.headers),
    ]
    for method, path, headers in targets:
        for body in (DEEP, DEEP_OBJECT):
            r = await client.request(method, path, data=body, headers={**JSON, **headers})
            assert r.status == 400, (method, path, r.status, await r.text())
            assert (await r.json())["error"]["code"] == "invalid_json"


async def test_security_headers_on_every_kind_of_response(client):
    for path in ("/api/health", "/api/nope", "/", "/static/app.js", "/api/openapi.json"):
        r = await client.get(path)
        h = r.headers
        csp = h["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY", path
        assert h["Referrer-Policy"] == "no-referrer", path
        assert h["Server"] == "Cuecard", (path, h["Server"])  # no Python/aiohttp versions
        assert "Strict-Transport-Security" not in h  # plain HTTP: only with settings.hsts


async def test_hsts_only_when_configured(tmp_path):
    async with TestClient(TestServer(create_app(api_settings(tmp_path, hsts=True)))) as c:
        r = await c.get("/api/health")
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_host_allowlist_against_dns_rebinding(tmp_path):
    async with TestClient(TestServer(create_app(api_settings(tmp_path, allowed_hosts=["cuecard.example"])))) as c:
        port = c.server.port
        for host, status in (
            (f"127.0.0.1:{port}", 200),
            (f"localhost:{port}", 200),
            ("[::1]", 200),
            ("cuecard.example", 200),
            (f"CueCard.Example:{port}", 200),
            ("attacker.example", 400),
            (f"attacker.example:{port}", 400),
            ("127.0.0.1.attacker.example", 400),
            ("", 400),
        ):
            r = await c.get("/api/health", headers={"Host": host})
            assert r.status == status, (host, r.status)
            if status == 400:
                assert (await r.json())["error"]["code"] == "host_not_allowed"
        r = await c.get("/", headers={"Host": "attacker.example"})  # the pages too
        assert r.status == 400


async def test_json_bodies_only_as_application_json(client, register):
    user = await register()
    body = b'{"email": "x@example.org", "password": "violet tuba 93 fern"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {"Content-Type": content_type} if content_type else {}
        r = await client.post("/api/auth/register", data=body, headers=headers)
        assert r.status == 415, (content_type, r.status)
        assert (await r.json())["error"]["code"] == "unsupported_media_type"
    r = await client.post("/api/auth/register", data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status == 201
    # upload routes take files
    r = await user.req(
        "POST",
        "/api/profile/resume?filename=cv.txt",
        data=b"Ann Example\nEngineer",
        headers={"Content-Type": "text/plain"},
    )
    assert r.status == 200, await r.text()


async def test_cors_allowlist(tmp_path):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    async with TestClient(TestServer(create_app(api_settings(tmp_path / "a")))) as c:
        r = await c.options("/api/auth/login", headers={"Origin": "https://evil.example", **preflight})
        assert r.status == 403 and "Access-Control-Allow-Origin" not in r.headers
        r = await c.get("/api/health", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in r.headers
    settings = api_settings(tmp_path / "b", cors_origins=["https://app.example"])
    async with TestClient(TestServer(create_app(settings))) as c:
        r = await c.options("/api/auth/login", headers={"Origin": "https://app.example", **preflight})
        assert r.status == 204 and r.headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert "POST" in r.headers["Access-Control-Allow-Methods"]
        r = await c.options("/api/auth/login", headers={"Origin": "https://evil.example", **preflight})
        assert r.status == 403


async def test_session_settings_quota(client, register):
    user = await register()
    blob = {"notes": "x" * 900_000}  # a ~1 MB settings blob per session
    r = await user.req("POST", "/api/sessions", json={"title": "t", "settings": blob})
    assert r.status == 413 and (await r.json())["error"]["field"] == "settings"
    r = await user.req("POST", "/api/sessions", json={"title": "t", "settings": {"job_id": "j1"}})
    assert r.status == 201
    session_id = (await r.json())["id"]
    for i in range(3):  # growing it bit by bit is capped as well
        r = await user.req("PATCH", f"/api/sessions/{session_id}", json={"settings": {f"k{i}": "y" * 7_000}})
        assert r.status == (200 if i < 2 else 413), (i, r.status)
    r = await user.req("GET", f"/api/sessions/{session_id}")
    assert set((await r.json())["settings"]) == {"job_id", "k0", "k1"}
