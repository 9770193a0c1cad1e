"""``cuecard audit verify`` on a real data directory: the chain written through the store
verifies; one row changed or removed in the SQLite file is named and the command exits 1."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from cuecard.pipeline.services import make_store
from cuecard.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def verify(data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUECARD_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "cuecard.cli", "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def edit_row(path: Path, entry_id: str, change) -> None:
    with sqlite3.connect(path) as db:
        (data,) = db.execute("SELECT data FROM audit WHERE id=?", (entry_id,)).fetchone()
        doc = json.loads(data)
        change(doc)
        db.execute("UPDATE audit SET data=? WHERE id=?", (json.dumps(doc), entry_id))


async def test_audit_verify_passes_then_names_the_tampered_row(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    store = make_store(settings)
    await store.open()
    user = await store.accounts.create("audit-cli@example.org", "h")
    await store.accounts.audit(user.id, "login", remote="192.0.2.7")
    await store.accounts.audit(user.id, "export", remote="192.0.2.7", session_id="s1", format="json")
    await store.accounts.audit(user.id, "delete_session", remote="192.0.2.7", session_id="s1")
    await store.accounts.audit(None, "login_failed", actor="unknown", remote="198.51.100.9")
    await store.close()

    run = await asyncio.to_thread(verify, settings.data_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == "audit chain ok: 4 entries"

    # Someone edits one row in the database file: hiding an export, say.
    edit_row(settings.sqlite_path, "a000000000002", lambda doc: doc.update(action="login"))
    run = await asyncio.to_thread(verify, settings.data_dir)
    assert run.returncode == 1, run.stdout
    assert "seq 2 (id a000000000002)" in run.stdout and "changed" in run.stdout

    # Re-hashing the edited row is not enough: the next entry's link no longer matches.
    from cuecard.store.audit import entry_hash

    edit_row(settings.sqlite_path, "a000000000002", lambda doc: doc.update(hash=entry_hash(doc)))
    run = await asyncio.to_thread(verify, settings.data_dir)
    assert run.returncode == 1 and "seq 3 (id a000000000003)" in run.stdout and "prev_hash" in run.stdout
