"""No false closures: what a call missing from a run may and may not mean. Pure.

A call absent from one run says nothing by itself: the portal may have failed, paging may have
stopped short, the layout may have changed. Only complete runs count (`closure_allowed`), and
only N consecutive complete runs without the call make it `vanished`. The event's `before` is the
call's derived status then: listings of open calls drop closed ones as a matter of course, so a
reader-facing digest will usually skip a vanished call that was already "closed". A vanished
call the source publishes again, still live, is `reopened` (`reappeared`): readers told it was
gone are told it is back.

Re-exported by `fundwatch.changes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from fundwatch.changes_status import BY_SOURCE, call_event, is_withdrawn
from fundwatch.models import Call, ChangeEvent, ChangeKind, SourceResult, Status, status

VANISHED = "vanished"
"""The `before` of a `reopened` event for a call that had vanished and is published again."""


def closure_allowed(result: SourceResult) -> bool:
    """Whether this run may lead to closed / withdrawn / vanished conclusions.

    Only a run whose status is "ok", that recorded no error of any kind, and that produced at
    least one call: a failed, incomplete, shape-changed or empty run proves nothing.
    """
    return (
        result.status == "ok"
        and not result.error
        and not result.error_kind
        and len(result.calls) > 0
    )


def absence_events(
    missing: Iterable[Call],
    misses_so_far: Mapping[str, int],
    run_complete: bool,
    threshold: int,
    now: datetime,
) -> tuple[list[ChangeEvent], dict[str, int]]:
    """Count the misses of the stored calls a run did not return; report the vanished ones.

    One source run: `missing` are the stored, not yet vanished calls of that source that the
    run did not return (calls of two sources are a ValueError); `misses_so_far` the
    consecutive-miss counts kept from earlier runs, by `source_id`; `threshold` the N of the
    config. Returns the events and the new counts by `source_id`, which replace the old ones:
    a call absent from `missing` (seen again) is dropped, so misses must be consecutive.

    An incomplete run (`run_complete` False, see `closure_allowed`) adds no miss and no event:
    the missing calls keep their counts (a call it did return is dropped: it is there). In a
    complete run each missing call's count goes up by one, and the run where it reaches
    `threshold` yields one `vanished` event (before = its derived status, or "withdrawn";
    detail = the number of runs missed); later runs keep counting but say nothing more.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    missing = list(missing)
    if len({c.source for c in missing}) > 1:
        raise ValueError("absence_events is for one source run at a time")
    if not run_complete:
        still = {c.source_id for c in missing}
        return [], {sid: n for sid, n in misses_so_far.items() if sid in still}
    events: list[ChangeEvent] = []
    counts: dict[str, int] = {}
    for call in missing:
        if call.source_id in counts:
            continue
        n = misses_so_far.get(call.source_id, 0) + 1
        counts[call.source_id] = n
        if n == threshold:
            before = "withdrawn" if is_withdrawn(call) else status(call, now).value
            events.append(call_event(call, ChangeKind.VANISHED, now, before, None, str(n)))
    return events, counts


def reappeared(call: Call, now: datetime) -> list[ChangeEvent]:
    """The event for a call that had vanished and that a run (of any kind) returns again.

    `reopened` (before "vanished", after its derived status, detail "by_source") when it is
    open or forthcoming at `now`; nothing when it comes back closed, undated or withdrawn: an
    archive page listing a finished call is not news. A call present in a run is present, so
    this does not wait for a complete run.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    is_ = status(call, now)
    if is_withdrawn(call) or is_ not in (Status.OPEN, Status.FORTHCOMING):
        return []
    return [call_event(call, ChangeKind.REOPENED, now, VANISHED, is_.value, BY_SOURCE)]
