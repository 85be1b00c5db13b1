"""Typed change events: what changed in a call between two observations. Pure; `now` is given.

Three pure producers, one per cause, so that no change is ever reported twice:

- `diff(previous, current, now)`: what the *content* changed. Both versions are judged at the
  same instant `now`, so the mere passing of time never shows up here.
- `status_transitions(call, since, now)`: what the *clock* changed in one version: a call that
  opened or closed by its own dates between two instants, with no new content at all.
- `absence_events(...)` (fundwatch.changes_absence): what *absence* means: `vanished` after N
  consecutive complete runs without the call; `reappeared(call, now)` when it is back.

Suggested order in the pipeline, per call: first `status_transitions(stored, since, now)` on the
stored version (so "closed by date" is said before a later extension is seen as `reopened`),
then `diff(stored, fetched, now)`. `describe(event, lang)` turns any event into words.

Event values (`before` / `after`) are JSON-able, per kind:

===========================  ==============================  ==================================
kind                         before / after                  detail
===========================  ==============================  ==================================
new                          None / {title, url, status,     ""
                             deadline}
deadline_extended,           ISO datetime (UTC) or None      the deadline's label
deadline_brought_forward     (after None: the deadline was
                             removed; extended = the call
                             became rolling, brought forward
                             = one cut-off of several gone)
cutoff_added                 None / ISO datetime (UTC)       the deadline's label
status_changed, reopened,    status codes ("open",           "by_date" (its dates say so) or
closed                       "forthcoming", "closed"; a      "by_source" (the source's word)
                             reopened call may have been
                             "withdrawn" or "vanished")
withdrawn                    the source's status words       "by_source"
budget_changed               {field: "123.00" | None} for    ""
                             the fields that changed
eligibility_changed          {"audiences": [codes],          ""
                             "territories": [codes]}, only
                             the dimensions that changed
documents_changed            removed / added documents,      ""
                             [{"title", "url"}], by URL
vanished                     status code or "withdrawn" /    runs missed, as a number
                             None
===========================  ==============================  ==================================

No false closures: closed, withdrawn and vanished events (and a source's word turning a call to
closed, see `is_closure`) only come from runs that `closure_allowed` trusts: pass
`closures=closure_allowed(result)` to `diff` and `run_complete=closure_allowed(result)` to
`absence_events`.

Deliberately not events: changes of title, summary, URL, programmes, keywords, raw audience
text. They change `Call.content_hash()`, so the store keeps a new version, but nobody needs to
be told. A deadline that disappears while the call neither became rolling nor kept other
deadlines is a source that stopped stating it, not news: no deadline event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fundwatch.changes_absence import absence_events, closure_allowed, reappeared
from fundwatch.changes_describe import describe
from fundwatch.changes_status import (
    BY_DATE,
    BY_SOURCE,
    Make,
    call_event,
    is_withdrawn,
    status_events,
    status_transitions,
)
from fundwatch.models import Budget, Call, ChangeEvent, ChangeKind, Deadline, Status, status
from fundwatch.normalize.urls import canonical_url

__all__ = [
    "BY_DATE",
    "BY_SOURCE",
    "CLOSURE_KINDS",
    "absence_events",
    "changed_fields",
    "closure_allowed",
    "describe",
    "diff",
    "is_closure",
    "is_withdrawn",
    "material_equal",
    "reappeared",
    "status_transitions",
]

CLOSURE_KINDS = frozenset({ChangeKind.CLOSED, ChangeKind.WITHDRAWN, ChangeKind.VANISHED})
"""Kinds a run may only produce when `closure_allowed` says it is trustworthy."""

_BUDGET_FIELDS = ("total_eur", "min_grant_eur", "max_grant_eur", "cofinancing_rate")


def material_equal(a: Call, b: Call) -> bool:
    """Whether two versions are the same in every material field (`Call.content_hash`)."""
    return a.content_hash() == b.content_hash()


def changed_fields(previous: Call, current: Call) -> list[str]:
    """The material fields (`Call.content_hash`) whose values differ, in the model's order.

    A field counts when putting `current`'s value into `previous` changes its hash, so this
    agrees with the hash by construction (an empty optional value equals an absent one); it
    names what changed in a version even where no event is due (title, summary, URL...).
    """
    base = previous.content_hash()
    return [
        name
        for name in Call.model_fields
        if previous.model_copy(update={name: getattr(current, name)}).content_hash() != base
    ]


def is_closure(event: ChangeEvent) -> bool:
    """A closed / withdrawn / vanished event, or a source's word turning a call to closed."""
    return event.kind in CLOSURE_KINDS or (
        event.kind is ChangeKind.STATUS_CHANGED and event.after == Status.CLOSED.value
    )


def diff(
    previous: Call | None, current: Call, now: datetime, *, closures: bool = True
) -> list[ChangeEvent]:
    """The typed events that take `previous` to `current`, both judged at `now`.

    `previous` None means the call was never seen: one `new` event. Equal content: no events.
    `closures=False` (the run is not `closure_allowed`) leaves out every event for which
    `is_closure` holds; the caller should then keep the stored version as it is, so that the
    next complete run still reports the closure.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if previous is None:
        return [_new(current, now)]
    if previous.key != current.key:
        raise ValueError(f"diff of two different calls: {previous.key} vs {current.key}")
    if material_equal(previous, current):
        return []
    make = _maker(current, now)
    events = [
        *_deadline_events(previous, current, make),
        *status_events(previous, current, now, make),
        *_budget_events(previous.budget, current.budget, make),
        *_eligibility_events(previous, current, make),
        *_document_events(previous, current, make),
    ]
    return events if closures else [e for e in events if not is_closure(e)]


# --- events -----------------------------------------------------------------------------------


def _maker(call: Call, now: datetime) -> Make:
    def make(kind: ChangeKind, before: Any, after: Any, detail: str = "") -> ChangeEvent:
        return call_event(call, kind, now, before, after, detail)

    return make


def _new(call: Call, now: datetime) -> ChangeEvent:
    deadline = call.deadline(now)
    after = {
        "title": call.title,
        "url": call.url,
        "status": status(call, now).value,
        "deadline": _iso(deadline) if deadline else None,
    }
    return call_event(call, ChangeKind.NEW, now, None, after, "")


def _deadline_events(previous: Call, current: Call, make: Make) -> list[ChangeEvent]:
    pairs, removed, added = _match_deadlines(previous.deadlines, current.deadlines)
    events: list[ChangeEvent] = []
    for old, new in pairs:
        if new.at != old.at:
            kind = (
                ChangeKind.DEADLINE_EXTENDED
                if new.at > old.at
                else ChangeKind.DEADLINE_BROUGHT_FORWARD
            )
            events.append(make(kind, _iso(old.at), _iso(new.at), new.label or old.label))
    events.extend(make(ChangeKind.CUTOFF_ADDED, None, _iso(d.at), d.label) for d in added)
    if removed and current.deadlines:
        kind = ChangeKind.DEADLINE_BROUGHT_FORWARD  # one cut-off of several is gone
    elif removed and current.rolling:
        kind = ChangeKind.DEADLINE_EXTENDED  # no fixed deadline any more: "a sportello"
    else:
        return events
    events.extend(make(kind, _iso(d.at), None, d.label) for d in removed)
    return events


def _match_deadlines(
    before: Sequence[Deadline], after: Sequence[Deadline]
) -> tuple[list[tuple[Deadline, Deadline]], list[Deadline], list[Deadline]]:
    """Pair old and new deadlines: by label first, then by order; (pairs, removed, added).

    Within one label (and then among the leftovers) an unchanged instant pairs with itself
    before anything pairs by order, so a cut-off inserted before the others is `added`, not a
    cascade of moved deadlines. Leftovers with two different non-empty labels never pair.
    """
    labels = sorted({_label(d) for d in (*before, *after)})
    pairs: list[tuple[Deadline, Deadline]] = []
    rest_old: list[Deadline] = []
    rest_new: list[Deadline] = []
    for label in labels:
        if not label:
            continue
        got, old, new = _pair(
            [d for d in before if _label(d) == label], [d for d in after if _label(d) == label]
        )
        pairs += got
        rest_old += old
        rest_new += new
    rest_old += [d for d in before if not _label(d)]
    rest_new += [d for d in after if not _label(d)]
    got, removed, added = _pair(
        rest_old, rest_new, lambda a, b: not _label(a) or not _label(b) or _label(a) == _label(b)
    )
    return pairs + got, removed, added


def _pair(
    old: list[Deadline],
    new: list[Deadline],
    compatible: Callable[[Deadline, Deadline], bool] = lambda a, b: True,
) -> tuple[list[tuple[Deadline, Deadline]], list[Deadline], list[Deadline]]:
    old = sorted(old, key=lambda d: d.at)
    new = sorted(new, key=lambda d: d.at)
    pairs: list[tuple[Deadline, Deadline]] = []
    for d in list(old):
        twin = next((n for n in new if n.at == d.at), None)
        if twin is not None:
            pairs.append((d, twin))
            old.remove(d)
            new.remove(twin)
    for d in list(old):
        twin = next((n for n in new if compatible(d, n)), None)
        if twin is not None:
            pairs.append((d, twin))
            old.remove(d)
            new.remove(twin)
    return pairs, old, new


def _budget_events(before: Budget, after: Budget, make: Make) -> list[ChangeEvent]:
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}
    for name in _BUDGET_FIELDS:
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            old[name] = None if a is None else str(a)
            new[name] = None if b is None else str(b)
    return [make(ChangeKind.BUDGET_CHANGED, old, new)] if old else []


def _eligibility_events(previous: Call, current: Call, make: Make) -> list[ChangeEvent]:
    old: dict[str, list[str]] = {}
    new: dict[str, list[str]] = {}
    for name, a, b in (
        ("audiences", previous.audiences, current.audiences),
        ("territories", previous.territories, current.territories),
    ):
        codes_a, codes_b = sorted({x.code for x in a}), sorted({x.code for x in b})
        if codes_a != codes_b:
            old[name], new[name] = codes_a, codes_b
    return [make(ChangeKind.ELIGIBILITY_CHANGED, old, new)] if old else []


def _document_events(previous: Call, current: Call, make: Make) -> list[ChangeEvent]:
    old = {canonical_url(d.url): d for d in previous.documents}
    new = {canonical_url(d.url): d for d in current.documents}
    removed = [{"title": d.title, "url": d.url} for u, d in old.items() if u not in new]
    added = [{"title": d.title, "url": d.url} for u, d in new.items() if u not in old]
    if not removed and not added:
        return []
    return [make(ChangeKind.DOCUMENTS_CHANGED, removed, added)]


# --- small helpers ----------------------------------------------------------------------------


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _label(deadline: Deadline) -> str:
    return " ".join(deadline.label.lower().split())
