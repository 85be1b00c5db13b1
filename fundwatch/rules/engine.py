"""The engine: one verdict per (profile, call), and the naive loop over many.

A call matches a profile when every hard gate passes (an unknown fact passes and is flagged,
unless the profile is strict about it), the call hits one of the profile's interests (when it
names any), the `keywords.all` / `keywords.none` conditions hold, and the relevance score
reaches `interests.min_score`. Pure: no clock (`now` lives in `CallFacts`), no I/O.

`match_pairs` is the plain all-pairs loop; `fundwatch.rules.index.ProfileIndex` gives the
same verdicts while checking each call against few profiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from fundwatch.rules.compiled import CompiledProfile
from fundwatch.rules.facts import CallFacts
from fundwatch.rules.predicates import AFTER_INTEREST, GATES, interest, relevance
from fundwatch.rules.verdict import Outcome, Result, Verdict

__all__ = ["evaluate", "excludes", "match_pairs"]


def excludes(cp: CompiledProfile, outcome: Outcome | None) -> bool:
    """True when `outcome` keeps the call out: a failure, or an unknown fact the profile is
    strict about."""
    if outcome is None:
        return False
    return outcome.result is Result.FAIL or (
        outcome.result is Result.UNKNOWN and cp.profile.gates.strict(outcome.criterion)
    )


def evaluate(cp: CompiledProfile, f: CallFacts, *, trace: bool = True) -> Verdict:
    """The verdict of `f` for `cp`.

    With `trace` every applicable criterion is evaluated and kept (for `explain`); without,
    evaluation stops at the first exclusion (for bulk matching). `matched` and `score` do not
    depend on `trace`.
    """
    outcomes: list[Outcome] = []
    excluded: list[str] = []
    flags: list[str] = []

    def record(outcome: Outcome | None) -> bool:
        """Keep `outcome`; True when it excludes the call."""
        if outcome is None:
            return False
        outcomes.append(outcome)
        if excludes(cp, outcome):
            excluded.append(outcome.criterion)
            return True
        if outcome.result is Result.UNKNOWN:
            flags.append(outcome.criterion)
        return False

    def stopped() -> Verdict:
        return Verdict(cp.id, f.ref, False, 0, tuple(outcomes), tuple(excluded), tuple(flags))

    for gate in GATES:
        if record(gate(cp, f)) and not trace:
            return stopped()
    hit = interest(cp, f)
    if record(hit) and not trace:
        return stopped()
    for check in AFTER_INTEREST:
        if record(check(cp, f)) and not trace:
            return stopped()
    rel, score = relevance(cp, f, hit.points)
    record(rel)
    matched = not excluded
    return Verdict(
        cp.id,
        f.ref,
        matched,
        score if matched else 0,
        tuple(outcomes),
        tuple(excluded),
        tuple(flags),
    )


def match_pairs(
    profiles: Sequence[CompiledProfile], calls: Iterable[CallFacts]
) -> Iterator[Verdict]:
    """Every matching (profile, call) pair by checking all pairs: the reference the index is
    measured and tested against."""
    for f in calls:
        for cp in profiles:
            verdict = evaluate(cp, f, trace=False)
            if verdict.matched:
                yield verdict
