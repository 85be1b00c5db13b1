"""`fundwatch daemon`: run on schedule until SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from fundwatch.errors import FundwatchError

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from fundwatch.config import Config
    from fundwatch.digest.links import Links
    from fundwatch.digest.matching import Matcher
    from fundwatch.scheduler import Daemon
    from fundwatch.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "daemon",
        help="run sources, digests and deliveries on their schedules",
        description="Run every enabled source on its schedule, flush the outbox, send digests "
        "and serve feeds, /healthz and /metrics. Several daemons may share one "
        "PostgreSQL database: work is claimed with leases. SIGTERM or Ctrl-C lets "
        "the current source finish, then exits.",
        epilog="example: fundwatch daemon --instance-id web-1",
    )
    p.add_argument("--instance-id", help="name of this instance (default: host:pid)")
    p.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="address for feeds, /healthz and /metrics (default: daemon.listen in fundwatch.yaml; "
        "0.0.0.0:8080 in a container)",
    )
    p.add_argument("--no-serve", action="store_true", help="do not serve HTTP endpoints")
    p.set_defaults(func=cmd_daemon)


def cmd_daemon(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta

    from fundwatch.cli import app
    from fundwatch.digest.deliver import deliver, transport_for
    from fundwatch.digest.matching import default_matcher
    from fundwatch.digest.options import options_for
    from fundwatch.digest.publish import links_for, publish
    from fundwatch.scheduler import Daemon, digest_trigger

    logging.getLogger("fundwatch").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    _log_to_stderr()
    log = logging.getLogger("fundwatch.daemon")
    cfg = app.config(args)
    store = app.open_store(cfg)
    daemon = Daemon(cfg, store, instance_id=args.instance_id, clock=app.now)
    settings = cfg.settings.daemon
    matcher = default_matcher(cfg)

    def publish_job(now: datetime) -> None:
        report = publish(cfg, store, now, matcher=matcher, send=False)
        queued = sum(p.queued for p in report.profiles)
        log.info("publish: %d digests queued, %d feed files", queued, len(report.feed_files))
        if queued:
            daemon.run_soon("deliver")

    def digest_job(profile_id: str) -> Callable[[datetime], None]:
        def job(now: datetime) -> None:
            report = publish(
                cfg, store, now, matcher=matcher, only=[profile_id], send=False, write_feeds=False
            )
            queued = sum(p.queued for p in report.profiles)
            log.info("digest %s: %d messages queued", profile_id, queued)
            if queued:
                daemon.run_soon("deliver")

        return job

    def deliver_job(now: datetime) -> None:
        report = deliver(store.engine, transport_for(cfg.settings, owner=daemon.instance_id), now)
        if report.sent or report.failed or report.channel_error:
            log.info(
                "delivery via %s: %d sent, %d failed%s",
                report.channel,
                len(report.sent),
                len(report.failed),
                f"; channel error: {report.channel_error}" if report.channel_error else "",
            )

    # Each digest at its profile's time; every 15 minutes, the feed files and any digest whose
    # time passed while no daemon ran (a digest is queued once per period, whoever queues it).
    for profile in cfg.profiles:
        trigger = digest_trigger(options_for(profile, cfg.settings.timezone))
        daemon.add_job(f"digest:{profile.id}", digest_job(profile.id), trigger, timedelta(hours=1))
    daemon.add_periodic("publish", publish_job, timedelta(minutes=15))
    daemon.add_periodic("deliver", deliver_job, timedelta(seconds=settings.outbox_interval_seconds))
    server = None
    if settings.serve_http and not args.no_serve:
        listen = args.listen or settings.listen
        server = _serve(cfg, store, links_for(cfg), matcher, daemon, listen)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        daemon.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        daemon.start()
        daemon.wait()
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        store.close()
    return 0


def _serve(
    cfg: Config, store: Store, links: Links, matcher: Matcher, daemon: Daemon, listen: str
) -> WSGIServer:
    """Serve feeds, calendars, /healthz and /metrics from a background thread."""
    import threading

    from fundwatch.cli import app
    from fundwatch.web import FeedApp, make_server

    host, _, port = listen.rpartition(":")
    web = FeedApp(
        cfg, store, links, matcher=matcher, clock=app.now, scheduler_alive=lambda: daemon.alive
    )
    try:
        server = make_server(web, host or "127.0.0.1", int(port))
    except (OSError, ValueError) as exc:
        raise FundwatchError(f"cannot listen on {listen}: {exc}") from None
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    logging.getLogger("fundwatch.daemon").info(
        "serving feeds, /healthz and /metrics on http://%s:%d/", host, server.server_port
    )
    return server


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("fundwatch")
    root.handlers = [handler]
    root.propagate = False
