"""What matching says about one (profile, call) pair: a verdict, a score and every reason.

Reasons are data, not sentences: a `Reason` is a message code plus its arguments, rendered in
Italian or English by `fundwatch.rules.explain`. That keeps the engine free of wording and
lets the digest, the CLI and the JSON output each render the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Result(StrEnum):
    """Outcome of one criterion for one call."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence: a message code (see `explain.MESSAGES`) and its arguments.

    Argument values are plain JSON-able data: strings, numbers, lists of strings. Codes of a
    vocabulary (audiences, funds, territories) stay codes; the renderer labels them.
    """

    code: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one criterion with its evidence. `points` add to the relevance score."""

    criterion: str
    result: Result
    reasons: tuple[Reason, ...] = ()
    points: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """Matched or not, the score (0-100; 0 when not matched) and the outcomes evaluated.

    `excluded_by` names the criteria that keep the call out: a failure, or an unknown fact
    under a strict policy. `flags` names the criteria whose fact was unknown but let through.
    A verdict built for speed (``trace=False``) stops at the first exclusion, so its
    `outcomes` may be partial; `matched` and `score` are the same either way.
    """

    profile_id: str
    call_ref: str
    matched: bool
    score: int
    outcomes: tuple[Outcome, ...]
    excluded_by: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    def outcome(self, criterion: str) -> Outcome | None:
        for item in self.outcomes:
            if item.criterion == criterion:
                return item
        return None
