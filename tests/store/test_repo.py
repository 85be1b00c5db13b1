"""Store round-trips, run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from fundwatch.config import SourceConfig
from fundwatch.http import CachedResponse
from fundwatch.models import (
    Audience,
    Budget,
    Call,
    ChangeEvent,
    ChangeKind,
    Deadline,
    Programme,
    SourceResult,
    Territory,
)
from fundwatch.store import Store
from fundwatch.store.db import alembic_config

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _call(sid: str = "ESF-2026-POW", deadline_days: int = 30, budget: str = "1500000") -> Call:
    return Call(
        source="eu",
        source_id=sid,
        url=f"https://example.org/{sid}",
        language="en",
        titles={"en": "Posting of workers", "it": "Distacco dei lavoratori"},
        programmes=(
            Programme(code="43254019", label="ESF+"),
            Programme(code="ESF+", label="European Social Fund Plus", kind="fund"),
        ),
        audiences=(Audience(code="ente_pubblico", raw="public bodies"),),
        territories=(Territory(code="EU", scheme="eu"),),
        opens_at=T0 - timedelta(days=10),
        deadlines=(Deadline(at=T0 + timedelta(days=deadline_days), label="single stage"),),
        budget=Budget(total_eur=Decimal(budget), cofinancing_rate=Decimal("0.9")),
        stated_status="Open",
    )


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store.open(database_url, clock=lambda: T0)
    s.sync_sources([SourceConfig(id="eu", kind="eu_ft", name="EU F&T")])
    yield s
    s.close()


def _ok(*calls: Call, at: datetime = T0) -> SourceResult:
    return SourceResult("eu", "ok", calls=calls, started_at=at, finished_at=at, requests=2)


def test_round_trip_keeps_every_field(store: Store) -> None:
    call = _call()
    summary = store.save_run(_ok(call))
    assert (summary.seen, summary.new, summary.changed) == (1, 1, 0)
    [stored] = store.calls()
    assert stored.call == call
    assert stored.first_seen == stored.last_seen == stored.last_changed == T0
    assert stored.first_seen.tzinfo is not None
    assert store.find_call("eu:ESF-2026-POW") == stored
    assert store.find_call("ESF-2026-POW") == stored
    assert store.find_call(str(stored.id)) == stored
    assert store.known_hashes("eu") == {"ESF-2026-POW": call.content_hash()}


def test_version_only_when_material_change(store: Store) -> None:
    store.save_run(_ok(_call()))
    t1, t2 = T0 + timedelta(hours=6), T0 + timedelta(hours=12)
    same = store.save_run(_ok(_call(), at=t1))
    assert (same.new, same.changed) == (0, 0)
    moved = store.save_run(_ok(_call(deadline_days=45), at=t2))
    assert (moved.new, moved.changed) == (0, 1)
    [stored] = store.calls()
    assert (stored.first_seen, stored.last_seen, stored.last_changed) == (T0, t2, t2)
    versions = store.versions(stored.id)
    assert [v[0] for v in versions] == [T0, t2]
    assert versions[0][1].deadlines[0].at == T0 + timedelta(days=30)
    assert versions[1][1].deadlines[0].at == T0 + timedelta(days=45)


def test_events_are_stored_with_their_call(store: Store) -> None:
    ev = ChangeEvent(
        kind=ChangeKind.BUDGET_CHANGED,
        source="eu",
        source_id="ESF-2026-POW",
        at=T0,
        before="1500000",
        after="2000000",
        detail="budget",
    )
    store.save_run(_ok(_call(budget="2000000")), [ev])
    [got] = store.events(kinds=["budget_changed"])
    assert got.event == ev
    assert got.title == "Posting of workers"
    assert store.events(since=T0 + timedelta(seconds=1)) == []


def test_failed_run_keeps_calls_and_records_health(store: Store) -> None:
    store.save_run(_ok(_call()))
    later = T0 + timedelta(hours=6)
    store.save_run(
        SourceResult(
            "eu",
            "error",
            error="HTTP 503 after 4 attempts",
            error_kind="fetch_error",
            started_at=later,
            finished_at=later,
        )
    )
    assert len(store.calls()) == 1
    [health] = store.source_health()
    assert health.consecutive_failures == 1
    assert health.last_error == "fetch_error: HTTP 503 after 4 attempts"
    assert health.last_success_at == T0
    assert health.last_run_status == "error"
    assert store.last_good_count("eu") == 1


def test_open_filter_uses_last_deadline(store: Store) -> None:
    store.save_run(_ok(_call("A", deadline_days=5), _call("B", deadline_days=-5)))
    assert [s.call.source_id for s in store.calls(open_at=T0)] == ["A"]
    assert {s.call.source_id for s in store.calls()} == {"A", "B"}


def test_caches_round_trip(store: Store) -> None:
    kv = store.cache("source:eu")
    assert kv.get("k") is None
    kv.put("k", b"one")
    kv.put("k", b"two")
    assert kv.get("k") == b"two"
    long_key = "https://example.org/" + "x" * 2000
    kv.put(long_key, b"long")
    assert kv.get(long_key) == b"long"
    http = store.http_cache()
    http.put("https://example.org/a", CachedResponse('"etag"', None, b"\x00body\nwith newline"))
    assert http.get("https://example.org/a") == CachedResponse(
        '"etag"', None, b"\x00body\nwith newline"
    )


def test_opening_applies_every_migration_and_they_match_the_tables(database_url: str) -> None:
    """A new database is brought to the newest revision on open, and the migrated schema is
    exactly what the SQLModel tables declare (a table changed without a migration fails)."""
    store = Store.open(database_url)
    try:
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert ctx.get_current_revision() == head
            assert compare_metadata(ctx, SQLModel.metadata) == []
            tables = set(inspect(conn).get_table_names())
        assert {
            "source",
            "source_run",
            "call",
            "call_version",
            "change_event",
            "delivery_state",
            "outbox",
        } <= tables
    finally:
        store.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'var' / 'fundwatch.db'}")
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        store.close()
    assert (tmp_path / "var" / "fundwatch.db").exists()  # the folder is created on demand


def test_reopening_is_idempotent(database_url: str) -> None:
    Store.open(database_url).close()
    again = Store.open(database_url)
    assert again.calls() == []
    again.close()


def test_failing_since_is_the_start_of_the_current_failure_streak(store: Store) -> None:
    store.save_run(_ok(_call()))
    for hours in (6, 12, 18):
        at = T0 + timedelta(hours=hours)
        store.save_run(
            SourceResult(
                "eu",
                "error",
                error="HTTP 503",
                error_kind="fetch_error",
                started_at=at,
                finished_at=at,
            )
        )
    [health] = store.source_health()
    assert (health.consecutive_failures, health.failing_since) == (3, T0 + timedelta(hours=6))
    store.save_run(_ok(_call(), at=T0 + timedelta(days=1)))
    [health] = store.source_health()
    assert (health.consecutive_failures, health.failing_since) == (0, None)
