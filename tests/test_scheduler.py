"""Schedule arithmetic with a fixed `now`: triggers, slots, backoff, staggered restarts."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fundwatch import scheduler
from fundwatch.config import Profile, SourceConfig, load_config
from fundwatch.digest.options import DigestOptions, latest_slot, options_for
from fundwatch.schedule import parse_schedule
from fundwatch.scheduler import (
    Daemon,
    _Heartbeat,
    digest_trigger,
    first_runs,
    should_run,
    slot_gap,
)
from fundwatch.store import Store, leases

SHIPPED = Path(__file__).resolve().parents[1] / "config"

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 25, 10, 17, tzinfo=UTC)


def test_cron_fires_in_the_configured_zone() -> None:
    trigger = parse_schedule("0 6 * * *").trigger(ROME)
    first = trigger.get_next_fire_time(None, NOW)
    assert first == datetime(2026, 11, 26, 6, 0, tzinfo=ROME)
    assert first.astimezone(UTC).hour == 5  # CET = UTC+1 in November


def test_cron_across_the_dst_change() -> None:
    trigger = parse_schedule("0 6 * * *").trigger(ROME)
    before = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    fire = trigger.get_next_fire_time(None, before)
    assert fire.astimezone(UTC) == datetime(2027, 3, 28, 4, 0, tzinfo=UTC)  # CEST = UTC+2


def test_interval_with_jitter() -> None:
    sched = parse_schedule("every 6h jitter 10m")
    assert sched.interval == timedelta(hours=6)
    assert sched.jitter_seconds == 600
    trigger = sched.trigger(ROME)
    fire = trigger.get_next_fire_time(None, NOW)
    assert fire is not None


WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _fires(text: str, count: int) -> list[str]:
    trigger = parse_schedule(text).trigger(ZoneInfo("UTC"))
    out: list[str] = []
    fire = None
    now = WEDNESDAY
    for _ in range(count):
        fire = trigger.get_next_fire_time(fire, now)
        assert fire is not None
        out.append(f"{fire:%a}")
        now = fire + timedelta(seconds=1)
    return out


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("0 3 * * 0", ["Sun", "Sun"]),  # cron's Sunday, not APScheduler's Monday
        ("0 3 * * 7", ["Sun", "Sun"]),
        ("0 3 * * 1", ["Mon", "Mon"]),
        ("0 3 * * 1-5", ["Thu", "Fri", "Mon", "Tue"]),
        ("0 3 * * 5-7", ["Fri", "Sat", "Sun", "Fri"]),
        ("0 3 * * */2", ["Thu", "Sat", "Sun", "Tue"]),  # 0,2,4,6
        ("0 3 * * 0,3", ["Sun", "Wed", "Sun"]),
        ("0 3 * * sat,sun", ["Sat", "Sun", "Sat"]),
    ],
)
def test_cron_weekdays_count_like_cron(text: str, days: list[str]) -> None:
    assert _fires(text, len(days)) == days


def test_cron_with_jitter_spreads_the_fire_time_but_keeps_the_slot() -> None:
    sched = parse_schedule("0 5 * * * jitter 20m")
    assert (sched.cron, sched.jitter_seconds) == ("0 5 * * *", 1200)
    trigger = sched.trigger(ZoneInfo("UTC"))
    fires = set()
    for _ in range(20):
        fire = trigger.get_next_fire_time(None, NOW)
        assert fire is not None
        base = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
        assert base <= fire <= base + timedelta(minutes=20)
        fires.add(fire)
    assert len(fires) > 1  # really jittered
    assert slot_gap("0 5 * * * jitter 20m", ROME, NOW) == timedelta(days=1)


@pytest.mark.parametrize(
    "text", ["every 30s", "0 6 * *", "hourly", "every 0h", "0 6 * * 8", "0 6 * * 5-2"]
)
def test_bad_schedules(text: str) -> None:
    with pytest.raises(ValueError):
        parse_schedule(text)


def test_slot_gap() -> None:
    assert slot_gap("every 6h", ROME, NOW) == timedelta(hours=6)
    assert slot_gap("0 6 * * *", ROME, NOW) == timedelta(days=1)
    assert slot_gap("0 6 * * 1", ROME, NOW) == timedelta(days=7)
    assert slot_gap("*/15 * * * *", ROME, NOW) == timedelta(minutes=15)


GAP = timedelta(hours=6)
MAX = timedelta(hours=24)


def test_same_slot_is_not_fetched_twice() -> None:
    d = should_run(
        now=NOW,
        gap=GAP,
        last_started=NOW - timedelta(minutes=2),
        failures=0,
        last_error_at=None,
        max_backoff=MAX,
    )
    assert not d.run and "already run this slot" in d.reason
    assert should_run(
        now=NOW,
        gap=GAP,
        last_started=NOW - timedelta(hours=6),
        failures=0,
        last_error_at=None,
        max_backoff=MAX,
    ).run


def test_failing_source_backs_off_exponentially_up_to_the_cap() -> None:
    def runs(failures: int, since_error: timedelta) -> bool:
        return should_run(
            now=NOW,
            gap=GAP,
            last_started=NOW - since_error,
            failures=failures,
            last_error_at=NOW - since_error,
            max_backoff=MAX,
        ).run

    assert runs(1, timedelta(hours=6))  # one failure: next slot as usual
    assert not runs(2, timedelta(hours=6))  # two: wait 12 h
    assert runs(2, timedelta(hours=12))
    assert not runs(3, timedelta(hours=12))  # three: wait 24 h
    assert runs(3, timedelta(hours=24))
    assert runs(9, timedelta(hours=24))  # capped at max_backoff


def test_restart_staggers_overdue_sources_and_leaves_the_rest_to_their_slot() -> None:
    sources = [SourceConfig(id=i, kind="rss") for i in ("a", "b", "c", "d")]
    gaps = {s.id: GAP for s in sources}
    last = {
        "a": NOW - timedelta(hours=7),
        "b": NOW - timedelta(hours=1),
        "c": None,
        "d": NOW - timedelta(days=3),
    }
    starts = first_runs(sources, gaps, last, NOW, timedelta(seconds=30))
    assert starts == {
        "a": NOW + timedelta(seconds=1),
        "b": None,
        "c": NOW + timedelta(seconds=31),
        "d": NOW + timedelta(seconds=61),
    }


# -- digests at each profile's time ---------------------------------------------------------


def _opts(**kw: object) -> DigestOptions:
    return DigestOptions(timezone="Europe/Rome", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("opts", "expected"),
    [
        (_opts(frequency="daily", send_time=time(7, 30)), datetime(2026, 11, 26, 7, 30)),
        (_opts(frequency="daily", send_time=time(12, 0)), datetime(2026, 11, 25, 12, 0)),
        (_opts(frequency="weekly", weekday=3, send_time=time(9, 0)), datetime(2026, 11, 26, 9)),
        (_opts(frequency="weekly", weekday=0, send_time=time(8, 0)), datetime(2026, 11, 30, 8)),
        (
            _opts(frequency="monthly", day_of_month=1, send_time=time(7, 30)),
            datetime(2026, 12, 1, 7, 30),
        ),
    ],
)
def test_digest_fires_at_the_profiles_time_in_its_zone(
    opts: DigestOptions, expected: datetime
) -> None:
    fire = digest_trigger(opts).get_next_fire_time(None, NOW)  # Wed 25 Nov, 11:17 in Rome
    assert fire == expected.replace(tzinfo=ROME)
    assert latest_slot(fire, opts) == fire  # the instant the digest's period starts at


def test_digest_time_is_kept_across_the_dst_change() -> None:
    opts = _opts(frequency="weekly", weekday=0, send_time=time(8, 0))
    trigger = digest_trigger(opts)
    fire = trigger.get_next_fire_time(None, datetime(2027, 3, 25, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # CEST: 08:00 local
    before = trigger.get_next_fire_time(None, datetime(2027, 3, 18, tzinfo=UTC))
    assert before.astimezone(UTC) == datetime(2027, 3, 22, 7, 0, tzinfo=UTC)  # CET


def test_a_profile_in_another_zone_gets_its_digest_at_its_own_local_time() -> None:
    profile = Profile.model_validate(
        {
            "id": "far",
            "name": "Far away",
            "recipients": ["x@example.org"],
            "delivery": {"frequency": "daily", "time": "08:00", "timezone": "America/New_York"},
        }
    )
    opts = options_for(profile, "Europe/Rome")
    fire = digest_trigger(opts).get_next_fire_time(None, NOW)  # 05:17 in New York
    assert fire.astimezone(UTC) == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_daemon_registers_jobs_with_coalesce_one_instance_and_grace(tmp_path: Path) -> None:
    config = dataclasses.replace(load_config(SHIPPED), sources=())
    store = Store.open(f"sqlite:///{tmp_path / 'fw.db'}")
    start = datetime.now(UTC)  # APScheduler computes fire times from the wall clock
    daemon = Daemon(config, store, instance_id="t", clock=lambda: start)
    ran: list[datetime] = []
    opts = _opts(frequency="weekly", weekday=3, send_time=time(9, 0))
    daemon.add_job("digest:x", ran.append, digest_trigger(opts), timedelta(hours=1))
    daemon.add_periodic("deliver", ran.append, timedelta(minutes=5))
    daemon.start()
    try:
        digest, deliver = daemon.scheduler.get_job("digest:x"), daemon.scheduler.get_job("deliver")
        assert digest.next_run_time == digest_trigger(opts).get_next_fire_time(None, start)
        local = digest.next_run_time.astimezone(ROME)
        assert (local.weekday(), local.time()) == (3, time(9, 0))  # Thursday 09:00 in Rome
        assert deliver.next_run_time == start + timedelta(seconds=5)
        for job, grace in ((digest, 3600), (deliver, 300)):
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, grace)
        daemon.run_soon("deliver")  # brought forward: runs now, not in 5 s
        deadline = datetime.now(UTC) + timedelta(seconds=3)
        while not ran and datetime.now(UTC) < deadline:
            threading.Event().wait(0.05)
        assert ran == [start]
    finally:
        daemon.stop()
        daemon.wait()
        store.close()
    assert not daemon.alive


def test_a_lease_is_kept_while_the_work_lasts_and_runs_out_after(tmp_path: Path) -> None:
    config = dataclasses.replace(load_config(SHIPPED), sources=())
    store = Store.open(f"sqlite:///{tmp_path / 'fw.db'}")
    daemon = Daemon(config, store, instance_id="busy")
    ttl = timedelta(seconds=1.5)
    try:
        assert leases.claim(store.engine, "source:x", "busy", ttl, datetime.now(UTC))
        with _Heartbeat(daemon, "source:x", ttl):  # a source run three times longer than ttl
            for _ in range(9):
                threading.Event().wait(0.5)
                assert not leases.claim(store.engine, "source:x", "other", ttl, datetime.now(UTC))
        threading.Event().wait(1.7)  # no more beats (as after SIGKILL): it expires
        assert leases.claim(store.engine, "source:x", "other", ttl, datetime.now(UTC))
    finally:
        store.close()


def test_alive_means_the_scheduler_loop_still_fires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "TICK_SECONDS", 0.2)
    config = dataclasses.replace(load_config(SHIPPED), sources=())
    store = Store.open(f"sqlite:///{tmp_path / 'fw.db'}")
    daemon = Daemon(config, store, instance_id="t")
    daemon.start()
    try:
        threading.Event().wait(1.0)
        assert daemon.alive  # ticks keep coming
        daemon.scheduler.pause()  # the loop stops firing anything
        threading.Event().wait(1.0)
        assert not daemon.alive
        daemon.scheduler.resume()
        threading.Event().wait(1.0)
        assert daemon.alive
    finally:
        daemon.stop()
        daemon.wait()
        store.close()
    assert not daemon.alive
