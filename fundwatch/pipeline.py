"""The one place that wires sources, store, change tracking (and later rules and digests).

    fetch (I/O) -> parse (pure) -> diff (pure) -> store (one transaction per source run)

`run_sources` runs every enabled source and returns one SourceResult per source: a source that
fails is recorded as an error and the next one runs. Only unexpected exceptions (bugs) can
escape, and only with `strict=True` (tests); otherwise they are recorded too.
"""

from __future__ import annotations

import dataclasses
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from fundwatch import alerts, changes
from fundwatch.config import Config, SourceConfig
from fundwatch.config.settings import Settings
from fundwatch.errors import SourceError
from fundwatch.http import HttpCache, HttpClient, HttpSettings
from fundwatch.models import Call, ChangeEvent, ChangeKind, SourceResult
from fundwatch.resolve import Entity, resolve
from fundwatch.sources import FetchContext, get_kind
from fundwatch.store import RunSummary, Store, StoredCall

log = logging.getLogger("fundwatch.pipeline")


class Progress(Protocol):
    """Told about each source as the run goes; the CLI shows it on a terminal or as log lines."""

    def started(self, source: SourceConfig, index: int, total: int) -> None: ...

    def note(self, source: SourceConfig, message: str) -> None: ...

    def finished(self, source: SourceConfig, result: SourceResult, summary: RunSummary) -> None: ...


class SilentProgress:
    def started(self, source: SourceConfig, index: int, total: int) -> None:
        pass

    def note(self, source: SourceConfig, message: str) -> None:
        pass

    def finished(self, source: SourceConfig, result: SourceResult, summary: RunSummary) -> None:
        pass


@dataclass(frozen=True)
class SourceOutcome:
    result: SourceResult
    summary: RunSummary


def _utcnow() -> datetime:
    return datetime.now(UTC)


def fetch_source(
    cfg: SourceConfig,
    params: BaseModel,
    store: Store,
    client: HttpClient,
    now: datetime,
    *,
    clock: Callable[[], datetime] = _utcnow,
    raw_dir: Path | None = None,
    strict: bool = False,
    on_note: Callable[[str], None] = lambda _m: None,
) -> SourceResult:
    """Fetch and parse one source; every failure becomes a SourceResult with status error."""
    kind = get_kind(cfg.kind)
    ctx = FetchContext(
        source_id=cfg.id,
        now=now,
        client=client,
        cache=store.cache(f"source:{cfg.id}"),
        known=store.known_hashes(cfg.id),
        last_good_count=store.last_good_count(cfg.id),
        raw_dir=raw_dir,
        progress=on_note,
    )
    before = client.requests_made
    try:
        harvest = kind.fetch(params, ctx)
    except SourceError as exc:
        return SourceResult(
            cfg.id,
            "error",
            error=str(exc),
            error_kind=exc.kind,
            started_at=now,
            finished_at=clock(),
            requests=client.requests_made - before,
        )
    except Exception as exc:
        if strict:
            raise
        log.error("source %s crashed:\n%s", cfg.id, traceback.format_exc())
        return SourceResult(
            cfg.id,
            "error",
            error=f"{type(exc).__name__}: {exc}",
            error_kind="internal_error",
            started_at=now,
            finished_at=clock(),
            requests=client.requests_made - before,
        )
    calls = _dedupe(harvest.calls)
    return SourceResult(
        cfg.id,
        "ok" if harvest.complete else "incomplete",
        calls=tuple(calls),
        expected=harvest.expected,
        notes=tuple(harvest.notes),
        error="; ".join(harvest.notes) if not harvest.complete else "",
        started_at=now,
        finished_at=clock(),
        requests=client.requests_made - before,
    )


def record(store: Store, result: SourceResult, vanish_after: int) -> RunSummary:
    """Diff a result against the store and write it, with its events, in one transaction.

    Order of causes (see fundwatch.changes): first what the clock did to the stored versions
    since the last trusted run (opened / closed by their own dates), then what the new content
    changed, then what absence means. Runs that `closure_allowed` does not trust produce no
    closing event of any cause; a call whose new version would close it is then not updated at
    all (its count of missed runs restarts: it was there), so the next trusted run still
    reports the closure. A vanished call that a run returns again is said to be back
    (`changes.reappeared`) before what its content changed.
    """
    previous = store.previous_calls(result.source_id)
    now = result.finished_at or _utcnow()
    trusted = changes.closure_allowed(result)
    events: list[ChangeEvent] = []
    if trusted:
        since = store.last_trusted_run(result.source_id)
        if since is not None:
            for stored in previous.values():
                if not stored.gone:
                    events.extend(changes.status_transitions(stored.call, since, now))
    kept: list[Call] = []
    held: list[str] = []
    for call in result.calls:
        old = previous.get(call.source_id)
        found = changes.diff(old.call if old else None, call, now)
        if not trusted and any(changes.is_closure(e) for e in found):
            held.append(call.source_id)
            continue
        if old is not None and old.gone:
            found = [*changes.reappeared(call, now), *found]
        events.extend(found)
        kept.append(call)
    seen = {c.source_id for c in result.calls}
    missing = [p.call for sid, p in previous.items() if sid not in seen and not p.gone]
    absent, counts = changes.absence_events(
        missing, store.miss_counts(result.source_id), trusted, vanish_after, now
    )
    counts.update(dict.fromkeys(held, 0))  # held back, but present: its misses start afresh
    events.extend(absent)
    gone = [e.source_id for e in absent if e.kind is ChangeKind.VANISHED]
    if len(kept) != len(result.calls):
        result = dataclasses.replace(result, calls=tuple(kept))
    return store.save_run(result, events, miss_counts=counts, gone=gone)


def run_sources(
    config: Config,
    store: Store,
    client: HttpClient,
    *,
    only: Sequence[str] = (),
    clock: Callable[[], datetime] = _utcnow,
    progress: Progress | None = None,
    strict: bool = False,
    raw_dir: Path | None = None,
) -> list[SourceOutcome]:
    """Run every enabled source (or those in `only`), one after the other."""
    progress = progress or SilentProgress()
    store.sync_sources(config.sources)
    chosen = [s for s in config.sources if (s.id in only if only else s.enabled)]
    outcomes: list[SourceOutcome] = []
    for index, cfg in enumerate(chosen, start=1):
        progress.started(cfg, index, len(chosen))
        result = fetch_source(
            cfg,
            config.source_params[cfg.id],
            store,
            client,
            clock(),
            clock=clock,
            raw_dir=raw_dir / cfg.id if raw_dir else None,
            strict=strict,
            on_note=_bind(progress, cfg),
        )
        summary = record(store, result, config.settings.vanish_after_runs)
        alerts.after_run(config, store, result, result.finished_at or clock())
        progress.finished(cfg, result, summary)
        outcomes.append(SourceOutcome(result, summary))
    if any(o.result.calls for o in outcomes):
        resolve_entities(config, store)
    return outcomes


def _bind(progress: Progress, cfg: SourceConfig) -> Callable[[str], None]:
    def note(message: str) -> None:
        progress.note(cfg, message)

    return note


def _dedupe(calls: Sequence[Call]) -> list[Call]:
    """One call per source_id; a source listing one item twice keeps the last copy."""
    by_id: dict[str, Call] = {}
    for call in calls:
        by_id[call.source_id] = call
    return list(by_id.values())


def make_client(
    settings: Settings,
    *,
    cache: HttpCache | None = None,
    host_overrides: dict[str, str] | None = None,
    min_interval: float | None = None,
    offline: bool = False,
) -> HttpClient:
    """The HTTP client configured from settings (the only place that builds one).

    `offline` refuses every host without an override (the demo must never reach the internet).
    """
    http = settings.http
    return HttpClient(
        HttpSettings(
            contact=str(http.contact),
            timeout=http.timeout,
            retries=http.retries,
            min_interval=http.min_interval if min_interval is None else min_interval,
            respect_robots=http.respect_robots,
            proxy=http.proxy,
            host_overrides={**http.host_overrides, **(host_overrides or {})},
            overridden_hosts_only=offline,
        ),
        cache=cache,
    )


def resolve_entities(config: Config, store: Store) -> int:
    """Group the stored calls into entities (one real call seen on several sources) and record
    each call's entity; returns the number of calls whose entity changed.

    Run once per `run_sources`, after all its sources, so that `publish` (and the web feeds)
    read current entities; digests, feeds and calendars show one item per entity
    (`fundwatch.digest.entities`).

    Only the calls still published are resolved: a gone one would make its source look as if
    it listed the same URL or identifier twice (a re-keyed page), which links nothing. A gone
    call stays with the live calls it was last grouped with (under their entity's current id),
    so an aggregator dropping its copy does not turn into a closure of a call the issuer
    still publishes."""
    stored = store.calls(include_gone=True)
    live = [s for s in stored if not s.gone]
    entities = resolve([s.call for s in live], config.resolution, authority=config.authority)
    ids = {key: e.id for e in entities for key in e.members}
    now_known_as: dict[str, str] = {}
    for s in live:
        if s.entity_id:
            now_known_as.setdefault(s.entity_id, ids[s.call.key])
    for s in stored:
        if s.gone:
            ids[s.call.key] = now_known_as.get(s.entity_id, s.entity_id)
    return store.set_entities(ids)


def entity_of(config: Config, store: Store, stored: StoredCall) -> Entity | None:
    """The entity a stored call belongs to, as `resolve_entities` last recorded it (its
    members, ranked by authority, and the dates of the most authoritative one that states
    any); None when the call stands alone."""
    if not stored.entity_id:
        return None
    members = [s.call for s in store.calls(entity=stored.entity_id, include_gone=True)]
    if len(members) < 2:
        return None
    entities = resolve(members, config.resolution, authority=config.authority)
    return next((e for e in entities if stored.call.key in e.members), None)
