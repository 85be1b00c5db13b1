"""Digest commands: digest, deliver, serve, feeds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fundwatch.cli import app
from fundwatch.errors import FundwatchError

if TYPE_CHECKING:
    from fundwatch.digest.build import Digest
    from fundwatch.digest.deliver import DeliveryReport
    from fundwatch.store import Store

# The digest machinery (jinja2, icalendar, the rules engine) is imported inside each command,
# so that `fundwatch --help` and the other commands do not pay for it.


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "digest",
        help="preview or queue one profile's digest",
        description="With --preview: build the digest the profile would get now, write its "
        "HTML and print its text; nothing is queued or marked. Without: queue it "
        "in the outbox (once per period), to be sent by `fundwatch deliver`.",
        epilog="example: fundwatch digest comune-torino --preview --out torino.html",
    )
    p.add_argument("profile", help="profile id (file name in config/profiles/)")
    p.add_argument("--preview", action="store_true", help="build and show, do not queue")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where the preview HTML goes (default: <outbox_dir>/preview/)",
    )
    p.add_argument("--now", help="pretend it is this instant (ISO 8601)")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser(
        "deliver",
        help="send what waits in the outbox",
        description="Recover messages a crashed deliverer left, then send every due message: "
        "by SMTP when smtp.host is set, else as .eml files in outbox_dir. Prints "
        "the operator report (sent, retrying, failed, suppressed, in doubt).",
        epilog="example: FUNDWATCH_SMTP_PASSWORD=... fundwatch deliver",
    )
    p.add_argument(
        "--resend-in-doubt",
        action="store_true",
        help="send again the messages held in doubt (after checking they did not "
        "arrive); they keep their Message-ID",
    )
    p.add_argument("--now", help="pretend it is this instant (ISO 8601)")
    p.set_defaults(func=cmd_deliver)

    p = sub.add_parser(
        "serve",
        help="serve feeds and calendars over HTTP (loopback by default)",
        description="Answer /feeds/<profile>.atom|.rss, /feeds/all.atom, /calendar/<profile>"
        ".ics, the per-source and per-programme feeds, and the unsubscribe and "
        "not-relevant links of the digests, with ETag/Last-Modified.",
        epilog="example: fundwatch serve --port 8080",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; 0.0.0.0 exposes it)",
    )
    p.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "feeds",
        help="write every feed and calendar as files",
        description="Write the Atom, RSS and iCalendar files to the feed folder, at the same "
        "paths `fundwatch serve` answers, for a static web server.",
        epilog="example: fundwatch feeds --write --dir /srv/www/fundwatch",
    )
    p.add_argument(
        "--write",
        action="store_true",
        required=True,
        help="write the files (the only action; required)",
    )
    p.add_argument("--dir", type=Path, help="target folder (default: feed_dir of the settings)")
    p.add_argument("--now", help="pretend it is this instant (ISO 8601)")
    p.set_defaults(func=cmd_feeds)


def cmd_digest(args: argparse.Namespace) -> int:
    from fundwatch.digest.matching import default_matcher
    from fundwatch.digest.publish import links_for, preview, publish
    from fundwatch.digest.render import render

    cfg = app.config(args)
    profile = cfg.profile(args.profile)
    now = app.parse_when(args.now) if args.now else app.now()
    store = app.open_store(cfg)
    try:
        if args.preview:
            digest = preview(cfg, store, profile, now, matcher=default_matcher(cfg))
            rendered = render(digest, links_for(cfg))
            out = args.out or (
                Path(cfg.settings.outbox_dir) / "preview" / f"{profile.id}-{digest.period.key}.html"
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(rendered.html, encoding="utf-8")
            print(f"Subject: {rendered.subject}\n")
            print(rendered.text, end="")
            print(f"\nHTML: {out}", file=sys.stderr)
            note = _preview_note(store, profile.id, digest)
            if note:
                print(note, file=sys.stderr)
            return 0
        report = publish(
            cfg,
            store,
            now,
            matcher=default_matcher(cfg),
            only=[profile.id],
            send=False,
            write_feeds=False,
        )
    finally:
        store.close()
    outcome = report.profiles[0]
    print(
        f"{outcome.profile_id} {outcome.period}: {outcome.note}, {outcome.queued} messages "
        "queued; send them with `fundwatch deliver`"
    )
    return 0


def _preview_note(store: Store, profile_id: str, digest: Digest) -> str:
    """Why the previewed digest would not be sent now, or ""."""
    from fundwatch.digest.publish import CHANNEL
    from fundwatch.store import outbox

    mark = outbox.delivery_mark(store.engine, profile_id, CHANNEL)
    if mark is not None and mark.last_period == digest.period.key:
        return (
            f"note: the digest of period {digest.period.key} was already queued; this preview "
            "shows what the next period's digest holds so far"
        )
    if digest.empty and not digest.options.send_empty:
        return "note: nothing to report, and the profile skips empty digests (empty_digest: skip)"
    return ""


def cmd_deliver(args: argparse.Namespace) -> int:
    from fundwatch.cli.tables import print_table
    from fundwatch.digest.deliver import deliver, transport_for
    from fundwatch.store import outbox

    cfg = app.config(args)
    now = app.parse_when(args.now) if args.now else app.now()
    store = app.open_store(cfg)
    try:
        if args.resend_in_doubt:
            n = outbox.requeue_in_doubt(store.engine, now)
            print(f"{n} in-doubt messages queued again")
        report = deliver(store.engine, transport_for(cfg.settings), now)
        counts = outbox.counts(store.engine)
        held = outbox.messages(store.engine, [outbox.IN_DOUBT, outbox.FAILED, outbox.SUPPRESSED])
    finally:
        store.close()
    print_report(report, cfg.settings.outbox_dir)
    print("outbox: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    if held:
        print_table(
            ["message", "recipient", "status", "attempts", "why"],
            [[m.id, m.recipient, m.status, str(m.attempts), m.last_error[:80]] for m in held],
        )
    return 1 if report.channel_error else 0


def print_report(report: DeliveryReport, outbox_dir: str) -> None:
    where = f" (files in {outbox_dir})" if report.channel == "eml" else ""
    print(
        f"delivery via {report.channel}{where}: {len(report.sent)} sent, "
        f"{len(report.retrying)} to retry, {len(report.failed)} failed, "
        f"{len(report.suppressed)} suppressed, {len(report.in_doubt)} in doubt, "
        f"{len(report.recovered)} recovered after an interruption"
    )
    if report.channel_error:
        print(f"channel error: {report.channel_error}")
    for mid, why in report.failed:
        print(f"  failed      {mid}: {why}")
    for mid, why in report.in_doubt:
        print(f"  in doubt    {mid}: {why}")


def cmd_serve(args: argparse.Namespace) -> int:
    from fundwatch.digest.matching import default_matcher
    from fundwatch.digest.publish import links_for
    from fundwatch.web import FeedApp, make_server
    from fundwatch.web.server import is_loopback

    cfg = app.config(args)
    store = app.open_store(cfg)
    try:
        web = FeedApp(cfg, store, links_for(cfg), matcher=default_matcher(cfg), clock=app.now)
        try:
            server = make_server(web, args.host, args.port)
        except OSError as exc:
            raise FundwatchError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
        host, port = args.host, server.server_port
        if not is_loopback(args.host):
            print(f"warning: listening on {host}, reachable from other machines", file=sys.stderr)
        print(
            f"serving on http://{host}:{port}/ (feeds under /feeds/, calendars under "
            "/calendar/); Ctrl-C stops",
            file=sys.stderr,
        )
        try:
            server.serve_forever()
        finally:
            server.server_close()
    finally:
        store.close()
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from fundwatch.digest.collect import Collector
    from fundwatch.digest.matching import default_matcher
    from fundwatch.digest.publish import links_for, write_feed_files

    cfg = app.config(args)
    now = app.parse_when(args.now) if args.now else app.now()
    folder = args.dir or Path(cfg.settings.feed_dir)
    store = app.open_store(cfg)
    try:
        files = write_feed_files(
            Collector(cfg, store, links_for(cfg), now, default_matcher(cfg)), folder
        )
    finally:
        store.close()
    print(f"{len(files)} feed files in {folder}")
    return 0
