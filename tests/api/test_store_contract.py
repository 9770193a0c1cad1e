"""One contract suite for every store backend (SQLite; MongoDB on the mongomock test double;
a real MongoDB when CUECARD_TEST_MONGODB_URL is set)."""

from __future__ import annotations

import sqlite3

import pytest

from cuecard.store.base import BUILTIN_OWNER, Conflict, NotFound
from .stores import store  # noqa: F401  (fixture)


async def test_open_is_idempotent(store):
    await store.open()
    await store.open()
    assert await store.list_sessions("nobody") == []


async def test_sessions_crud_and_order(store):
    a = await store.create_session({"user_id": "u1", "title": "first", "created_at": 1.0})
    b = await store.create_session({"user_id": "u1", "title": "second", "created_at": 2.0})
    await store.create_session({"user_id": "u2", "title": "other", "created_at": 3.0})
    assert a["state"] == "active"
    assert [s["title"] for s in await store.list_sessions("u1")] == ["second", "first"]
    assert [s["title"] for s in await store.list_sessions("u1", limit=1, offset=1)] == ["first"]
    assert await store.count_sessions("u1") == 2
    updated = await store.update_session(a["id"], {"state": "paused"})
    assert updated["state"] == "paused" and "updated_at" in updated
    assert (await store.get_session(a["id"]))["state"] == "paused"
    await store.delete_session(b["id"])
    with pytest.raises(NotFound):
        await store.get_session(b["id"])
    with pytest.raises(NotFound):
        await store.delete_session(b["id"])


async def test_children_upsert_order_pagination(store):
    s = await store.create_session({"user_id": "u1"})
    await store.upsert_segment(s["id"], {"segment_id": "b", "text": "second", "start": 2.0})
    await store.upsert_segment(s["id"], {"segment_id": "a", "text": "first draft", "start": 1.0})
    await store.upsert_segment(s["id"], {"segment_id": "a", "text": "first", "start": 1.0})  # refined in place
    assert [x["text"] for x in await store.list_segments(s["id"])] == ["first", "second"]
    assert [x["text"] for x in await store.list_segments(s["id"], limit=1, offset=1)] == ["second"]
    assert await store.count_children("segments", s["id"]) == 2
    await store.upsert_question(s["id"], {"question_id": "q1", "text": "Why?", "start": 3.0})
    assert [q["text"] for q in await store.list_questions(s["id"])] == ["Why?"]


async def test_feedback_survives_suggestion_upsert(store):
    s = await store.create_session({"user_id": "u1"})
    await store.set_suggestion_feedback(s["id"], "q1", 0, True)  # before the suggestion is saved
    await store.upsert_suggestion(s["id"], {"question_id": "q1", "option": 0, "text": "Say this", "done": True})
    await store.upsert_suggestion(s["id"], {"question_id": "q1", "option": 1, "text": "Or this", "done": True})
    items = {x["option"]: x for x in await store.list_suggestions(s["id"])}
    assert items[0]["text"] == "Say this" and items[0]["feedback"]["helpful"] is True
    assert items[1].get("feedback") is None
    await store.set_suggestion_feedback(s["id"], "q1", 1, False)
    items = {x["option"]: x for x in await store.list_suggestions(s["id"])}
    assert items[1]["feedback"]["helpful"] is False and items[1]["text"] == "Or this"


async def test_delete_session_cascades(store):
    s = await store.create_session({"user_id": "u1"})
    keep = await store.create_session({"user_id": "u1"})
    for sid in (s["id"], keep["id"]):
        await store.upsert_segment(sid, {"segment_id": "a", "text": "x", "start": 0})
        await store.upsert_question(sid, {"question_id": "q", "text": "x", "start": 0})
        await store.upsert_suggestion(sid, {"question_id": "q", "option": 0, "text": "x"})
    await store.create_owned("attempts", "u1", {"session_id": s["id"], "answer_text": "x"})
    await store.delete_session(s["id"])
    for coll in ("segments", "questions", "suggestions"):
        assert await store.count_children(coll, s["id"]) == 0
        assert await store.count_children(coll, keep["id"]) == 1
    assert await store.count_owned("attempts", "u1") == 0


async def test_users_unique_email(store):
    user = await store.create_user("Ann@Example.org", "hash")
    assert user["email"] == "ann@example.org"
    with pytest.raises(Conflict):
        await store.create_user("ann@example.ORG", "other")
    assert (await store.find_user_by_email("ANN@example.org"))["id"] == user["id"]
    assert await store.find_user_by_email("bob@example.org") is None


async def test_owned_records_are_private(store):
    story = await store.create_owned("stories", "u1", {"title": "Outage"})
    assert (await store.get_owned("stories", "u1", story["id"]))["title"] == "Outage"
    for call in (
        store.get_owned("stories", "u2", story["id"]),
        store.update_owned("stories", "u2", story["id"], {"title": "stolen"}),
        store.delete_owned("stories", "u2", story["id"]),
    ):
        with pytest.raises(NotFound):
            await call
    updated = await store.update_owned("stories", "u1", story["id"], {"title": "Outage 2", "user_id": "u2"})
    assert updated["user_id"] == "u1" and updated["title"] == "Outage 2"
    assert [s["title"] for s in await store.list_owned("stories", "u1")] == ["Outage 2"]
    assert await store.list_owned("stories", "u2") == []


async def test_profile_one_per_user(store):
    assert await store.get_profile("u1") is None
    await store.put_profile("u1", {"name": "Ann"})
    first = await store.put_profile("u1", {"name": "Ann B"})
    assert (await store.get_profile("u1"))["name"] == "Ann B"
    assert first["user_id"] == "u1"
    assert await store.get_profile("u2") is None
    assert await store.delete_profile("u1") is True
    assert await store.delete_profile("u1") is False


async def test_banks_builtin_search_and_cascade(store):
    bank = {"id": "builtin-x", "name": "Starter"}
    questions = [
        {"id": "q1", "text": "Design a cache", "category": "technical", "difficulty": "hard", "industry": "software", "role": "any"},
        {"id": "q2", "text": "Tell me about a conflict", "category": "behavioral", "difficulty": "easy", "industry": "general", "role": "any"},
    ]
    await store.install_builtin_bank(bank, questions)
    await store.install_builtin_bank(bank, questions)  # idempotent
    own = await store.create_owned("banks", "u1", {"name": "Mine"})
    await store.add_bank_question(own, {"text": "Design a queue", "category": "technical", "difficulty": "medium",
                                        "industry": "software", "role": "engineer"})
    assert [b["name"] for b in await store.list_banks("u1")] == ["Starter", "Mine"]
    assert [b["name"] for b in await store.list_banks("u2")] == ["Starter"]
    items, total = await store.search_bank_questions([BUILTIN_OWNER, "u1"], {}, "DESIGN", 10, 0)
    assert total == 2 and {q["text"] for q in items} == {"Design a cache", "Design a queue"}
    items, total = await store.search_bank_questions([BUILTIN_OWNER, "u2"], {"category": "technical"}, None, 10, 0)
    assert total == 1 and items[0]["id"] == "q1"
    items, _ = await store.search_bank_questions([BUILTIN_OWNER], {"difficulty": "easy", "industry": "general"}, "conflict", 10, 0)
    assert [q["id"] for q in items] == ["q2"]
    items, _ = await store.search_bank_questions([BUILTIN_OWNER], {}, "a.c", 10, 0)  # regex chars are literal
    assert items == []
    assert (await store.get_bank_question("builtin-x", "q2"))["text"] == "Tell me about a conflict"
    with pytest.raises(NotFound):
        await store.get_bank_question(own["id"], "q2")  # exists, but in another bank
    with pytest.raises(NotFound):
        await store.get_bank("u2", own["id"])
    assert (await store.get_bank("u2", "builtin-x"))["name"] == "Starter"
    await store.delete_owned("banks", "u1", own["id"])
    assert await store.count_bank_questions(own["id"]) == 0
    assert await store.count_bank_questions("builtin-x") == 2


async def test_delete_user_removes_everything(store):
    user = await store.create_user("gone@example.org", "h")
    other = await store.create_user("stays@example.org", "h")
    for uid in (user["id"], other["id"]):
        s = await store.create_session({"user_id": uid})
        await store.upsert_segment(s["id"], {"segment_id": "a", "text": "x", "start": 0})
        await store.put_profile(uid, {"name": "x"})
        for coll in ("stories", "jobs", "attempts"):
            await store.create_owned(coll, uid, {"title": "x"})
        bank = await store.create_owned("banks", uid, {"name": "b"})
        await store.add_bank_question(bank, {"text": "q"})
        await store.audit(uid, "login")
    sid = (await store.list_sessions(user["id"]))[0]["id"]
    await store.delete_user(user["id"])
    with pytest.raises(NotFound):
        await store.get_user(user["id"])
    assert await store.list_sessions(user["id"]) == []
    assert await store.count_children("segments", sid) == 0
    assert await store.get_profile(user["id"]) is None
    for coll in ("stories", "jobs", "attempts", "banks", "audit", "bank_questions"):
        assert await store.count_owned(coll, user["id"]) == 0, coll
        assert await store.count_owned(coll, other["id"]) == 1, coll
    assert await store.count_sessions(other["id"]) == 1


async def test_revoked_tokens_and_audit(store):
    assert not await store.is_token_revoked("j1")
    await store.revoke_token("j1", 123.0)
    await store.revoke_token("j1", 123.0)
    assert await store.is_token_revoked("j1")
    await store.audit("u1", "login")
    await store.audit("u1", "export", session_id="s")
    log = await store.list_audit("u1")
    assert [e["action"] for e in log] == ["export", "login"] and log[0]["details"] == {"session_id": "s"}


async def test_sqlite_opens_an_older_file(tmp_path):
    """A data file from before this schema (fewer columns) gains them at start-up."""
    from cuecard.store.sqlite import SQLiteStore

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE suggestions (id TEXT PRIMARY KEY, created_at REAL, session_id, data TEXT NOT NULL)")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    await store.open()
    await store.upsert_suggestion("s", {"question_id": "q", "option": 0, "text": "x"})
    assert len(await store.list_suggestions("s")) == 1
    conn = sqlite3.connect(path)
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(suggestions)")}
    conn.close()
    assert "ix_suggestions_session_id_question_id" in indexes
    await store.close()
