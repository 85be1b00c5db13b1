"""The indexed matcher gives exactly what the per-profile traced loop gives: same calls, same
reasons, same order, for every profile; and publish asks it once for all the due profiles."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fundwatch.config import Config, Profile, load_profiles
from fundwatch.digest.collect import Collector
from fundwatch.digest.matching import (
    Matcher,
    feedback_store,
    per_profile_matcher,
    rules_matcher,
)
from fundwatch.digest.publish import links_for, publish
from fundwatch.models import Call, Status, status
from fundwatch.rules import FeedbackStore
from fundwatch.store import Store, StoredCall
from tests.digest.calls import NOW as DIGEST_NOW
from tests.digest.conftest import ENV, network, torino, with_profiles
from tests.rules.fixture_calls import ROOT, fixture_calls
from tests.rules.test_index import random_call, random_profile

SHIPPED = load_profiles(ROOT / "config" / "profiles")
FIRST_SEEN = datetime(2024, 1, 1, tzinfo=UTC)


def stored(calls: Sequence[Call], rng: random.Random, gone: float) -> list[StoredCall]:
    """Store-shaped calls with scattered ids (as the store returns them: not 1..n in order)
    and a share vanished."""
    ids = rng.sample(range(1, 10 * len(calls) + 1), len(calls))
    return [
        StoredCall(i, call, FIRST_SEEN, FIRST_SEEN, FIRST_SEEN, rng.random() < gone, "")
        for i, call in zip(ids, calls, strict=True)
    ]


def both(
    feedback: FeedbackStore, profiles: Sequence[Profile], calls: list[StoredCall], now: datetime
) -> list[Mapping[int, Sequence[str]]]:
    """The indexed matcher's answer, after checking it equals the reference's, order included."""
    indexed = rules_matcher(feedback).match(profiles, calls, now)
    reference = per_profile_matcher(feedback).match(profiles, calls, now)
    assert len(indexed) == len(reference) == len(profiles)
    for profile, got, want in zip(profiles, indexed, reference, strict=True):
        assert list(got.items()) == list(want.items()), profile.id
    return list(indexed)


def reopened_count(
    results: Sequence[Mapping[int, Sequence[str]]], calls: list[StoredCall], now: datetime
) -> int:
    """Matches that only the wide judgement can give: closed by date, or vanished."""
    by_id = {c.id: c for c in calls}
    return sum(
        1
        for verdicts in results
        for i in verdicts
        if by_id[i].gone or status(by_id[i].call, now) is Status.CLOSED
    )


@pytest.mark.parametrize(
    "now",
    [
        datetime(2024, 6, 1, tzinfo=UTC),
        datetime(2025, 6, 1, tzinfo=UTC),
        datetime(2026, 5, 4, 8, 0, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    ],
)
def test_shipped_profiles_on_the_real_fixture_calls(now: datetime, tmp_path: Path) -> None:
    rng = random.Random(now.year)
    calls = stored(fixture_calls(), rng, gone=0.15)
    feedback = FeedbackStore(tmp_path)
    # reader feedback as the digest's links write it: a call marked not relevant, a "fewer"
    for profile in SHIPPED[::2]:
        feedback.exclude_call(profile.id, f"{calls[0].call.source}:{calls[0].call.source_id}", now)
        feedback.fewer_like_this(profile.id, "formazione", now)
    results = both(feedback, SHIPPED, calls, now)
    assert sum(len(r) for r in results) > 10  # the real calls really match the profiles
    assert sum(1 for r in results if r) >= 3


def test_wide_matches_of_closed_and_vanished_fixture_calls(tmp_path: Path) -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    calls = stored(fixture_calls(), random.Random(3), gone=0.3)
    results = both(FeedbackStore(tmp_path), SHIPPED, calls, now)
    assert reopened_count(results, calls, now) > 5


@pytest.mark.parametrize("seed", [20260504, 6])
def test_random_profiles_calls_and_feedback(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    compiled = [random_profile(rng, i) for i in range(120)]
    calls = stored([random_call(rng, i) for i in range(200)], rng, gone=0.1)
    feedback = FeedbackStore(tmp_path)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    for cp in compiled:  # the random feedback, written where the matchers read it
        for ref in cp.excluded_calls:
            feedback.exclude_call(cp.id, ref, at)
        for term in cp.fewer:
            feedback.fewer_like_this(cp.id, term.text, at)
    assert any(feedback.load(cp.id).excluded for cp in compiled)
    profiles = [cp.profile for cp in compiled]
    for now in (datetime(2026, 5, 4, 8, 0, tzinfo=UTC), datetime(2026, 6, 20, tzinfo=UTC)):
        results = both(feedback, profiles, calls, now)
        assert sum(len(r) for r in results) > 500
        assert reopened_count(results, calls, now) > 50
        assert any(r for r, p in zip(results, profiles, strict=True) if p.language == "en")


def test_nothing_to_match(tmp_path: Path) -> None:
    feedback = FeedbackStore(tmp_path)
    calls = stored(fixture_calls()[:3], random.Random(1), gone=0)
    assert rules_matcher(feedback).match([], calls, DIGEST_NOW) == []
    assert rules_matcher(feedback).match(SHIPPED, [], DIGEST_NOW) == [{} for _ in SHIPPED]


class Counting:
    """A matcher that records which profiles it was asked about, each time."""

    def __init__(self, inner: Matcher) -> None:
        self.inner = inner
        self.asked: list[list[str]] = []

    def match(
        self,
        profiles: Sequence[Profile],
        calls: Sequence[StoredCall],
        now: datetime,
        aliases: Mapping[str, str] | None = None,
    ) -> Sequence[Mapping[int, Sequence[str]]]:
        self.asked.append([p.id for p in profiles])
        return self.inner.match(profiles, calls, now, aliases)


def test_collector_gives_the_same_matches_either_way(config: Config, store: Store) -> None:
    feedback = feedback_store(config)
    feedback.exclude_call("comune-torino", "eu-esf:ESF-2026-POW", DIGEST_NOW)
    links = links_for(config, ENV)
    together = Collector(config, store, links, DIGEST_NOW, rules_matcher(feedback))
    together.prepare(config.profiles)
    for profile in config.profiles:
        one = Collector(config, store, links, DIGEST_NOW, per_profile_matcher(feedback))
        assert together.matches(profile) == one.matches(profile)
        assert together.matches(profile)


def test_publish_matches_the_due_profiles_once(config: Config, store: Store) -> None:
    config = with_profiles(config, torino(), network(feeds=False))
    counting = Counting(rules_matcher(feedback_store(config)))
    publish(config, store, DIGEST_NOW, matcher=counting, send=False, environ=ENV)
    # the digests' profiles in one pass; the feed files need nothing more (network has none)
    assert counting.asked == [["comune-torino", "ngo-network-brussels"]]
    counting.asked.clear()
    later = DIGEST_NOW + timedelta(hours=1)
    report = publish(config, store, later, matcher=counting, send=False, environ=ENV)
    assert {p.note for p in report.profiles} == {"already queued this period"}
    # nobody is due: only the feed files' profile is matched
    assert counting.asked == [["comune-torino"]]


def test_the_benchmark_runs_and_agrees_with_the_per_profile_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import publish as bench

    code = bench.main(["--profiles", "300", "--calls", "400", "--sample", "12"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "identical" in out
