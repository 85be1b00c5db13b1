"""Status changes: by the call's dates, or by the source's own word. Pure.

Status is derived from dates (`models.status`); the source's word (`Call.stated_status`) is kept
beside it and only decides when the dates cannot: a rolling ("a sportello") call with no
deadline, or a call with no dates at all. Where the dates decide, a source word that disagrees
with them is reported as a soft `status_changed` "by_source" (an early closure when funds run
out, or a stale EU flag: the reader judges), never as `closed`; a word that agrees with them is
only catching up with the clock and says nothing new.

`status_transitions` is the clock's share; `status_events` the content's share used by
`fundwatch.changes.diff`. Re-exported by `fundwatch.changes`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Protocol

from fundwatch.models import Call, ChangeEvent, ChangeKind, Status, status
from fundwatch.serialize import stated_status_code

BY_DATE = "by_date"
BY_SOURCE = "by_source"


class Make(Protocol):
    """Builds one event of the call being diffed, at the `now` of the diff."""

    def __call__(
        self, kind: ChangeKind, before: Any, after: Any, detail: str = "", /
    ) -> ChangeEvent: ...


_WITHDRAWN = re.compile(
    r"\b(annullat[oaie]|annullamento|revocat[oaie]|revoca|ritirat[oaie]|cancell?ed|"
    r"withdrawn|revoked)\b"
)
_LIVE = (Status.OPEN, Status.FORTHCOMING)


def is_withdrawn(call: Call) -> bool:
    """The source's own word says the call was cancelled, revoked or withdrawn
    (annullato, revocato, ritirato, cancelled, withdrawn, revoked; any gender or number)."""
    return _WITHDRAWN.search(_fold(call.stated_status)) is not None


def status_transitions(call: Call, since: datetime, now: datetime) -> list[ChangeEvent]:
    """Status changes of one unchanged version brought by the clock between `since` and `now`.

    A call that opened in the window yields `status_changed` (forthcoming -> open); one that
    closed yields `closed` (also when it opened and closed within the window). Both carry
    detail "by_date" and `at` = the instant it happened (the opening date, the last deadline).
    A withdrawn call neither opens nor closes. Empty when `since >= now`.
    """
    if since.tzinfo is None or now.tzinfo is None:
        raise ValueError("since and now must be timezone-aware")
    if since >= now or is_withdrawn(call):
        return []
    was, is_ = status(call, since), status(call, now)
    if was == is_ or was not in _LIVE:
        return []
    if is_ is Status.CLOSED:
        last = max(d.at for d in call.deadlines)
        return [call_event(call, ChangeKind.CLOSED, min(last, now), was.value, is_.value, BY_DATE)]
    if was is Status.FORTHCOMING and is_ is Status.OPEN and call.opens_at is not None:
        at = min(call.opens_at, now)
        return [call_event(call, ChangeKind.STATUS_CHANGED, at, was.value, is_.value, BY_DATE)]
    return []


def status_events(previous: Call, current: Call, now: datetime, make: Make) -> list[ChangeEvent]:
    """At most one status event for a content change, both versions judged at `now`.

    Withdrawal by the source's word comes first; then a change of the derived status (its
    dates were edited: `reopened`, `closed` or `status_changed`, "by_date"; a change *to*
    unknown is a source that stopped giving dates, not news); then the source's word.
    """
    if is_withdrawn(current):
        if is_withdrawn(previous):
            return []
        return [
            make(ChangeKind.WITHDRAWN, previous.stated_status, current.stated_status, BY_SOURCE)
        ]
    was, is_ = status(previous, now), status(current, now)
    if is_withdrawn(previous) and is_ in _LIVE:
        return [make(ChangeKind.REOPENED, "withdrawn", is_.value, BY_SOURCE)]
    if was != is_ and is_ is not Status.UNKNOWN:
        if was is Status.CLOSED:
            return [make(ChangeKind.REOPENED, was.value, is_.value, BY_DATE)]
        if is_ is Status.CLOSED:
            return [make(ChangeKind.CLOSED, was.value, is_.value, BY_DATE)]
        return [make(ChangeKind.STATUS_CHANGED, was.value, is_.value, BY_DATE)]
    said_before = stated_status_code(previous.stated_status)
    says = stated_status_code(current.stated_status)
    if says is None or says == said_before:
        return []
    before = said_before or was.value
    if _dates_decide(current, now):
        if says == is_.value:
            return []
        return [make(ChangeKind.STATUS_CHANGED, before, says, BY_SOURCE)]
    if says == Status.CLOSED.value:
        return [make(ChangeKind.CLOSED, before, says, BY_SOURCE)]
    if said_before == Status.CLOSED.value:
        return [make(ChangeKind.REOPENED, before, says, BY_SOURCE)]
    return [make(ChangeKind.STATUS_CHANGED, before, says, BY_SOURCE)]


def _dates_decide(call: Call, now: datetime) -> bool:
    """Dates settle the status: it has deadlines, or a future opening date."""
    return bool(call.deadlines) or (call.opens_at is not None and call.opens_at > now)


def call_event(
    call: Call, kind: ChangeKind, at: datetime, before: Any, after: Any, detail: str
) -> ChangeEvent:
    """An event of `call`, at `at`."""
    return ChangeEvent(
        kind=kind,
        source=call.source,
        source_id=call.source_id,
        at=at,
        before=before,
        after=after,
        detail=detail,
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
