"""The digest's view of the rules engine: which stored calls each profile is told about, and why.

A `Matcher` takes the profiles, the stored calls and `now`, and returns, for each profile in
order, ``{stored call id: short reasons}`` of the calls that match it (in call order).
`rules_matcher` is the one adapter to `fundwatch.rules`:

- the profile's reader feedback (the "not relevant" exclusion list, "fewer like this") is
  applied by the engine, from the `FeedbackStore` the digest's links write to;
- a call that is closed by its dates, or vanished, and does not match is judged a second
  time with the status and lead-time gates opened up: the question is then "was it for
  them?", so that a call the readers were told about reaches the "Closed or withdrawn"
  section instead of silently dropping out.

It matches all the profiles at once: one `ProfileIndex` of the profiles as written and one of
their wide twins, each call's facts derived once and checked only against the candidate
profiles the index gives (`ProfileIndex.match_calls`, a batch of calls at a time); only the
matches are evaluated again, traced, for their reasons.
`per_profile_matcher` is the same judgement call by call and profile by profile, every pair
traced: the reference the indexed one is tested (tests/digest/test_matching.py) and measured
(benchmarks/publish.py) against.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from fundwatch.config import Config, Profile
from fundwatch.models import Status
from fundwatch.rules import (
    CallFacts,
    Feedback,
    FeedbackStore,
    ProfileIndex,
    Scores,
    call_facts,
    compile_profile,
    evaluate,
    short_reasons,
)
from fundwatch.store import StoredCall

Reasons = tuple[str, ...]

WIDE_STATUS = ["open", "forthcoming", "closed"]
"""The statuses the second, wide judgement of a closed or vanished call admits."""


class Matcher(Protocol):
    def match(
        self,
        profiles: Sequence[Profile],
        calls: Sequence[StoredCall],
        now: datetime,
        aliases: Mapping[str, str] | None = None,
    ) -> Sequence[Mapping[int, Sequence[str]]]:
        """For each of `profiles`, in order: ``{stored call id: short reasons in the
        profile's language}`` of the calls that match it. `aliases` maps the reference
        ("source:source_id") of a copy that is not shown to the reference of the call that
        stands for its entity: a copy marked "not relevant" excludes the call shown for it."""
        ...


def feedback_store(config: Config) -> FeedbackStore:
    """Reader feedback files, one per profile, in ``settings.feedback_dir``."""
    return FeedbackStore(Path(config.settings.feedback_dir))


def widened(profile: Profile) -> Profile:
    """`profile` with the status and lead-time gates opened: "was this call for them?"."""
    gates = profile.gates.model_copy(update={"status": WIDE_STATUS, "min_lead_days": 0})
    return profile.model_copy(update={"gates": gates})


def _feedback(store: FeedbackStore, profile_id: str, aliases: Mapping[str, str] | None) -> Feedback:
    """The profile's feedback, with an excluded copy's exclusion carried to the call shown for
    its entity (the issuer's copy that took over from the aggregator's a reader marked)."""
    known = store.load(profile_id)
    if not aliases or not known.excluded:
        return known
    excluded = dict(known.excluded)
    for ref, at in known.excluded.items():
        shown = aliases.get(ref)
        if shown is not None and shown not in excluded:
            excluded[shown] = at
    return dataclasses.replace(known, excluded=excluded)


def _reconsidered(stored: StoredCall, status: Status) -> bool:
    """Whether a call that does not match is judged again with the wide gates."""
    return stored.gone or status is Status.CLOSED


class _Shared(dict[Reasons, Reasons]):
    """One tuple per distinct list of reasons: millions of matches say a few thousand things
    ("territorio: Piemonte", "fondo FSE+"), so the results hold each once."""

    def __call__(self, reasons: list[str]) -> Reasons:
        key = tuple(reasons)
        return self.setdefault(key, key)


class RulesMatcher:
    """The rules engine through the profile index (see the module docstring)."""

    def __init__(self, feedback: FeedbackStore) -> None:
        self.feedback = feedback

    def match(
        self,
        profiles: Sequence[Profile],
        calls: Sequence[StoredCall],
        now: datetime,
        aliases: Mapping[str, str] | None = None,
    ) -> list[dict[int, Reasons]]:
        out: list[dict[int, Reasons]] = [{} for _ in profiles]
        if not profiles or not calls:
            return out
        shared = _Shared()
        known = [_feedback(self.feedback, p.id, aliases) for p in profiles]
        languages = [p.language for p in profiles]
        compiled = [compile_profile(p, k) for p, k in zip(profiles, known, strict=True)]
        usual = ProfileIndex(compiled)
        wide: ProfileIndex | None = None  # built when the first closed or vanished call comes

        def record(index: ProfileIndex, i: int, stored: StoredCall, facts: CallFacts) -> None:
            verdict = evaluate(index.profiles[i], facts)
            out[i][stored.id] = shared(short_reasons(verdict, languages[i]))

        def each(position: int, facts: CallFacts, matched: Scores) -> None:
            nonlocal wide
            stored = calls[position]
            for i in matched:
                record(usual, i, stored, facts)
            if not _reconsidered(stored, facts.status):
                return
            if wide is None:
                wide = ProfileIndex(
                    [compile_profile(widened(p), k) for p, k in zip(profiles, known, strict=True)]
                )
            for i in wide.match(facts):
                if i not in matched:
                    record(wide, i, stored, facts)

        usual.match_calls([stored.call for stored in calls], now, each)
        return out


class PerProfileMatcher:
    """Every stored call traced for every profile, one profile at a time: the reference."""

    def __init__(self, feedback: FeedbackStore) -> None:
        self.feedback = feedback

    def match(
        self,
        profiles: Sequence[Profile],
        calls: Sequence[StoredCall],
        now: datetime,
        aliases: Mapping[str, str] | None = None,
    ) -> list[dict[int, Reasons]]:
        return [self._one(profile, calls, now, aliases) for profile in profiles]

    def _one(
        self,
        profile: Profile,
        calls: Sequence[StoredCall],
        now: datetime,
        aliases: Mapping[str, str] | None,
    ) -> dict[int, Reasons]:
        known = _feedback(self.feedback, profile.id, aliases)
        usual = compile_profile(profile, known)
        wide = compile_profile(widened(profile), known)
        out: dict[int, Reasons] = {}
        for stored in calls:
            facts = call_facts(stored.call, now)
            verdict = evaluate(usual, facts)
            if not verdict.matched and _reconsidered(stored, facts.status):
                verdict = evaluate(wide, facts)
            if verdict.matched:
                out[stored.id] = tuple(short_reasons(verdict, profile.language))
        return out


def rules_matcher(feedback: FeedbackStore) -> Matcher:
    return RulesMatcher(feedback)


def per_profile_matcher(feedback: FeedbackStore) -> Matcher:
    return PerProfileMatcher(feedback)


def default_matcher(config: Config) -> Matcher:
    """The matcher `publish`, `fundwatch serve`, the CLI and the demo use."""
    return rules_matcher(feedback_store(config))
