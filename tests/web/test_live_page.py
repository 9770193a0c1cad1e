"""Issue 12, the live page as a candidate uses it, in real headless Chromium. Events are handed
to the page through its test hook (``window.cuecardTest.handleEvent``), exactly as they come on
the data channel, so these tests need no audio and no Whisper.

Covered: the current question and its best option visible without scrolling at 1280×800 and
1920×1080 (screenshots in /tmp/cuecard_shots/), key points one line per sentence, earlier
questions one line each and expandable, pin, option tabs and keys, teleprompter (T), the
shortcut list, "no notes on this topic", streamed text appended without touching what is
shown, a replacement draft swapped once with an "updated" marker, the "Drafting…" placeholder
on D, and axe-core (no serious or critical violation)."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, inject, shot

pytestmark = pytest.mark.browser

# Real composer drafts (``cuecard draft``), long enough to fill a pane.
HASH = {
    "concise": "A hash table maps keys to values by using a hash function to pick a bucket, giving average "
    "constant-time insert, lookup, and delete.\nThe key is hashed and reduced modulo the number of "
    "buckets to choose a slot, and collisions are handled by chaining or open addressing.",
    "story": "A hash table maps keys to values by using a hash function to pick a bucket, giving average "
    "constant-time insert, lookup, and delete.\nThe key is hashed and reduced modulo the number of buckets "
    "to choose a slot, and collisions are handled by chaining or open addressing. When the load factor, "
    "entries divided by buckets, passes a threshold, the table grows and rehashes everything, keeping "
    "operations amortized O of one.\nFor example, counting word frequencies in a document uses a hash map "
    "from word to count, so each word is found and incremented in constant average time.\nUse it for fast "
    "lookups by key, counting frequencies, deduplication, caching, and two-sum style problems.",
    "deep_dive": "A hash table maps keys to values by using a hash function to pick a bucket, giving average "
    "constant-time insert, lookup, and delete.\nThe key is hashed and reduced modulo the number of "
    "buckets to choose a slot, and collisions are handled by chaining or open addressing. When the load "
    "factor passes a threshold, the table grows and rehashes everything.\nUse it for fast lookups by "
    "key, counting frequencies, deduplication and caching.\nAvoid it when you need keys in sorted "
    "order, range queries, or guaranteed worst-case bounds, since adversarial keys degrade it to O of "
    "n.\nYou gain average constant-time access, and you give up ordering, spend extra memory on empty "
    "buckets, and risk slow worst cases and occasional resize pauses.\nIt is often compared with a "
    "binary search tree, which keeps keys ordered and supports range queries in logarithmic time.",
}
QUESTIONS = [
    ("q1", "Tell me about a time you disagreed with your manager.", "behavioral"),
    ("q2", "How would you design a rate limiter for a public API?", "technical"),
    ("q3", "What is a hash map and how does it work?", "technical"),
]


def question(qid, text, qtype="technical", status="confirmed", segment_id=None):
    return {
        "type": "question",
        "question_id": qid,
        "text": text,
        "question_type": qtype,
        "confidence": 0.9,
        "topic": "",
        "status": status,
        "segment_id": segment_id or f"seg-{qid}",
    }


def suggestion(qid, option, text, done=True, **extra):
    return {
        "type": "suggestion",
        "question_id": qid,
        "option": option,
        "text": text,
        "delta": "",
        "done": done,
        "source": "composer",
        "word_count": len(text.split()),
        "speaking_secs": len(text.split()) * 0.4,
        **extra,
    }


async def three_questions(page):
    for qid, text, qtype in QUESTIONS:
        await inject(page, question(qid, text, qtype))
        for option in ("concise", "story", "deep_dive"):
            await inject(page, suggestion(qid, option, HASH[option]))


async def open_live(new_page, base_url, width=1280, height=800):
    page = await new_page(width, height)
    await page.goto(base_url + "/")
    await page.wait_for_function("window.cuecardTest && window.CuecardAnswers")
    return page


async def fully_visible(page, selector) -> bool:
    """The element is inside the viewport and inside every scrolling box around it, with
    nothing scrolled: seen without scrolling."""
    return await page.evaluate(
        """sel => {
          const el = document.querySelector(sel);
          if (!el || !el.offsetParent) return false;
          if (window.scrollY !== 0) return false;
          const r = el.getBoundingClientRect();
          if (r.height === 0 || r.top < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) return false;
          for (let p = el.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (!/(auto|scroll|hidden)/.test(s.overflowY)) continue;
            if (p.scrollTop !== 0) return false;
            const b = p.getBoundingClientRect();
            if (r.top < b.top - 1 || r.bottom > b.bottom + 1) return false;
          }
          return true;
        }""",
        selector,
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
async def test_current_question_and_best_option_visible_without_scrolling(new_page, base_url, width, height):
    page = await open_live(new_page, base_url, width, height)
    await three_questions(page)
    current = ".current-slot .question.current"
    assert await page.inner_text(f"{current} .qtext") == QUESTIONS[-1][1]
    # the best option (concise) is the open tab, as key points: one line per sentence
    assert await page.get_attribute(f"{current} [role=tab][aria-selected=true]", "data-option") == "concise"
    panel = f"{current} .option:not([hidden])"
    points = await page.locator(f"{panel} .points li").all_inner_texts()
    assert points == [
        "A hash table maps keys to values by using a hash function to pick a bucket, giving average "
        "constant-time insert, lookup, and delete.",
        "The key is hashed and reduced modulo the number of buckets to choose a slot, and collisions are handled "
        "by chaining or open addressing.",
    ]
    assert await fully_visible(page, f"{current} .qtext")
    assert await fully_visible(page, f"{panel} .points")
    size = await page.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{panel} .points')).fontSize)")
    assert size >= 18, size  # large type, for a glance
    # the other options are one click away; earlier questions are one line each
    assert await page.locator(f"{current} [role=tab]").all_inner_texts() == ["Concise", "Story", "Deep dive"]
    earlier = page.locator("#earlier-questions .question")
    assert await earlier.count() == 2
    line_height = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize) * 1.3")
    for i in range(2):
        box = await earlier.nth(i).locator(".qhead").bounding_box()
        assert box["height"] <= line_height * 2, box
        assert await earlier.nth(i).locator(".qbody").is_hidden()
    await shot(page, f"live_{width}x{height}.png")


async def test_earlier_questions_expand_and_a_pin_keeps_one_on_top(new_page, base_url):
    page = await open_live(new_page, base_url)
    await three_questions(page)
    first = page.locator("#earlier-questions .question[data-question-id=q1]")
    toggle = first.locator(".qtoggle")
    assert await toggle.get_attribute("aria-expanded") == "false"
    await toggle.click()
    assert await toggle.get_attribute("aria-expanded") == "true"
    assert await first.locator(".option:not([hidden]) .points").is_visible()
    await toggle.click()
    assert await first.locator(".points").first.is_hidden()

    # pin the current question (q3): a newer question goes below it, marked new
    await page.click(".current-slot .question.current .pin")
    await inject(
        page,
        question("q4", "Why do you want to work here?", "cultural"),
        suggestion("q4", "concise", "Because the product matters to me."),
    )
    assert await page.get_attribute(".current-slot .question.current", "data-question-id") == "q3"
    newest = page.locator("#earlier-questions .question").first
    assert await newest.get_attribute("data-question-id") == "q4"
    assert "unseen" in await newest.get_attribute("class")
    # P unpins: the newest question takes the top again
    await page.keyboard.press("p")
    assert await page.get_attribute(".current-slot .question.current", "data-question-id") == "q4"
    await page.keyboard.press("p")
    assert await page.get_attribute(".current-slot .question.current", "data-question-id") == "q4"
    assert await page.get_attribute(".current-slot .question.current .pin", "aria-pressed") == "true"


async def test_option_tabs_keys_and_teleprompter(new_page, base_url):
    page = await open_live(new_page, base_url)
    await three_questions(page)
    current = ".current-slot .question.current"
    await page.click(f"{current} [role=tab][data-option=story]")
    assert await page.is_visible(f"{current} .option[data-option=story] .points")
    assert await page.is_hidden(f"{current} .option[data-option=concise]")
    await page.keyboard.press("3")
    assert await page.get_attribute(f"{current} [role=tab][aria-selected=true]", "data-option") == "deep_dive"
    await page.keyboard.press("1")
    assert await page.get_attribute(f"{current} [role=tab][aria-selected=true]", "data-option") == "concise"

    await page.keyboard.press("t")
    assert await page.evaluate("document.body.classList.contains('teleprompter')")
    box = await page.locator(".current-slot").bounding_box()
    assert box["height"] >= 790 and box["width"] >= 1270, box
    size = await page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector('{current} .option:not([hidden]) .points')).fontSize)"
    )
    assert size >= 32, size
    assert await fully_visible(page, f"{current} .option:not([hidden]) .points li")
    assert await page.is_hidden(f"{current} .option-actions")
    await shot(page, "live_teleprompter_1280x800.png")
    await page.keyboard.press("Escape")
    assert not await page.evaluate("document.body.classList.contains('teleprompter')")
    await page.click("#teleprompter-toggle")
    assert await page.evaluate("document.body.classList.contains('teleprompter')")
    await page.keyboard.press("T")
    assert not await page.evaluate("document.body.classList.contains('teleprompter')")


async def test_shortcuts_are_listed_and_no_notes_is_said(new_page, base_url):
    page = await open_live(new_page, base_url)
    text = await page.inner_text("#shortcuts")
    for key, meaning in (("D", "draft"), ("T", "teleprompter"), ("P", "pin"), ("1", "concise"), ("Esc", "")):
        assert key in text and meaning in text.lower(), (key, text)
    await inject(
        page,
        question("q1", "Tell me about a time you led a migration.", "behavioral"),
        suggestion("q1", "concise", "You have no story saved that fits this yet.", coverage="none"),
    )
    assert await page.is_visible(".question.current .qnotes")
    assert "no notes on this topic" in await page.inner_text(".question.current .qnotes")
    await inject(page, suggestion("q1", "story", "A story.", coverage="full"))
    assert await page.is_hidden(".question.current .qnotes")


async def test_streamed_text_is_appended_without_touching_what_is_shown(new_page, base_url):
    page = await open_live(new_page, base_url)
    await inject(page, question("q1", "What is a hash map?"))
    first = "A hash table maps keys to values."
    await inject(page, suggestion("q1", "concise", first, done=False))
    points = ".question.current .option[data-option=concise] .points"
    await page.evaluate(f"""() => {{
        const li = document.querySelector('{points} li');
        window.__li = li; window.__node = li.firstChild; window.__top = li.getBoundingClientRect().top;
        window.__mutations = [];
        new MutationObserver(ms => ms.forEach(m => window.__mutations.push(
            [m.type, m.removedNodes.length, m.type === 'characterData']))).observe(
            document.querySelector('{points}'), {{childList: true, subtree: true, characterData: true}});
    }}""")
    # whole text so far (``text``), then a delta-only chunk, then the final text
    await inject(page, suggestion("q1", "concise", first + " The key is hashed", done=False))
    await inject(page, {**suggestion("q1", "concise", "", done=False), "delta": " to pick a bucket."})
    await inject(page, suggestion("q1", "concise", first + " The key is hashed to pick a bucket.\nCollisions chain."))
    assert await page.locator(f"{points} li").all_inner_texts() == [
        first,
        "The key is hashed to pick a bucket.",
        "Collisions chain.",
    ]
    same = await page.evaluate(f"""() => {{
        const li = document.querySelector('{points} li');
        return li === window.__li && li.firstChild === window.__node
            && li.getBoundingClientRect().top === window.__top && li.textContent === {first!r};
    }}""")
    assert same
    # nothing shown was removed or rewritten: only nodes were added
    assert await page.evaluate(
        "window.__mutations.every(([type, removed, data]) => type === 'childList' && removed === 0)"
    )


async def test_a_replacement_draft_is_swapped_once_and_marked_updated(new_page, base_url):
    page = await open_live(new_page, base_url)
    await inject(page, question("q1", "What is a hash map?"), suggestion("q1", "concise", "Old draft. Second point."))
    option = ".question.current .option[data-option=concise]"
    await inject(page, suggestion("q1", "concise", "New", done=False, replaces=True))
    await inject(page, suggestion("q1", "concise", "New draft is stream", done=False))
    # while the new draft streams, the old one stays put (quietly marked as updating)
    assert await page.locator(f"{option} .points li").all_inner_texts() == ["Old draft.", "Second point."]
    await inject(page, suggestion("q1", "concise", "New draft is streamed. Then done."))
    assert await page.locator(f"{option} .points li").all_inner_texts() == ["New draft is streamed.", "Then done."]
    assert "updated" in await page.get_attribute(option, "class")
    marker = await page.evaluate(
        f"getComputedStyle(document.querySelector('{option} .option-name'), '::after').content"
    )
    assert "updated" in marker  # a small marker beside the option's name
    assert "updated" in await page.get_attribute(".question.current [role=tab][data-option=concise]", "class")


async def test_pressing_d_shows_drafting_at_once_under_the_last_interviewer_line(new_page, base_url):
    page = await open_live(new_page, base_url)
    # a data channel that is open (the page sends request_draft on it)
    await page.evaluate("""() => { window.__sent = [];
        window.cuecardTest.state.dc = {readyState: 'open', send: m => window.__sent.push(JSON.parse(m))}; }""")
    line = {
        "type": "transcript",
        "role": "interviewer",
        "speaker": "interviewer",
        "final": True,
        "start": 1.0,
        "end": 3.0,
        "confidence": 0.9,
        "provider": "whisper",
    }
    await inject(
        page,
        {**line, "segment_id": "s1", "text": "Let's talk about caching."},
        {**line, "segment_id": "s2", "text": "So, how would you shard a database", "start": 4.0, "end": 6.0},
        {
            **line,
            "segment_id": "s3",
            "role": "candidate",
            "speaker": "candidate",
            "text": "Hmm.",
            "start": 6.5,
            "end": 7.0,
        },
    )
    await page.keyboard.press("d")
    placeholder = page.locator("#transcript li.draft-placeholder")
    assert await placeholder.is_visible()  # at once: no waiting for the server
    assert "Drafting…" in await placeholder.inner_text()
    assert (
        await page.evaluate(
            "document.querySelector('#transcript li.draft-placeholder').previousElementSibling.dataset.segmentId"
        )
        == "s2"
    )
    assert (await page.evaluate("window.__sent"))[0]["type"] == "request_draft"
    # the question and its draft arrive: the placeholder becomes the draft's first point
    await inject(
        page,
        question("q7", "So, how would you shard a database?", segment_id="s2"),
        suggestion("q7", "concise", "Pick a shard key that spreads load evenly. Then route by it."),
    )
    text = await placeholder.inner_text()
    assert "Drafting" not in text and "Pick a shard key that spreads load evenly." in text
    assert await page.get_attribute(".current-slot .question.current", "data-question-id") == "q7"


async def test_live_page_has_no_serious_accessibility_violations(new_page, base_url):
    page = await open_live(new_page, base_url)
    assert await axe_violations(page) == []
    await three_questions(page)
    await page.locator("#earlier-questions .qtoggle").first.click()
    assert await axe_violations(page) == []
    await page.keyboard.press("t")
    assert await axe_violations(page) == []
