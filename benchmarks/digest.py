"""Benchmark: build and render the digests of 10,000 profiles.

Each profile gets what a busy week gives a real one: 5 to 40 matched calls drawn from a pool
shaped like the real fixture calls (tests/digest/calls.py: EU ESF+ topics and Piemonte calls,
with varied titles, deadlines, budgets and programmes), a share first seen this week, change
events in words (deadlines moved, budgets changed, closures, reopenings), short reasons, and a
health list of 14 sources, two of them failing. Four in five profiles read Italian.

Per digest: build (pure), render (HTML and text through the jinja2 templates, dates and money
through babel) and compose the MIME message the outbox stores. The total and the cost per
digest are printed per stage, with the ratio of our build + render to the standard library's
MIME composition of the same messages (the baseline, measured in the same run); exit 1 when
the mean cost of a whole digest exceeds `--target` milliseconds (25 by default, i.e. 10,000
digests in about four minutes on one core).

The cost is CPU time of this process (`time.process_time`): on a shared machine wall time
also counts the time other processes held the cores, which says nothing about this code. Wall
time is printed beside it; when the two differ much, the machine was busy.

    uv run python -m benchmarks.digest [--profiles 10000] [--seed 7] [--target 25]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal

from fundwatch.config.profile import Profile
from fundwatch.digest.build import Match, build_digest
from fundwatch.digest.links import Links
from fundwatch.digest.mail import compose
from fundwatch.digest.options import options_for, period_for
from fundwatch.digest.render import render
from fundwatch.digest.tokens import Signer
from fundwatch.models import Budget, Call, ChangeEvent, ChangeKind, Deadline
from fundwatch.store import SourceHealth
from tests.digest.calls import IEFP, INCUBATION, INSEDIAMENTO, NOW, PEP, POW, TCS

BASE = (TCS, POW, INCUBATION, PEP, IEFP, INSEDIAMENTO)
WORDS = (
    "inclusione sociale",
    "innovazione",
    "giovani",
    "formazione",
    "imprese sociali",
    "rigenerazione urbana",
    "social economy",
    "digital skills",
    "cooperation",
    "welfare",
)


def call_pool(rng: random.Random, size: int) -> list[Call]:
    pool = []
    for i in range(size):
        base = BASE[i % len(BASE)]
        deadline = NOW + timedelta(days=rng.randint(-20, 90), hours=rng.randint(0, 23))
        title = f"{base.title} — {rng.choice(WORDS)} {2026 + i % 3} ({i})"
        pool.append(
            base.model_copy(
                update={
                    "source_id": f"{base.source_id}-{i}",
                    "titles": {base.language: title},
                    "deadlines": () if base.rolling else (Deadline(at=deadline),),
                    "budget": Budget(total_eur=Decimal(rng.randrange(50_000, 20_000_000, 5_000))),
                }
            )
        )
    return pool


def events_for(rng: random.Random, call: Call) -> list[ChangeEvent]:
    at = NOW - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 23))

    def ev(kind: ChangeKind, before: object, after: object, detail: str = "") -> ChangeEvent:
        return ChangeEvent(
            kind=kind,
            source=call.source,
            source_id=call.source_id,
            at=at,
            before=before,
            after=after,
            detail=detail,
        )

    roll = rng.random()
    if roll < 0.4 and call.deadlines:
        new = call.deadlines[0].at
        return [
            ev(
                ChangeKind.DEADLINE_EXTENDED,
                (new - timedelta(days=14)).isoformat(),
                new.isoformat(),
            )
        ]
    if roll < 0.6:
        return [
            ev(ChangeKind.BUDGET_CHANGED, {"total_eur": "1000000.00"}, {"total_eur": "1500000.00"})
        ]
    if roll < 0.8:
        return [ev(ChangeKind.CLOSED, "open", "closed", "by_date")]
    return [
        ev(ChangeKind.CLOSED, "open", "closed", "by_date"),
        ev(ChangeKind.REOPENED, "closed", "open", "by_date"),
    ]


def health() -> list[SourceHealth]:
    out = []
    for i in range(14):
        failing = i in (3, 9)
        out.append(
            SourceHealth(
                f"source-{i}",
                "rss",
                f"Fonte regionale {i}",
                True,
                100 + i,
                NOW - timedelta(days=5 if failing else 0, hours=2),
                NOW if failing else None,
                "fetch_error: 503" if failing else "",
                4 if failing else 0,
                "error" if failing else "ok",
                NOW - timedelta(hours=2),
            )
        )
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--target",
        type=float,
        default=25.0,
        help="ms per digest (build + render + compose) not to exceed",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pool = call_pool(rng, 2_000)
    sources = health()
    links = Links("https://fundwatch.example.org", Signer(b"benchmark-secret-0123456789abcdef"))
    inputs = []
    for n in range(args.profiles):
        language = "en" if n % 5 == 0 else "it"
        profile = Profile.model_validate(
            {
                "id": f"profile-{n}",
                "name": f"Ente di prova {n}",
                "language": language,
                "recipients": [f"ufficio{n}@example.org"],
                "delivery": {"frequency": "weekly" if n % 3 else "daily"},
            }
        )
        chosen = rng.sample(pool, rng.randint(5, 40))
        matches, events = [], []
        for i, call in enumerate(chosen):
            fresh = rng.random() < 0.3
            first = NOW - timedelta(days=rng.randint(0, 5) if fresh else rng.randint(8, 60))
            matches.append(Match(call, i, first, ("fondo FSE+", "territorio: Piemonte")))
            if not fresh and rng.random() < 0.3:
                events.extend(events_for(rng, call))
        inputs.append((profile, matches, events))

    build_s = render_s = compose_s = 0.0
    sizes = 0
    wall0 = time.perf_counter()
    for profile, matches, events in inputs:
        t0 = time.process_time()
        opts = options_for(profile)
        digest = build_digest(profile, period_for(NOW, opts), matches, events, sources, NOW, opts)
        t1 = time.process_time()
        recipient = str(profile.recipients[0])
        rendered = render(digest, links, recipient)
        t2 = time.process_time()
        payload = compose(
            rendered,
            outbox_id=f"{profile.id}:{digest.period.key}:email:x",
            sender="fundwatch@example.org",
            recipient=recipient,
            unsubscribe_url=links.unsubscribe(profile.id, recipient),
            profile_id=profile.id,
            language=digest.language,
            now=NOW,
        )
        t3 = time.process_time()
        build_s += t1 - t0
        render_s += t2 - t1
        compose_s += t3 - t2
        sizes += len(payload)
    wall = time.perf_counter() - wall0

    n = len(inputs)
    total = build_s + render_s + compose_s
    per = total / n * 1000
    print(
        f"{n} digests, {sum(len(m) for _, m, _ in inputs)} matched calls, "
        f"{sum(len(e) for _, _, e in inputs)} change events, mean message "
        f"{sizes / n / 1024:.1f} KiB"
    )
    for name, seconds in (
        ("build", build_s),
        ("render", render_s),
        ("compose", compose_s),
        ("total", total),
    ):
        print(f"  {name:<8} {seconds:8.2f} s   {seconds / n * 1000:7.3f} ms per digest (CPU)")
    print(f"  wall     {wall:8.2f} s   {wall / n * 1000:7.3f} ms per digest (elapsed)")
    # Baseline, measured in this run: the standard library's MIME composition of the same
    # messages, a floor every e-mail digest pays whatever builds and renders it.
    print(
        f"ratio build+render / stdlib MIME compose (baseline): "
        f"x{(build_s + render_s) / compose_s:.2f}"
    )
    if per > args.target:
        print(f"FAIL: {per:.2f} ms per digest, target {args.target} ms")
        return 1
    print(f"ok: {per:.2f} ms per digest (target {args.target} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
