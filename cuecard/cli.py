"""``cuecard`` command line: serve, replay, eval, bench."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from loguru import logger


def _quiet_logs(level: str = "WARNING"):
    logger.remove()
    logger.add(sys.stderr, level=level)


def cmd_serve(args):
    from cuecard.api.app import serve
    from cuecard.settings import Settings
    from cuecard.store.crypto import MasterKeyError

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    _quiet_logs("INFO")
    try:
        serve(Settings(**overrides))
    except MasterKeyError as e:  # key loss is explicit: a clear message, not a traceback or garbage
        print(f"cuecard: cannot start: {e}", file=sys.stderr)
        return 2


def cmd_replay(args):
    from cuecard.pipeline.replay import replay_tracks, tracks_from
    from cuecard.pipeline.services import Services
    from cuecard.settings import Settings
    from cuecard.transports.replay import AudioFormatError, load_audio

    _quiet_logs()
    try:
        candidate = load_audio(args.audio)
        interviewer = load_audio(args.interviewer) if args.interviewer else None
    except AudioFormatError as e:
        print(f"cuecard replay: {e}", file=sys.stderr)
        return 2

    async def main():
        settings = Settings()
        services = await Services.create(settings)
        await asyncio.to_thread(services.engine.warm_up)

        async def emit(event):
            if event["type"] == "transcript" and not event.get("final") and not args.interim:
                return
            print(json.dumps(event), flush=True)

        try:
            await replay_tracks(services, tracks_from(candidate, interviewer), realtime=args.realtime, on_event=emit)
        finally:
            await services.close()

    asyncio.run(main())
    return 0


def cmd_eval(args):
    _quiet_logs()
    if args.what == "asr":
        from cuecard.eval.asr import main as run
    elif args.what == "questions":
        from cuecard.eval.questions import main as run
    elif args.what == "diarization":
        from cuecard.eval.diarization import main as run
    elif args.what == "terms":
        from cuecard.eval.terms import main as run
    elif args.what == "answers":
        from cuecard.eval.answers import main as run
    elif args.what == "practice":
        from cuecard.eval.practice import main as run
    else:
        raise SystemExit(f"unknown evaluation {args.what}")
    return run(args)


def cmd_bench(args):
    _quiet_logs()
    from importlib import import_module

    module = import_module(f"cuecard.bench.{args.what.replace('-', '_')}")
    return module.main(args)


def cmd_draft(args):
    from cuecard.drafting.command import main as run

    _quiet_logs()
    return run(args.args)


def cmd_practice(args):
    from cuecard.practice.command import main as run

    _quiet_logs()
    return run(args)


def _add_practice_parser(sub) -> None:
    practice = sub.add_parser("practice", help="practice mode: score a spoken answer offline")
    practice_sub = practice.add_subparsers(dest="practice_command", required=True)
    score = practice_sub.add_parser("score", help="transcribe ANSWER_AUDIO and print its scorecard")
    score.add_argument("answer_audio", help="the spoken answer (any format soundfile reads)")
    score.add_argument("--question", required=True, help="the question that was answered")
    score.add_argument("--type", default="", help="technical | behavioral | cultural | situational (default: guessed)")
    score.add_argument("--job", help="job description (text or JSON): cultural answers are checked against it")
    score.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    score.add_argument("--no-model-answer", action="store_true", help="skip the drafting engine's model answer")
    score.set_defaults(func=cmd_practice)


def cmd_bot(args):
    from cuecard.transports.meeting_bot.cli import run_bot

    _quiet_logs()
    return run_bot(args)


def cmd_bot_worker(args):
    """``cuecard bot-worker``: run queued meeting bots (``bot_queue=redis``, cuecard/scaleout)."""
    from cuecard.scaleout.bot_worker import run_worker
    from cuecard.settings import Settings

    _quiet_logs("INFO")
    return run_worker(Settings(), args.name)


def cmd_audit(args):
    """``cuecard audit verify``: walk the audit log's hash chain (``cuecard/store/audit.py``)."""
    from cuecard.pipeline.services import make_store
    from cuecard.settings import Settings

    _quiet_logs()

    async def main() -> int:
        store = make_store(Settings())
        await store.open()
        try:
            report = await store.accounts.log.verify()
        finally:
            await store.close()
        if not report.ok:
            print(
                f"audit chain BROKEN at entry seq {report.broken_seq} (id {report.broken_id}): {report.problem}; "
                f"{report.entries} entries before it verified"
            )
            return 1
        print(f"audit chain ok: {report.entries} entries")
        unchained = f"; {report.unchained} older entries are unchained" if report.unchained else ""
        print(f"head hash {report.head}{unchained}")
        return 0

    return asyncio.run(main())


def cmd_retention(args):
    """``cuecard retention purge``: delete expired sessions now (the server does it on a timer)."""
    from cuecard.pipeline.services import make_store
    from cuecard.retention import RetentionPurge
    from cuecard.settings import Settings

    _quiet_logs()

    async def main() -> int:
        settings = Settings()
        store = make_store(settings)
        await store.open()
        try:
            report = await RetentionPurge(store, settings.retention_days).run_once()
        finally:
            await store.close()
        print(f"retention: deleted {len(report.deleted)} expired sessions, kept {report.kept}")
        return 0

    return asyncio.run(main())


def cmd_keys(args):
    """``cuecard keys rotate``: re-wrap every data key under a new master key;
    ``cuecard keys encrypt-existing``: encrypt what an older version stored in clear
    (``store/keys_rotation.py``)."""
    from cuecard.settings import Settings
    from cuecard.store.keys_rotation import encrypt_existing, rotate

    _quiet_logs()
    if args.keys_command == "encrypt-existing":
        return asyncio.run(encrypt_existing(Settings()))
    return asyncio.run(rotate(Settings(), args.new_master_key_file))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cuecard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server (page, API, WebRTC)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    replay = sub.add_parser("replay", help="run the pipeline on audio files, print JSON events")
    replay.add_argument("audio", help="candidate track (any format soundfile reads)")
    replay.add_argument("--interviewer", help="interviewer track")
    replay.add_argument("--realtime", action="store_true", help="pace input at real time")
    replay.add_argument("--interim", action="store_true", help="also print interim transcripts")
    replay.set_defaults(func=cmd_replay)

    ev = sub.add_parser("eval", help="evaluations on labelled data")
    ev.add_argument("what", choices=["asr", "questions", "diarization", "terms", "answers", "practice"])
    ev.add_argument("manifest")
    ev.add_argument("--non-questions", help="(questions) ASR manifest whose transcripts are statements")
    ev.add_argument("--limit", type=int, help="only the first N rows")
    ev.add_argument("--realtime", action="store_true", help="(asr) pace at real time, measure latency")
    ev.add_argument("--no-bias", action="store_true", help="(terms) recognise without the session vocabulary")
    ev.add_argument("--profile", help="(answers) resume file (md, txt, pdf, docx, JSON Resume)")
    ev.add_argument("--stories", help="(answers) stories file (JSON, YAML or Markdown)")
    ev.add_argument("--job", help="(answers) job description (text or JSON)")
    ev.add_argument("--show", type=int, default=0, help="(answers) print the first N drafts in full")
    ev.add_argument("--label", help="(answers) only rows with this label, e.g. technical")
    ev.add_argument("--cache", help="(practice) directory keeping each answer's recognised words")
    ev.add_argument("--text", action="store_true", help="(practice) score answer_text as typed, no ASR")
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help="benchmarks")
    bench.add_argument("what", help="latency | make-scenario | transcript-latency | api-load | whisper-baseline")
    bench.add_argument("args", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)

    draft = sub.add_parser(
        "draft", help="draft answers to questions offline (see cuecard draft --help)", add_help=False
    )
    draft.add_argument("args", nargs=argparse.REMAINDER)
    draft.set_defaults(func=cmd_draft)

    _add_practice_parser(sub)

    bot = sub.add_parser("bot", help="meeting bot: join a Zoom / Meet / Teams meeting, print JSON events")
    bot_sub = bot.add_subparsers(dest="bot_command", required=True)
    join = bot_sub.add_parser("join", help="join MEETING_URL until it ends, the bot is removed, or Ctrl-C")
    join.add_argument("meeting_url")
    join.add_argument("--name", help="display name (default: settings.bot_name_template)")
    join.add_argument("--session", help="session id to write into (default: a new session)")
    join.add_argument("--candidate-name", help="the candidate's name in the meeting (role candidate)")
    join.add_argument("--interim", action="store_true", help="also print interim transcripts")
    join.set_defaults(func=cmd_bot)

    worker = sub.add_parser("bot-worker", help="run queued meeting bots from Redis (CUECARD_BOT_QUEUE=redis)")
    worker.add_argument("--name", help="worker name in heartbeats (default: settings.bot_worker_name or host-pid)")
    worker.set_defaults(func=cmd_bot_worker)

    audit = sub.add_parser("audit", help="the tamper-evident audit log")
    audit.add_argument("what", choices=["verify"], help="verify: check every entry's hash and link")
    audit.set_defaults(func=cmd_audit)

    retention = sub.add_parser("retention", help="delete sessions past their retention")
    retention.add_argument("what", choices=["purge"])
    retention.set_defaults(func=cmd_retention)

    keys = sub.add_parser("keys", help="encryption keys (see SECURITY.md)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser("rotate", help="re-wrap every data key under a new master key, server running")
    rotate.add_argument(
        "--new-master-key-file",
        help="file with the new 32-byte key (base64 or hex); default: $CUECARD_NEW_MASTER_KEY",
    )
    rotate.set_defaults(func=cmd_keys)
    existing = keys_sub.add_parser("encrypt-existing", help="encrypt documents an older version stored in clear")
    existing.set_defaults(func=cmd_keys)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["draft"]:  # its own parser: options may come before the questions
        raise SystemExit(cmd_draft(argparse.Namespace(args=argv[1:])) or 0)
    args = build_parser().parse_args(argv)
    result = args.func(args)
    raise SystemExit(result or 0)


if __name__ == "__main__":
    main()
