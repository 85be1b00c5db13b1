"""The store's API: what the pipeline, CLI and web layer ask of the database.

One source run is written in one transaction: the run row, the calls, their new versions,
the change events and the source's health move together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from fundwatch.config.sources import SourceConfig
from fundwatch.models import Call, ChangeEvent, SourceResult
from fundwatch.store.cache import StoreCache, StoreHttpCache
from fundwatch.store.db import make_engine, migrate
from fundwatch.store.tables import (
    CallRow,
    CallVersion,
    ChangeEventRow,
    SourceRow,
    SourceRun,
)


@dataclass(frozen=True)
class StoredCall:
    id: int
    call: Call
    first_seen: datetime
    last_seen: datetime
    last_changed: datetime
    gone: bool
    entity_id: str


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    source_id: str
    status: str
    seen: int
    new: int
    changed: int
    events: int


@dataclass(frozen=True)
class SourceHealth:
    id: str
    kind: str
    name: str
    enabled: bool
    calls: int
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str
    consecutive_failures: int
    last_run_status: str
    last_run_at: datetime | None
    failing_since: datetime | None = None
    """When the current streak of failed runs began (None while the source works)."""


@dataclass(frozen=True)
class StoredEvent:
    id: int
    event: ChangeEvent
    call_id: int
    title: str


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """All database access. Build with `Store.open(url)`; migrations run on open."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self.engine = engine
        self._clock = clock

    @classmethod
    def open(cls, url: str, clock: Callable[[], datetime] = _now) -> Store:
        engine = make_engine(url)
        migrate(engine)
        return cls(engine, clock)

    def close(self) -> None:
        self.engine.dispose()

    # -- sources ---------------------------------------------------------------------------

    def sync_sources(self, configs: Iterable[SourceConfig]) -> None:
        """Make the source table mirror the config (kind, name, enabled)."""
        with Session(self.engine) as s:
            for cfg in configs:
                row = s.get(SourceRow, cfg.id) or SourceRow(id=cfg.id, kind=cfg.kind)
                row.kind, row.name, row.enabled = cfg.kind, cfg.name, cfg.enabled
                s.add(row)
            s.commit()

    def known_hashes(self, source_id: str) -> dict[str, str]:
        with Session(self.engine) as s:
            rows = s.exec(
                select(CallRow.source_id, CallRow.content_hash).where(CallRow.source == source_id)
            ).all()
            return {sid: h for sid, h in rows}

    def previous_calls(self, source_id: str) -> dict[str, StoredCall]:
        with Session(self.engine) as s:
            rows = s.exec(select(CallRow).where(CallRow.source == source_id)).all()
            return {r.source_id: _stored(r) for r in rows}

    def miss_counts(self, source_id: str) -> dict[str, int]:
        with Session(self.engine) as s:
            rows = s.exec(
                select(CallRow.source_id, CallRow.missed_runs).where(CallRow.source == source_id)
            ).all()
            return {sid: n for sid, n in rows}

    def last_good_count(self, source_id: str) -> int | None:
        with Session(self.engine) as s:
            row = s.get(SourceRow, source_id)
            return row.last_good_count if row else None

    def last_run_started(self, source_id: str) -> datetime | None:
        with Session(self.engine) as s:
            return s.exec(
                select(SourceRun.started_at)
                .where(SourceRun.source_id == source_id)
                .order_by(col(SourceRun.started_at).desc())
                .limit(1)
            ).first()

    def last_trusted_run(self, source_id: str) -> datetime | None:
        """When the last complete run that returned calls started (the clock-driven status
        transitions are computed from there, so windows never overlap)."""
        with Session(self.engine) as s:
            return s.exec(
                select(SourceRun.started_at)
                .where(
                    SourceRun.source_id == source_id,
                    col(SourceRun.complete).is_(True),
                    col(SourceRun.calls_seen) > 0,
                    SourceRun.error == "",
                )
                .order_by(col(SourceRun.started_at).desc())
                .limit(1)
            ).first()

    def run_count(self, source_id: str) -> int:
        with Session(self.engine) as s:
            return len(s.exec(select(SourceRun.id).where(SourceRun.source_id == source_id)).all())

    def cache(self, namespace: str) -> StoreCache:
        return StoreCache(self.engine, namespace, self._clock)

    def http_cache(self) -> StoreHttpCache:
        return StoreHttpCache(self.engine, self._clock)

    # -- writing a run ---------------------------------------------------------------------

    def save_run(
        self,
        result: SourceResult,
        events: Sequence[ChangeEvent] = (),
        *,
        miss_counts: Mapping[str, int] | None = None,
        gone: Iterable[str] = (),
    ) -> RunSummary:
        """Write one source run: run row, calls, versions, events, source health.

        Calls are upserted by (source, source_id); a version row is added only when the
        content hash changed. `miss_counts` (source_id -> consecutive complete runs without
        the call) and `gone` (source_ids now vanished) come from the pure absence logic.
        """
        now = result.finished_at or self._clock()
        started = result.started_at or now
        with Session(self.engine) as s:
            run = SourceRun(
                source_id=result.source_id,
                started_at=started,
                finished_at=now,
                status=result.status,
                complete=result.complete,
                expected=result.expected,
                calls_seen=len(result.calls),
                requests=result.requests,
                error_kind=result.error_kind,
                error=result.error,
                notes=list(result.notes),
            )
            s.add(run)
            s.flush()
            assert run.id is not None
            existing = {
                r.source_id: r
                for r in s.exec(select(CallRow).where(CallRow.source == result.source_id)).all()
            }
            new = changed = 0
            for call in result.calls:
                row = existing.get(call.source_id)
                digest = call.content_hash()
                if row is None:
                    row = CallRow(
                        source=call.source,
                        source_id=call.source_id,
                        first_seen=now,
                        last_seen=now,
                        last_changed=now,
                        content_hash=digest,
                    )
                    new += 1
                elif row.content_hash != digest:
                    changed += 1
                    row.last_changed = now
                elif not row.gone:
                    row.last_seen = now
                    row.missed_runs = 0
                    s.add(row)
                    continue
                _fill(row, call, digest, now)
                s.add(row)
                s.flush()
                assert row.id is not None
                existing[call.source_id] = row
                s.add(
                    CallVersion(
                        call_id=row.id,
                        run_id=run.id,
                        seen_at=now,
                        content_hash=digest,
                        data=row.data,
                    )
                )
            for sid, count in (miss_counts or {}).items():
                if sid in existing:
                    existing[sid].missed_runs = count
                    s.add(existing[sid])
            for sid in gone:
                if sid in existing:
                    existing[sid].gone = True
                    s.add(existing[sid])
            s.flush()
            for ev in events:
                target = existing.get(ev.source_id)
                if target is None or target.id is None:
                    raise ValueError(f"event for unknown call {ev.source}:{ev.source_id}")
                s.add(
                    ChangeEventRow(
                        call_id=target.id,
                        run_id=run.id,
                        kind=ev.kind.value,
                        at=ev.at,
                        before=ev.before,
                        after=ev.after,
                        detail=ev.detail,
                    )
                )
            run.calls_new, run.calls_changed = new, changed
            s.add(run)
            _update_health(s, result, now)
            s.commit()
            return RunSummary(
                run.id,
                result.source_id,
                result.status,
                len(result.calls),
                new,
                changed,
                len(events),
            )

    def alert_state(self, source_id: str) -> str:
        with Session(self.engine) as s:
            row = s.get(SourceRow, source_id)
            return row.alert_state if row else ""

    def set_alert_state(self, source_id: str, state: str) -> None:
        with Session(self.engine) as s:
            row = s.get(SourceRow, source_id)
            if row is not None:
                row.alert_state = state
                s.add(row)
                s.commit()

    def set_entities(self, entity_of: Mapping[tuple[str, str], str]) -> int:
        """Record which entity each call belongs to; returns how many rows changed."""
        changed = 0
        with Session(self.engine) as s:
            for row in s.exec(select(CallRow)).all():
                entity = entity_of.get((row.source, row.source_id), "")
                if row.entity_id != entity:
                    row.entity_id = entity
                    s.add(row)
                    changed += 1
            s.commit()
        return changed

    # -- reading ---------------------------------------------------------------------------

    def calls(
        self,
        *,
        source: str | None = None,
        open_at: datetime | None = None,
        include_gone: bool = False,
        entity: str | None = None,
    ) -> list[StoredCall]:
        """Stored calls, newest first. `open_at` keeps calls not closed by their dates then
        (a deadline still ahead, rolling, or no deadline known)."""
        stmt = select(CallRow)
        if source:
            stmt = stmt.where(CallRow.source == source)
        if entity:
            stmt = stmt.where(CallRow.entity_id == entity)
        if not include_gone:
            stmt = stmt.where(col(CallRow.gone).is_(False))
        if open_at is not None:
            stmt = stmt.where(
                or_(col(CallRow.last_deadline).is_(None), col(CallRow.last_deadline) >= open_at)
            )
        stmt = stmt.order_by(col(CallRow.first_seen).desc(), col(CallRow.id).desc())
        with Session(self.engine) as s:
            return [_stored(r) for r in s.exec(stmt).all()]

    def find_call(self, ref: str) -> StoredCall | None:
        """A call by numeric id, by ``source:source_id``, or by a source_id unique in the store."""
        with Session(self.engine) as s:
            row: CallRow | None = None
            if ref.isdigit():
                row = s.get(CallRow, int(ref))
            if row is None and ":" in ref:
                source, _, sid = ref.partition(":")
                row = s.exec(
                    select(CallRow).where(CallRow.source == source, CallRow.source_id == sid)
                ).first()
            if row is None:
                rows = s.exec(select(CallRow).where(CallRow.source_id == ref)).all()
                row = rows[0] if len(rows) == 1 else None
            return _stored(row) if row else None

    def versions(self, call_id: int) -> list[tuple[datetime, Call]]:
        with Session(self.engine) as s:
            rows = s.exec(
                select(CallVersion)
                .where(CallVersion.call_id == call_id)
                .order_by(col(CallVersion.id))
            ).all()
            return [(r.seen_at, Call.model_validate(r.data)) for r in rows]

    def events(
        self,
        *,
        since: datetime | None = None,
        kinds: Sequence[str] = (),
        call_id: int | None = None,
        after_id: int = 0,
    ) -> list[StoredEvent]:
        stmt = select(ChangeEventRow, CallRow).where(ChangeEventRow.call_id == CallRow.id)
        if since is not None:
            stmt = stmt.where(col(ChangeEventRow.at) >= since)
        if kinds:
            stmt = stmt.where(col(ChangeEventRow.kind).in_(list(kinds)))
        if call_id is not None:
            stmt = stmt.where(ChangeEventRow.call_id == call_id)
        if after_id:
            stmt = stmt.where(col(ChangeEventRow.id) > after_id)
        stmt = stmt.order_by(col(ChangeEventRow.id))
        with Session(self.engine) as s:
            out = []
            for ev, call in s.exec(stmt).all():
                assert ev.id is not None
                out.append(
                    StoredEvent(
                        ev.id,
                        ChangeEvent.model_validate(
                            {
                                "kind": ev.kind,
                                "source": call.source,
                                "source_id": call.source_id,
                                "at": ev.at,
                                "before": ev.before,
                                "after": ev.after,
                                "detail": ev.detail,
                            }
                        ),
                        ev.call_id,
                        call.title,
                    )
                )
            return out

    def source_health(self) -> list[SourceHealth]:
        with Session(self.engine) as s:
            out = []
            for src in s.exec(select(SourceRow).order_by(col(SourceRow.id))).all():
                last = s.exec(
                    select(SourceRun)
                    .where(SourceRun.source_id == src.id)
                    .order_by(col(SourceRun.id).desc())
                    .limit(1)
                ).first()
                count = s.exec(
                    select(func.count())
                    .select_from(CallRow)
                    .where(CallRow.source == src.id, col(CallRow.gone).is_(False))
                ).one()
                since = None
                if src.consecutive_failures > 0:
                    streak = s.exec(
                        select(SourceRun.started_at)
                        .where(SourceRun.source_id == src.id)
                        .order_by(col(SourceRun.id).desc())
                        .limit(src.consecutive_failures)
                    ).all()
                    since = streak[-1] if streak else None
                out.append(
                    SourceHealth(
                        src.id,
                        src.kind,
                        src.name,
                        src.enabled,
                        count,
                        src.last_success_at,
                        src.last_error_at,
                        src.last_error,
                        src.consecutive_failures,
                        last.status if last else "never",
                        last.finished_at if last else None,
                        since,
                    )
                )
            return out


def _fill(row: CallRow, call: Call, digest: str, now: datetime) -> None:
    row.title = call.title
    row.url = call.url
    row.opens_at = call.opens_at
    row.last_deadline = max((d.at for d in call.deadlines), default=None)
    row.rolling = call.rolling
    row.content_hash = digest
    row.data = call.model_dump(mode="json")
    row.last_seen = now
    row.missed_runs = 0
    row.gone = False


def _stored(row: CallRow) -> StoredCall:
    assert row.id is not None
    return StoredCall(
        row.id,
        Call.model_validate(row.data),
        row.first_seen,
        row.last_seen,
        row.last_changed,
        row.gone,
        row.entity_id,
    )


def _update_health(s: Session, result: SourceResult, now: datetime) -> None:
    src = s.get(SourceRow, result.source_id)
    if src is None:
        src = SourceRow(id=result.source_id, kind="")
    if result.status == "error":
        src.consecutive_failures += 1
        src.last_error_at = now
        src.last_error = (
            f"{result.error_kind}: {result.error}" if result.error_kind else result.error
        )
    else:
        src.consecutive_failures = 0
        src.last_success_at = now
        if result.complete:
            src.last_good_count = len(result.calls)
        elif result.error:
            src.last_error_at = now
            src.last_error = f"incomplete: {result.error}"
    s.add(src)
