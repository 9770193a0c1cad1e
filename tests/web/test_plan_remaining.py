"""The live page shows the minutes left on the plan when billing is on (issue 19), under the
page's strict CSP (plan.js is a static file, no inline code). Real headless Chromium."""

from __future__ import annotations

import pytest

from cuecard.api.keys import SERVICES
from cuecard.api.rest_common import LOCAL_OWNER


@pytest.fixture
def settings_overrides() -> dict:
    return {"billing": "on", "free_live_minutes": 60}


async def test_live_page_shows_remaining_live_minutes(client, base_url, new_page):
    store = client.server.app[SERVICES].store
    await store.usage.record(LOCAL_OWNER, "live_minutes", 15.5, ref="earlier-session")
    page = await new_page(bypass_csp=False)
    await page.goto(base_url + "/")
    remaining = page.locator("#plan-remaining")
    await remaining.wait_for(state="visible", timeout=10_000)
    text = await remaining.inner_text()
    assert "Free plan: 44 live minutes left this month" in text, text
