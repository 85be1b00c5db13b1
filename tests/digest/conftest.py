"""A configuration, a store filled through the real pipeline, and a real SMTP server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fundwatch.config import Config, Profile, Settings, SourceConfig
from fundwatch.models import Deadline, SourceResult
from fundwatch.pipeline import record
from fundwatch.store import Store
from tests.digest.calls import IEFP, INCUBATION, INSEDIAMENTO, PEP, POW, TCS
from tests.digest.smtpd import SmtpServer

T0 = datetime(2026, 8, 20, 6, 0, tzinfo=UTC)
"""First run: the four ESF+ topics, TCS with its first deadline (9 September)."""
T1 = datetime(2026, 9, 16, 6, 0, tzinfo=UTC)
"""Second run: TCS extended to 23 September; the Piemonte calls first seen."""
TCS_FIRST_DEADLINE = datetime(2026, 9, 9, 15, 0, tzinfo=UTC)
SECRET = "test-secret-for-links-0123456789"
ENV = {"FUNDWATCH_SECRET": SECRET, "FUNDWATCH_SMTP_PASSWORD": "s3cret"}

SOURCES = (
    SourceConfig(id="eu-esf", kind="eu_ft", name="EU Funding & Tenders (ESF+)"),
    SourceConfig(id="piemonte-fse", kind="piemonte", name="Regione Piemonte"),
)


def torino(**delivery: Any) -> Profile:
    return Profile.model_validate(
        {
            "id": "comune-torino",
            "name": "Comune di Torino",
            "language": "it",
            "recipients": ["fondi.europei@example.org", "giunta@example.org"],
            "organisation": {"type": "comune", "territory": "001272"},
            "delivery": delivery,
        }
    )


def network(**delivery: Any) -> Profile:
    return Profile.model_validate(
        {
            "id": "ngo-network-brussels",
            "name": "European Social Innovation Network (Brussels)",
            "language": "en",
            "recipients": ["funding@example.org"],
            "interests": {"funds": ["ESF+"]},
            "delivery": {"frequency": "daily", **delivery},
        }
    )


def make_config(tmp_path: Path, *profiles: Profile, **settings: Any) -> Config:
    base = Settings.model_validate(
        {
            "database_url": f"sqlite:///{tmp_path / 'fundwatch.db'}",
            "public_base_url": "https://fundwatch.example.org",
            "outbox_dir": str(tmp_path / "var" / "outbox"),
            "feed_dir": str(tmp_path / "var" / "feeds"),
            "feedback_dir": str(tmp_path / "var" / "feedback"),
            **settings,
        }
    )
    return Config(tmp_path / "config", base, SOURCES, {}, profiles or (torino(), network()))


def with_profiles(config: Config, *profiles: Profile) -> Config:
    return dataclasses.replace(config, profiles=profiles)


def seed(store: Store) -> None:
    """Two real runs through the pipeline: changes.diff and status transitions make the
    events (new, closed by date, deadline extended, reopened, status changed)."""
    store.sync_sources(SOURCES)
    tcs0 = TCS.model_copy(update={"deadlines": (Deadline(at=TCS_FIRST_DEADLINE),)})
    record(
        store,
        SourceResult(
            "eu-esf", "ok", calls=(tcs0, POW, INCUBATION, PEP), started_at=T0, finished_at=T0
        ),
        3,
    )
    record(
        store,
        SourceResult(
            "eu-esf", "ok", calls=(TCS, POW, INCUBATION, PEP), started_at=T1, finished_at=T1
        ),
        3,
    )
    record(
        store,
        SourceResult(
            "piemonte-fse", "ok", calls=(IEFP, INSEDIAMENTO), started_at=T1, finished_at=T1
        ),
        3,
    )


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store.open(database_url, clock=lambda: T1)
    seed(s)
    yield s
    s.close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server
