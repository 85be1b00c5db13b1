"""Operational views: `/healthz` and `/metrics` (Prometheus text format).

Metrics are computed from the database at scrape time, so every instance sharing a database
reports the same numbers and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, select

from fundwatch.store import Store
from fundwatch.store.tables import CallRow, ChangeEventRow, OutboxMessage, SourceRun

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class Health:
    ok: bool
    database: str
    scheduler: str
    failing_sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "failing",
            "database": self.database,
            "scheduler": self.scheduler,
            "failing_sources": self.failing_sources,
        }


def health(store: Store, scheduler_alive: bool | None, alert_after: int) -> Health:
    """Database reachable, scheduler alive (None: no scheduler in this process), failing
    sources (those at or past `alert_after` consecutive failures, or failing since the operator
    was alerted, e.g. at once on a shape change). Failing sources are reported but do not make
    the instance unhealthy: restarting it would not help."""
    try:
        sources = store.source_health()
        failing = [
            s.id
            for s in sources
            if s.enabled
            and (
                s.consecutive_failures >= alert_after
                or (s.consecutive_failures > 0 and store.alert_state(s.id) == "failing")
            )
        ]
    except Exception as exc:  # any driver error means "unreachable" for a health check
        return Health(False, f"unreachable: {type(exc).__name__}", _sched(scheduler_alive))
    ok = scheduler_alive is not False
    return Health(ok, "ok", _sched(scheduler_alive), failing)


def _sched(alive: bool | None) -> str:
    return "not running here" if alive is None else ("alive" if alive else "stopped")


class _StoreCollector(Collector):
    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[Any]:
        runs = CounterMetricFamily(
            "fundwatch_source_runs", "Source runs by status", labels=["source", "status"]
        )
        calls = GaugeMetricFamily(
            "fundwatch_calls_stored", "Calls stored (not vanished)", labels=["source"]
        )
        failures = GaugeMetricFamily(
            "fundwatch_source_consecutive_failures", "Consecutive failed runs", labels=["source"]
        )
        last_ok = GaugeMetricFamily(
            "fundwatch_source_last_success_timestamp_seconds",
            "Unix time of the last successful run",
            labels=["source"],
        )
        events = CounterMetricFamily("fundwatch_events", "Change events by kind", labels=["kind"])
        messages = GaugeMetricFamily(
            "fundwatch_outbox_messages", "Outbox messages by status", labels=["status"]
        )
        with Session(self._store.engine) as s:
            for source, status, n in s.exec(
                select(SourceRun.source_id, SourceRun.status, func.count()).group_by(
                    SourceRun.source_id, SourceRun.status
                )
            ).all():
                runs.add_metric([source, status], n)
            for kind, n in s.exec(
                select(ChangeEventRow.kind, func.count()).group_by(ChangeEventRow.kind)
            ).all():
                events.add_metric([kind], n)
            for status, n in s.exec(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all():
                messages.add_metric([status], n)
            stored = dict(
                s.exec(
                    select(CallRow.source, func.count())
                    .where(CallRow.gone == False)  # noqa: E712
                    .group_by(CallRow.source)
                ).all()
            )
        for h in self._store.source_health():
            calls.add_metric([h.id], stored.get(h.id, 0))
            failures.add_metric([h.id], h.consecutive_failures)
            if h.last_success_at is not None:
                last_ok.add_metric([h.id], _epoch(h.last_success_at))
        yield from (runs, calls, failures, last_ok, events, messages)


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def metrics_text(store: Store) -> bytes:
    """The Prometheus exposition of the store's state."""
    registry = CollectorRegistry()
    registry.register(_StoreCollector(store))
    return generate_latest(registry)
