"""`fundwatch daemon`: run on schedule until SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType


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
    p.add_argument("--no-serve", action="store_true", help="do not serve HTTP endpoints")
    p.set_defaults(func=cmd_daemon)


def cmd_daemon(args: argparse.Namespace) -> int:
    from fundwatch.cli import app
    from fundwatch.scheduler import Daemon

    logging.getLogger("fundwatch").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    _log_to_stderr()
    cfg = app.config(args)
    store = app.open_store(cfg)
    daemon = Daemon(cfg, store, instance_id=args.instance_id, clock=app.now)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("fundwatch.daemon").info("received %s", signal.Signals(signum).name)
        daemon.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        daemon.start()
        daemon.wait()
    finally:
        store.close()
    return 0


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("fundwatch")
    root.handlers = [handler]
    root.propagate = False
