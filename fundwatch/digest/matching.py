"""The digest's view of the rules engine: which stored calls a profile is told about, and why.

A `Matcher` takes a profile, the stored calls and `now`, and returns ``{stored call id: short
reasons}`` for the calls that match. `rules_matcher` is the one adapter to `fundwatch.rules`:

- the profile's reader feedback (the "not relevant" exclusion list, "fewer like this") is
  applied by the engine, from the `FeedbackStore` the digest's links write to;
- a call that is closed by its dates, or vanished, is judged a second time with the status
  and lead-time gates opened up: the question is then "was it for them?", so that a call the
  readers were told about reaches the "Closed or withdrawn" section instead of silently
  dropping out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from fundwatch.config import Config, Profile
from fundwatch.models import Status
from fundwatch.rules import FeedbackStore, call_facts, compile_profile, evaluate, short_reasons
from fundwatch.store import StoredCall


class Matcher(Protocol):
    def __call__(
        self, profile: Profile, calls: Sequence[StoredCall], now: datetime
    ) -> Mapping[int, Sequence[str]]:
        """``{stored call id: short reasons in the profile's language}`` of matching calls."""
        ...


def feedback_store(config: Config) -> FeedbackStore:
    """Reader feedback files, one per profile, in ``settings.feedback_dir``."""
    return FeedbackStore(Path(config.settings.feedback_dir))


def rules_matcher(feedback: FeedbackStore) -> Matcher:
    def match(
        profile: Profile, calls: Sequence[StoredCall], now: datetime
    ) -> dict[int, tuple[str, ...]]:
        known = feedback.load(profile.id)
        usual = compile_profile(profile, known)
        gates = profile.gates
        wide = compile_profile(
            profile.model_copy(
                update={
                    "gates": gates.model_copy(
                        update={
                            "status": ["open", "forthcoming", "closed"],
                            "min_lead_days": 0,
                        }
                    )
                }
            ),
            known,
        )
        out: dict[int, tuple[str, ...]] = {}
        for stored in calls:
            facts = call_facts(stored.call, now)
            verdict = evaluate(usual, facts)
            if not verdict.matched and (stored.gone or facts.status is Status.CLOSED):
                verdict = evaluate(wide, facts)
            if verdict.matched:
                out[stored.id] = tuple(short_reasons(verdict, profile.language))
        return out

    return match


def default_matcher(config: Config) -> Matcher:
    """The matcher `publish`, `fundwatch serve`, the CLI and the demo use."""
    return rules_matcher(feedback_store(config))
