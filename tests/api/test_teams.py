"""Team accounts (issue 19, deliverable 5): an owner creates a team and invitation links,
members join by link, seats are counted (and are the Team checkout's quantity, against the
local TEST DOUBLE of the Stripe API), members get the Team plan while the owner has it, only
the owner manages the team, and members' own data stays private."""

from __future__ import annotations

from cuecard.api.keys import SERVICES

from .test_billing_stripe import billing_client, new_user, stripe_double  # noqa: F401  (fixtures)


async def test_owner_invites_members_join_seats_counted_plan_shared_data_private(billing_client, stripe_double):  # noqa: F811
    owner = await new_user(billing_client)
    member = await new_user(billing_client)
    outsider = await new_user(billing_client)
    assert (await owner.req("GET", "/api/teams/mine")).status == 404
    r = await owner.req("POST", "/api/teams", json={"name": "Acme hiring"})
    assert r.status == 201 and (await r.json())["seats"] == 1
    assert (await owner.req("POST", "/api/teams", json={"name": "again"})).status == 409
    assert (await owner.req("POST", "/api/teams", json={"name": "  "})).status == 400

    r = await owner.req("POST", "/api/teams/invitations")
    invitation = await r.json()
    assert r.status == 200 and invitation["url"].endswith(invitation["token"])
    assert (await member.req("POST", "/api/teams/invitations")).status == 404  # not in a team
    assert (await member.req("POST", "/api/teams/join", json={"token": "x" * 20})).status == 404
    r = await member.req("POST", "/api/teams/join", json={"token": invitation["token"]})
    assert r.status == 200 and (await r.json())["role"] == "member"
    assert (await member.req("POST", "/api/teams/join", json={"token": invitation["token"]})).status == 409

    team = await (await owner.req("GET", "/api/teams/mine")).json()
    assert team["seats"] == 2 and {m["email"] for m in team["members"]} == {owner.email, member.email}
    seen = await (await member.req("GET", "/api/teams/mine")).json()
    assert seen["role"] == "member" and seen["seats"] == 2 and "members" not in seen  # emails: owner only
    assert (await member.req("POST", "/api/teams/invitations")).status == 403
    r = await member.req("POST", "/api/teams/members/remove", json={"user_id": owner.id})
    assert r.status == 403

    # the Team checkout is for the seats; members get Team once the owner has it
    r = await owner.req("POST", "/api/billing/checkout", json={"plan": "team"})
    assert r.status == 200, await r.text()
    assert stripe_double.calls_to("/v1/checkout/sessions")[-1]["line_items[0][quantity]"] == "2"
    plan = await (await member.req("GET", "/api/billing/usage")).json()
    assert plan["plan"] == "free"
    await billing_client.server.app[SERVICES].store.usage.set_plan(owner.id, "team")  # as the webhook does
    assert (await (await member.req("GET", "/api/billing/usage")).json())["plan"] == "team"
    assert (await (await outsider.req("GET", "/api/billing/usage")).json())["plan"] == "free"

    # members' own data is private: the owner cannot read a member's bank
    bank = await (await member.req("POST", "/api/banks", json={"name": "my private bank"})).json()
    assert (await member.req("GET", f"/api/banks/{bank['id']}")).status == 200
    assert (await owner.req("GET", f"/api/banks/{bank['id']}")).status == 404

    # the owner removes the member: the seat and the plan go
    r = await outsider.req("POST", "/api/teams/members/remove", json={"user_id": member.id})
    assert r.status == 404
    r = await owner.req("POST", "/api/teams/members/remove", json={"user_id": member.id})
    assert r.status == 200
    assert (await (await owner.req("GET", "/api/teams/mine")).json())["seats"] == 1
    assert (await (await member.req("GET", "/api/billing/usage")).json())["plan"] == "free"


async def test_billing_and_team_routes_are_in_the_isolation_lists(billing_client):  # noqa: F811
    from cuecard.api.keys import API_SPECS

    from .test_isolation import UNSCOPED

    mounted = {(s.method, s.path) for s in billing_client.server.app[API_SPECS] if "{" not in s.path}
    billing = {r for r in mounted if r[1].startswith(("/api/billing", "/api/teams"))}
    assert len(billing) == 12 and billing <= UNSCOPED


async def test_a_member_shares_a_bank_read_only_with_the_team_only(billing_client):  # noqa: F811
    owner, member, outsider = [await new_user(billing_client) for _ in range(3)]
    await owner.req("POST", "/api/teams", json={"name": "Acme"})
    token = (await (await owner.req("POST", "/api/teams/invitations")).json())["token"]
    assert (await member.req("POST", "/api/teams/join", json={"token": token})).status == 200
    bank = await (await member.req("POST", "/api/banks", json={"name": "Backend questions"})).json()
    r = await member.req("POST", f"/api/banks/{bank['id']}/questions", json={"text": "How do you shard a table?"})
    assert r.status == 201, await r.text()
    private = await (await member.req("POST", "/api/banks", json={"name": "Not shared"})).json()

    questions = f"/api/teams/banks/{bank['id']}/questions"
    assert (await owner.req("GET", questions)).status == 404  # not shared yet
    assert (await owner.req("POST", "/api/teams/banks/share", json={"bank_id": bank["id"]})).status == 404  # not his
    assert (await outsider.req("POST", "/api/teams/banks/share", json={"bank_id": bank["id"]})).status == 404
    r = await member.req("POST", "/api/teams/banks/share", json={"bank_id": bank["id"]})
    assert r.status == 200, await r.text()

    listed = await (await owner.req("GET", "/api/teams/banks")).json()
    assert [(b["name"], b["question_count"], b["shared_by_me"]) for b in listed["items"]] == [
        ("Backend questions", 1, False)
    ]
    r = await owner.req("GET", questions)
    assert r.status == 200 and [q["text"] for q in (await r.json())["items"]] == ["How do you shard a table?"]
    # read-only: the bank's own routes stay the member's
    assert (await owner.req("PATCH", f"/api/banks/{bank['id']}", json={"name": "mine now"})).status == 404
    # private data stays private; outsiders see nothing
    assert (await owner.req("GET", f"/api/teams/banks/{private['id']}/questions")).status == 404
    assert (await outsider.req("GET", questions)).status == 404
    assert (await outsider.req("GET", "/api/teams/banks")).status == 404
    # the team's owner may stop the sharing
    r = await owner.req("POST", "/api/teams/banks/unshare", json={"bank_id": bank["id"]})
    assert r.status == 200 and (await owner.req("GET", questions)).status == 404
