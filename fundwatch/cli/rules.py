"""Rules commands: match, explain, preview.

- ``fundwatch match PROFILE`` lists the stored calls that match a profile, best first, with
  the short reasons; ``--all`` adds the calls that do not, with what keeps them out.
- ``fundwatch explain PROFILE CALL`` prints the whole why / why-not trace of one call.
- ``fundwatch preview --profiles PATH`` is a dry run of edited profiles against the stored
  calls, current and past: which calls would enter or leave each profile's matches.

Reader feedback ("not relevant", "fewer like this") is applied from the folder the digest's
links write to (`fundwatch.digest.matching.feedback_store`).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fundwatch.cli import app
from fundwatch.cli.tables import print_table
from fundwatch.errors import FundwatchError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from fundwatch.config import Config, Profile
    from fundwatch.rules import Feedback, Verdict
    from fundwatch.rules.preview import Change, ProfilePreview, Snapshot
    from fundwatch.store import Store, StoredCall


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "match",
        help="stored calls matching a profile, best first, with reasons",
        description="Match the stored calls against one profile and list the matches, "
        "best first, with the short reasons; --all lists every call with its verdict.",
        epilog="example: fundwatch match comune-torino --all --json",
    )
    p.add_argument("profile", help="profile id (file name in config/profiles)")
    p.add_argument("--all", action="store_true", help="also the calls that do not match")
    p.add_argument("--json", action="store_true", help="JSON with every reason")
    _common(p)
    p.set_defaults(func=cmd_match)

    p = sub.add_parser(
        "explain",
        help="why a call matches a profile, or why not",
        description="Print every criterion of the profile and how the call fares on it.",
        epilog="example: fundwatch explain comune-torino piemonte-bandi:18454",
    )
    p.add_argument("profile", help="profile id")
    p.add_argument("call", help="call: numeric id, source:source_id, or a unique source_id")
    p.add_argument("--json", action="store_true", help="JSON instead of text")
    _common(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser(
        "preview",
        help="dry run of edited profiles: which calls enter or leave their matches",
        description="Compare edited profiles with the deployed ones (same id) on the stored "
        "calls, current and past versions, and show which calls would enter or leave each "
        "profile's matches, with the reasons before and after. Nothing is written.",
        epilog="example: fundwatch preview --profiles edited/comune-torino.yaml",
    )
    p.add_argument(
        "--profiles",
        type=Path,
        required=True,
        metavar="PATH",
        help="an edited profile file, or a folder of them",
    )
    p.add_argument("--json", action="store_true", help="JSON instead of text")
    p.add_argument(
        "--no-past",
        action="store_true",
        help="only the calls' current state, not their past versions",
    )
    _common(p)
    p.set_defaults(func=cmd_preview)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--now", help="judge at this ISO 8601 instant (default: now)")
    p.add_argument(
        "--lang", choices=("it", "en"), help="language of the reasons (default: the profile's)"
    )


# -- match ------------------------------------------------------------------------------


def cmd_match(args: argparse.Namespace) -> int:
    from fundwatch.rules import compile_profile, evaluate
    from fundwatch.rules.facts import call_facts

    cfg = app.config(args)
    profile = cfg.profile(args.profile)
    now = _now(args)
    store = app.open_store(cfg)
    try:
        stored = store.calls()
    finally:
        store.close()
    cp = compile_profile(profile, _feedback(cfg, profile.id))
    judged = [(s, evaluate(cp, call_facts(s.call, now))) for s in stored]
    shown = [(s, v) for s, v in judged if v.matched or args.all]
    shown.sort(
        key=lambda sv: (not sv[1].matched, -sv[1].score, _deadline_key(sv[0], now), sv[0].id)
    )
    lang = args.lang or profile.language
    zone = cfg.settings.zone
    if args.json:
        _dump([_call_json(s, v, now, lang, zone) for s, v in shown])
        return 0
    rows = [
        [
            str(s.id),
            str(v.score) if v.matched else "—",
            _status(s, now),
            _deadline_text(s, now, zone),
            s.call.title[:60],
            _why(v, lang, zone),
        ]
        for s, v in shown
    ]
    print_table(["id", "score", "status", "deadline", "title", "why"], rows)
    matched = sum(1 for _, v in judged if v.matched)
    print(f"{profile.id}: {matched} of {len(judged)} stored calls match")
    return 0


def _why(verdict: Verdict, lang: str, zone: ZoneInfo) -> str:
    from fundwatch.rules.explain import CRITERIA, reason_text, short_reasons

    if verdict.matched:
        return "; ".join(short_reasons(verdict, lang, zone, limit=2))[:90]
    first = verdict.excluded_by[0]
    outcome = verdict.outcome(first)
    i = 0 if lang == "it" else 1
    text = reason_text(outcome.reasons[0], lang, zone) if outcome and outcome.reasons else ""
    return f"{CRITERIA.get(first, (first, first))[i]}: {text}"[:90]


# -- explain ----------------------------------------------------------------------------


def cmd_explain(args: argparse.Namespace) -> int:
    from fundwatch.rules import compile_profile, evaluate, explain_lines, verdict_to_json
    from fundwatch.rules.facts import call_facts

    cfg = app.config(args)
    profile = cfg.profile(args.profile)
    now = _now(args)
    store = app.open_store(cfg)
    try:
        stored = store.find_call(args.call)
    finally:
        store.close()
    if stored is None:
        raise FundwatchError(
            f"no stored call {args.call!r} (give the numeric id, source:source_id, or a "
            "source_id unique in the store; `fundwatch calls` lists them)"
        )
    verdict = evaluate(
        compile_profile(profile, _feedback(cfg, profile.id)), call_facts(stored.call, now)
    )
    lang = args.lang or profile.language
    zone = cfg.settings.zone
    if args.json:
        _dump(
            _call_json(stored, verdict, now, lang, zone)
            | {"trace": verdict_to_json(verdict, lang, zone)}
        )
        return 0
    print(f"{profile.name} ({profile.id})")
    print(f"{verdict.call_ref} [{stored.id}]: {stored.call.title}")
    print(stored.call.url)
    for line in explain_lines(verdict, lang, zone):
        print(line)
    return 0


# -- preview ----------------------------------------------------------------------------


def cmd_preview(args: argparse.Namespace) -> int:
    from fundwatch.rules.preview import preview

    cfg = app.config(args)
    edited = _load_edited(args.profiles)
    now = _now(args)
    store = app.open_store(cfg)
    try:
        snapshots = _snapshots(store, now, past=not args.no_past)
    finally:
        store.close()
    feedback = {p.id: _feedback(cfg, p.id) for p in edited}
    results = preview(cfg.profiles, edited, snapshots, feedback)
    zone = cfg.settings.zone
    langs = {p.id: args.lang or p.language for p in edited}
    if args.json:
        _dump([_preview_json(r, langs[r.profile_id], zone) for r in results])
        return 0
    for result in results:
        for line in _preview_lines(result, langs[result.profile_id], zone):
            print(line)
    return 0


def _load_edited(path: Path) -> list[Profile]:
    from fundwatch.config import load_profiles
    from fundwatch.config.loader import read_yaml, validate
    from fundwatch.config.profile import Profile

    if path.is_dir():
        folder = path / "profiles" if (path / "profiles").is_dir() else path
        profiles = list(load_profiles(folder))
        if not profiles:
            raise FundwatchError(f"{path}: no profile files (*.yaml) found")
        return profiles
    if not path.exists():
        raise FundwatchError(f"{path}: no such file or folder")
    data: Any = read_yaml(path, str(path))
    if isinstance(data, dict):
        data.setdefault("id", path.stem)
    return [validate(Profile, data, str(path))]


def _snapshots(store: Store, now: datetime, *, past: bool) -> list[Snapshot]:
    from fundwatch.rules.preview import Snapshot

    out: list[Snapshot] = []
    for s in store.calls():
        out.append(Snapshot(s.call, now, True, s.id))
        if past:
            for seen_at, call in store.versions(s.id):
                out.append(Snapshot(call, seen_at, False, s.id))
    return out


def _preview_lines(result: ProfilePreview, lang: str, zone: ZoneInfo) -> list[str]:
    it = lang == "it"
    head = {
        "added": ("nuovo profilo", "new profile"),
        "changed": ("modificato", "changed"),
        "unchanged": ("invariato", "unchanged"),
    }[result.kind][0 if it else 1]
    enter, leave = result.current("enters"), result.current("leaves")
    lines = [
        f"{result.profile_id} ({head}): "
        + (
            f"{result.before_count} → {result.after_count} bandi pertinenti ora "
            f"(+{len(enter)} −{len(leave)})"
            if it
            else f"{result.before_count} → {result.after_count} current matches "
            f"(+{len(enter)} −{len(leave)})"
        )
    ]
    past_enter, past_leave = result.past("enters"), result.past("leaves")
    if past_enter or past_leave:
        lines.append(
            ("  versioni passate: +{} −{}" if it else "  past versions: +{} −{}").format(
                len(past_enter), len(past_leave)
            )
        )
    for change in [*enter, *leave, *past_enter, *past_leave]:
        lines.extend(_change_lines(change, lang, zone))
    if not result.changes:
        lines.append("  nessun cambiamento" if it else "  no change")
    return lines


def _change_lines(change: Change, lang: str, zone: ZoneInfo) -> list[str]:
    from fundwatch.rules.explain import outcome_lines

    it = lang == "it"
    snap = change.snapshot
    sign = "+" if change.direction == "enters" else "−"
    when = (
        ""
        if snap.current
        else (
            f" (versione del {_day(snap.at, zone)})"
            if it
            else f" (version of {_day(snap.at, zone)})"
        )
    )
    lines = [f"  {sign} {snap.ref}{when}: {snap.call.title[:90]}"]
    for label, verdict in (
        ("prima" if it else "before", change.before),
        ("dopo" if it else "after", change.after),
    ):
        if verdict is None:
            lines.append(f"      {label}: " + ("profilo assente" if it else "no such profile"))
            continue
        if verdict.matched:
            lines.append(
                f"      {label}: "
                + (
                    f"pertinente, punteggio {verdict.score}"
                    if it
                    else f"matched, score {verdict.score}"
                )
            )
            keep = [o for o in verdict.outcomes if o.criterion == "interest"]
        else:
            lines.append(f"      {label}: " + ("non pertinente" if it else "not matched"))
            keep = [o for o in verdict.outcomes if o.criterion in verdict.excluded_by]
        for outcome in keep:
            lines.extend("      " + line for line in outcome_lines(verdict, outcome, lang, zone))
    return lines


def _preview_json(result: ProfilePreview, lang: str, zone: ZoneInfo) -> dict[str, Any]:
    from fundwatch.rules.explain import verdict_to_json

    return {
        "profile": result.profile_id,
        "kind": result.kind,
        "before_count": result.before_count,
        "after_count": result.after_count,
        "changes": [
            {
                "direction": c.direction,
                "call": c.snapshot.ref,
                "id": c.snapshot.call_id,
                "title": c.snapshot.call.title,
                "current": c.snapshot.current,
                "at": c.snapshot.at.isoformat(),
                "before": verdict_to_json(c.before, lang, zone) if c.before else None,
                "after": verdict_to_json(c.after, lang, zone),
            }
            for c in result.changes
        ],
    }


# -- helpers ----------------------------------------------------------------------------


def _now(args: argparse.Namespace) -> datetime:
    return app.parse_when(args.now) if args.now else app.now()


def _feedback(cfg: Config, profile_id: str) -> Feedback:
    """The profile's reader feedback, from the folder the digest's links write to."""
    from fundwatch.digest.matching import feedback_store

    return feedback_store(cfg).load(profile_id)


def _status(s: StoredCall, now: datetime) -> str:
    from fundwatch.models import status

    return status(s.call, now).value


def _deadline_key(s: StoredCall, now: datetime) -> float:
    deadline = s.call.deadline(now)
    return deadline.timestamp() if deadline else float("inf")


def _deadline_text(s: StoredCall, now: datetime, zone: ZoneInfo) -> str:
    deadline = s.call.deadline(now)
    if deadline:
        return deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return "rolling" if s.call.rolling else "—"


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d")


def _call_json(
    s: StoredCall, verdict: Verdict, now: datetime, lang: str, zone: ZoneInfo
) -> dict[str, Any]:
    from fundwatch.rules.explain import reason_text, short_reasons

    deadline = s.call.deadline(now)
    excluded: list[str] = []
    for criterion in verdict.excluded_by:
        outcome = verdict.outcome(criterion)
        if outcome is not None:
            excluded.extend(reason_text(r, lang, zone) for r in outcome.reasons)
    return {
        "id": s.id,
        "call": verdict.call_ref,
        "title": s.call.title,
        "url": s.call.url,
        "status": _status(s, now),
        "deadline": deadline.isoformat() if deadline else None,
        "matched": verdict.matched,
        "score": verdict.score,
        "excluded_by": list(verdict.excluded_by),
        "flags": list(verdict.flags),
        "reasons": short_reasons(verdict, lang, zone) if verdict.matched else excluded,
    }


def _dump(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    print()
