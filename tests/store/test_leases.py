"""Leases on SQLite and PostgreSQL: one winner, renewal, expiry take-over, release."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from fundwatch.store import Store
from fundwatch.store.leases import claim, holder, release

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)


def test_one_owner_at_a_time_then_expiry_hands_over(store: Store) -> None:
    e = store.engine
    assert claim(e, "source:eu", "a", TTL, T0)
    assert not claim(e, "source:eu", "b", TTL, T0 + timedelta(minutes=5))
    assert holder(e, "source:eu", T0 + timedelta(minutes=5)) == "a"
    assert claim(e, "source:eu", "a", TTL, T0 + timedelta(minutes=5))  # renewal
    assert not claim(e, "source:eu", "b", TTL, T0 + timedelta(minutes=14))
    assert claim(e, "source:eu", "b", TTL, T0 + timedelta(minutes=16))  # a died: expired
    assert holder(e, "source:eu", T0 + timedelta(minutes=16)) == "b"


def test_release_frees_the_lease(store: Store) -> None:
    e = store.engine
    assert claim(e, "x", "a", TTL, T0)
    release(e, "x", "b")  # not b's to release
    assert holder(e, "x", T0) == "a"
    release(e, "x", "a")
    assert holder(e, "x", T0) is None
    assert claim(e, "x", "b", TTL, T0)


def test_racing_claimants_have_exactly_one_winner(store: Store) -> None:
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def race(owner: str) -> None:
        barrier.wait()
        if claim(store.engine, "race", owner, TTL, T0):
            winners.append(owner)

    threads = [threading.Thread(target=race, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
