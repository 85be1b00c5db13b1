"""The deadline calendar, read back with icalendar: UIDs, SEQUENCE, zones, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from fundwatch.config import Config
from fundwatch.digest.ics import CalendarCall, calendar, deadline_uid
from fundwatch.models import ChangeEvent, ChangeKind, Deadline, SourceResult
from fundwatch.pipeline import record
from fundwatch.store import Store
from tests.digest.calls import INCUBATION, NOW, PEP, POW, TCS, evil
from tests.digest.conftest import T1
from tests.digest.test_feeds import collector

ROME = ZoneInfo("Europe/Rome")
T2 = datetime(2026, 9, 18, 6, 0, tzinfo=UTC)


def events_of(body: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def profile_calendar(config: Config, store: Store, profile_id: str, now: datetime) -> bytes:
    artefact = collector(config, store, now).profile_calendar(config.profile(profile_id))
    assert artefact is not None and artefact.content_type == "text/calendar; charset=utf-8"
    return artefact.body


def test_one_event_per_deadline_in_the_readers_zone(config: Config, store: Store) -> None:
    body = profile_calendar(config, store, "comune-torino", NOW)
    cal = Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "Scadenze dei bandi per Comune di Torino"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Rome"]
    events = events_of(body)
    uid = deadline_uid
    assert set(events) == {uid(c.key, "#0") for c in (TCS, POW, INCUBATION, PEP)}
    tcs = events[uid(TCS.key, "#0")]
    start = tcs["DTSTART"].dt  # type: ignore[index]
    assert start == datetime(2026, 9, 23, 2, 0, tzinfo=ROME)
    assert str(start.tzinfo) == "Europe/Rome"
    assert str(tcs["SUMMARY"]) == f"Scadenza: {TCS.title}"  # type: ignore[index]
    assert str(tcs["URL"]) == TCS.url  # type: ignore[index]
    assert int(tcs["SEQUENCE"]) == 1  # the deadline moved once  # type: ignore[index]
    assert tcs["DTSTAMP"].dt == T1  # type: ignore[index]
    assert str(tcs["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    assert [a["TRIGGER"].dt for a in tcs.walk("VALARM")] == [  # type: ignore[attr-defined]
        timedelta(days=-30),
        timedelta(days=-7),
    ]
    assert [str(a["DESCRIPTION"]) for a in tcs.walk("VALARM")] == [  # type: ignore[attr-defined]
        f"Tra 30 giorni scade: {TCS.title}",
        f"Tra 7 giorni scade: {TCS.title}",
    ]
    pow_ = events[uid(POW.key, "#0")]
    assert int(pow_["SEQUENCE"]) == 0  # type: ignore[index]
    assert str(pow_["DESCRIPTION"]).splitlines() == [  # type: ignore[index]
        POW.title,
        "Ente: European Commission",
        "Dotazione: 4.000.000 €",
        POW.url,
    ]


def test_sequence_grows_and_uid_stays_when_the_deadline_moves(config: Config, store: Store) -> None:
    before = events_of(profile_calendar(config, store, "ngo-network-brussels", NOW))
    later = TCS.model_copy(
        update={"deadlines": (Deadline(at=datetime(2026, 9, 30, 15, 0, tzinfo=UTC)),)}
    )
    record(
        store,
        SourceResult(
            "eu-esf", "ok", calls=(later, POW, INCUBATION, PEP), started_at=T2, finished_at=T2
        ),
        3,
    )
    after = events_of(profile_calendar(config, store, "ngo-network-brussels", T2))
    key = deadline_uid(TCS.key, "#0")
    assert set(after) == set(before)
    old, new = before[key], after[key]
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1 == 2  # type: ignore[index]
    assert new["DTSTART"].dt == datetime(2026, 9, 30, 17, 0, tzinfo=ROME)  # type: ignore[index]
    assert new["DTSTAMP"].dt == T2 > old["DTSTAMP"].dt  # type: ignore[index]
    untouched = deadline_uid(POW.key, "#0")
    assert after[untouched].to_ical() == before[untouched].to_ical()  # type: ignore[attr-defined]


def test_unchanged_calendar_is_byte_identical(config: Config, store: Store) -> None:
    a = profile_calendar(config, store, "comune-torino", NOW)
    b = profile_calendar(config, store, "comune-torino", NOW + timedelta(hours=5))
    assert a == b


def test_withdrawn_call_is_cancelled_with_a_higher_sequence() -> None:
    withdrawn = ChangeEvent(
        kind=ChangeKind.WITHDRAWN,
        source=POW.source,
        source_id=POW.source_id,
        at=T1,
        before="Open for submission",
        after="Cancelled",
        detail="by_source",
    )
    body = calendar(
        [CalendarCall(POW, NOW - timedelta(days=30), (withdrawn,))],
        name="Comune di Torino",
        language="en",
        zone=ROME,
        reminder_days=(7,),
    )
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)
    assert event.walk("VALARM") == []
    assert str(event["SUMMARY"]) == f"Deadline: {POW.title}"


def test_labelled_deadlines_keep_their_own_uids() -> None:
    stages = POW.model_copy(
        update={
            "deadlines": (
                Deadline(at=datetime(2026, 10, 6, 15, 0, tzinfo=UTC), label="first stage"),
                Deadline(at=datetime(2027, 2, 4, 16, 0, tzinfo=UTC), label="second stage"),
            )
        }
    )
    body = calendar([CalendarCall(stages, NOW)], name="x", language="it", zone=ROME)
    events = events_of(body)
    assert set(events) == {
        deadline_uid(POW.key, "first stage"),
        deadline_uid(POW.key, "second stage"),
    }
    second = events[deadline_uid(POW.key, "second stage")]
    assert second["DTSTART"].dt == datetime(2027, 2, 4, 17, 0, tzinfo=ROME)  # type: ignore[index]


def test_markup_in_a_title_stays_text(tmp_path: Path) -> None:
    body = calendar([CalendarCall(evil(POW), NOW)], name="x", language="it", zone=ROME)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Scadenza: {evil(POW).title}"


def test_a_non_web_address_is_left_out() -> None:
    hostile = POW.model_copy(update={"url": "javascript:alert(1)"})
    body = calendar([CalendarCall(hostile, NOW)], name="x", language="en", zone=ROME)
    assert b"javascript" not in body
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert "URL" not in event
    assert str(event["DESCRIPTION"]).splitlines()[-1] == "Budget: €4,000,000"
