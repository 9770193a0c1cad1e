"""``cuecard bot join MEETING_URL``: one bot, a local session, events as JSON lines on stdout.

Ctrl-C asks the bot to leave the meeting (it clicks "Leave" and closes its browser); a second
Ctrl-C cancels at once (the browser is still released). Exit status: 0 when the meeting ended
or the bot left on request, 1 on a failure reason (denied, removed, ...), 2 for a bad URL.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys


def run_bot(args) -> int:
    from cuecard.pipeline.services import Services
    from cuecard.settings import Settings
    from cuecard.transports.meeting_bot import MeetingBot, UnsupportedMeeting

    async def main() -> int:
        services = await Services.create(Settings())
        try:
            try:
                bot = MeetingBot(
                    services,
                    args.meeting_url,
                    name=args.name,
                    candidate_name=args.candidate_name,
                    session_id=args.session,
                )
            except UnsupportedMeeting as e:
                print(f"cuecard bot join: {e}", file=sys.stderr)
                return 2
            await asyncio.to_thread(services.engine.warm_up)

            async def emit(event: dict):
                if event["type"] == "transcript" and not event.get("final") and not args.interim:
                    return
                print(json.dumps(event), flush=True)

            bot.add_listener(emit)
            task = asyncio.get_running_loop().create_task(bot.run())

            def on_sigint():
                if bot._leave.is_set():
                    task.cancel()
                else:
                    print("cuecard bot join: leaving the meeting (Ctrl-C again to stop now)", file=sys.stderr)
                    bot.request_leave()

            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGINT, on_sigint)
            loop.add_signal_handler(signal.SIGTERM, bot.request_leave)
            try:
                result = await task
            except asyncio.CancelledError:
                result = bot.snapshot()
            return 1 if result["failed"] else 0
        finally:
            await services.close()

    return asyncio.run(main())
