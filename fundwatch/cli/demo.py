"""`fundwatch demo`: run everything offline on recorded payloads and say where to look."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fundwatch.cli import app


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole pipeline offline on recorded real payloads",
        description="Serve the recorded payloads from a loopback server, point the shipped "
        "sources at it and run the real pipeline; everything is written under "
        "--dir (var/demo by default, emptied first). No network, no set-up.",
        epilog="example: fundwatch demo --dir /tmp/fundwatch-demo --now 2026-11-25T08:00:00Z",
    )
    p.add_argument("--dir", type=Path, default=Path("var/demo"), help="output folder")
    p.add_argument(
        "--recordings",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of recorded payloads (default: tests/fixtures of the checkout)",
    )
    p.add_argument(
        "--now", metavar="ISO8601", help="pretend it is this instant (ISO 8601; default: now)"
    )
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from fundwatch.cli.progress import ConsoleProgress
    from fundwatch.demo import DEFAULT_RECORDINGS, demo_secret, run_demo

    cfg = app.config(args)
    now = app.parse_when(args.now) if args.now else app.now()
    report = run_demo(
        cfg,
        args.dir,
        now,
        recordings=args.recordings or DEFAULT_RECORDINGS,
        progress=ConsoleProgress(),
    )
    print()
    print(
        f"fundwatch demo — {now:%Y-%m-%d %H:%M} UTC, {len(report.outcomes)} sources, "
        f"{len(report.requests_served)} requests answered from recordings, "
        f"{len(report.requests_missed)} without a recording"
    )
    for o in report.outcomes:
        r, s = o.result, o.summary
        state = {"ok": "ok", "incomplete": "partial", "error": "FAILED"}[r.status]
        extra = f" — {r.error_kind}: {r.error}" if r.status == "error" else ""
        print(f"  {state:>7}  {r.source_id:<24} {s.seen:>4} calls, {s.new:>4} new{extra}")
    if report.skipped:
        print(f"  not in the demo (no recording yet): {', '.join(report.skipped)}")
    print(f"stored: {report.stored_calls} calls, {report.open_calls} not closed by their dates")
    pub = report.published
    for outcome in pub.profiles:
        print(f"  digest {outcome.profile_id:<28} {outcome.note}, {outcome.queued} queued")
    delivered = pub.delivery.sent if pub.delivery else []
    print(f"e-mail: {len(delivered)} digests written as .eml files to {report.settings.outbox_dir}")
    if pub.previews:
        print(f"HTML digests: {pub.previews[0].parent} ({len(pub.previews)} files)")
    print(f"feeds and calendars: {len(pub.feed_files)} files in {report.settings.feed_dir}")
    print(f"database: {report.database_url}")
    run = f"FUNDWATCH_DATABASE_URL={report.database_url} {_this_command()}"
    print("look next:")
    print(f"  {run} calls --open")
    print(f"  {run} sources")
    print(f"  {run} explain comune-torino CALL     (CALL: an id from the calls list)")
    print(f"  open {pub.previews[0] if pub.previews else report.workdir} in a browser")
    print(
        f"  FUNDWATCH_SECRET={demo_secret()} {run} serve"
        f"     (feeds, calendars and the digests' links at {cfg.settings.public_base_url})"
    )
    return 0 if any(o.result.status != "error" for o in report.outcomes) else 1


def _this_command() -> str:
    """How to run this same fundwatch from the user's shell: after `make demo` the command
    lives in the project's .venv and is not on PATH, so name the script that is running."""
    script = Path(sys.argv[0])
    if script.name != "fundwatch" or not script.is_file():
        return "fundwatch"
    try:
        return str(script.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(script)
