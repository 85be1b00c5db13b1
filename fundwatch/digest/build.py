"""Digest build: pure. Profile, period, matches, events, source health and `now` in; a Digest out.

The inputs are plain values so that this module depends on neither the rules engine nor the
store: a `Match` is a matched call with its store id, first sighting and the short reasons the
engine gave; events are the change events of matched calls (`StoredEvent` or bare
`ChangeEvent`); health is the store's `SourceHealth` list.

Sections, and which one a call lands in (each call is shown once, first rule wins):

1. **closed**: the period's last status word on the call is a closure (closed, withdrawn,
   vanished, the source's word turning it to closed) — the reader may have been preparing an
   application; a call closed by its date and then reopened by an extension is a change;
2. **new**: first seen in the period and not closed by its dates;
3. **changed**: any other event in the period (deadline moved, budget, eligibility, documents,
   reopened), each said in words by `fundwatch.changes.describe`;
4. **closing**: open, with its next deadline within `closing_days` of `now`.

The health footer says how many sources were checked and which are failing or partial, so that
a quiet digest is never mistaken for "no calls". A digest is `empty` when every shown section
is; the profile's policy decides whether an empty digest is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from fundwatch.changes import describe, is_closure
from fundwatch.config.profile import Profile
from fundwatch.digest.options import SECTIONS, DigestOptions, Period, Section
from fundwatch.models import Call, ChangeEvent, ChangeKind, Status, status

if TYPE_CHECKING:
    from fundwatch.store import SourceHealth, StoredEvent

_OPEN = (Status.OPEN.value, Status.FORTHCOMING.value)
MAX_ITEMS = 40
"""Items shown per section; the rest are counted ("and 12 more") and are in the feed."""


@dataclass(frozen=True)
class Match:
    """A call the profile's rules matched, with what the digest needs to know about it."""

    call: Call
    call_id: int
    first_seen: datetime
    reasons: tuple[str, ...] = ()
    last_changed: datetime | None = None
    gone: bool = False
    """The source stopped publishing it (vanished): reported if closed, never new or closing."""


@dataclass(frozen=True)
class Item:
    """One call as a digest shows it. Dates stay datetimes; rendering formats them."""

    call_id: int
    source: str
    source_id: str
    title: str
    url: str
    issuer: str
    programmes: tuple[str, ...]
    deadline: datetime | None
    rolling: bool
    status: Status
    budget: Decimal | None
    budget_is_max_grant: bool
    reasons: tuple[str, ...]
    changes: tuple[str, ...] = ()
    days_left: int | None = None

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.source_id}"


@dataclass(frozen=True)
class SectionItems:
    items: tuple[Item, ...] = ()
    omitted: int = 0

    def __len__(self) -> int:
        return len(self.items) + self.omitted


@dataclass(frozen=True)
class SourceNote:
    """A source that is not healthy, for the footer."""

    id: str
    name: str
    state: str  # "failing" | "partial" | "never"
    failures: int
    last_success_at: datetime | None
    error: str
    failing_since: datetime | None = None


@dataclass(frozen=True)
class Health:
    checked: int
    problems: tuple[SourceNote, ...]
    last_check_at: datetime | None

    @property
    def ok(self) -> int:
        return self.checked - len(self.problems)


@dataclass(frozen=True)
class Digest:
    profile_id: str
    profile_name: str
    options: DigestOptions
    period: Period
    now: datetime
    new: SectionItems
    changed: SectionItems
    closing: SectionItems
    closed: SectionItems
    health: Health
    sections: frozenset[Section] = field(default_factory=lambda: frozenset(SECTIONS))

    @property
    def language(self) -> str:
        return self.options.language

    @property
    def empty(self) -> bool:
        return not (len(self.new) or len(self.changed) or len(self.closing) or len(self.closed))

    def items(self) -> Iterable[Item]:
        for section in (self.new, self.changed, self.closing, self.closed):
            yield from section.items


def build_digest(
    profile: Profile,
    period: Period,
    matches: Sequence[Match],
    events: Sequence[StoredEvent | ChangeEvent],
    health: Sequence[SourceHealth],
    now: datetime,
    options: DigestOptions,
) -> Digest:
    """The digest of `profile` for `period`. `events` are taken as given (the caller selects
    those not yet reported); events of calls that are not in `matches` are ignored."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    by_key = {m.call.key: m for m in matches}
    per_call: dict[tuple[str, str], list[ChangeEvent]] = {}
    for raw in events:
        ev = raw if isinstance(raw, ChangeEvent) else raw.event
        if (ev.source, ev.source_id) in by_key:
            per_call.setdefault((ev.source, ev.source_id), []).append(ev)
    for evs in per_call.values():
        evs.sort(key=lambda e: e.at)

    def say(evs: Iterable[ChangeEvent]) -> tuple[str, ...]:
        return tuple(describe(e, options.language, options.zone) for e in evs)

    shown: set[tuple[str, str]] = set()
    closed: list[Item] = []
    for key, evs in per_call.items():
        if _ends_closed(evs):
            told = [e for e in evs if e.kind is not ChangeKind.NEW]
            closed.append(_item(by_key[key], now, say(told)))
            shown.add(key)
    new: list[Item] = []
    for m in matches:
        if m.call.key in shown or m.gone or not (period.since < m.first_seen <= period.until):
            continue
        if status(m.call, now) is Status.CLOSED:
            continue
        new.append(_item(m, now))
        shown.add(m.call.key)
    changed: list[tuple[datetime, Item]] = []
    for key, evs in per_call.items():
        told = [e for e in evs if e.kind is not ChangeKind.NEW]
        if key in shown or not told:
            continue
        changed.append((told[-1].at, _item(by_key[key], now, say(told))))
        shown.add(key)
    horizon = now + timedelta(days=options.closing_days)
    closing: list[Item] = []
    for m in matches:
        if m.call.key in shown or m.gone or status(m.call, now) is not Status.OPEN:
            continue
        deadline = m.call.deadline(now)
        if deadline is not None and now <= deadline <= horizon:
            closing.append(_item(m, now))

    def pick(name: Section, items: list[Item]) -> SectionItems:
        if name not in options.sections:
            return SectionItems()
        return SectionItems(tuple(items[:MAX_ITEMS]), max(0, len(items) - MAX_ITEMS))

    changed.sort(key=lambda pair: pair[1].title.casefold())
    changed.sort(key=lambda pair: pair[0], reverse=True)  # latest change first, then by title
    return Digest(
        profile_id=profile.id,
        profile_name=profile.name,
        options=options,
        period=period,
        now=now,
        new=pick("new", sorted(new, key=_by_deadline)),
        changed=pick("changed", [item for _, item in changed]),
        closing=pick("closing_soon", sorted(closing, key=_by_deadline)),
        closed=pick("closed", sorted(closed, key=lambda i: i.title.casefold())),
        health=summarize_health(health),
        sections=options.sections,
    )


def _ends_closed(events: Sequence[ChangeEvent]) -> bool:
    """Whether the last word on the call's status in `events` (by time) closes it: a call
    closed by its date and then reopened by an extension is a change, not a closure."""
    fate = [
        e
        for e in events
        if is_closure(e)
        or e.kind is ChangeKind.REOPENED
        or (e.kind is ChangeKind.STATUS_CHANGED and e.after in _OPEN)
    ]
    return bool(fate) and is_closure(fate[-1])


def summarize_health(health: Sequence[SourceHealth]) -> Health:
    """Enabled sources, and those failing (last run an error), partial or never run."""
    enabled = [h for h in health if h.enabled]
    problems: list[SourceNote] = []
    for h in enabled:
        if h.consecutive_failures > 0 or h.last_run_status == "error":
            state = "failing"
        elif h.last_run_status == "incomplete":
            state = "partial"
        elif h.last_run_status == "never":
            state = "never"
        else:
            continue
        problems.append(
            SourceNote(
                h.id,
                h.name or h.id,
                state,
                h.consecutive_failures,
                h.last_success_at,
                h.last_error,
                h.failing_since,
            )
        )
    checks = [h.last_run_at for h in enabled if h.last_run_at is not None]
    return Health(len(enabled), tuple(problems), max(checks) if checks else None)


def _item(match: Match, now: datetime, changes: tuple[str, ...] = ()) -> Item:
    call = match.call
    deadline = call.deadline(now)
    budget = call.budget.total_eur
    is_max = budget is None and call.budget.max_grant_eur is not None
    if is_max:
        budget = call.budget.max_grant_eur
    days_left = None
    if deadline is not None and deadline >= now:
        days_left = (deadline - now).days
    return Item(
        call_id=match.call_id,
        source=call.source,
        source_id=call.source_id,
        title=call.title,
        url=call.url,
        issuer=call.issuer,
        programmes=_programmes(call),
        deadline=deadline,
        rolling=call.rolling,
        status=status(call, now),
        budget=budget,
        budget_is_max_grant=is_max,
        reasons=match.reasons,
        changes=changes,
        days_left=days_left,
    )


def _programmes(call: Call) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for p in call.programmes:
        label = " ".join((p.label or p.code).split())
        seen.setdefault(label, None)
    return tuple(seen)


def _by_deadline(item: Item) -> tuple[int, datetime | str, str]:
    if item.deadline is None:
        return (1, "", item.title.casefold())
    return (0, item.deadline, item.title.casefold())
