"""One contract suite for every store backend (SQLite; MongoDB on the mongomock test double;
a real MongoDB when CUECARD_TEST_MONGODB_URL is set): the backend primitives, then every
repository and the deletions that cross them."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from cuecard.profile.models import Story
from cuecard.store import BUILTIN_OWNER, Collection, Conflict, NotFound

from .stores import store  # noqa: F401  (fixture)

THINGS = Collection("things", ("kind", "label"), (("kind", "created_at"),), unique=None)


async def test_open_is_idempotent(store):
    await store.open()
    await store.open()
    assert await store.sessions.list("nobody") == []


# --- backend primitives --------------------------------------------------------------------------


async def test_backend_primitives(store):
    db = store.backend
    await db.open([THINGS])
    await db.insert(THINGS, {"id": "a", "kind": "x", "label": "Alpha (a.b)", "created_at": 2.0, "n": {"deep": [1]}})
    with pytest.raises(Conflict):
        await db.insert(THINGS, {"id": "a", "kind": "y", "created_at": 3.0})
    await db.put(THINGS, {"id": "b", "kind": "x", "label": "beta", "created_at": 1.0})
    await db.put(THINGS, {"id": "c", "kind": "z", "label": "gamma", "created_at": 0.5})
    assert await db.get(THINGS, "a") == {
        "id": "a",
        "kind": "x",
        "label": "Alpha (a.b)",
        "created_at": 2.0,
        "n": {"deep": [1]},
    }
    assert await db.get(THINGS, "nope") is None
    page = await db.find(THINGS, {"kind": "x"}, [("created_at", 1)], 10, 0)
    assert [d["id"] for d in page] == ["b", "a"]
    assert [d["id"] for d in await db.find(THINGS, {}, [("created_at", -1)], 2, 1)] == ["b", "c"]
    assert await db.count(THINGS, {"kind": "x"}) == 2
    assert await db.count(THINGS, {}, ("label", "(a.b)")) == 1
    assert await db.count(THINGS, {}, ("label", "a.c")) == 0  # regex characters are literal
    updated = await db.update(THINGS, "b", {"kind": "z", "extra": None})
    assert updated == {"id": "b", "kind": "z", "label": "beta", "created_at": 1.0, "extra": None}
    assert await db.get(THINGS, "b") == updated
    assert await db.count(THINGS, {"kind": "z"}) == 2  # the queried field follows the update
    assert await db.update(THINGS, "nope", {"kind": "z"}) is None
    assert await db.delete(THINGS, {"kind": "z"}) == 2
    assert await db.delete(THINGS, {"kind": "z"}) == 0
    assert [d["id"] for d in await db.find(THINGS, {}, (), 10, 0)] == ["a"]


# --- accounts ---------------------------------------------------------------------------------------


async def test_users_unique_email(store):
    user = await store.accounts.create("Ann@Example.org", "hash")
    assert user.email == "ann@example.org"
    assert user.public() == {"id": user.id, "email": "ann@example.org", "created_at": user.created_at}
    with pytest.raises(Conflict):
        await store.accounts.create("ann@example.ORG", "other")
    assert (await store.accounts.find_by_email("ANN@example.org")).id == user.id
    assert (await store.accounts.get(user.id)).password_hash == "hash"
    assert await store.accounts.find_by_email("bob@example.org") is None
    with pytest.raises(NotFound):
        await store.accounts.get("nobody")


async def test_revoked_tokens_and_audit(store):
    accounts = store.accounts
    assert not await accounts.is_token_revoked("j1")
    await accounts.revoke_token("j1", 123.0)
    await accounts.revoke_token("j1", 123.0)
    assert await accounts.is_token_revoked("j1")
    # consume: exactly one of concurrent callers wins (refresh rotation)
    wins = await asyncio.gather(*(accounts.consume_token("j2", 123.0) for _ in range(8)))
    assert sorted(wins) == [False] * 7 + [True] and await accounts.is_token_revoked("j2")
    assert not await accounts.consume_token("j1", 123.0)
    await accounts.audit("u1", "login")
    await accounts.audit("u1", "export", session_id="s")
    log = await accounts.list_audit("u1")
    assert [e.action for e in log] == ["export", "login"] and log[0].details == {"session_id": "s"}
    # not whose it is (user_id, subject): its place in the chain, actor and address
    assert set(log[0].public()) == {"id", "action", "details", "created_at", "seq", "actor", "remote"} | {
        "prev_hash",
        "hash",
    }
    assert log[1].hash == log[0].prev_hash and log[0].seq == log[1].seq + 1
    assert await accounts.count_audit("u1") == 2 and await accounts.count_audit("u2") == 0


# --- sessions and their events -------------------------------------------------------------------------


async def test_sessions_crud_and_order(store):
    sessions = store.sessions
    a = await sessions.create(user_id="u1", title="first", created_at=1.0)
    b = await sessions.create(user_id="u1", title="second", created_at=2.0)
    await sessions.create(user_id="u2", title="other", created_at=3.0)
    assert a.state == "active" and a.public() == {
        "id": a.id,
        "user_id": "u1",
        "title": "first",
        "state": "active",
        "created_at": 1.0,
    }
    assert [s.title for s in await sessions.list("u1")] == ["second", "first"]
    assert [s.title for s in await sessions.list("u1", limit=1, offset=1)] == ["first"]
    assert await sessions.count("u1") == 2
    updated = await sessions.update(a.id, state="paused", settings={"k": 1})
    assert updated.state == "paused" and updated.updated_at and updated.title == "first"
    assert (await sessions.get(a.id)).settings == {"k": 1}
    own = await sessions.create(id="chosen-id", title="Replay", source="replay")
    assert own.id == "chosen-id" and own.user_id is None and "user_id" not in own.public()
    await store.delete_session(b.id)
    with pytest.raises(NotFound):
        await sessions.get(b.id)
    assert await sessions.find(b.id) is None
    with pytest.raises(NotFound):
        await store.delete_session(b.id)
    with pytest.raises(NotFound):
        await sessions.update(b.id, state="active")


async def test_events_upsert_order_pagination(store):
    sessions = store.sessions
    s = await sessions.create(user_id="u1")
    await sessions.upsert_segment(s.id, {"segment_id": "b", "text": "second", "start": 2.0, "seq": 4})
    await sessions.upsert_segment(s.id, {"segment_id": "a", "text": "first draft", "start": 1.0, "seq": 2})
    await sessions.upsert_segment(
        s.id, {"segment_id": "a", "text": "first", "start": 1.0, "seq": 3, "confidence": None}
    )  # refined in place
    segments = await sessions.list_segments(s.id)
    assert [x.text for x in segments] == ["first", "second"]
    assert segments[0].public() == {
        "id": f"{s.id}:a",
        "session_id": s.id,
        "segment_id": "a",
        "text": "first",
        "start": 1.0,
        "seq": 3,
        "confidence": None,
        "created_at": segments[0].created_at,
    }
    assert [x.text for x in await sessions.list_segments(s.id, limit=1, offset=1)] == ["second"]
    assert await sessions.count_segments(s.id) == 2
    await sessions.upsert_question(s.id, {"question_id": "q1", "text": "Why?", "start": 3.0, "seq": 9})
    assert [q.text for q in await sessions.list_questions(s.id)] == ["Why?"]
    assert await sessions.count_questions(s.id) == 1 and await sessions.count_suggestions(s.id) == 0
    assert await sessions.last_seq(s.id) == 9
    assert await sessions.last_seq("nothing-stored") == 0


async def test_feedback_survives_suggestion_upsert(store):
    sessions = store.sessions
    s = await sessions.create(user_id="u1")
    early = await sessions.set_feedback(s.id, "q1", 0, True)  # before the suggestion is saved
    assert early.feedback.helpful is True and "suggestion_key" not in early.public()
    await sessions.upsert_suggestion(s.id, {"question_id": "q1", "option": 0, "text": "Say this", "done": True})
    await sessions.upsert_suggestion(s.id, {"question_id": "q1", "option": 1, "text": "Or this", "done": True})
    items = {x.option: x for x in await sessions.list_suggestions(s.id)}
    assert items[0].text == "Say this" and items[0].feedback.helpful is True
    assert items[1].feedback is None and "feedback" not in items[1].public()
    assert [x.option for x in await sessions.list_suggestions(s.id)] == [0, 1]  # first drafted first
    marked = await sessions.set_feedback(s.id, "q1", 1, False)
    assert marked.text == "Or this" and marked.public()["feedback"]["helpful"] is False
    items = {x.option: x for x in await sessions.list_suggestions(s.id)}
    assert items[1].feedback.helpful is False and items[1].text == "Or this"
    assert await sessions.count_suggestions(s.id) == 2


async def test_delete_session_cascades(store):
    sessions = store.sessions
    s = await sessions.create(user_id="u1")
    keep = await sessions.create(user_id="u1")
    for sid in (s.id, keep.id):
        await sessions.upsert_segment(sid, {"segment_id": "a", "text": "x", "start": 0})
        await sessions.upsert_question(sid, {"question_id": "q", "text": "x", "start": 0})
        await sessions.upsert_suggestion(sid, {"question_id": "q", "option": 0, "text": "x"})
    await store.material.attempts.create("u1", {"session_id": s.id, "answer_text": "x"})
    await store.material.attempts.create("u1", {"session_id": keep.id, "answer_text": "y"})
    await store.delete_session(s.id)
    for sid, n in ((s.id, 0), (keep.id, 1)):
        assert await sessions.count_segments(sid) == n
        assert await sessions.count_questions(sid) == n
        assert await sessions.count_suggestions(sid) == n
    assert [a.answer_text for a in await store.material.attempts.list("u1")] == ["y"]


# --- material ------------------------------------------------------------------------------------------


async def test_owned_documents_are_private(store):
    stories = store.material.stories
    story = await stories.create("u1", {"title": "Outage", "situation": "A payment outage.", "id": "", "user_id": "u2"})
    assert story.id and story.user_id == "u1"  # the store's bookkeeping, never the caller's
    assert (await stories.get("u1", story.id)).title == "Outage"
    for call in (
        stories.get("u2", story.id),
        stories.update("u2", story.id, {"title": "stolen"}),
        stories.delete("u2", story.id),
    ):
        with pytest.raises(NotFound):
            await call
    updated = await stories.update("u1", story.id, {"title": "Outage 2", "user_id": "u2", "id": "x"})
    assert updated.user_id == "u1" and updated.id == story.id and updated.title == "Outage 2"
    assert updated.content() == {"title": "Outage 2", "situation": "A payment outage."}
    assert updated.project(Story) == Story(id=story.id, title="Outage 2", situation="A payment outage.")
    assert [s.title for s in await stories.list("u1")] == ["Outage 2"]
    assert await stories.list("u2") == [] and await stories.count("u1") == 1
    await stories.delete("u1", story.id)
    assert await stories.count("u1") == 0


async def test_profile_one_per_user(store):
    material = store.material
    assert await material.get_profile("u1") is None
    first = await material.put_profile("u1", {"name": "Ann", "skills": ["python"]})
    second = await material.put_profile("u1", {"name": "Ann B"})
    assert second.created_at == first.created_at and second.user_id == "u1"
    stored = await material.get_profile("u1")
    assert stored.profile().name == "Ann B" and stored.profile().skills == []  # replaced, not merged
    assert await material.get_profile("u2") is None
    assert await material.delete_profile("u1") is True
    assert await material.delete_profile("u1") is False


# --- banks -----------------------------------------------------------------------------------------------


async def test_banks_builtin_search_and_cascade(store):
    banks = store.banks
    bank = {"id": "builtin-x", "name": "Starter"}
    questions = [
        {
            "id": "q1",
            "text": "Design a cache",
            "category": "technical",
            "difficulty": "hard",
            "industry": "software",
            "role": "any",
        },
        {
            "id": "q2",
            "text": "Tell me about a conflict",
            "category": "behavioral",
            "difficulty": "easy",
            "industry": "general",
            "role": "any",
        },
    ]
    await banks.install_builtin(bank, questions)
    await banks.install_builtin(bank, questions)  # idempotent
    own = await banks.create("u1", {"name": "Mine"})
    assert own.public()["builtin"] is False and "user_id" not in own.public()
    added = await banks.add_question(
        own,
        {
            "text": "Design a queue",
            "category": "technical",
            "difficulty": "medium",
            "industry": "software",
            "role": "engineer",
        },
    )
    assert set(added.public()) == {"id", "bank_id", "text", "category", "difficulty", "industry", "role", "created_at"}
    assert [b.name for b in await banks.list("u1")] == ["Starter", "Mine"]
    assert [b.public()["builtin"] for b in await banks.list("u1")] == [True, False]
    assert [b.name for b in await banks.list("u2")] == ["Starter"]
    items, total = await banks.search([BUILTIN_OWNER, "u1"], {}, "DESIGN", 10, 0)
    assert total == 2 and {q.text for q in items} == {"Design a cache", "Design a queue"}
    items, total = await banks.search([BUILTIN_OWNER, "u2"], {"category": "technical"}, None, 10, 0)
    assert total == 1 and items[0].id == "q1"
    items, _ = await banks.search([BUILTIN_OWNER], {"difficulty": "easy", "industry": "general"}, "conflict", 10, 0)
    assert [q.id for q in items] == ["q2"]
    items, _ = await banks.search([BUILTIN_OWNER], {}, "a.c", 10, 0)  # regex chars are literal
    assert items == []
    assert (await banks.get_question("builtin-x", "q2")).text == "Tell me about a conflict"
    with pytest.raises(NotFound):
        await banks.get_question(own.id, "q2")  # exists, but in another bank
    with pytest.raises(NotFound):
        await banks.get("u2", own.id)
    assert (await banks.get("u2", "builtin-x")).name == "Starter"
    edited = await banks.update_question(added, {"text": "Design a QUEUE fast", "bank_id": "elsewhere"})
    assert edited.bank_id == own.id and edited.updated_at
    items, _ = await banks.search(["u1"], {}, "queue fast", 10, 0)
    assert [q.id for q in items] == [added.id]
    renamed = await banks.update("u1", own.id, {"name": "Mine 2", "user_id": BUILTIN_OWNER})
    assert renamed.name == "Mine 2" and not renamed.builtin
    with pytest.raises(NotFound):
        await banks.update("u1", "builtin-x", {"name": "taken over"})
    await banks.delete_question(added.id)
    assert await banks.count_questions(own.id) == 0
    await banks.add_question(own, {"text": "another"})
    await banks.delete("u1", own.id)
    assert await banks.count_questions(own.id) == 0
    assert await banks.count_questions("builtin-x") == 2
    assert [q.id for q in await banks.list_questions("builtin-x", limit=1, offset=1)] == ["q2"]


# --- bots --------------------------------------------------------------------------------------------------


async def test_bots_saved_snapshots(store):
    bots = store.bots
    snapshot = {"id": "bot1", "state": "joining", "reason": None, "created_at": 5.0, "timestamps": {"joining": 6.0}}
    await bots.save("u1", snapshot)
    saved = await bots.save("u1", {**snapshot, "state": "ended", "reason": "meeting_ended"})
    assert saved.public() == {**snapshot, "state": "ended", "reason": "meeting_ended"}
    assert (await bots.get("u1", "bot1")).public()["state"] == "ended"
    with pytest.raises(NotFound):
        await bots.get("u2", "bot1")
    assert [b.id for b in await bots.list("u1")] == ["bot1"] and await bots.count("u1") == 1
    assert await bots.list("u2") == [] and await bots.count("u2") == 0


# --- across aggregates ------------------------------------------------------------------------------------


async def test_delete_user_removes_everything(store):
    user = await store.accounts.create("gone@example.org", "h")
    other = await store.accounts.create("stays@example.org", "h")
    for uid in (user.id, other.id):
        s = await store.sessions.create(user_id=uid)
        await store.sessions.upsert_segment(s.id, {"segment_id": "a", "text": "x", "start": 0})
        await store.material.put_profile(uid, {"name": "x"})
        for documents in (store.material.stories, store.material.jobs, store.material.attempts):
            await documents.create(uid, {"title": "x"})
        bank = await store.banks.create(uid, {"name": "b"})
        await store.banks.add_question(bank, {"text": "q"})
        await store.bots.save(uid, {"id": f"bot-{uid}", "state": "ended"})
        await store.accounts.audit(uid, "login")
    sid = (await store.sessions.list(user.id))[0].id
    await store.delete_user(user.id)
    with pytest.raises(NotFound):
        await store.accounts.get(user.id)
    with pytest.raises(NotFound):
        await store.delete_user(user.id)
    assert await store.sessions.list(user.id) == []
    assert await store.sessions.count_segments(sid) == 0
    assert await store.material.get_profile(user.id) is None
    assert await store.material.get_profile(other.id) is not None
    counters = (
        store.material.stories.count,
        store.material.jobs.count,
        store.material.attempts.count,
        store.bots.count,
        store.accounts.count_audit,
        store.sessions.count,
    )
    for count in counters:
        assert await count(user.id) == 0, count
        assert await count(other.id) == 1, count
    assert [b.name for b in await store.banks.list(user.id)] == []
    (own_bank,) = await store.banks.list(other.id)
    assert await store.banks.count_questions(own_bank.id) == 1
    items, total = await store.banks.search([user.id], {}, None)
    assert items == [] and total == 0


# --- the audit chain and retention --------------------------------------------------------------------


async def test_audit_chain_verifies_and_catches_changes(store):
    from cuecard.store.audit import AUDIT, GENESIS

    log = store.accounts.log
    assert (await log.verify()).ok and (await log.verify()).entries == 0
    user = await store.accounts.create("chain@example.org", "h")
    await asyncio.gather(*(store.accounts.audit(user.id, "login", remote="10.0.0.1", n=i) for i in range(6)))
    await store.accounts.audit(None, "login_failed", actor="unknown", remote="10.0.0.2")
    report = await log.verify()
    assert report.ok and report.entries == 7 and report.head != GENESIS
    first = (await store.backend.find(AUDIT, {}, (("seq", 1),), 1, 0))[0]
    assert first["seq"] == 1 and first["prev_hash"] == GENESIS and first["remote"] == "10.0.0.1"
    assert sorted(e.details["n"] for e in await store.accounts.list_audit(user.id)) == list(range(6))

    # Deleting the account unlinks its entries; the chain still verifies.
    await store.accounts.audit(user.id, "account_delete")
    await store.delete_user(user.id)
    assert await store.accounts.count_audit(user.id) == 0
    assert (await log.verify()).entries == 8

    # Any change to an entry is named: the first broken entry, then nothing after it.
    await store.backend.update(AUDIT, "a000000000003", {"action": "logout"})
    report = await log.verify()
    assert (report.ok, report.broken_seq, report.entries) == (False, 3, 2) and "changed" in report.problem
    await store.backend.update(AUDIT, "a000000000003", {"action": "login"})
    assert (await log.verify()).ok
    await store.backend.delete(AUDIT, {"id": "a000000000005"})
    report = await log.verify()
    assert not report.ok and report.broken_seq == 6 and "missing" in report.problem


async def test_retention_purge_with_a_fake_clock(store):
    from cuecard.retention import DAY_SECS, RetentionPurge

    now = [1_000_000_000.0]
    keeper = await store.accounts.create("keeps@example.org", "h")
    brief = await store.accounts.create("brief@example.org", "h")
    await store.accounts.update_settings(keeper.id, retention_days=0)
    await store.accounts.update_settings(brief.id, retention_days=7)

    async def session(owner, age_days, **fields):
        created = now[0] - age_days * DAY_SECS
        s = await store.sessions.create(user_id=owner, created_at=created, updated_at=created, **fields)
        await store.sessions.upsert_segment(s.id, {"segment_id": "a", "text": "secret words", "start": 0})
        await store.sessions.upsert_question(s.id, {"question_id": "q", "text": "why?"})
        await store.sessions.upsert_suggestion(s.id, {"question_id": "q", "option": 0, "text": "because"})
        return s.id

    old_default = await session("local", 31)  # anonymous: the server default, 30 days
    young_default = await session("local", 29)
    kept_forever = await session(keeper.id, 400)
    old_brief = await session(brief.id, 8)
    young_brief = await session(brief.id, 6)
    rejoined = await session(brief.id, 40, ended_at=now[0] - 2 * DAY_SECS)  # last active 2 days ago
    live = await session(None, 90)
    await store.material.attempts.create(brief.id, {"session_id": old_brief, "answer_text": "x"})
    await store.bots.save(brief.id, {"id": "bot-old", "session_id": old_brief, "participants": ["Dana"]})
    await store.bots.save(brief.id, {"id": "bot-young", "session_id": young_brief})

    purge = RetentionPurge(store, 30, clock=lambda: now[0], live_sessions=lambda: {live})
    report = await purge.run_once()
    assert sorted(report.deleted) == sorted([old_default, old_brief])
    for gone in (old_default, old_brief):
        assert await store.sessions.find(gone) is None
        for count in (store.sessions.count_segments, store.sessions.count_questions, store.sessions.count_suggestions):
            assert await count(gone) == 0
    for kept in (young_default, kept_forever, young_brief, rejoined, live):
        assert await store.sessions.find(kept) is not None
    assert await store.material.attempts.count(brief.id) == 0
    assert [b.id for b in await store.bots.list(brief.id)] == ["bot-young"]
    audited = [e for e in await store.accounts.list_audit(brief.id) if e.action == "retention_delete"]
    assert [(e.actor, e.details["session_id"], e.details["retention_days"]) for e in audited] == [
        ("system", old_brief, 7)
    ]
    assert [e.details["session_id"] for e in await store.accounts.list_audit("local")] == [old_default]
    assert (await store.accounts.log.verify()).ok

    now[0] += 2 * DAY_SECS  # two days later the 29- and 6-day-old ones have expired too
    assert sorted((await purge.run_once()).deleted) == sorted([young_default, young_brief])
    assert (await purge.run_once()).deleted == []


# --- the SQLite file -------------------------------------------------------------------------------------


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
    await store.sessions.upsert_suggestion("s", {"question_id": "q", "option": 0, "text": "x"})
    assert len(await store.sessions.list_suggestions("s")) == 1
    conn = sqlite3.connect(path)
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(suggestions)")}
    conn.close()
    assert "ix_suggestions_session_id_question_id" in indexes
    await store.close()


# --- encryption at rest (cuecard/store/encrypted.py) and expired revoked tokens ---------------------------


def _raw_text(docs: list[dict]) -> str:
    import json

    return json.dumps(docs, default=str, ensure_ascii=False)


async def test_documents_reach_the_backend_encrypted_and_come_back_in_clear(store):
    from cuecard.store.banks import BANK_QUESTIONS
    from cuecard.store.material import STORIES
    from cuecard.store.sessions import SEGMENTS, SESSIONS, SUGGESTIONS

    raw = store.backend.inner  # the real backend under the encrypting layer
    user = await store.accounts.create("crypt@example.org", "hash")
    await store.material.stories.create(user.id, {"title": "t", "result": "shipped the tarsierword"})
    session = await store.sessions.create(user_id=user.id, title="tarsiertitle")
    await store.sessions.upsert_segment(session.id, {"segment_id": "1", "text": "tarsierline", "start": 1.0})
    await store.sessions.upsert_suggestion(session.id, {"question_id": "q", "option": 0, "text": "tarsierdraft"})
    await store.sessions.set_feedback(session.id, "q", 0, True)  # an update of a sealed field
    bank = await store.banks.create(user.id, {"name": "tarsierbank"})
    await store.banks.add_question(bank, {"text": "What is Tarsierq?", "category": "tarsiercat", "difficulty": "easy"})

    docs = []
    for coll in (STORIES, SESSIONS, SEGMENTS, SUGGESTIONS, BANK_QUESTIONS, store.banks._own.coll):
        docs += await raw.find(coll, {}, (), 1000, 0)
    assert len(docs) >= 6 and "tarsier" not in _raw_text(docs).lower()

    assert (await store.sessions.list_segments(session.id))[0].text == "tarsierline"
    suggestion = (await store.sessions.list_suggestions(session.id))[0]
    assert suggestion.text == "tarsierdraft" and suggestion.feedback.helpful is True
    # search and filters on sealed fields: decrypted and filtered for the owner's documents
    found, total = await store.banks.search([user.id], {}, "tarsierq")
    assert total == 1 and found[0].text == "What is Tarsierq?"
    found, total = await store.banks.search([user.id], {"category": "tarsiercat", "difficulty": "easy"}, None)
    assert total == 1
    assert (await store.banks.search([user.id], {"category": "other"}, None))[1] == 0


async def test_deleting_a_session_or_an_account_destroys_its_data_key(store):
    from cuecard.store.crypto import DataKeyMissing
    from cuecard.store.encrypted import KEYS
    from cuecard.store.sessions import SEGMENTS

    raw = store.backend.inner
    anonymous = await store.sessions.create(title="live page")  # no account: a key of its own
    await store.sessions.upsert_segment(anonymous.id, {"segment_id": "1", "text": "before the claim"})
    user = await store.accounts.create("claim@example.org", "hash")
    await store.sessions.update(anonymous.id, user_id=user.id)  # claimed
    await store.sessions.upsert_segment(anonymous.id, {"segment_id": "2", "text": "after the claim"})
    assert [s.text for s in await store.sessions.list_segments(anonymous.id)] == ["before the claim", "after the claim"]
    kept = await store.sessions.create(user_id=user.id)
    await store.sessions.upsert_segment(kept.id, {"segment_id": "1", "text": "kept"})
    copies = await raw.find(SEGMENTS, {}, (), 100, 0)
    assert {d["id"] for d in await raw.find(KEYS, {}, (), 100, 0)} == {f"session:{anonymous.id}", f"user:{user.id}"}

    await store.delete_session(anonymous.id)
    assert [d["id"] for d in await raw.find(KEYS, {}, (), 100, 0)] == [f"user:{user.id}"]
    await store.delete_user(user.id)
    assert await raw.find(KEYS, {}, (), 100, 0) == []
    for doc in copies:  # rows copied before the deletions stay unreadable
        with pytest.raises(DataKeyMissing):
            await store.backend._open(SEGMENTS, doc)


async def test_expired_revoked_tokens_are_purged(store):
    import time

    from cuecard.store.accounts import REVOKED_TOKENS, TOKEN_PURGE_GRACE_SECS

    now = time.time()
    for jti, expires_at in (("old", now - TOKEN_PURGE_GRACE_SECS - 10), ("recent", now - 10)):
        await store.backend.put(REVOKED_TOKENS, {"id": jti, "expires_at": expires_at, "created_at": 0.0})
    await store.accounts.revoke_token("live", now + 3600)  # the process's first revocation purges
    assert not await store.accounts.is_token_revoked("old")
    assert await store.accounts.is_token_revoked("recent") and await store.accounts.is_token_revoked("live")
    assert await store.accounts.purge_expired_tokens(now) == 0
    assert await store.accounts.purge_expired_tokens(now + TOKEN_PURGE_GRACE_SECS) == 1  # "recent", a day on
    assert await store.accounts.is_token_revoked("live")


# --- practice rounds ------------------------------------------------------------------------------


async def test_practice_rounds_private_newest_first_and_gone_with_the_user(store):
    user = await store.accounts.create("practises@example.org", "h")
    other = await store.accounts.create("other-practice@example.org", "h")
    question = {"index": 0, "text": "Why this role?", "qtype": "cultural", "status": "pending", "attempts": []}
    first = await store.practice.create(user.id, {"title": "one", "questions": [question]})
    await asyncio.sleep(0.01)
    second = await store.practice.create(
        user.id, {"title": "two", "questions": [{**question, "text": "Tell me about a failure."}]}
    )
    theirs = await store.practice.create(other.id, {"title": "theirs", "questions": [question]})
    assert [p.id for p in await store.practice.list(user.id)] == [second.id, first.id]
    assert await store.practice.count(user.id) == 2
    assert await store.practice.recent_questions(user.id, 1) == ["Tell me about a failure."]
    with pytest.raises(NotFound):
        await store.practice.get(user.id, theirs.id)
    with pytest.raises(NotFound):
        await store.practice.update(user.id, theirs.id, {"title": "mine now"})
    attempt = {"transcript": "I led it", "scorecard": {"overall": 3.5, "subscores": []}}
    answered = [{**question, "status": "answered", "attempts": [attempt]}]
    updated = await store.practice.update(user.id, first.id, {"questions": answered, "user_id": other.id})
    assert updated.user_id == user.id and updated.questions[0]["attempts"][0]["scorecard"]["overall"] == 3.5
    assert (await store.practice.get(user.id, first.id)).questions == answered
    assert "user_id" not in updated.public()
    await store.delete_user(user.id)
    assert await store.practice.count(user.id) == 0
    assert [p.id for p in await store.practice.list(other.id)] == [theirs.id]


async def test_sessions_in_states_across_users(store):
    """The start-up scan of crash recovery: every user's sessions in the given states."""
    sessions = store.sessions
    live = [await sessions.create(user_id=f"u{i}", title="live", source="webrtc") for i in range(3)]
    await sessions.create(user_id="u1", title="done", state="ended")
    await sessions.create(user_id=None, title="replay", state="completed")
    await sessions.update(live[2].id, state="interrupted")
    found = await sessions.list_in_states(["active"], page=2)  # pages smaller than the result
    assert sorted(s.id for s in found) == sorted(s.id for s in live[:2])
    assert {s.title for s in await sessions.list_in_states(["interrupted", "ended"])} == {"live", "done"}


async def test_webhooks_deliveries_queue_once_come_due_and_go_with_their_webhook(store):
    from cuecard.store.webhooks import DELIVERED, PENDING

    alice = (await store.accounts.create("hooks-a@example.org", "x")).id
    bob = (await store.accounts.create("hooks-b@example.org", "x")).id
    hook = await store.webhooks.create(alice, "https://a.example.org/h", ["session.ended"], "whsec_alice")
    other = await store.webhooks.create(bob, "https://b.example.org/h", ["session.ended"], "whsec_bob")
    assert (await store.webhooks.get(alice, hook.id)).secret == "whsec_alice"
    with pytest.raises(NotFound):
        await store.webhooks.get(bob, hook.id)
    first = await store.webhooks.enqueue(hook, "s1:ended", "session.ended", '{"id":"s1:ended"}', 100.0)
    assert first is not None and first.state == PENDING
    assert await store.webhooks.enqueue(hook, "s1:ended", "session.ended", "{}", 101.0) is None  # queued once
    again = await store.webhooks.enqueue(hook, "s1:ended", "session.ended", "{}", 102.0, dedupe=False)
    assert again is not None and again.id != first.id
    await store.webhooks.enqueue(other, "s2:ended", "session.ended", "{}", 50.0)
    assert [d.webhook_id for d in await store.webhooks.due(100.0)] == [other.id, hook.id]
    await store.webhooks.set_delivery(first.id, {"state": DELIVERED, "next_attempt_at": None, "attempts": [{"at": 1}]})
    assert first.id not in [d.id for d in await store.webhooks.due(1e9)]
    assert [d.id for d in await store.webhooks.log(hook.id)] == [again.id, first.id]  # newest first
    with pytest.raises(NotFound):
        await store.webhooks.get_delivery(bob, hook.id, first.id)
    await store.webhooks.delete(alice, hook.id)
    assert await store.webhooks.count_log(hook.id) == 0 and await store.webhooks.count_log(other.id) == 1
    await store.delete_user(bob)
    assert await store.webhooks.all() == [] and await store.webhooks.count_log(other.id) == 0


async def test_interviews_upsert_keep_opt_ins_and_due_across_users(store):
    """Calendar interviews (cuecard/store/interviews.py): a re-import updates in place and keeps
    the user's opt-ins; ``due`` finds armed interviews of every user by their plain columns."""
    interviews = store.interviews
    event = {"uid": "e1", "start": 1000.0, "end": 2000.0, "summary": "Interview with Acme", "company": "Acme"}
    first, created = await interviews.upsert("u1", "k1", event)
    assert created and first.public()["summary"] == "Interview with Acme"
    await interviews.update("u1", first.id, {"prepare_answers": True, "armed": 1, "next_due": 900.0})
    again, created = await interviews.upsert("u1", "k1", {**event, "summary": "Interview with Acme (moved)"})
    assert not created and again.id == first.id
    assert (again.model_extra or {})["prepare_answers"] is True and again.public()["summary"].endswith("(moved)")
    other, _ = await interviews.upsert("u2", "k1", event)
    assert other.id != first.id
    with pytest.raises(NotFound):
        await interviews.get("u2", first.id)
    await interviews.set_fields(other.id, {"armed": 1, "next_due": 950.0})
    assert [r.id for r in await interviews.due(960.0)] == [first.id, other.id]
    assert [r.id for r in await interviews.due(920.0)] == [first.id]
    assert [r.id for r in await interviews.upcoming("u1", 1500.0)] == [first.id]
    assert await interviews.upcoming("u1", 2500.0) == []
    sub = await interviews.subscriptions.create("u1", {"url": "https://cal.example.org/private/secret.ics"})
    assert "url" not in sub.public() and [s.id for s in await interviews.all_subscriptions()] == [sub.id]
    await interviews.delete_all("u1")
    assert await interviews.count("u1") == 0 and await interviews.all_subscriptions() == []


async def test_interviews_reach_the_backend_encrypted(store):
    from cuecard.store.interviews import CALENDAR_SUBSCRIPTIONS, INTERVIEWS

    raw = store.backend.inner
    user = await store.accounts.create("cal@example.org", "hash")
    event = {
        "uid": "u",
        "start": 10.0,
        "summary": "Interview with Okapicorp",
        "meeting_url": "https://meet.google.com/okp",
    }
    record, _ = await store.interviews.upsert(user.id, "k", event)
    await store.interviews.set_fields(record.id, {"bot_consent": {"via": "okapiconsent"}, "armed": 1, "next_due": 5.0})
    await store.interviews.subscriptions.create(user.id, {"url": "https://cal.example.org/okapisecret.ics"})
    stored = _raw_text(await raw.find(INTERVIEWS, {}) + await raw.find(CALENDAR_SUBSCRIPTIONS, {}))
    assert "okapi" not in stored.lower()
    assert [r.id for r in await store.interviews.due(6.0)] == [record.id]  # the plain columns still query
    assert (await store.interviews.get(user.id, record.id)).model_extra["summary"] == "Interview with Okapicorp"


async def test_usage_per_month_idempotent_items_plans_and_gone_with_the_user(store):
    from cuecard.store.usage import month_of

    user = await store.accounts.create("meter@example.org", "h")
    other = await store.accounts.create("other-meter@example.org", "h")
    december, january = 1796169600.0, 1798761600.0  # 2026-12-01, 2027-01-01 (UTC)
    assert month_of(december) == "2026-12" and month_of(january) == "2027-01"
    await store.usage.record(user.id, "live_minutes", 3.0, ref="s1", at=december)
    await store.usage.record(user.id, "live_minutes", 5.0, ref="s1", at=december)  # the same session again: replaced
    await store.usage.record(user.id, "live_minutes", 2.5, ref="s2", at=december)
    await store.usage.record(user.id, "practice_sessions", 1, at=december)
    await store.usage.record(user.id, "practice_sessions", 1, at=december)
    await store.usage.record(user.id, "live_minutes", 7.0, ref="s3", at=january)
    await store.usage.record(other.id, "live_minutes", 100.0, ref="s9", at=december)
    assert await store.usage.totals(user.id, "2026-12") == {"live_minutes": 7.5, "practice_sessions": 2.0}
    assert await store.usage.totals(user.id, "2027-01") == {"live_minutes": 7.0}
    assert await store.usage.amount(user.id, "live_minutes", "s1", at=december) == 5.0
    assert await store.usage.plan(user.id) == "free"
    await store.usage.set_plan(user.id, "pro", stripe_customer_id="cus_1")
    await store.usage.set_plan(user.id, "team")
    assert await store.usage.plan(user.id) == "team"
    assert (await store.usage.billing_account(user.id) or {})["stripe_customer_id"] == "cus_1"
    await store.delete_user(user.id)
    assert await store.usage.totals(user.id, "2026-12") == {}
    assert await store.usage.plan(user.id) == "free"
    assert await store.usage.totals(other.id, "2026-12") == {"live_minutes": 100.0}


async def test_billing_accounts_by_customer_and_stripe_events_claimed_once(store):
    user = await store.accounts.create("customer@example.org", "h")
    await store.usage.set_plan(user.id, "free", stripe_customer_id="cus_42")
    assert (await store.usage.by_customer("cus_42") or {})["id"] == user.id
    assert await store.usage.by_customer("cus_other") is None
    assert await store.usage.claim_event("evt_1", "invoice.paid") is True
    assert await store.usage.claim_event("evt_1", "invoice.paid") is False
    await store.usage.release_event("evt_1")
    assert await store.usage.claim_event("evt_1", "invoice.paid") is True


async def test_teams_members_invitations_seats_and_deletion(store):
    owner = await store.accounts.create("owner@example.org", "h")
    member = await store.accounts.create("member@example.org", "h")
    org = await store.teams.create(owner.id, "Acme")
    assert (await store.teams.membership(owner.id) or {})["role"] == "owner"
    token, expires_at = await store.teams.invite(org["id"], owner.id)
    assert expires_at > 0 and await store.teams.accept("not-a-token", member.id) is None
    joined = await store.teams.accept(token, member.id)
    assert joined is not None and joined["role"] == "member" and await store.teams.seats(org["id"]) == 2
    assert [m["user_id"] for m in await store.teams.members(org["id"])] == [owner.id, member.id]
    assert await store.teams.remove_member(org["id"], owner.id) is False  # the owner is no member to remove
    expired, _ = await store.teams.invite(org["id"], owner.id, ttl_secs=-1)
    assert await store.teams.accept(expired, member.id) is None
    await store.teams.share_bank(org["id"], "bank-1", member.id)
    assert [b["bank_id"] for b in await store.teams.shared_banks(org["id"])] == ["bank-1"]
    assert await store.teams.unshare_bank(org["id"], "bank-1") is True
    await store.teams.share_bank(org["id"], "bank-1", member.id)
    await store.delete_user(owner.id)  # the organization goes with its owner
    assert await store.teams.shared_banks(org["id"]) == []
    assert await store.teams.org(org["id"]) is None and await store.teams.membership(member.id) is None
