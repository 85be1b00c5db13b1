"""Core commands: check, schema, run, calls, sources, parse, fetch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fundwatch.cli import app
from fundwatch.cli.tables import print_table
from fundwatch.config import Profile, Settings
from fundwatch.config.sources import SourcesFile
from fundwatch.errors import FundwatchError
from fundwatch.http import MemoryHttpCache
from fundwatch.models import status
from fundwatch.resolve import ResolutionOverrides
from fundwatch.serialize import call_to_json
from fundwatch.sources import KINDS, UnknownKind, get_kind

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="validate every config file",
        description="Validate fundwatch.yaml, sources.yaml, resolution.yaml and profiles/*.yaml.\n"
        "The first error names the file and the path inside it; exit status 2.",
        epilog="examples:\n  fundwatch check\n  fundwatch --config /etc/fundwatch check\n"
        "  FUNDWATCH_CONFIG=/etc/fundwatch fundwatch check",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "schema",
        help="write JSON Schemas for the config files",
        description="Write a JSON Schema per config file kind (and per source kind's params), "
        "for editors that validate YAML.",
        epilog="example: fundwatch schema --out schema/ && ls schema/",
    )
    p.add_argument(
        "--out", default="schema", metavar="DIR", help="output folder (default: ./schema)"
    )
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "run",
        help="fetch every source, store what changed, send digests and write feeds",
        description="Fetch, parse and store every enabled source; then queue each profile's "
        "digest when its slot has come, write the feed and calendar files, and flush the outbox "
        "(SMTP, or .eml files when no SMTP host is set).",
        epilog="example: fundwatch run --once --source piemonte",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="one pass, then exit; this is what `run` always does (`fundwatch daemon` runs "
        "sources on their schedules instead); accepted for clarity in scripts",
    )
    p.add_argument(
        "--source", action="append", default=[], metavar="ID", help="only this source (repeatable)"
    )
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="only fetch and store: no digests, feed files or delivery",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "calls",
        help="list stored calls",
        epilog="example: fundwatch calls --open --source eu-ft-esf --json",
    )
    p.add_argument("--open", action="store_true", help="only calls not closed by their dates")
    p.add_argument("--source", help="only calls from this source")
    p.add_argument("--json", action="store_true", help="JSON array instead of a table")
    p.set_defaults(func=cmd_calls)

    p = sub.add_parser(
        "sources",
        help="health of every source: last success, last error, counts",
        epilog="examples:\n  fundwatch sources\n  fundwatch sources --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="JSON instead of a table")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser(
        "parse",
        help="print the normalized calls of a recorded payload",
        description="Parse a recorded payload with a source kind's parser (no network, no "
        "database) and print the normalized calls.",
        epilog="example: fundwatch parse eu_ft tests/fixtures/eu_ft/page.json "
        "--now 2026-11-25T00:00:00Z --json",
    )
    p.add_argument("kind", help=f"source kind ({', '.join(sorted(KINDS))})")
    p.add_argument("file", type=Path, help="the recorded payload")
    p.add_argument("--now", help="instant for derived status and next deadline (default: now)")
    p.add_argument("--json", action="store_true", help="JSON array (default: a table)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="a kind parameter, e.g. --param 'language=\"en\"' (repeatable)",
    )
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser(
        "fetch",
        help="fetch one source live and save the raw responses",
        epilog="example: fundwatch fetch eu-ft-esf --save-raw recordings/",
    )
    p.add_argument("source", help="source id from sources.yaml")
    p.add_argument(
        "--save-raw",
        type=Path,
        metavar="DIR",
        required=True,
        help="folder that receives every raw response, numbered in fetch order",
    )
    p.add_argument("--json", action="store_true", help="print the parsed calls as JSON")
    p.set_defaults(func=cmd_fetch)


def cmd_check(args: argparse.Namespace) -> int:
    cfg = app.config(args)
    enabled = sum(1 for s in cfg.sources if s.enabled)
    print(
        f"{cfg.root}: ok — {len(cfg.sources)} sources ({enabled} enabled), "
        f"{len(cfg.profiles)} profiles"
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in config_schemas().items():
        (out / name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        print(out / name)
    return 0


def config_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, one per config file kind and one per source kind's params.

    A profile file may leave out `id` (the file name is the default), so the profile schema
    does not require it.
    """
    profile = Profile.model_json_schema()
    profile["required"] = [k for k in profile.get("required", []) if k != "id"]
    profile["properties"]["id"]["description"] += " Default: the file name without .yaml."
    schemas: dict[str, dict[str, Any]] = {
        "fundwatch.schema.json": Settings.model_json_schema(),
        "sources.schema.json": SourcesFile.model_json_schema(),
        "profile.schema.json": profile,
        "resolution.schema.json": ResolutionOverrides.model_json_schema(),
    }
    for name in sorted(KINDS):
        schemas[f"source-params.{name}.schema.json"] = get_kind(name).params.model_json_schema()
    return {name: {"$schema": JSON_SCHEMA_DIALECT, **s} for name, s in schemas.items()}


def cmd_run(args: argparse.Namespace) -> int:
    from fundwatch.cli.digest import print_report
    from fundwatch.cli.progress import ConsoleProgress
    from fundwatch.digest.matching import default_matcher
    from fundwatch.digest.publish import publish
    from fundwatch.pipeline import make_client, run_sources

    cfg = app.config(args)
    for sid in args.source:
        cfg.source(sid)
    store = app.open_store(cfg)
    try:
        with make_client(cfg.settings, cache=store.http_cache()) as client:
            outcomes = run_sources(
                cfg, store, client, only=args.source, clock=app.now, progress=ConsoleProgress()
            )
        report = None
        if not args.no_publish:
            report = publish(cfg, store, app.now(), matcher=default_matcher(cfg))
    finally:
        store.close()
    failed = [o for o in outcomes if o.result.status == "error"]
    print(
        f"{len(outcomes)} sources run, {len(failed)} failed; "
        f"{sum(o.summary.new for o in outcomes)} new calls, "
        f"{sum(o.summary.changed for o in outcomes)} changed, "
        f"{sum(o.summary.events for o in outcomes)} events"
    )
    if report is not None:
        queued = sum(p.queued for p in report.profiles)
        print(
            f"digests: {queued} messages queued for {len(report.profiles)} profiles; "
            f"{len(report.feed_files)} feed files in {cfg.settings.feed_dir}"
        )
        if report.delivery is not None:
            print_report(report.delivery, cfg.settings.outbox_dir)
    return 1 if failed and len(failed) == len(outcomes) else 0


def cmd_calls(args: argparse.Namespace) -> int:
    cfg = app.config(args)
    store = app.open_store(cfg)
    now = app.now()
    try:
        stored = store.calls(source=args.source, open_at=now if args.open else None)
    finally:
        store.close()
    if args.source and not stored and args.source not in {s.id for s in cfg.sources}:
        cfg.source(args.source)  # a typo: say so, with the known ids, instead of "0 calls"
    if args.open:
        stored = [
            s for s in stored if status(s.call, now).value in ("open", "forthcoming", "unknown")
        ]
    if args.json:
        json.dump(
            [
                call_to_json(s.call, now)
                | {"id": s.id, "entity_id": s.entity_id, "first_seen": s.first_seen.isoformat()}
                for s in stored
            ],
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
        return 0
    rows = []
    for s in stored:
        deadline = s.call.deadline(now)
        rows.append(
            [
                str(s.id),
                s.call.source,
                status(s.call, now).value,
                deadline.astimezone(cfg.settings.zone).strftime("%Y-%m-%d %H:%M")
                if deadline
                else ("rolling" if s.call.rolling else "—"),
                s.call.title[:70],
            ]
        )
    print_table(["id", "source", "status", "deadline", "title"], rows)
    print(f"{len(rows)} calls")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    cfg = app.config(args)
    store = app.open_store(cfg)
    try:
        store.sync_sources(cfg.sources)
        health = store.source_health()
    finally:
        store.close()
    if args.json:
        json.dump(
            [
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in vars(h).items()}
                for h in health
            ],
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    fmt = "%Y-%m-%d %H:%M"
    print_table(
        [
            "source",
            "kind",
            "enabled",
            "calls",
            "last run",
            "last success",
            "failures",
            "last error",
        ],
        [
            [
                h.id,
                h.kind,
                "yes" if h.enabled else "no",
                str(h.calls),
                h.last_run_status,
                h.last_success_at.strftime(fmt) if h.last_success_at else "never",
                str(h.consecutive_failures),
                h.last_error[:60],
            ]
            for h in health
        ],
    )
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    try:
        kind = get_kind(args.kind)
    except UnknownKind as exc:
        raise FundwatchError(str(exc)) from None
    raw_params: dict[str, Any] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep:
            raise FundwatchError(f"--param wants KEY=JSON, got {item!r}")
        try:
            raw_params[key] = json.loads(value)
        except ValueError:
            raw_params[key] = value
    try:
        params = kind.parse_params(raw_params)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "params"
        raise FundwatchError(
            f"{args.kind}: parameter '{where}': {err['msg'].lower()} "
            f"(give it with --param {where}=JSON)"
        ) from None
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise FundwatchError(f"cannot read {args.file}: {exc.strerror}") from None
    calls = kind.parse(raw, params, args.kind)
    now = app.parse_when(args.now) if args.now else app.now()
    if args.json:
        json.dump([call_to_json(c, now) for c in calls], sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_table(
            ["source_id", "status", "deadline", "title"],
            [
                [
                    c.source_id,
                    status(c, now).value,
                    (d.isoformat() if (d := c.deadline(now)) else "—"),
                    c.title[:70],
                ]
                for c in calls
            ],
        )
        print(f"{len(calls)} calls")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from fundwatch.cli.progress import ConsoleProgress, describe
    from fundwatch.pipeline import make_client, run_sources

    cfg = app.config(args)
    cfg.source(args.source)
    store = app.open_store(cfg)
    try:
        with make_client(cfg.settings, cache=MemoryHttpCache()) as client:
            outcomes = run_sources(
                cfg,
                store,
                client,
                only=[args.source],
                clock=app.now,
                progress=ConsoleProgress(),
                raw_dir=args.save_raw,
            )
    finally:
        store.close()
    outcome = outcomes[0]
    if args.json:
        json.dump(
            [call_to_json(c, app.now()) for c in outcome.result.calls],
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
    print(
        f"{args.source}: {describe(outcome.result, outcome.summary)}; raw responses in "
        f"{args.save_raw / args.source}",
        file=sys.stderr,
    )
    return 1 if outcome.result.status == "error" else 0
