"""Operator alerts: once when a source goes bad, once when it recovers, through the outbox."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fundwatch import alerts
from fundwatch.config import Config, load_config
from fundwatch.models import Call, SourceResult
from fundwatch.pipeline import record
from fundwatch.store import Store, outbox

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
SHIPPED = Path(__file__).resolve().parents[1] / "config"


def _failed(kind: str = "fetch_error") -> SourceResult:
    return SourceResult("lazio-innova", "error", error="HTTP 503 after 4 attempts", error_kind=kind)


def _ok() -> SourceResult:
    call = Call(
        source="lazio-innova",
        source_id="1",
        url="https://www.lazioinnova.it/bandi/x/",
        titles={"it": "Bando"},
    )
    return SourceResult("lazio-innova", "ok", calls=(call,))


@pytest.mark.parametrize(
    ("told", "result", "failures", "expected"),
    [
        ("", _failed(), 2, None),
        ("", _failed(), 3, "failing"),
        ("failing", _failed(), 7, None),
        ("", _failed("shape_changed"), 1, "failing"),
        ("failing", _ok(), 0, "recovered"),
        ("", _ok(), 0, None),
        ("failing", SourceResult("lazio-innova", "incomplete"), 0, None),
    ],
)
def test_decide(told: str, result: SourceResult, failures: int, expected: str | None) -> None:
    assert alerts.decide(told, result, failures, 3) == expected


@pytest.fixture
def setup(database_url: str) -> Iterator[tuple[Config, Store]]:
    config = load_config(SHIPPED)
    store = Store.open(database_url)
    store.sync_sources(config.sources)
    yield config, store
    store.close()


def _run(config: Config, store: Store, result: SourceResult, at: datetime) -> None:
    import dataclasses

    result = dataclasses.replace(result, started_at=at, finished_at=at)
    record(store, result, 3)
    alerts.after_run(config, store, result, at)


def test_one_alert_when_bad_one_when_recovered(setup: tuple[Config, Store]) -> None:
    config, store = setup
    _run(config, store, _ok(), T0)
    for hour in range(1, 7):  # six failures: the third alerts, the others stay quiet
        _run(config, store, _failed(), T0 + timedelta(hours=hour))
    _run(config, store, _ok(), T0 + timedelta(hours=8))
    _run(config, store, _ok(), T0 + timedelta(hours=9))
    queued = outbox.messages(store.engine)
    assert [m.subject for m in queued] == [
        "[fundwatch] source lazio-innova is failing",
        "[fundwatch] source lazio-innova recovered",
    ]
    assert {m.recipient for m in queued} == {str(config.settings.operator_email)}
    first = email.message_from_bytes(queued[0].payload, policy=email.policy.default)
    body = first.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "3 runs in a row failed" in body
    assert "Last error: fetch_error: HTTP 503 after 4 attempts" in body
    assert "Last good fetch: 2026-11-02 06:00 UTC" in body
    assert first["Auto-Submitted"] == "auto-generated"
