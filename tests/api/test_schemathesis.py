"""Fuzzing: schemathesis, generated from the app's own /api/openapi.json, against a real server
process: no 5xx, every status code documented, every response matching its schema and content
type — over **every** operation in the document, authenticated.

Operations whose paths name a record (``{session_id}``, ``{bank_id}``, ``{item_id}``, …) would
mostly get 404 for generated ids and never reach their logic, so real records are made first
(a session with a line, a bank with a question, a story, a job, an attempt, a practice session)
and bound to those path parameters through schemathesis dictionaries for half of the generated
cases; the other half keeps generated ids. Only the two operations that end the fuzzing user
(logout, account deletion) are left out. Bounded: a few examples per operation and a time
budget, so the run takes well under a minute on an idle machine.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import aiohttp

from .conftest import free_port, start_server, wait_healthy

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Ending the fuzzing user's session or account would turn the rest of the run into 401s.
EXCLUDED = ("POST /api/auth/logout", "DELETE /api/auth/me")
PASSWORD = "fuzzing horse battery 42"


async def seed(http: aiohttp.ClientSession, base: str) -> tuple[str, dict[str, list]]:
    """A user's token and, per path parameter, ids of that user's real records."""
    async with http.post(f"{base}/api/auth/register", json={"email": "fuzz@example.org", "password": PASSWORD}) as r:
        assert r.status == 201, await r.text()
        token = (await r.json())["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    async def post(path: str, body: dict) -> dict:
        async with http.post(f"{base}{path}", json=body, headers=auth) as r:
            assert r.status in (200, 201), (path, r.status, await r.text())
            return await r.json()

    session = await post("/api/sessions", {"title": "seed"})
    await post(f"/api/sessions/{session['id']}/segments", {"text": "Tell me about a time you failed?"})
    bank = await post("/api/banks", {"name": "seed bank"})
    question = await post(f"/api/banks/{bank['id']}/questions", {"text": "Why this team?"})
    items = [
        (await post(path, body))["id"]
        for path, body in (
            ("/api/stories", {"title": "Migration", "situation": "old database"}),
            ("/api/jobs", {"title": "Backend engineer", "company": "Northwind"}),
            ("/api/attempts", {"question_text": "Why?", "answer_text": "Because."}),
        )
    ]
    ids: dict[str, list] = {
        "session_id": [session["id"]],
        "bank_id": [bank["id"]],
        "question_id": [question["id"]],
        "item_id": items,
        "index": [0, 1],
        "webhook_id": [
            (await post("/api/webhooks", {"url": "https://hooks.example.org/x", "events": ["session.ended"]}))["id"]
        ],
    }
    async with http.post(f"{base}/api/practice/sessions", json={"n": 2}, headers=auth) as r:
        if r.status in (200, 201):  # practice sessions may need a bank or job on this server
            ids["practice_id"] = [(await r.json())["id"]]
    return token, ids


def config_file(tmp_path: Path, ids: dict[str, list]) -> Path:
    """schemathesis.toml binding each path parameter to its real ids for half of the cases."""
    lines = ["[dictionaries]"]
    lines += [f"{name} = {{ values = {json.dumps(values)} }}" for name, values in ids.items()]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in ids]
    path = tmp_path / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_schemathesis_covers_every_operation_without_server_errors_or_schema_violations(tmp_path):
    port = free_port()
    proc = start_server(port, tmp_path / "data")
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await wait_healthy(http, base, proc)
            token, ids = await seed(http, base)
            async with http.get(f"{base}/api/openapi.json") as r:
                doc = await r.json()
        operations = {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops if m != "parameters"}
        config = config_file(tmp_path, ids)
        cli = Path(sys.executable).parent / "schemathesis"
        excluded = [arg for op in EXCLUDED for arg in ("--exclude-name", op)]
        run = await asyncio.to_thread(
            subprocess.run,
            [
                str(cli),
                "--config-file",
                str(config),
                "run",
                f"{base}/api/openapi.json",
                "--checks",
                CHECKS,
                "--phases",
                "coverage,fuzzing",
                "--max-examples",
                "4",
                "--max-time",
                "50",
                "--seed",
                "1",
                "--no-shrink",
                "--workers",
                "2",
                # id-like path parameters filter out many generated values; that is not an API fault
                "--suppress-health-check",
                "filter_too_much,too_slow",
                "-H",
                f"Authorization: Bearer {token}",
                *excluded,
            ],
            capture_output=True,
            text=True,
            timeout=150,
            cwd=tmp_path,
        )
        out = run.stdout + run.stderr
        assert run.returncode == 0, out[-6000:]
        counts = re.search(r"(\d+) generated, (\d+) passed", out)
        assert counts and counts[1] == counts[2], out[-3000:]
        # every operation of the document but the excluded ones was selected and tested
        assert set(EXCLUDED) <= operations
        selected = re.search(r"Selected: (\d+)/(\d+)", out)
        tested = re.search(r"Tested: (\d+)", out)
        assert selected and int(selected[2]) == len(operations), out[-3000:]
        assert int(selected[1]) == len(operations) - len(EXCLUDED), out[-3000:]
        assert tested and tested[1] == selected[1], out[-3000:]
        log = proc.log_path.read_text()
        assert "Unhandled error" not in log, log[-4000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
