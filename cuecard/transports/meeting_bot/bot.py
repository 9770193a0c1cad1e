"""The meeting bot: one headless Chromium that joins a meeting as a named guest and feeds the
meeting's audio into a live Cuecard session.

Lifecycle (each state is a ``status`` event of the session, ``state = "bot_<state>"``, with
``bot_id``, ``bot_state``, ``reason``, ``platform``)::

    launching → joining → waiting_for_admission → in_call → ended
                   └──────────────┴──────────────────┴──────→ ended

``ended`` carries a reason: ``meeting_ended``, ``left_by_request``, ``asked_to_leave`` (someone
in the meeting asked it to leave in the chat), or a failure — ``denied``,
``timed_out_waiting``, ``meeting_not_found``, ``page_changed`` (the page showed no screen the
adapter knows within the join timeout: most likely the platform changed its page),
``removed``, ``browser_error`` (Chromium could not start or crashed).

Decisions:
- Status goes through the session's pipeline as a ``StatusFrame`` (not straight to the bus), so
  it is numbered, persisted and ordered with the transcript like every other event.
- Consent: the display name says it is a notetaker (a custom name without that word gets
  " (Cuecard notetaker)" added), and a notice is posted in the chat as soon as the bot is in
  the call, saying how to make it leave. Anyone in the meeting may then write "notetaker leave"
  (or "cuecard, please leave", "bot stop recording"…: ``LEAVE_REQUEST``) in the chat and the bot
  leaves at once: the people being transcribed can withdraw without asking the candidate.
  Being removed by the host ends it too (``removed``). If the chat cannot be used, the bot stays (the name still says
  what it is) and publishes a ``bot_consent_notice_failed`` status so the candidate can say it
  aloud — leaving would punish the candidate for a page change.
- Leaving is cooperative: ``request_leave()`` sets a flag every wait checks, the bot clicks the
  platform's leave button, then closes the browser. Cancelling ``run()`` also releases the
  browser (see ``browser.py``).
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from loguru import logger
from pipecat.frames.frames import UserAudioRawFrame

from cuecard.frames import SAMPLE_RATE, StatusFrame
from cuecard.kinds import SessionState
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.services import Services
from cuecard.pipeline.session import SessionRunner
from cuecard.transports.meeting_bot.browser import BotBrowser
from cuecard.transports.meeting_bot.platforms import Platform, canonical_meeting_url, platform_for_url
from cuecard.transports.meeting_bot.speakers import SpeakerRouter

LAUNCHING = "launching"
JOINING = "joining"
WAITING = "waiting_for_admission"
IN_CALL = "in_call"
ENDED = "ended"
STATES = (LAUNCHING, JOINING, WAITING, IN_CALL, ENDED)

# End reasons; the first three are not failures.
MEETING_ENDED = "meeting_ended"
LEFT_BY_REQUEST = "left_by_request"
ASKED_TO_LEAVE = "asked_to_leave"  # someone in the meeting asked in the chat
FAILURES = ("denied", "timed_out_waiting", "meeting_not_found", "page_changed", "removed", "browser_error")

EventListener = Callable[[dict], Awaitable[None]]

_BOT_WORDS = r"(?:cuecard|notetaker|note[- ]taker|bot|assistant)"
_LEAVE_WORDS = r"(?:leave|go away|get out|stop recording|stop transcribing|stop taking notes)"
LEAVE_REQUEST = re.compile(
    rf"\b{_BOT_WORDS}\b.{{0,40}}\b{_LEAVE_WORDS}\b|\b{_LEAVE_WORDS}\b.{{0,40}}\b{_BOT_WORDS}\b",
    re.IGNORECASE | re.DOTALL,
)
NOTETAKER = "notetaker"
CHAT_READ_SECS = 1.0


def asks_to_leave(text: str) -> bool:
    """A chat message asking the bot to leave ("notetaker leave", "Cuecard, please leave")."""
    return bool(LEAVE_REQUEST.search(text or ""))


class BotEnded(Exception):
    """Internal: the meeting is over for the bot, with ``reason``."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.message = message


def fill(template: str, **values: str) -> str:
    """``str.format`` that leaves unknown ``{placeholders}`` alone (user-supplied templates)."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


class MeetingBot:
    def __init__(
        self,
        services: Services,
        meeting_url: str,
        *,
        name: str | None = None,
        candidate_name: str | None = None,
        session_id: str | None = None,
        bot_id: str | None = None,
        extra_browser_args: list[str] | None = None,
        poll_secs: float = 0.25,
        user_id: str = "local",
    ):
        s = services.settings
        self.services = services
        # UnsupportedMeeting for URLs no adapter handles; Chromium only ever sees the URL as
        # re-serialized by the WHATWG parser (platforms.canonical_meeting_url)
        _, self.meeting_url = canonical_meeting_url(meeting_url, allow_loopback=s.bot_allow_loopback_meetings)
        self.platform: Platform = platform_for_url(self.meeting_url, allow_loopback=s.bot_allow_loopback_meetings)
        self.id = bot_id or uuid.uuid4().hex[:12]
        self.candidate_name = (candidate_name or s.bot_candidate_name).strip()
        self.name = (name or fill(s.bot_name_template, candidate=self.candidate_name)).strip()
        if NOTETAKER not in self.name.lower():  # whatever it is called, it says what it does
            self.name = f"{self.name} (Cuecard {NOTETAKER})"
        self.consent_message = fill(s.bot_consent_message, candidate=self.candidate_name, name=self.name)
        self.session_id = session_id or uuid.uuid4().hex
        self.extra_browser_args = list(extra_browser_args or [])
        self.poll_secs = poll_secs
        self.user_id = user_id
        self.state = LAUNCHING
        self.reason: str | None = None
        self.message = ""
        self.timestamps: dict[str, float] = {}
        self.created_at = time.time()
        self.consent_posted = False
        self.asked_by: str | None = None  # who asked it to leave in the chat
        self._chat_seen = 0  # chat messages already read
        self._chat_read_at = 0.0  # monotonic time of the last chat read
        self.router = SpeakerRouter(
            self.candidate_name, self.name, self.platform.audio_mode, marker_lag_secs=s.bot_speaker_marker_lag_secs
        )
        self.runner: SessionRunner | None = None
        self.browser: BotBrowser | None = None
        self.audio_chunks = 0
        self._leave = asyncio.Event()
        self._listeners: list[EventListener] = []

    # -- public ------------------------------------------------------------------------------

    def add_listener(self, listener: EventListener):
        """Called with every event of the bot's session (transcripts and bot states)."""
        self._listeners.append(listener)

    def request_leave(self):
        self._leave.set()

    @property
    def done(self) -> bool:
        return self.state == ENDED

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "reason": self.reason,
            "failed": self.reason in FAILURES,
            "message": self.message,
            "session_id": self.session_id,
            "meeting_url": self.meeting_url,
            "platform": self.platform.name,
            "name": self.name,
            "candidate_name": self.candidate_name,
            "consent_posted": self.consent_posted,
            "participants": self.router.people(),
            "tracks": self.router.track_ids(),
            "created_at": round(self.created_at, 3),
            "timestamps": {k: round(v, 3) for k, v in self.timestamps.items()},
        }

    async def run(self) -> dict:
        """Join, listen until the meeting is over for the bot, release everything."""
        await self._start_session()
        try:
            await self._publish_state(LAUNCHING)
            self.browser = BotBrowser(
                self.services.settings.bot_chromium_path,
                extra_args=self.extra_browser_args,
                allow_no_sandbox=self.services.settings.bot_chromium_no_sandbox,
            )
            try:
                await self.browser.launch()
                await self.browser.install_capture(self._on_audio, self._on_track, self.platform.audio_mode)
            except Exception as e:
                raise BotEnded("browser_error", f"Chromium could not start: {e}") from e
            await self._join(self.browser.page)
            await self._in_call(self.browser.page)
        except BotEnded as end:
            self.reason, self.message = end.reason, end.message
        except asyncio.CancelledError:
            self.reason = self.reason or LEFT_BY_REQUEST
            await asyncio.shield(self._finish())
            raise
        except Exception as e:  # a crashed page or driver: report it, still release everything
            logger.exception(f"Meeting bot {self.id} failed: {e}")
            self.reason, self.message = "browser_error", "the meeting browser failed (details in the server log)"
        await asyncio.shield(self._finish())
        return self.snapshot()

    # -- session -----------------------------------------------------------------------------

    async def _start_session(self):
        sessions = self.services.store.sessions
        try:
            await sessions.get(self.session_id)
        except Exception:
            await sessions.create(
                id=self.session_id,
                user_id=self.user_id,
                title="Meeting bot",
                source="bot",
                meeting_url=self.meeting_url,
            )
        context = SessionContext(session_id=self.session_id, user_id=self.user_id)
        self.runner = SessionRunner(self.services, self.session_id, live=True, persist=True, context=context)
        self.runner.add_listener(self._emit)
        self.runner.start()

    async def _emit(self, event: dict):
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception as e:  # one broken listener must not stop the bot
                logger.exception(f"Bot listener failed: {e}")

    async def _publish_state(self, state: str, message: str = ""):
        self.state = state
        self.timestamps[state] = time.time()
        logger.info(f"Meeting bot {self.id}: {state} {self.reason or ''} {message}")
        await self._save()
        await self._status(f"bot_{state}", message)

    async def _save(self):
        """The snapshot in the store at every state change, so a finished bot stays readable
        after a restart and from every server process; a store failure never stops the bot."""
        try:
            await self.services.store.bots.save(self.user_id, self.snapshot())
        except Exception as e:
            logger.warning(f"Meeting bot {self.id}: state not saved: {e}")

    async def _status(self, state: str, message: str = "", **extra):
        if self.runner is None:
            return
        await self.runner.queue_frame(
            StatusFrame(
                state=state,
                message=message,
                extra={
                    "bot_id": self.id,
                    "bot_state": self.state,
                    "reason": self.reason,
                    "platform": self.platform.name,
                    **extra,
                },
            )
        )

    async def _finish(self):
        if self.browser is not None:
            await self.browser.close()
        if self.state != ENDED:
            self.reason = self.reason or LEFT_BY_REQUEST
            await self._publish_state(ENDED, self.message)
        if self.runner is not None:
            await self.runner.end()
            try:
                await self.services.store.sessions.update(self.session_id, state=SessionState.COMPLETED)
            except Exception as e:
                logger.warning(f"Could not close session {self.session_id}: {e}")

    # -- audio -------------------------------------------------------------------------------

    async def _on_track(self, source, info: dict):
        self.router.on_track(info)

    async def _on_audio(self, source, key: str, data: str):
        if self.state != IN_CALL or self.runner is None:
            return
        pcm = base64.b64decode(data)
        self.audio_chunks += 1
        for track_id, chunk in self.router.route(key, pcm):
            await self.runner.queue_frame(
                UserAudioRawFrame(audio=chunk, sample_rate=SAMPLE_RATE, num_channels=1, user_id=track_id)
            )

    # -- steps -------------------------------------------------------------------------------

    def _check_leave(self):
        if self._leave.is_set():
            raise BotEnded(LEFT_BY_REQUEST)

    async def _pause(self):
        try:
            await asyncio.wait_for(self._leave.wait(), self.poll_secs)
        except TimeoutError:
            pass
        self._check_leave()

    async def _join(self, page):
        settings = self.services.settings
        await self._publish_state(JOINING)
        try:
            await self.platform.open(page, self.meeting_url, settings.bot_join_timeout_secs)
        except Exception as e:
            # The reason alone: a network error text (refused, timed out, DNS) would tell the
            # caller what the server can reach. The detail goes to the server log.
            logger.warning(f"Meeting bot {self.id}: could not open the meeting page: {e}")
            raise BotEnded("meeting_not_found", "the meeting page could not be opened") from e
        await self._until(page, {"prejoin", "lobby", "in_call"}, settings.bot_join_timeout_secs, "no pre-join screen")
        if await self.platform.screen(page) == "prejoin":
            await self.platform.fill_prejoin(page, self.name)
        screen = await self._until(
            page, {"lobby", "in_call"}, settings.bot_join_timeout_secs, "no lobby or call after joining"
        )
        if screen == "lobby":
            await self._publish_state(WAITING)
            await self._until(
                page, {"in_call"}, settings.bot_admission_timeout_secs, "", timeout_reason="timed_out_waiting"
            )

    async def _until(
        self, page, wanted: set[str], timeout_secs: float, what: str, timeout_reason: str = "page_changed"
    ) -> str:
        """Poll the screen until one of ``wanted``; final screens end the bot with their reason."""
        deadline = time.monotonic() + timeout_secs
        while True:
            self._check_leave()
            screen = await self.platform.screen(page)
            if screen in wanted:
                return screen
            self._end_on_final(screen)
            if time.monotonic() > deadline:
                raise BotEnded(timeout_reason, what)
            await self._pause()

    @staticmethod
    def _end_on_final(screen: str | None):
        if screen == "not_found":
            raise BotEnded("meeting_not_found")
        if screen == "denied":
            raise BotEnded("denied")
        if screen == "removed":
            raise BotEnded("removed")
        if screen == "ended":
            raise BotEnded(MEETING_ENDED)

    async def _in_call(self, page):
        await self._publish_state(IN_CALL)
        await self._refresh_participants(page)
        await self._post_consent(page)
        unknown_since: float | None = None
        while True:
            if self._leave.is_set():
                await self._leave_meeting(page)
                raise BotEnded(LEFT_BY_REQUEST)
            screen = await self.platform.screen(page)
            self._end_on_final(screen)
            if screen == "in_call":
                unknown_since = None
                await self._refresh_participants(page)
                await self._leave_if_asked(page)
            elif unknown_since is None:
                unknown_since = time.monotonic()
            elif time.monotonic() - unknown_since > self.services.settings.bot_join_timeout_secs:
                raise BotEnded("page_changed", "the call view disappeared")
            try:
                await asyncio.wait_for(self._leave.wait(), self.poll_secs)
            except TimeoutError:
                pass

    async def _refresh_participants(self, page):
        try:
            self.router.update_participants(await self.platform.participants(page))
        except Exception as e:  # a re-rendering list is read again on the next poll
            logger.debug(f"Participant list not readable: {e}")

    async def _post_consent(self, page):
        try:
            self.consent_posted = await self.platform.post_chat(page, self.consent_message)
        except Exception as e:
            logger.warning(f"Could not post the consent notice: {e}")
            self.consent_posted = False
        if self.consent_posted:
            await self._status("bot_consent_notice_posted", self.consent_message)
        else:
            await self._status(
                "bot_consent_notice_failed",
                "The meeting chat could not be used: tell the others that your notetaker transcribes.",
            )

    async def _leave_if_asked(self, page):
        """Read the chat messages that arrived since the last poll; one asking the bot to leave
        (not the bot's own notice) makes it say so and leave. Read about once a second: a
        person takes longer than that to notice it left."""
        if time.monotonic() - self._chat_read_at < CHAT_READ_SECS:
            return
        self._chat_read_at = time.monotonic()
        try:
            messages = await self.platform.chat_messages(page)
        except Exception as e:  # an unreadable chat is read again on the next poll
            logger.debug(f"Chat not readable: {e}")
            return
        fresh, self._chat_seen = messages[self._chat_seen :], max(self._chat_seen, len(messages))
        for message in fresh:
            if message.author == self.name or message.text.strip() == self.consent_message.strip():
                continue
            if asks_to_leave(message.text):
                self.asked_by = message.author or "someone in the meeting"
                await self._status("bot_asked_to_leave", f"{self.asked_by} asked the notetaker to leave")
                try:
                    await asyncio.wait_for(self.platform.post_chat(page, "Leaving now, as asked."), 5)
                except Exception as e:
                    logger.debug(f"Goodbye not posted: {e}")
                await self._leave_meeting(page)
                raise BotEnded(ASKED_TO_LEAVE, f"{self.asked_by} asked the notetaker to leave in the chat")

    async def _leave_meeting(self, page):
        try:
            await asyncio.wait_for(self.platform.leave(page), 5)
        except Exception as e:  # closing the browser drops the bot from the meeting anyway
            logger.warning(f"Leave button failed: {e}")
