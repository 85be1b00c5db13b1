"""One item per entity in digests, feeds and calendars. Pure: stored calls and events in.

`fundwatch.pipeline.resolve_entities` records on every stored call the entity it belongs to
(one real call seen on several sources: the region's site and incentivi.gov.it). `Entities`
reads those ids back, so that a reader is told about the call once, in the words of its most
authoritative source:

- **Representative**: each entity of two or more stored calls is shown through its primary
  (the most authoritative member still published; `fundwatch.resolve.assemble` ranks them),
  carrying `Entity.merged`: the primary with its gaps filled from the other members and the
  dates of the most authoritative member that states any. Matching judges that view, so a
  call matched through a field only the aggregator gives is not lost. Its `first_seen` is the
  entity's (the earliest member's) and its `last_changed` the latest of any member: the issuer
  arriving after the aggregator is not a new call. A call alone in its entity (the vast
  majority; also every call before resolution ever ran) is passed through untouched.
- **Events** (`Entities.events`), per member of a shared entity:
  the `new` of the member first seen is the entity's `new` (an aggregator may have told
  readers first: its entry keeps its id, so a feed reader never sees the call as new twice);
  the `new` of a primary that arrived later is no announcement: it becomes the change of the
  dates readers were told (those of the member that stood for the entity before it) to the
  entity's, as `deadline_*` / `cutoff_added` events, or nothing when they agree;
  the primary's other events are the entity's; the member that gives the entity its dates
  (when the primary states none) contributes its date events (deadlines, status by date);
  everything else a non-primary member says is dropped: an aggregator's stale deadline or its
  dropping the call does not speak for the entity.
- A member the source stopped publishing (gone) keeps the entity it was last in (see
  `resolve_entities`); it is represented, not shown, while another member is live.

The synthesized date change compares the stored copies as they are now; it is stable while
neither changes, and any later change of theirs is an event of its own.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fundwatch.changes import BY_DATE, diff
from fundwatch.models import ChangeEvent, ChangeKind
from fundwatch.resolve import UNLISTED_AUTHORITY, assemble, call_key
from fundwatch.store import StoredCall, StoredEvent

DATE_KINDS = frozenset(
    {ChangeKind.DEADLINE_EXTENDED, ChangeKind.DEADLINE_BROUGHT_FORWARD, ChangeKind.CUTOFF_ADDED}
)
"""What a change of the dates told is said with."""
_BY_DATE = frozenset({ChangeKind.STATUS_CHANGED, ChangeKind.CLOSED, ChangeKind.REOPENED})


@dataclass(frozen=True)
class _Group:
    representative: StoredCall
    """The primary's row carrying the entity's merged view, first sighting and last change."""
    dates_from: int
    """Stored id of the member whose dates the entity shows."""
    first: int
    """Stored id of the member first seen: its `new` is the entity's."""
    first_key: tuple[str, str]
    """That member's (source, source_id): the entity's calendar events keep their UIDs when a
    more authoritative member takes over."""
    told: StoredCall | None
    """The member readers knew the entity by before the primary was first seen, if any."""


class Entities:
    """The stored calls folded by entity (see the module docstring). Built once per collector
    from the calls it already holds: no query of its own."""

    def __init__(self, calls: Sequence[StoredCall], authority: Mapping[str, int]) -> None:
        by_entity: dict[str, list[StoredCall]] = defaultdict(list)
        for stored in calls:
            if stored.entity_id:
                by_entity[stored.entity_id].append(stored)
        self._group_of: dict[int, _Group] = {}
        self.aliases: dict[str, str] = {}
        """The reference ("source:source_id") of each copy not shown -> that of the call shown
        for its entity: reader feedback on a copy follows the entity."""
        shown: dict[int, StoredCall] = {}
        for members in by_entity.values():
            if len(members) < 2:
                continue
            group = _group(members, authority)
            for member in members:
                self._group_of[member.id] = group
                if member.id != group.representative.id:
                    self.aliases[call_key(member.call)] = call_key(group.representative.call)
            shown[group.representative.id] = group.representative
        self.shared = len(shown)
        """How many entities have two or more stored members."""
        self.calls: list[StoredCall] = [shown.get(c.id, c) for c in calls if self.represents(c.id)]
        """One stored call per entity, in the order of the input: what readers are told about."""

    def represents(self, call_id: int) -> bool:
        """Whether the stored call stands for its entity (alone in it, or its primary)."""
        group = self._group_of.get(call_id)
        return group is None or group.representative.id == call_id

    def representative(self, call_id: int) -> int:
        """The stored id of the call that stands for `call_id`'s entity."""
        group = self._group_of.get(call_id)
        return call_id if group is None else group.representative.id

    def first_key(self, call_id: int) -> tuple[str, str] | None:
        """The (source, source_id) of the member of `call_id`'s entity first seen; None for a
        call alone in its entity."""
        group = self._group_of.get(call_id)
        return None if group is None else group.first_key

    def has_late_primary(self) -> bool:
        """Whether some primary was first seen after another member (its `new` event is then
        needed to say how the dates told changed; `Entities.events`)."""
        return any(g.told is not None for g in self._group_of.values())

    def events(self, events: Sequence[StoredEvent], *, rekey: bool = False) -> list[StoredEvent]:
        """`events` as the entities' events, in the given order, each on its representative's
        stored id. `rekey` also puts the events of other members under the representative's
        (source, source_id), for the digest, which groups events by call key; feeds keep each
        event's own key, which their entry ids are made of."""
        if not self._group_of:
            return list(events)
        out: list[StoredEvent] = []
        for se in events:
            group = self._group_of.get(se.call_id)
            if group is None:
                out.append(se)
                continue
            rep = group.representative
            for event in _as_entity(group, se):
                if rekey and (event.source, event.source_id) != rep.call.key:
                    event = event.model_copy(
                        update={"source": rep.call.source, "source_id": rep.call.source_id}
                    )
                out.append(StoredEvent(se.id, event, rep.id, rep.call.title))
        return out


def _group(members: Sequence[StoredCall], authority: Mapping[str, int]) -> _Group:
    live = [m for m in members if not m.gone] or list(members)
    live_ids = {m.id for m in live}
    by_key = {m.call.key: m for m in members}
    entity = assemble([m.call for m in live], authority)
    ranked = [by_key[k] for k in entity.members]
    ranked += sorted(
        (m for m in members if m.id not in live_ids),
        key=lambda m: (-authority.get(m.call.source, UNLISTED_AUTHORITY), m.call.key),
    )
    primary = ranked[0]
    first = min(range(len(ranked)), key=lambda i: (ranked[i].first_seen, i))
    earlier = [m for m in ranked if m.first_seen < primary.first_seen]
    representative = dataclasses.replace(
        primary,
        call=entity.merged,
        first_seen=ranked[first].first_seen,
        last_changed=max(m.last_changed for m in ranked),
    )
    return _Group(
        representative=representative,
        dates_from=by_key[entity.dates_from].id,
        first=ranked[first].id,
        first_key=ranked[first].call.key,
        told=earlier[0] if earlier else None,
    )


def _as_entity(group: _Group, se: StoredEvent) -> list[ChangeEvent]:
    """What one member's stored event says about its entity (module docstring)."""
    event = se.event
    is_primary = se.call_id == group.representative.id
    if event.kind is ChangeKind.NEW:
        if se.call_id == group.first:
            return [event]
        if is_primary and group.told is not None:
            return _told_dates_changed(group, group.told, event)
        return []
    if is_primary:
        return [event]
    if se.call_id == group.dates_from and (
        event.kind in DATE_KINDS or (event.kind in _BY_DATE and event.detail == BY_DATE)
    ):
        return [event]
    return []


def _told_dates_changed(group: _Group, told: StoredCall, new: ChangeEvent) -> list[ChangeEvent]:
    """The change from the dates `told` gave readers to the entity's, at the instant the
    primary was first seen; none when they agree."""
    shown = group.representative.call
    before = shown.model_copy(
        update={
            "opens_at": told.call.opens_at,
            "deadlines": told.call.deadlines,
            "rolling": told.call.rolling,
        }
    )
    return [e for e in diff(before, shown, new.at) if e.kind in DATE_KINDS]
