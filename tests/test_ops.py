"""Health and Prometheus metrics, read back with the Prometheus text parser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fundwatch.config import SourceConfig
from fundwatch.models import Call, ChangeEvent, ChangeKind, SourceResult
from fundwatch.ops import health, metrics_text
from fundwatch.store import Store

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store.open(database_url)
    s.sync_sources([SourceConfig(id="eu", kind="eu_ft"), SourceConfig(id="lazio", kind="wp_rest")])
    call = Call(source="eu", source_id="X-1", url="https://example.org/x", titles={"en": "X"})
    s.save_run(
        SourceResult("eu", "ok", calls=(call,), started_at=T0, finished_at=T0),
        [ChangeEvent(kind=ChangeKind.NEW, source="eu", source_id="X-1", at=T0)],
    )
    for _ in range(3):
        s.save_run(
            SourceResult(
                "lazio",
                "error",
                error="HTTP 503",
                error_kind="fetch_error",
                started_at=T0,
                finished_at=T0,
            )
        )
    yield s
    s.close()


def test_metrics_parse_and_carry_the_numbers(store: Store) -> None:
    families = {f.name: f for f in text_string_to_metric_families(metrics_text(store).decode())}
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in families.values()
        for s in f.samples
    }
    assert samples[("fundwatch_source_runs_total", (("source", "eu"), ("status", "ok")))] == 1
    assert samples[("fundwatch_source_runs_total", (("source", "lazio"), ("status", "error")))] == 3
    assert samples[("fundwatch_calls_stored", (("source", "eu"),))] == 1
    assert samples[("fundwatch_calls_stored", (("source", "lazio"),))] == 0
    assert samples[("fundwatch_source_consecutive_failures", (("source", "lazio"),))] == 3
    assert samples[("fundwatch_events_total", (("kind", "new"),))] == 1
    assert samples[("fundwatch_source_last_success_timestamp_seconds", (("source", "eu"),))] == (
        T0.timestamp()
    )


def test_health_reports_failing_sources_without_failing_the_instance(store: Store) -> None:
    h = health(store, scheduler_alive=True, alert_after=3)
    assert h.as_dict() == {
        "status": "ok",
        "database": "ok",
        "scheduler": "alive",
        "failing_sources": ["lazio"],
    }
    assert not health(store, scheduler_alive=False, alert_after=3).ok


def test_health_with_an_unreachable_database() -> None:
    broken = Store.open("sqlite:///:memory:")
    broken.engine.dispose()
    broken.engine = broken.engine.execution_options()  # same URL, fresh in-memory db: no tables
    h = health(broken, scheduler_alive=None, alert_after=3)
    assert not h.ok
    assert h.database.startswith("unreachable: ")


def test_a_source_the_operator_was_alerted_about_is_failing_at_once(store: Store) -> None:
    store.sync_sources([SourceConfig(id=i, kind="html_list") for i in ("eu", "lazio", "piemonte")])
    store.save_run(
        SourceResult(
            "piemonte",
            "error",
            error="the list page has no rows",
            error_kind="shape_changed",
            started_at=T0,
            finished_at=T0,
        )
    )
    assert health(store, True, alert_after=3).failing_sources == ["lazio"]  # one failure only
    store.set_alert_state("piemonte", "failing")  # what alerts.after_run records on a shape change
    assert health(store, True, alert_after=3).failing_sources == ["lazio", "piemonte"]
