"""`fundwatch daemon`: APScheduler 3 jobs from config, shared safely between instances.

Jobs: one fetch job per enabled source on its own schedule, one digest job per profile at its
digest time (daily, weekly or monthly, in the installation's zone: `digest_trigger`), plus the
periodic jobs other modules register (outbox flush, catch-up publishing and feed refresh).
Every job is `coalesce=True`, `max_instances=1`, with a misfire grace, so a pause never
replays a backlog.

Restarts: sources already overdue start soon after launch but staggered (`stagger_seconds`
apart), never all at once; the others wait for their next slot.

Several instances (PostgreSQL): before fetching, an instance takes the lease ``source:<id>``,
then checks that no run of that source started within the current slot; the lease is renewed
every third of its life while the run lasts and released at the end, so no slot is fetched
twice and a killed instance's lease expires after `lease_seconds`, when another instance takes
the work over.

Failing sources back off: after n consecutive failures the next try waits
``min(gap * 2**(n-1), max_backoff)`` from the last error, instead of every slot.

Stopping: `stop()` (SIGTERM/SIGINT from the CLI) lets the running source finish, writes
nothing half-done (each source run is one transaction) and returns.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from fundwatch.config import Config, SourceConfig
from fundwatch.digest.options import DigestOptions
from fundwatch.models import SourceResult
from fundwatch.pipeline import make_client, run_sources
from fundwatch.schedule import parse_schedule
from fundwatch.store import RunSummary, Store, leases

log = logging.getLogger("fundwatch.daemon")

PeriodicJob = Callable[[datetime], None]

TICK_SECONDS = 30.0
"""The scheduler proves it is alive by running a tick this often, on an executor of its own
(busy source threads cannot delay it); /healthz says "stopped" after three missed ticks."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def slot_gap(schedule_text: str, tz: ZoneInfo, now: datetime) -> timedelta:
    """The length of one slot of a schedule: the interval, or the gap between the next two
    cron fire times after `now`."""
    sched = parse_schedule(schedule_text)
    if sched.interval is not None:
        return sched.interval
    trigger = replace(sched, jitter_seconds=0).trigger(tz)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    return second - first if first and second else timedelta(days=1)


def digest_trigger(opts: DigestOptions) -> CronTrigger:
    """Fires at every digest slot of a profile: its time of day, on its weekday (weekly) or day
    of the month (monthly), in its zone; the instants `latest_slot` counts periods from."""
    at = opts.send_time
    when: dict[str, int] = {"hour": at.hour, "minute": at.minute, "second": at.second}
    if opts.frequency == "weekly":
        when["day_of_week"] = opts.weekday  # 0 = Monday for both
    elif opts.frequency == "monthly":
        when["day"] = opts.day_of_month
    return CronTrigger(timezone=opts.zone, **when)


@dataclass(frozen=True)
class Decision:
    run: bool
    reason: str


def should_run(
    *,
    now: datetime,
    gap: timedelta,
    last_started: datetime | None,
    failures: int,
    last_error_at: datetime | None,
    max_backoff: timedelta,
) -> Decision:
    """Pure: may this instance fetch the source now?"""
    if last_started is not None and now - last_started < gap / 2:
        return Decision(False, f"already run this slot (at {last_started:%H:%M:%S} UTC)")
    if failures > 0 and last_error_at is not None:
        wait = min(gap * 2 ** (failures - 1), max_backoff)
        if now < last_error_at + wait - gap / 2:
            return Decision(
                False,
                f"backing off after {failures} failures until "
                f"{last_error_at + wait:%Y-%m-%d %H:%M} UTC",
            )
    return Decision(True, "due")


def first_runs(
    sources: list[SourceConfig],
    gaps: Mapping[str, timedelta],
    last_started: Mapping[str, datetime | None],
    now: datetime,
    stagger: timedelta,
) -> dict[str, datetime | None]:
    """Pure: when each source first runs after a start. Overdue sources are spread out by
    `stagger`; the rest return None (their trigger's next slot)."""
    out: dict[str, datetime | None] = {}
    overdue = 0
    for src in sources:
        last = last_started.get(src.id)
        if last is None or now - last >= gaps[src.id]:
            out[src.id] = now + stagger * overdue + timedelta(seconds=1)
            overdue += 1
        else:
            out[src.id] = None
    return out


class Daemon:
    """The scheduler loop of one instance."""

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        instance_id: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        on_result: Callable[[SourceResult, RunSummary], None] | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.instance_id = instance_id or f"{socket.gethostname()}:{os.getpid()}"
        self._clock = clock
        self._on_result = on_result
        self._stop = threading.Event()
        self._settings = config.settings.daemon
        self.scheduler = BackgroundScheduler(timezone=config.settings.zone)
        self._gaps: dict[str, timedelta] = {}
        self._jobs: list[tuple[str, PeriodicJob, BaseTrigger, timedelta, bool]] = []
        self._ticked = time.monotonic()

    # -- set-up ----------------------------------------------------------------------------

    def add_periodic(self, name: str, job: PeriodicJob, every: timedelta) -> None:
        """Register a periodic job (outbox flush, feeds) before `start()`; it first runs soon
        after the start, then every `every`."""
        trigger = IntervalTrigger(
            seconds=int(every.total_seconds()), timezone=self.config.settings.zone
        )
        self._jobs.append((name, job, trigger, every, True))

    def add_job(self, name: str, job: PeriodicJob, trigger: BaseTrigger, grace: timedelta) -> None:
        """Register a job on its own trigger (a profile's digest time) before `start()`; a fire
        missed by more than `grace` (the daemon was down) is skipped, not replayed."""
        self._jobs.append((name, job, trigger, grace, False))

    def run_soon(self, name: str) -> None:
        """Bring job `name` forward to now (a digest was queued: flush the outbox)."""
        job = self.scheduler.get_job(name)
        if job is not None and not self._stop.is_set():
            job.modify(next_run_time=self._clock())

    def start(self) -> None:
        now = self._clock()
        zone = self.config.settings.zone
        self.store.sync_sources(self.config.sources)
        enabled = [s for s in self.config.sources if s.enabled]
        for src in enabled:
            self._gaps[src.id] = slot_gap(src.schedule, zone, now)
        starts = first_runs(
            enabled,
            self._gaps,
            {s.id: self.store.last_run_started(s.id) for s in enabled},
            now,
            timedelta(seconds=self._settings.stagger_seconds),
        )
        for src in enabled:
            first = starts[src.id]
            extra = {"next_run_time": first} if first is not None else {}
            self.scheduler.add_job(
                self._source_job,
                parse_schedule(src.schedule).trigger(zone),
                args=[src.id],
                id=f"source:{src.id}",
                name=f"fetch {src.id}",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(self._gaps[src.id].total_seconds() // 2) or 1,
                **extra,
            )
        for name, job, trigger, grace, soon in self._jobs:
            self.scheduler.add_job(
                self._guarded,
                trigger,
                args=[name, job],
                id=name,
                name=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(grace.total_seconds()) or 1,
                **({"next_run_time": now + timedelta(seconds=5)} if soon else {}),
            )
        self.scheduler.add_executor(ThreadPoolExecutor(1), "tick")
        self.scheduler.add_job(
            self._tick, "interval", seconds=TICK_SECONDS, id="tick", executor="tick", coalesce=True
        )
        self.scheduler.start()
        log.info(
            "daemon %s started: %d sources, %d other jobs",
            self.instance_id,
            len(enabled),
            len(self._jobs),
        )

    def wait(self) -> None:
        """Block until `stop()`; then let running jobs finish and shut the scheduler down."""
        while not self._stop.wait(0.5):
            pass
        log.info("daemon %s stopping: waiting for running jobs", self.instance_id)
        self.scheduler.shutdown(wait=True)
        log.info("daemon %s stopped", self.instance_id)

    def stop(self) -> None:
        self._stop.set()

    @property
    def alive(self) -> bool:
        """Running, not stopping, and the scheduler loop still fires jobs."""
        fresh = time.monotonic() - self._ticked < 3 * TICK_SECONDS
        return bool(self.scheduler.running) and not self._stop.is_set() and fresh

    def _tick(self) -> None:
        self._ticked = time.monotonic()

    # -- jobs ------------------------------------------------------------------------------

    def _guarded(self, name: str, job: PeriodicJob) -> None:
        if self._stop.is_set():
            return
        ttl = timedelta(seconds=self._settings.lease_seconds)
        if not leases.claim(self.store.engine, f"job:{name}", self.instance_id, ttl, self._clock()):
            return
        try:
            with _Heartbeat(self, f"job:{name}", ttl):
                job(self._clock())
        except Exception:
            log.exception("periodic job %s failed", name)
        finally:
            leases.release(self.store.engine, f"job:{name}", self.instance_id)

    def _source_job(self, source_id: str) -> None:
        if self._stop.is_set():
            return
        now = self._clock()
        ttl = timedelta(seconds=self._settings.lease_seconds)
        name = f"source:{source_id}"
        # Lease first, then look at the last run: a run another instance finished just before
        # we got the lease is already recorded, so the same slot is never fetched twice.
        if not leases.claim(self.store.engine, name, self.instance_id, ttl, now):
            log.info("skip %s: another instance holds its lease", source_id)
            return
        try:
            health = {h.id: h for h in self.store.source_health()}.get(source_id)
            decision = should_run(
                now=now,
                gap=self._gaps[source_id],
                last_started=self.store.last_run_started(source_id),
                failures=health.consecutive_failures if health else 0,
                last_error_at=health.last_error_at if health else None,
                max_backoff=timedelta(hours=self._settings.max_backoff_hours),
            )
            if not decision.run:
                log.info("skip %s: %s", source_id, decision.reason)
                return
            with (
                _Heartbeat(self, name, ttl),
                make_client(self.config.settings, cache=self.store.http_cache()) as client,
            ):
                outcomes = run_sources(
                    self.config, self.store, client, only=[source_id], clock=self._clock
                )
            for outcome in outcomes:
                log.info(
                    "%s: %s, %d calls, %d new",
                    source_id,
                    outcome.result.status,
                    outcome.summary.seen,
                    outcome.summary.new,
                )
                if self._on_result:
                    self._on_result(outcome.result, outcome.summary)
        except Exception:
            log.exception("source job %s failed unexpectedly", source_id)
        finally:
            leases.release(self.store.engine, name, self.instance_id)


class _Heartbeat:
    """Renews a lease every third of its time-to-live while the work it covers runs: a live
    instance keeps it however long a source takes, a killed one stops renewing and its lease
    runs out after at most `ttl`."""

    def __init__(self, daemon: Daemon, name: str, ttl: timedelta) -> None:
        self._daemon, self._name, self._ttl = daemon, name, ttl
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease {name}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        d = self._daemon
        while not self._done.wait(self._ttl.total_seconds() / 3):
            try:
                if not leases.claim(
                    d.store.engine, self._name, d.instance_id, self._ttl, d._clock()
                ):
                    log.warning("lease %s was lost to another instance", self._name)
            except Exception:  # a database blip: try again at the next beat
                log.exception("could not renew lease %s", self._name)
