"""Preview a rule change: which calls would enter or leave each profile's matches.

Staff edit profiles, then run a dry run against the stored calls before deploying. Each call
is judged in its current state at `now` and in each of its past versions at the moment that
version was seen, once with the profile as deployed (`before`) and once as edited (`after`).
A `Change` is a call state whose verdict differs; it carries both verdicts, traced in full, so
the report can say why it matched before and why not after, or the other way round.

The store keeps the latest version of every call too, so a call that changed nothing since it
was last seen has a past version equal to its current state. Judged at the moment it was
seen, that version tells something new only when it moves differently from the current state
(a call closed since: no change now, but it entered or left then); when it moves the same
way it is left out, so the report does not list one call twice for one reason.

Pure: the snapshots come from the caller (the CLI reads them from the store).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from fundwatch.config.profile import Profile
from fundwatch.models import Call
from fundwatch.rules.compiled import CompiledProfile, compile_profile
from fundwatch.rules.engine import evaluate
from fundwatch.rules.facts import CallFacts, call_facts, call_ref
from fundwatch.rules.feedback import Feedback
from fundwatch.rules.index import MATCH_BATCH, ProfileIndex
from fundwatch.rules.verdict import Verdict

__all__ = ["Change", "ProfilePreview", "Snapshot", "preview"]


@dataclass(frozen=True)
class Snapshot:
    """One state of one call: the current one (judged at `now`) or a past version (judged
    at the moment it was seen)."""

    call: Call
    at: datetime
    current: bool
    call_id: int | None = None

    @property
    def ref(self) -> str:
        return call_ref(self.call)


@dataclass(frozen=True)
class Change:
    """A call state matched on one side of the edit only; both verdicts fully traced
    (`before` is None for a profile that did not exist)."""

    snapshot: Snapshot
    before: Verdict | None
    after: Verdict

    @property
    def direction(self) -> Literal["enters", "leaves"]:
        return "enters" if self.after.matched else "leaves"


@dataclass(frozen=True)
class ProfilePreview:
    """What the edit does to one profile. Counts are of current matches."""

    profile_id: str
    kind: Literal["added", "changed", "unchanged"]
    before_count: int
    after_count: int
    changes: tuple[Change, ...] = field(default=())

    def current(self, direction: str) -> list[Change]:
        return [c for c in self.changes if c.snapshot.current and c.direction == direction]

    def past(self, direction: str) -> list[Change]:
        return [c for c in self.changes if not c.snapshot.current and c.direction == direction]


def preview(
    before: Sequence[Profile],
    after: Sequence[Profile],
    snapshots: Sequence[Snapshot],
    feedback: Mapping[str, Feedback] | None = None,
) -> list[ProfilePreview]:
    """Compare each profile of `after` with the profile of the same id in `before`.

    Profiles only in `before` are not part of the edit and are left alone. Changes are
    ordered current first, entering before leaving, then by call reference and moment.
    """
    feedback = feedback or {}
    old = {p.id: p for p in before}
    after_cps = [compile_profile(p, feedback.get(p.id)) for p in after]
    before_cps = [compile_profile(old[p.id], feedback.get(p.id)) for p in after if p.id in old]
    facts = [call_facts(s.call, s.at) for s in snapshots]
    matched_after = _matches(after_cps, facts)
    matched_before = _matches(before_cps, facts)
    by_id = {cp.id: cp for cp in before_cps}
    current_of = {s.ref: i for i, s in enumerate(snapshots) if s.current}
    out: list[ProfilePreview] = []
    for cp in after_cps:
        was = matched_before.get(cp.id, set())
        now_in = matched_after.get(cp.id, set())
        old_cp = by_id.get(cp.id)
        moved = was ^ now_in
        changes = [
            _change(snapshots[i], facts[i], old_cp, cp)
            for i in sorted(moved)
            if not _repeats(i, snapshots, current_of, moved, now_in)
        ]
        changes.sort(
            key=lambda c: (
                not c.snapshot.current,
                c.direction != "enters",
                c.snapshot.ref,
                c.snapshot.at,
            )
        )
        current = {i for i, s in enumerate(snapshots) if s.current}
        kind: Literal["added", "changed", "unchanged"]
        if old_cp is None:
            kind = "added"
        else:
            kind = "unchanged" if old_cp.profile == cp.profile else "changed"
        out.append(
            ProfilePreview(cp.id, kind, len(was & current), len(now_in & current), tuple(changes))
        )
    return out


def _repeats(
    i: int,
    snapshots: Sequence[Snapshot],
    current_of: Mapping[str, int],
    moved: set[int],
    now_in: set[int],
) -> bool:
    """True when past snapshot `i` has the content of its call's current state and moves the
    same way (enters or leaves) as that state: listing it would repeat the current change."""
    snap = snapshots[i]
    if snap.current:
        return False
    cur = current_of.get(snap.ref)
    if cur is None or cur not in moved or (cur in now_in) != (i in now_in):
        return False
    return snapshots[cur].call == snap.call


def _matches(cps: Sequence[CompiledProfile], facts: Sequence[CallFacts]) -> dict[str, set[int]]:
    index = ProfileIndex(cps)
    out: dict[str, set[int]] = {cp.id: set() for cp in cps}
    for first in range(0, len(facts), MATCH_BATCH):
        batch = facts[first : first + MATCH_BATCH]
        for i, scores in enumerate(index.match_many(batch), start=first):
            for p in scores:
                out[cps[p].id].add(i)
    return out


def _change(
    snapshot: Snapshot, f: CallFacts, before: CompiledProfile | None, after: CompiledProfile
) -> Change:
    return Change(snapshot, evaluate(before, f) if before is not None else None, evaluate(after, f))
