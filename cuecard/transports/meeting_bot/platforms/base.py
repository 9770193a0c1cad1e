"""What every meeting platform adapter provides, and the steps they share.

An adapter is a small class of selectors plus the few join steps that differ per platform, so
that a change in a platform's page is a change in one file. The steps here are driven by the
selectors; a platform overrides a step only where its page works differently.

Screens are recognised in one ``page.evaluate`` per poll (``SCREEN_PROBE``): each screen has
CSS selectors (matched when a visible element exists) and text patterns (matched against the
page's visible text). Text patterns are what survives platforms' frequent class-name changes
best, so the real-platform adapters lean on the wording their help pages document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

# Screens, in the order they are checked: a final screen wins over an in-call view still
# partly in the page behind it.
SCREENS = ("not_found", "denied", "removed", "ended", "in_call", "lobby", "prejoin")

SCREEN_PROBE = """
(probes) => {
  const visible = (el) => !!el && !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const text = document.body ? document.body.innerText : "";
  for (const [screen, css, patterns] of probes) {
    for (const sel of css) {
      try { if ([...document.querySelectorAll(sel)].some(visible)) return screen; } catch (e) {}
    }
    for (const p of patterns) { if (new RegExp(p, "i").test(text)) return screen; }
  }
  return null;
}
"""

PARTICIPANT_PROBE = """
([itemSel, nameSel, nameAttr, speakingSel, trackAttr]) => {
  const out = [];
  for (const item of document.querySelectorAll(itemSel)) {
    let name = nameAttr ? item.getAttribute(nameAttr) : null;
    if (!name) { const el = nameSel ? item.querySelector(nameSel) : item; name = el ? el.innerText : ""; }
    name = (name || "").split("\\n")[0].trim();
    if (!name) continue;
    const speaking = speakingSel ? (item.matches(speakingSel) || !!item.querySelector(speakingSel)) : false;
    out.push({ name, speaking, track: trackAttr ? item.getAttribute(trackAttr) : null });
  }
  return out;
}
"""


CHAT_PROBE = """
([itemSel, authorAttr, authorSel, textSel]) => {
  const out = [];
  for (const item of document.querySelectorAll(itemSel)) {
    let author = authorAttr ? item.getAttribute(authorAttr) : null;
    if (!author && authorSel) { const el = item.querySelector(authorSel); author = el ? el.innerText : null; }
    const el = textSel ? item.querySelector(textSel) : item;
    out.push({ author: (author || "").trim() || null, text: (el ? el.innerText : "").trim() });
  }
  return out;
}
"""


@dataclass
class ChatMessage:
    author: str | None  # None when the platform's chat does not say
    text: str


@dataclass
class Participant:
    name: str
    speaking: bool = False
    track: str | None = None  # a platform hint linking this person to a remote audio track


class Platform:
    """Base adapter. Class attributes are selectors (CSS) and text patterns (regex)."""

    name = "generic"
    # "per_track": one remote audio track per participant, named via ``Participant.track``;
    # "mixed": one mix (or a few loudest-speaker slots), named by the active-speaker marker.
    audio_mode = "mixed"
    hosts: tuple[str, ...] = ()

    # pre-join
    name_input = ""
    mic_on_controls: tuple[str, ...] = ()  # present only while the microphone is ON: click it
    cam_on_controls: tuple[str, ...] = ()
    join_buttons: tuple[str, ...] = ()
    # screens: CSS selectors and text patterns per screen
    screen_css: dict[str, tuple[str, ...]] = {}
    screen_text: dict[str, tuple[str, ...]] = {}
    # in call
    participants_open = ""  # button that shows the participant list, when it is a side panel
    participant_item = ""
    participant_name = ""  # inside an item; empty = the item's own text
    participant_name_attr = ""  # attribute holding the name, tried first
    speaking_marker = ""  # matches the item (or a child) while that person speaks
    participant_track_attr = ""
    chat_open = ""
    chat_input = ""
    chat_send = ""  # empty = press Enter
    # messages in the chat panel, oldest first (empty = this adapter cannot read the chat)
    chat_item = ""
    chat_author_attr = ""
    chat_author = ""  # inside an item
    chat_text = ""  # inside an item; empty = the item's own text
    leave_buttons: tuple[str, ...] = ()

    @classmethod
    def matches(cls, url: str) -> bool:
        host = (urlparse(url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in cls.hosts)

    def join_url(self, url: str) -> str:
        """The URL to open (e.g. Zoom's browser client instead of the app launcher page)."""
        return url

    # -- steps ---------------------------------------------------------------------------------

    async def open(self, page, url: str, timeout_secs: float):
        await page.goto(self.join_url(url), wait_until="domcontentloaded", timeout=timeout_secs * 1000)

    async def screen(self, page) -> str | None:
        probes = [[s, list(self.screen_css.get(s, ())), list(self.screen_text.get(s, ()))] for s in SCREENS]
        return await page.evaluate(SCREEN_PROBE, probes)

    async def fill_prejoin(self, page, display_name: str):
        """Name, microphone and camera off, then ask to join."""
        if self.name_input:
            field = page.locator(self.name_input).first
            if await field.count():
                await field.fill(display_name)
        await self.turn_off(page, self.mic_on_controls)
        await self.turn_off(page, self.cam_on_controls)
        await self.click_first(page, self.join_buttons)

    async def turn_off(self, page, on_controls: tuple[str, ...]):
        for selector in on_controls:
            control = page.locator(selector).first
            if await control.count() and await control.is_visible():
                await control.click()
                return

    async def click_first(self, page, selectors: tuple[str, ...]) -> bool:
        for selector in selectors:
            button = page.locator(selector).first
            if await button.count() and await button.is_visible() and await button.is_enabled():
                await button.click()
                return True
        return False

    async def participants(self, page) -> list[Participant]:
        if not self.participant_item:
            return []
        if self.participants_open and not await page.locator(self.participant_item).count():
            opener = page.locator(self.participants_open).first
            if await opener.count() and await opener.is_visible():
                await opener.click()
        rows = await page.evaluate(
            PARTICIPANT_PROBE,
            [
                self.participant_item,
                self.participant_name,
                self.participant_name_attr,
                self.speaking_marker,
                self.participant_track_attr,
            ],
        )
        return [Participant(**row) for row in rows]

    async def post_chat(self, page, text: str) -> bool:
        if not self.chat_input:
            return False
        box = page.locator(self.chat_input).first
        if not await box.count() or not await box.is_visible():
            if self.chat_open:
                opener = page.locator(self.chat_open).first
                if await opener.count():
                    await opener.click()
                    await box.wait_for(state="visible", timeout=5000)
        await box.fill(text)
        if self.chat_send:
            await page.locator(self.chat_send).first.click()
        else:
            await box.press("Enter")
        return True

    async def chat_messages(self, page) -> list[ChatMessage]:
        """The chat messages the page shows, oldest first (what the bot reads to know whether
        someone asked it to leave)."""
        if not self.chat_item:
            return []
        rows = await page.evaluate(
            CHAT_PROBE, [self.chat_item, self.chat_author_attr, self.chat_author, self.chat_text]
        )
        return [ChatMessage(**row) for row in rows]

    async def leave(self, page):
        await self.click_first(page, self.leave_buttons)


def text_pattern(*phrases: str) -> tuple[str, ...]:
    """Regexes matching the given phrases literally (case-insensitive at match time)."""
    return tuple(re.escape(p) for p in phrases)
