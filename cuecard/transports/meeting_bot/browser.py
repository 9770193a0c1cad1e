"""A headless Chromium for one bot: Debian's ``/usr/bin/chromium`` driven by ``playwright``.

Why not Playwright's own browser: its download does not work on these machines, and a
distribution Chromium gets security updates with the OS. Why one browser per bot (not one
page per bot in a shared browser): a crashed or hung meeting page then takes down only its own
bot, and the processes to reap on exit are exactly this browser's.

Resources are released on every path (normal end, error, task cancellation): ``close()``
closes the browser and stops the Playwright driver, then kills any process of the browser's
tree that is still alive (found through ``/proc``, snapshotted before closing), so no Chromium
survives its bot.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Playwright

CAPTURE_JS = Path(__file__).with_name("capture.js")
ACTION_TIMEOUT_MS = 5000

# Keep a headless bot quiet and light (no sync, no component downloads, no GPU) and let audio
# play without a user gesture. No --no-sandbox: see ``sandboxed_launch``.
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",  # the bot listens through Web Audio; nothing must come out of the speakers
    "--autoplay-policy=no-user-gesture-required",
    # A hidden headless tab must keep its audio graph and timers running at full speed.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


UNPRIVILEGED_USER = "nobody"


def sandboxed_launch(chromium_path: str, profile_dir: str, *, allow_no_sandbox: bool = False) -> tuple[str, list[str]]:
    """(executable to launch, extra flags): Chromium with its sandbox on and never as root.

    Decision (issue 14): a meeting page is hostile input, so its renderer must be sandboxed.
    Chromium refuses to sandbox itself as root ("Running as root without --no-sandbox is not
    supported"), which is why the bot used to pass ``--no-sandbox``. Now, when the server runs
    as root (as in these containers), Chromium is started through a small wrapper that drops
    to ``nobody`` with ``setpriv`` (uid, gid and supplementary groups) before exec; Chromium's
    namespace sandbox then works as for any user (verified here: unprivileged user namespaces
    are available). The profile directory is handed to that user. As a non-root user Chromium
    is started directly, sandboxed. ``--no-sandbox`` is only added with
    ``allow_no_sandbox`` (``CUECARD_BOT_CHROMIUM_NO_SANDBOX=true``), for hosts whose kernel or
    container forbids user namespaces; production should instead run the server as a
    dedicated non-root user on a host that allows them (or install the setuid
    ``chrome-sandbox`` helper).
    """
    if allow_no_sandbox:
        return chromium_path, ["--no-sandbox"]
    if os.geteuid() != 0:
        return chromium_path, []
    import pwd

    user = pwd.getpwnam(UNPRIVILEGED_USER)
    os.chown(profile_dir, user.pw_uid, user.pw_gid)
    wrapper = Path(profile_dir).parent / f"{Path(profile_dir).name}-launch.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec setpriv --reuid={user.pw_uid} --regid={user.pw_gid} --clear-groups -- "
        f'env HOME={shlex.quote(profile_dir)} {shlex.quote(chromium_path)} "$@"\n'
    )
    wrapper.chmod(0o700)
    return str(wrapper), []


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # "pid (comm) state ppid ..." — comm may contain spaces or parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    """All live descendants of ``pid`` (Linux ``/proc``; empty elsewhere)."""
    if not os.path.isdir("/proc"):
        return []
    tree = _children_map()
    found, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode(errors="replace").rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


class BotBrowser:
    """One Chromium with one page for one meeting. Use ``async with``, or ``launch``/``close``."""

    def __init__(
        self,
        chromium_path: str = "/usr/bin/chromium",
        *,
        extra_args: list[str] | None = None,
        headless: bool = True,
        allow_no_sandbox: bool = False,
    ):
        self.chromium_path = chromium_path
        self.allow_no_sandbox = allow_no_sandbox
        self.extra_args = list(extra_args or [])
        self.headless = headless
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self._profile_dir: str | None = None
        # Any: _find_driver_pid reaches into its private attributes (an AttributeError is handled)
        self._manager: Any = None
        self._driver_pid: int | None = None

    def _find_driver_pid(self, children_before: set[int]) -> int | None:
        """The Node driver this bot's Playwright started; every Chromium process of the bot
        descends from it (several bots in one server each have their own driver)."""
        try:
            return self._manager._client._transport._proc.pid  # playwright internals, checked
        except AttributeError:
            new = set(_children_map().get(os.getpid(), [])) - children_before
            return new.pop() if len(new) == 1 else None

    async def launch(self):
        from playwright.async_api import async_playwright

        if not await asyncio.to_thread(Path(self.chromium_path).exists):
            raise FileNotFoundError(f"Chromium not found at {self.chromium_path} (CUECARD_BOT_CHROMIUM_PATH)")
        try:
            self._profile_dir = tempfile.mkdtemp(prefix="cuecard-bot-")
            before = set(_children_map().get(os.getpid(), []))
            self._manager = async_playwright()
            self._playwright = await self._manager.start()
            self._driver_pid = self._find_driver_pid(before)
            executable, sandbox_args = await asyncio.to_thread(
                sandboxed_launch, self.chromium_path, self._profile_dir, allow_no_sandbox=self.allow_no_sandbox
            )
            # A fresh profile per bot: no cookies or signed-in accounts leak between meetings.
            self.context = await self._playwright.chromium.launch_persistent_context(
                self._profile_dir,
                executable_path=executable,
                # Playwright adds --no-sandbox unless told otherwise
                chromium_sandbox=not self.allow_no_sandbox,
                headless=self.headless,
                args=CHROMIUM_FLAGS + sandbox_args + self.extra_args,
                # No camera and no microphone: permission requests are refused, and no fake
                # devices are configured, so the bot cannot send media even if a button is missed.
                permissions=[],
                viewport={"width": 1280, "height": 800},
            )
            self._browser = self.context.browser
            # A click or fill on a meeting page that just switched screens (removed, ended) must
            # fail fast so the state machine sees the new screen; Playwright's default is 30 s.
            self.context.set_default_timeout(ACTION_TIMEOUT_MS)
            self.page = self.context.pages[0] if self.context.pages else await self.context.new_page()
        except BaseException:
            await self.close()
            raise
        return self

    async def install_capture(self, on_audio, on_track, mode: str):
        """Expose the audio bindings and inject ``capture.js`` before any page script."""
        context = self.context
        if context is None:
            raise RuntimeError("launch() the browser before installing the capture")
        await context.expose_binding("__cuecardAudio", on_audio)
        await context.expose_binding("__cuecardTrack", on_track)
        await context.add_init_script(script=f"window.__cuecardCaptureConfig = {{mode: {mode!r}}};")
        await context.add_init_script(path=str(CAPTURE_JS))

    def process_ids(self) -> list[int]:
        """The Playwright driver and every browser process it started (for metrics and reaping)."""
        if self._driver_pid is None or not _alive(self._driver_pid):
            return []
        return [self._driver_pid, *descendants(self._driver_pid)]

    async def close(self):
        """Release everything; safe to call twice, and from a cancelled task."""
        # Shield: a cancellation arriving while closing must not leave a half-closed browser.
        await asyncio.shield(self._close())

    async def _close(self):
        tree = self.process_ids()
        if self.context is not None:
            try:
                await asyncio.wait_for(self.context.close(), 10)
            except Exception as e:
                logger.warning(f"Closing the bot's browser failed: {e!r}; killing it")
            self.context = None
            self.page = None
        if self._playwright is not None:
            try:
                await asyncio.wait_for(self._playwright.stop(), 10)
            except Exception as e:
                logger.warning(f"Stopping the Playwright driver failed: {e!r}")
            self._playwright = None
            self._manager = None
        await self._reap(tree)
        self._driver_pid = None
        if self._profile_dir:
            shutil.rmtree(self._profile_dir, ignore_errors=True)
            await asyncio.to_thread(Path(f"{self._profile_dir}-launch.sh").unlink, missing_ok=True)
            self._profile_dir = None

    @staticmethod
    async def _reap(pids: list[int]):
        """Kill what survived a clean close (a hung renderer, an orphaned zygote)."""
        for _ in range(20):
            alive = [p for p in pids if _alive(p)]
            if not alive:
                return
            await asyncio.sleep(0.1)
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for _ in range(20):
            if not any(_alive(p) for p in alive):
                return
            await asyncio.sleep(0.05)

    async def __aenter__(self):
        return await self.launch()

    async def __aexit__(self, *exc):
        await self.close()
