"""Encryption at rest (issue 14, deliverable 2): words written through the API are in no file
under the data directory (database, WAL, key files, logs) and in no raw MongoDB document (on
the mongomock double — no MongoDB server can run here); crypto-shredding, wrong master keys,
master-key rotation, private file modes, the transcript cache."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from loguru import logger

from cuecard.store.crypto import (
    MASTER_KEY_FILE,
    PREVIOUS_MASTER_KEY_FILE,
    CiphertextError,
    DataKeyMissing,
    MasterKey,
    MasterKeyError,
    MasterKeys,
    create_private_file,
)
from cuecard.store.encrypted import KEYS, EncryptedBackend, Keyring, user_key_id
from cuecard.store.sessions import SEGMENTS
from cuecard.store.sqlite import SQLiteStore

from .conftest import api_settings

ROOT = Path(__file__).resolve().parents[2]


def unique_words() -> dict[str, str]:
    tag = secrets.token_hex(4)
    return {
        "profile": f"quokkaprofile{tag}",
        "story": f"ærøskøbing{tag}",  # non-ASCII: JSON escapes it as \u00e6…
        "job": f"zorblaxjob{tag}",
        "resume": f"wombatresume{tag}",
        "transcript": f"platypusline{tag}",
        "bank": f"narwhalbank{tag}",
        "question": f"axolotlquestion{tag}",
        "category": f"okapicat{tag}",
        "title": f"pangolintitle{tag}",
    }


def encodings(word: str) -> list[bytes]:
    forms = {word, word.upper(), word.capitalize()}
    out = []
    for form in forms:
        out += [form.encode(), form.encode("utf-16-le"), form.encode("utf-16-be")]
        out.append(json.dumps(form)[1:-1].encode())  # JSON-escaped (\u00e6 for æ)
    return out


def hits_in_files(root: Path, words: dict[str, str]) -> list[str]:
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for name, word in words.items():
            if any(form in data for form in encodings(word)):
                hits.append(f"{path.relative_to(root)}: {name}")
    return hits


def hits_in_docs(docs: list[dict], words: dict[str, str]) -> list[str]:
    hits = []
    for doc in docs:
        text = json.dumps(doc, default=str, ensure_ascii=False) + json.dumps(doc, default=str)
        hits += [f"{doc.get('_id')}: {name}" for name, word in words.items() if word in text or word.upper() in text]
    return hits


def modes(root: Path) -> dict[str, str]:
    """Paths (with the directory itself as ".") whose mode lets group or others in."""
    loose = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            loose[str(path.relative_to(root))] = oct(mode)
    return loose


async def write_everything(client, words: dict[str, str]) -> dict:
    """Register, then write each word through the API; returns what the checks need."""
    r = await client.post("/api/auth/register", json={"email": "enc@example.org", "password": "correct horse battery"})
    assert r.status == 201, await r.text()
    headers = {"Authorization": f"Bearer {(await r.json())['access_token']}"}

    async def call(method, path, status=200, **kw):
        resp = await client.request(method, path, headers={**headers, **kw.pop("headers", {})}, **kw)
        assert resp.status == status, f"{method} {path}: {resp.status} {await resp.text()}"
        return resp

    await call("PUT", "/api/profile", json={"name": "Ann", "summary": f"I am {words['profile']} here"})
    await call("POST", "/api/stories", 201, json={"title": "t", "result": f"we shipped {words['story']}"})
    await call("POST", "/api/jobs", 201, json={"title": "Engineer", "text": f"Join {words['job']} now"})
    resume = f"Ann Example\nSummary\nBuilt {words['resume']} systems.\n".encode()
    await call("POST", "/api/profile/resume?filename=cv.txt", data=resume, headers={"Content-Type": "text/plain"})
    session = await (await call("POST", "/api/sessions", 201, json={"title": words["title"]})).json()
    line = {"text": f"tell me about {words['transcript']}", "role": "interviewer"}
    await call("POST", f"/api/sessions/{session['id']}/segments", 201, json=line)
    bank = await (await call("POST", "/api/banks", 201, json={"name": words["bank"]})).json()
    question = {"text": f"What is {words['question']}?", "category": words["category"]}
    await call("POST", f"/api/banks/{bank['id']}/questions", 201, json=question)
    found = await (await call("GET", f"/api/bank-questions?q={words['question']}")).json()
    assert found["total"] == 1, found  # search on encrypted text still works
    by_category = await (await call("GET", f"/api/bank-questions?category={words['category']}")).json()
    assert by_category["total"] == 1, by_category
    export = await (await call("GET", f"/api/sessions/{session['id']}/export/markdown")).text()
    assert words["transcript"] in export and words["title"] in export  # decrypted for its owner
    profile = await (await call("GET", "/api/profile")).json()
    assert words["resume"] in json.dumps(profile)
    return {"session": session, "headers": headers}


@pytest.fixture
def log_to_data_dir(tmp_path):
    """Every log line of the app (DEBUG and up) into a file under the data directory."""
    data_dir = tmp_path / "data"
    (data_dir / "logs").mkdir(parents=True, mode=0o700)
    data_dir.chmod(0o700)
    log = data_dir / "logs" / "server.log"
    create_private_file(log)
    sink = logger.add(log, level="DEBUG")
    yield log
    logger.remove(sink)


async def test_no_word_written_through_the_api_is_in_any_file_of_the_data_dir(tmp_path, log_to_data_dir):
    from cuecard.api.app import create_app

    words = unique_words()
    settings = api_settings(tmp_path)
    async with TestClient(TestServer(create_app(settings))) as client:
        await write_everything(client, words)
        assert (settings.data_dir / "cuecard.sqlite3-wal").exists()  # scanned while the WAL is live
        assert hits_in_files(settings.data_dir, words) == []
        assert modes(settings.data_dir) == {}
    scanned = {p.name for p in settings.data_dir.rglob("*") if p.is_file()}
    assert {"cuecard.sqlite3", MASTER_KEY_FILE, "server.log"} <= scanned
    assert hits_in_files(settings.data_dir, words) == []
    assert modes(settings.data_dir) == {}  # directory 0700, every file 0600


async def test_no_word_written_through_the_api_is_in_a_raw_mongodb_document(tmp_path):
    """MongoDB on the mongomock double (labelled: no MongoDB server can run here)."""
    from cuecard.api.app import create_app
    from cuecard.pipeline.services import Services
    from cuecard.store.crypto import master_keys
    from cuecard.store.mongo import MongoStore

    from .mongo_double import AsyncMongoClientDouble

    words = unique_words()
    settings = api_settings(tmp_path)
    double = AsyncMongoClientDouble()
    store = MongoStore(client=double, database="cuecard_enc", master_keys=master_keys(settings))
    services = await Services.create(settings, store=store)
    try:
        async with TestClient(TestServer(create_app(settings, services))) as client:
            await write_everything(client, words)
        db = double._client["cuecard_enc"]
        docs = [doc for name in db.list_collection_names() for doc in db[name].find()]
        assert len(docs) > 20
        assert hits_in_docs(docs, words) == []
        assert hits_in_files(settings.data_dir, words) == []
    finally:
        await services.close()


# --- the layer itself ----------------------------------------------------------------------------


async def open_store(path: Path, keys: MasterKeys | None = None) -> SQLiteStore:
    store = SQLiteStore(path, keys)
    await store.open()
    return store


async def test_deleting_an_account_shreds_its_data_key(tmp_path):
    store = await open_store(tmp_path / "db.sqlite3")
    user = await store.accounts.create("shred@example.org", "hash")
    session = await store.sessions.create(user_id=user.id, title="s")
    await store.sessions.upsert_segment(session.id, {"segment_id": "1", "text": "secret words", "start": 0.0})
    await store.material.stories.create(user.id, {"title": "story", "result": "more secret words"})
    raw = store.backend.inner
    copies = [*await raw.find(SEGMENTS, {"session_id": session.id}), *await raw.find(store.material.stories.coll, {})]
    wrapped = (await raw.get(KEYS, user_key_id(user.id)))["wraps"]
    assert copies and all("secret" not in json.dumps(doc) for doc in copies)

    await store.delete_user(user.id)

    # the master key is still here, the rows are restored from the copy: they stay unreadable
    reader = EncryptedBackend(raw, Keyring(raw, store.keyring.masters))
    for doc in copies:
        with pytest.raises(DataKeyMissing):
            await reader._open(SEGMENTS, doc)
    # and the wrapped key is gone from every file, the live WAL included (secure_delete, WAL
    # checkpointed and truncated after the deletion)
    assert (tmp_path / "db.sqlite3-wal").exists()
    for value in wrapped.values():
        for path in tmp_path.iterdir():
            assert base64.b64decode(value) not in path.read_bytes(), path.name
            assert value.encode() not in path.read_bytes(), path.name
    await store.close()


async def test_a_ciphertext_moved_to_another_document_does_not_decrypt(tmp_path):
    store = await open_store(tmp_path / "db.sqlite3")
    user = await store.accounts.create("swap@example.org", "hash")
    a = await store.material.stories.create(user.id, {"result": "alpha"})
    b = await store.material.stories.create(user.id, {"result": "beta"})
    raw, coll = store.backend.inner, store.material.stories.coll
    doc_a = await raw.get(coll, a.id)
    assert "alpha" not in json.dumps(doc_a)
    await raw.update(coll, b.id, {"_sealed": doc_a["_sealed"]})  # a's whole secret part into b
    with pytest.raises(CiphertextError):
        await store.material.stories.get(user.id, b.id)
    # a field sealed by an update, moved to another field of the same document
    await store.material.stories.update(user.id, a.id, {"result": "gamma", "task": "delta"})
    doc_a = await raw.get(coll, a.id)
    assert (await store.material.stories.get(user.id, a.id)).model_extra["result"] == "gamma"
    await raw.update(coll, a.id, {"result": doc_a["task"]})
    with pytest.raises(CiphertextError):
        await store.material.stories.get(user.id, a.id)
    await store.close()


async def test_a_wrong_or_lost_master_key_refuses_to_start(tmp_path):
    store = await open_store(tmp_path / "db.sqlite3")
    user = await store.accounts.create("key@example.org", "hash")
    await store.material.put_profile(user.id, {"summary": "x"})
    await store.close()

    wrong = SQLiteStore(tmp_path / "db.sqlite3", MasterKeys(MasterKey.generate()))
    with pytest.raises(MasterKeyError, match="restore the original master key"):
        await wrong.open()
    await wrong.close()

    (tmp_path / MASTER_KEY_FILE).unlink()  # key file lost: a new one is made, and refused
    lost = SQLiteStore(tmp_path / "db.sqlite3")
    with pytest.raises(MasterKeyError):
        await lost.open()
    await lost.close()


def test_the_server_does_not_start_with_a_wrong_master_key(tmp_path):
    """The real command: a clear message and a non-zero exit, not garbage."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "CUECARD_DATA_DIR": str(data_dir), "CUECARD_WARM_UP_STT": "false"}
    env["CUECARD_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    script = (
        "import asyncio\n"
        "from cuecard.settings import Settings\n"
        "from cuecard.pipeline.services import make_store\n"
        "async def main():\n"
        "    s = make_store(Settings(_env_file=None)); await s.open()\n"
        "    u = await s.accounts.create('a@example.org', 'h'); await s.material.put_profile(u.id, {'summary': 'x'})\n"
        "    await s.close()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT, timeout=120)
    env["CUECARD_MASTER_KEY"] = os.urandom(32).hex()
    env["CUECARD_PORT"] = "0"
    run = subprocess.run(
        [sys.executable, "-m", "cuecard.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "master key" in run.stderr and "restore the original master key" in run.stderr, run.stderr[-2000:]


async def test_rotation_rewraps_data_keys_while_a_server_keeps_reading(tmp_path):
    store = await open_store(tmp_path / "cuecard.sqlite3")  # key-file mode: master.key beside the db
    users = [await store.accounts.create(f"r{i}@example.org", "hash") for i in range(3)]
    for user in users:
        await store.material.put_profile(user.id, {"summary": f"summary of {user.id}"})
    old_id = store.keyring.masters.current.id
    store.keyring._keys.clear()  # a running server that has not unwrapped these keys yet

    new_key = tmp_path / "new.key"
    new_key.write_text(base64.b64encode(os.urandom(32)).decode())
    env = {**os.environ, "CUECARD_DATA_DIR": str(tmp_path), "CUECARD_WARM_UP_STT": "false"}
    env.pop("CUECARD_MASTER_KEY", None)
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cuecard.cli", "keys", "rotate", "--new-master-key-file", str(new_key)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "re-wrapped" in run.stdout

    new = MasterKey(MasterKeys.from_files(tmp_path).current.secret)
    assert new.id != old_id and (tmp_path / PREVIOUS_MASTER_KEY_FILE).exists()
    wraps = [doc["wraps"] for doc in await store.backend.inner.find(KEYS, {})]
    assert wraps and all(list(w) == [new.id] for w in wraps)
    # the running server (old key in memory) re-reads the key files and goes on
    for user in users:
        assert (await store.material.get_profile(user.id)).model_extra["summary"] == f"summary of {user.id}"
    await store.close()
    # a fresh start with only the new key reads everything; with only the old one it refuses
    (tmp_path / PREVIOUS_MASTER_KEY_FILE).unlink()
    fresh = await open_store(tmp_path / "cuecard.sqlite3", MasterKeys(new))
    assert (await fresh.material.get_profile(users[0].id)) is not None
    await fresh.close()


async def test_transcript_cache_keeps_no_plain_text(tmp_path):
    from cuecard.services.transcript_cache import TranscriptCache

    keys = MasterKeys.from_files(tmp_path)
    cache = TranscriptCache(tmp_path / "stt.sqlite3", key=keys.current.derive("stt-cache"))
    cache.put(b"audio", "openai", "m", "the tapirword sentence", 0.9)
    assert cache.get(b"audio", "openai", "m").text == "the tapirword sentence"
    cache.close()
    assert hits_in_files(tmp_path, {"t": "tapirword"}) == []
    assert modes(tmp_path) == {}
    other = TranscriptCache(tmp_path / "stt.sqlite3", key=MasterKey.generate().derive("stt-cache"))
    assert other.get(b"audio", "openai", "m") is None  # another master key: a miss, not garbage
    other.close()


async def test_an_accounts_files_are_encrypted_and_shredded_with_it(tmp_path):
    store = await open_store(tmp_path / "db.sqlite3")
    user = await store.accounts.create("files@example.org", "hash")
    path = tmp_path / "recordings" / user.id / "q1-a1.wav"
    audio = b"RIFF" + b"the capybaraword answer" * 50
    await store.write_file(user.id, path, audio)
    assert await store.read_file(user.id, path) == audio
    assert b"capybaraword" not in path.read_bytes()
    assert modes(tmp_path) == {}  # recordings/<user>/ 0700, the file 0600
    moved = path.with_name("q2-a1.wav")
    moved.write_bytes(path.read_bytes())
    with pytest.raises(CiphertextError):  # bound to its name
        await store.read_file(user.id, moved)
    await store.delete_user(user.id)
    with pytest.raises(DataKeyMissing):
        await store.read_file(user.id, path)
    await store.close()


async def test_documents_stored_in_clear_by_an_older_version_get_encrypted(tmp_path):
    from cuecard.store.material import STORIES
    from cuecard.store.sqlite import SQLiteBackend

    old = SQLiteBackend(tmp_path / "cuecard.sqlite3")  # what an older version wrote: plain JSON
    await old.open([STORIES])
    await old.put(STORIES, {"id": "s1", "user_id": "u1", "created_at": 1.0, "result": "the oldmarmotword"})
    await old.close()

    store = await open_store(tmp_path / "cuecard.sqlite3")
    assert (await store.material.stories.get("u1", "s1")).model_extra["result"] == "the oldmarmotword"
    await store.close()
    env = {**os.environ, "CUECARD_DATA_DIR": str(tmp_path), "CUECARD_WARM_UP_STT": "false"}
    env.pop("CUECARD_MASTER_KEY", None)
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cuecard.cli", "keys", "encrypt-existing"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and "encrypted 1 documents" in run.stdout, run.stderr[-2000:]
    assert hits_in_files(tmp_path, {"old": "oldmarmotword"}) == []
    store = await open_store(tmp_path / "cuecard.sqlite3")
    assert (await store.material.stories.get("u1", "s1")).model_extra["result"] == "the oldmarmotword"
    await store.close()
