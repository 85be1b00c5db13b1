"""The tables. Schema changes go through an Alembic migration in store/migrations/versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from fundwatch.store.types import UTCDateTime


def _utc(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class SourceRow(SQLModel, table=True):
    """One configured source, with its running health."""

    __tablename__ = "source"

    id: str = Field(primary_key=True, max_length=100)
    kind: str = Field(max_length=50)
    name: str = Field(default="", max_length=300)
    enabled: bool = True
    last_good_count: int | None = None
    consecutive_failures: int = 0
    last_success_at: datetime | None = _utc()
    last_error_at: datetime | None = _utc()
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    alert_state: str = Field(default="", max_length=20)
    """"failing" once the operator was told the source is failing, until it recovers."""


class SourceRun(SQLModel, table=True):
    """One fetch of one source. `complete` runs are the only ones that may close or drop calls."""

    __tablename__ = "source_run"

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True, max_length=100)
    started_at: datetime = _utc(nullable=False)
    finished_at: datetime | None = _utc()
    status: str = Field(default="running", max_length=20)
    complete: bool = False
    expected: int | None = None
    calls_seen: int = 0
    calls_new: int = 0
    calls_changed: int = 0
    requests: int = 0
    error_kind: str = Field(default="", max_length=50)
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class CallRow(SQLModel, table=True):
    """The latest known state of one call from one source."""

    __tablename__ = "call"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_call_source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(foreign_key="source.id", max_length=100)
    source_id: str = Field(max_length=500)
    entity_id: str = Field(default="", index=True, max_length=100)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    url: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    opens_at: datetime | None = _utc()
    last_deadline: datetime | None = _utc(index=True)
    rolling: bool = False
    first_seen: datetime = _utc(nullable=False)
    last_seen: datetime = _utc(nullable=False)
    last_changed: datetime = _utc(nullable=False)
    content_hash: str = Field(max_length=64)
    missed_runs: int = 0
    gone: bool = False
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CallVersion(SQLModel, table=True):
    """A materially different state of a call; a new row only when the content hash changes."""

    __tablename__ = "call_version"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="source_run.id")
    seen_at: datetime = _utc(nullable=False)
    content_hash: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ChangeEventRow(SQLModel, table=True):
    __tablename__ = "change_event"
    __table_args__ = (Index("ix_change_event_at_kind", "at", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="source_run.id")
    kind: str = Field(max_length=40)
    at: datetime = _utc(nullable=False)
    before: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class CacheEntry(SQLModel, table=True):
    """Per-source memory between runs (detail pages, enrichment, HTTP validators)."""

    __tablename__ = "cache_entry"

    namespace: str = Field(primary_key=True, max_length=100)
    key: str = Field(primary_key=True, max_length=1000)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = _utc(nullable=False)


class DeliveryState(SQLModel, table=True):
    """How far each profile's channel has been served."""

    __tablename__ = "delivery_state"

    profile_id: str = Field(primary_key=True, max_length=100)
    channel: str = Field(primary_key=True, max_length=20)
    last_period: str = Field(default="", max_length=50)
    last_event_id: int = 0
    last_sent_at: datetime | None = _utc()


class OutboxMessage(SQLModel, table=True):
    """A message to deliver. `id` is stable (profile + period + channel + recipient), so a
    digest built twice is queued once; `status` moves pending -> sent | failed | suppressed."""

    __tablename__ = "outbox"

    id: str = Field(primary_key=True, max_length=200)
    profile_id: str = Field(index=True, max_length=100)
    channel: str = Field(max_length=20)
    period: str = Field(max_length=50)
    recipient: str = Field(default="", max_length=320)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="pending", index=True, max_length=20)
    attempts: int = 0
    created_at: datetime = _utc(nullable=False)
    next_attempt_at: datetime | None = _utc()
    sent_at: datetime | None = _utc()
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    lease_owner: str = Field(default="", max_length=100)
    lease_until: datetime | None = _utc()


class Lease(SQLModel, table=True):
    """A named, expiring claim on a piece of work (see store/leases.py)."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=200)
    owner: str = Field(max_length=200)
    until: datetime = _utc(nullable=False)
