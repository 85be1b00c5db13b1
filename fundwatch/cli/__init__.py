"""The ``fundwatch`` command. The only place that prints for humans.

A FundwatchError (bad config, unreadable file, unknown id) prints one line and exits 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from fundwatch import __version__
from fundwatch.errors import FundwatchError

EXAMPLES = """\
examples:
  fundwatch demo                      offline demo on recorded payloads, writes var/demo/
  fundwatch check                     validate config/ (or --config DIR, or $FUNDWATCH_CONFIG)
  fundwatch run --once                fetch every enabled source once and store the changes
  fundwatch calls --open              list stored calls still open
  fundwatch sources                   health of every source
  fundwatch parse eu_ft page.json --json   normalized calls of a recorded payload
"""


def build_parser() -> argparse.ArgumentParser:
    from fundwatch.cli import core, daemon, demo, digest, history, rules

    parser = argparse.ArgumentParser(
        prog="fundwatch",
        description="Watch EU and Italian funding calls, match them to organisation profiles, "
        "and tell each organisation what is new, what changed and what closes soon.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fundwatch {__version__}")
    parser.add_argument(
        "--config",
        metavar="DIR",
        help="configuration folder (default: $FUNDWATCH_CONFIG or ./config)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (core, demo, history, rules, daemon, digest):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except FundwatchError as exc:
        print(f"fundwatch: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fundwatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fundwatch events | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
