"""Digest build: pure; sections, their order, the health footer, options from the profile."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from fundwatch.digest.build import Digest, Match, build_digest
from fundwatch.digest.options import DigestOptions, options_for, period_for, period_key
from fundwatch.models import ChangeEvent
from tests.digest.calls import INCUBATION, INSEDIAMENTO, NOW, PEP, POW, TCS
from tests.digest.conftest import T0, T1, network, torino
from tests.digest.samples import EVENTS, HEALTH, MATCHES


def build(profile_opts: DigestOptions, events: list[ChangeEvent] = EVENTS) -> Digest:
    profile = torino() if profile_opts.language == "it" else network()
    period = period_for(NOW, profile_opts)
    return build_digest(profile, period, MATCHES, events, HEALTH, NOW, profile_opts)


def titles(section: object) -> list[tuple[str, tuple[str, ...]]]:
    return [(i.title, i.changes) for i in section.items]  # type: ignore[attr-defined]


def test_sections_of_a_weekly_italian_digest() -> None:
    d = build(options_for(torino()))
    assert d.period.key == "2026-W38"
    # Monday 14 September 08:00 in Rome is the slot; a first digest reports from the one before
    assert d.period.since == datetime(2026, 9, 7, 6, 0, tzinfo=UTC)
    assert titles(d.closed) == [
        (INCUBATION.title, ("chiuso: la scadenza è passata",)),
    ]
    assert titles(d.new) == [(INSEDIAMENTO.title, ())]
    assert titles(d.changed) == [
        (PEP.title, ("stato cambiato da «di prossima apertura» a «aperto» (in base alle date)",)),
        (
            TCS.title,
            (
                "chiuso: la scadenza è passata",
                "scadenza spostata dal 9 settembre ore 17:00 al 23 settembre ore 02:00",
                "riaperto: ora «aperto» (in base alle date)",
            ),
        ),
    ]
    # POW closes on 6 October: outside the 14-day window; TCS is already under "changed"
    assert titles(d.closing) == []
    assert not d.empty
    tcs = d.changed.items[1]
    assert (tcs.issuer, tcs.programmes, tcs.budget, tcs.days_left, tcs.reasons) == (
        "European Commission",
        ("European Social Fund (ESF)", "Employment and Social Innovation (EaSI)", "ESF+"),
        TCS.budget.total_eur,
        5,
        ("fondo FSE+",),
    )
    assert d.new.items[0].rolling and d.new.items[0].deadline is None


def test_closing_window_and_daily_period_from_the_profile() -> None:
    opts = options_for(network(closing_soon_days=30, time="07:30"))
    assert (opts.frequency, opts.send_time, opts.closing_days) == ("daily", time(7, 30), 30)
    d = build(opts)
    assert d.period.key == "2026-09-17"
    assert d.period.since == datetime(2026, 9, 16, 5, 30, tzinfo=UTC)
    assert [i.title for i in d.closing.items] == [POW.title]
    assert d.closed.items[0].changes == ("closed: the deadline has passed",)


def test_a_call_closed_and_not_reopened_is_in_closed_whatever_else_changed() -> None:
    events = [*EVENTS[:4]]  # TCS: closed, then extended, but no "reopened" seen yet
    d = build(options_for(torino()), events)
    assert [i.title for i in d.closed.items] == [INCUBATION.title, TCS.title]
    assert TCS.title not in [i.title for i in d.changed.items]


def test_sections_opted_out_are_empty_and_do_not_count() -> None:
    opts = options_for(torino(sections_off=["changed", "closed", "new"]))
    d = build(opts)
    assert (len(d.new), len(d.changed), len(d.closed), len(d.closing)) == (0, 0, 0, 0)
    assert d.empty
    assert "health" in d.sections and "new" not in d.sections


def test_nothing_happened_is_an_empty_digest_with_the_health_footer() -> None:
    quiet = [Match(POW, 2, T0)]
    opts = options_for(torino())
    d = build_digest(torino(), period_for(NOW, opts), quiet, [], HEALTH, NOW, opts)
    assert d.empty
    assert (d.health.checked, d.health.ok) == (3, 1)
    assert [(p.id, p.state, p.failures) for p in d.health.problems] == [
        ("lombardia", "failing", 3),
        ("piemonte-fse", "partial", 0),
    ]
    assert d.health.last_check_at == T1


def test_events_of_calls_not_matched_are_ignored() -> None:
    opts = options_for(torino())
    d = build_digest(torino(), period_for(NOW, opts), [Match(POW, 2, T0)], EVENTS, [], NOW, opts)
    assert d.empty


def test_vanished_calls_are_never_new_or_closing() -> None:
    gone = Match(POW, 2, NOW - timedelta(hours=1), gone=True)
    opts = options_for(network(closing_soon_days=30))
    d = build_digest(network(), period_for(NOW, opts), [gone], [], [], NOW, opts)
    assert d.empty


def test_many_items_are_cut_and_counted() -> None:
    many = [
        Match(POW.model_copy(update={"source_id": f"ESF-{i:03d}"}), i, NOW - timedelta(hours=1))
        for i in range(45)
    ]
    opts = options_for(torino())
    d = build_digest(torino(), period_for(NOW, opts), many, [], [], NOW, opts)
    assert (len(d.new.items), d.new.omitted, len(d.new)) == (40, 5, 45)


@pytest.mark.parametrize(
    ("delivery", "now", "key", "slot_utc"),
    [
        # weekly on Monday 08:00 (Rome, CEST): before the slot the week before is current
        ({}, datetime(2026, 9, 14, 5, 59, tzinfo=UTC), "2026-W37", datetime(2026, 9, 7, 6, 0)),
        ({}, datetime(2026, 9, 14, 6, 0, tzinfo=UTC), "2026-W38", datetime(2026, 9, 14, 6, 0)),
        # monthly on the 28th; in winter Rome is UTC+1
        (
            {"frequency": "monthly", "day_of_month": 28},
            datetime(2026, 12, 1, tzinfo=UTC),
            "2026-11",
            datetime(2026, 11, 28, 7, 0),
        ),
        (
            {"frequency": "monthly", "day_of_month": 28},
            datetime(2026, 3, 27, tzinfo=UTC),
            "2026-02",
            datetime(2026, 2, 28, 7, 0),
        ),
        # daily across the switch to summer time (29 March 2026)
        (
            {"frequency": "daily"},
            datetime(2026, 3, 29, 6, 30, tzinfo=UTC),
            "2026-03-29",
            datetime(2026, 3, 29, 6, 0),
        ),
        (
            {"frequency": "weekly", "weekday": "friday", "time": "17:00"},
            datetime(2026, 9, 17, 6, 0, tzinfo=UTC),
            "2026-W37",
            datetime(2026, 9, 11, 15, 0),
        ),
    ],
)
def test_periods_follow_the_profile_schedule(
    delivery: dict[str, object], now: datetime, key: str, slot_utc: datetime
) -> None:
    opts = options_for(torino(**delivery))
    assert period_key(now, opts) == key
    assert period_for(now, opts, since=now - timedelta(days=1)).key == key
    from fundwatch.digest.options import latest_slot

    assert latest_slot(now, opts) == slot_utc.replace(tzinfo=UTC)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_for(datetime(2026, 9, 17), options_for(torino()))
