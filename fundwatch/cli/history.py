"""`fundwatch history CALL` and `fundwatch events`: what changed, in words."""

from __future__ import annotations

import argparse
import json
import sys
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from fundwatch.changes import changed_fields, describe
from fundwatch.cli import app
from fundwatch.cli.tables import print_table
from fundwatch.errors import FundwatchError
from fundwatch.models import Call, ChangeEvent, ChangeKind
from fundwatch.pipeline import entity_of
from fundwatch.resolve import Entity, call_key


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "history",
        help="versions and change events of one call",
        description="Every stored version of a call and every change event, in words.",
        epilog="example: fundwatch history eu-ft-esf:ESF-2026-POW --lang en",
    )
    p.add_argument("call", help="call id, 'source:source_id', or a source_id unique in the store")
    p.add_argument("--lang", choices=["it", "en"], default="it", help="language of the words")
    p.add_argument("--json", action="store_true", help="JSON instead of text")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser(
        "events",
        help="list change events",
        description="Change events of every call; the id column is the call's id, for "
        "`fundwatch history ID`.",
        epilog="example: fundwatch events --since 2026-11-01 --type deadline_extended",
    )
    p.add_argument("--since", help="only events at or after this date/time (ISO 8601)")
    p.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="T",
        choices=[k.value for k in ChangeKind],
        help="only this kind (repeatable): " + ", ".join(k.value for k in ChangeKind),
    )
    p.add_argument("--lang", choices=["it", "en"], default="it", help="language of the words")
    p.add_argument("--json", action="store_true", help="JSON array instead of a table")
    p.set_defaults(func=cmd_events)


def _event_json(event: ChangeEvent, lang: str, zone: str) -> dict[str, Any]:
    """An event as the JSON output gives it: its values and the words for it."""
    return {
        "kind": event.kind.value,
        "at": event.at.isoformat(),
        "before": event.before,
        "after": event.after,
        "detail": event.detail,
        "text": describe(event, lang, zone),
    }


def _version_changes(calls: list[Call]) -> list[list[str]]:
    """For each version, the material fields that differ from the version before it (the
    first version: none). Also the changes no event reports: title, summary, URL, keywords."""
    return [[], *(changed_fields(a, b) for a, b in pairwise(calls))] if calls else []


def _entity_dates(entity: Entity) -> dict[str, Any]:
    """The dates of the call as its most authoritative source states them."""
    merged = entity.merged
    return {
        "from": ":".join(entity.dates_from),
        "opens_at": merged.opens_at.isoformat() if merged.opens_at else None,
        "deadlines": [d.at.isoformat() for d in merged.deadlines],
        "rolling": merged.rolling,
    }


def _dates_line(entity: Entity, zone: str) -> str:
    """Which member's dates win, and what they are, in the configured zone."""
    tz = ZoneInfo(zone)
    merged = entity.merged
    dates = [f"deadline {d.at.astimezone(tz):%Y-%m-%d %H:%M}" for d in merged.deadlines]
    if merged.rolling and not dates:
        dates.append("no fixed deadline")
    if merged.opens_at:
        dates.insert(0, f"opens {merged.opens_at.astimezone(tz):%Y-%m-%d %H:%M}")
    return (
        f"dates as the most authoritative source ({':'.join(entity.dates_from)}) states them: "
        f"{', '.join(dates) or 'none'} ({zone})"
    )


def cmd_history(args: argparse.Namespace) -> int:
    cfg = app.config(args)
    store = app.open_store(cfg)
    try:
        stored = store.find_call(args.call)
        if stored is None:
            raise FundwatchError(f"no stored call {args.call!r} (try `fundwatch calls`)")
        versions = store.versions(stored.id)
        events = store.events(call_id=stored.id)
        entity = entity_of(cfg, store, stored)
    finally:
        store.close()
    zone = cfg.settings.timezone
    twins = [call_key(c) for c in entity.calls if c.key != stored.call.key] if entity else []
    changes = _version_changes([c for _at, c in versions])
    if args.json:
        json.dump(
            {
                "id": stored.id,
                "source": stored.call.source,
                "source_id": stored.call.source_id,
                "title": stored.call.title,
                "entity_id": stored.entity_id,
                "also_seen_as": twins,
                "entity_dates": _entity_dates(entity) if entity else None,
                "first_seen": stored.first_seen.isoformat(),
                "last_seen": stored.last_seen.isoformat(),
                "last_changed": stored.last_changed.isoformat(),
                "versions": [
                    {"seen_at": at.isoformat(), "content_hash": c.content_hash(), "changed": ch}
                    for (at, c), ch in zip(versions, changes, strict=True)
                ],
                "events": [_event_json(e.event, args.lang, zone) for e in events],
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
        return 0
    print(f"{stored.call.title}")
    print(f"{stored.call.source}:{stored.call.source_id} — {stored.call.url}")
    print(
        f"first seen {stored.first_seen:%Y-%m-%d %H:%M} UTC, last seen "
        f"{stored.last_seen:%Y-%m-%d %H:%M} UTC, last changed "
        f"{stored.last_changed:%Y-%m-%d %H:%M} UTC, {len(versions)} "
        f"version{'' if len(versions) == 1 else 's'}"
        + (" — vanished from the source" if stored.gone else "")
    )
    if entity:
        print(f"the same call is also published as: {', '.join(twins)}")
        print(_dates_line(entity, zone))
    timeline = [
        (
            at,
            f"version {i + 1} stored" + (f" (changed: {', '.join(ch)})" if ch else ""),
        )
        for i, ((at, _c), ch) in enumerate(zip(versions, changes, strict=True))
    ]
    timeline += [(e.event.at, describe(e.event, args.lang, zone)) for e in events]
    for at, text in sorted(timeline, key=lambda t: t[0]):
        print(f"  {at:%Y-%m-%d %H:%M}  {text}")
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    cfg = app.config(args)
    since = app.parse_when(args.since) if args.since else None
    store = app.open_store(cfg)
    try:
        events = store.events(since=since, kinds=args.type)
    finally:
        store.close()
    zone = cfg.settings.timezone
    if args.json:
        json.dump(
            [
                {
                    "id": e.id,
                    "call_id": e.call_id,
                    "source": e.event.source,
                    "source_id": e.event.source_id,
                    "title": e.title,
                    **_event_json(e.event, args.lang, zone),
                }
                for e in events
            ],
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
        return 0
    print_table(
        ["at (UTC)", "id", "kind", "call", "what"],
        [
            [
                f"{e.event.at:%Y-%m-%d %H:%M}",
                str(e.call_id),
                e.event.kind.value,
                f"{e.event.source}:{e.event.source_id}"[:40],
                describe(e.event, args.lang, zone)[:80],
            ]
            for e in events
        ],
    )
    print(f"{len(events)} events")
    return 0
