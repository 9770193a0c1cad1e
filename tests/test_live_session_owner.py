"""A live session belongs to whoever started it: another user (or an anonymous page) can
neither read its transcript nor rejoin it; the owner's profile, stories and job are loaded
into the session for drafting."""

from __future__ import annotations

import pytest
from aiortc import RTCPeerConnection

from cuecard.pipeline.context import load_candidate


@pytest.fixture
def client(offer_client):
    return offer_client


async def token_for(client, email: str) -> str:
    r = await client.post("/api/auth/register", json={"email": email, "password": "a long passphrase 42"})
    assert r.status in (200, 201), await r.text()
    return (await r.json())["access_token"]


async def offer_sdp() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection()
    pc.addTransceiver("audio", direction="sendrecv")
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def test_live_session_is_private_to_its_owner(client):
    alice = {"Authorization": f"Bearer {await token_for(client, 'alice@example.org')}"}
    bob = {"Authorization": f"Bearer {await token_for(client, 'bob@example.org')}"}
    pc, sdp = await offer_sdp()
    r = await client.post("/api/offer", json={"sdp": sdp, "type": "offer", "consent": True}, headers=alice)
    assert r.status == 200, await r.text()
    session_id = (await r.json())["session_id"]
    try:
        assert (await client.get(f"/api/live/{session_id}/transcript", headers=alice)).status == 200
        assert (await client.get(f"/api/live/{session_id}/transcript", headers=bob)).status == 404
        assert (await client.get(f"/api/live/{session_id}/transcript")).status == 404
        pc2, sdp2 = await offer_sdp()
        rejoin = {"sdp": sdp2, "type": "offer", "session_id": session_id, "after": 0, "consent": True}
        assert (await client.post("/api/offer", json=rejoin, headers=bob)).status == 404
        await pc2.close()
    finally:
        await pc.close()


async def test_owner_material_is_loaded_for_the_session(services):
    store = services.store
    await store.material.put_profile("u1", {"name": "Ada", "skills": ["Python"]})
    await store.material.stories.create("u1", {"title": "Outage", "situation": "A payment outage."})
    await store.material.jobs.create("u1", {"title": "Backend Engineer", "company": "Acme"})
    candidate = await load_candidate(store, "u1")
    assert candidate.profile.name == "Ada"
    assert [s.title for s in candidate.stories] == ["Outage"]
    assert candidate.job is not None and candidate.job.company == "Acme"
    empty = await load_candidate(store, "someone-else")
    assert empty.profile.name == "" and empty.stories == [] and empty.job is None
