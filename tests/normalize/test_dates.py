"""parse_datetime / parse_date on every date form of DESIGN.md §7 and issue 4.

Expected values are written in UTC: Europe/Rome is UTC+1 in winter and UTC+2 in summer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fundwatch.normalize.dates import BRUSSELS, ROME, find_dates, parse_date, parse_datetime


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Italian forms named in issue 4
        ("31 dicembre 2025 ore 12:00", utc(2025, 12, 31, 11)),
        ("entro le ore 12 del 15.01.2026", utc(2026, 1, 15, 11)),
        # Piemonte detail pages: weekday prefix, local time
        ("Gio, 30/07/2026 - 17:00", utc(2026, 7, 30, 15)),
        # Lombardia: "Scade il: <strong> 07/09/2026 ,</strong> ore 12:00"
        ("Scade il:  07/09/2026 , ore 12:00", utc(2026, 9, 7, 10)),
        ("07/09/2026 , ore 12:00", utc(2026, 9, 7, 10)),
        ("entro le ore 12.00 del 15/01/2026", utc(2026, 1, 15, 11)),
        ("ore 12:00 del giorno 31 dicembre 2025", utc(2025, 12, 31, 11)),
        ("alle ore 13 del 5 marzo 2026", utc(2026, 3, 5, 12)),
        ("entro il 28 febbraio 2026 alle 23:59", utc(2026, 2, 28, 22, 59)),
        ("31.12.2025 h 12:00", utc(2025, 12, 31, 11)),
        ("1 ottobre 2025, h. 9.30", utc(2025, 10, 1, 7, 30)),
        ("Lunedì 3 novembre 2025, ore 10:30", utc(2025, 11, 3, 9, 30)),
        ("15 gennaio 2026 - ore 12", utc(2026, 1, 15, 11)),
        ("17.00 del 15.01.2026", utc(2026, 1, 15, 16)),
        ("entro il 15 gennaio 2026 alle 12", utc(2026, 1, 15, 11)),
        ("entro le h. 12 del 15/01/2026", utc(2026, 1, 15, 11)),
        ("h 12 del 15/01/2026", utc(2026, 1, 15, 11)),
        # "ore 24:00" is the end of that day, not the start of it
        ("entro le ore 24:00 del 31/12/2025", utc(2025, 12, 31, 22, 59, 59)),
        ("entro le ore 24 del 31/12/2025", utc(2025, 12, 31, 22, 59, 59)),
        # numbers that look like an hour but are not one: a whole day
        ("progetti H2 entro il 15/01/2026", utc(2026, 1, 14, 23)),
        ("servizio h24 fino al 15/01/2026", utc(2026, 1, 14, 23)),
        # English (EU "callUpdates", "actions") and French
        ("Apr 27, 2023 4:18:31 PM", utc(2023, 4, 27, 14, 18, 31)),
        ("Apr 27, 2023 12:18:31 AM", utc(2023, 4, 26, 22, 18, 31)),
        ("Apr 27, 2023 12:18:31 PM", utc(2023, 4, 27, 10, 18, 31)),
    ],
)
def test_local_date_times(text: str, expected: datetime) -> None:
    assert parse_datetime(text, ROME) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("1/10/2025", date(2025, 10, 1)),  # Trentino FEASR calendar, "DATA APERTURA"
        ("09/2/2026", date(2026, 2, 9)),  # Trentino FEASR calendar, "DATA CHIUSURA"
        ("15.01.2026", date(2026, 1, 15)),
        ("15-01-2026", date(2026, 1, 15)),
        ("31/12/25", date(2025, 12, 31)),
        ("31 dicembre 2025", date(2025, 12, 31)),
        ("31 dic. 2025", date(2025, 12, 31)),
        ("1° marzo 2026", date(2026, 3, 1)),
        ("09 March 2023", date(2023, 3, 9)),
        ("12 mars 2024", date(2024, 3, 12)),
        ("1er janvier 2026", date(2026, 1, 1)),
        ("3 févr. 2026", date(2026, 2, 3)),
        ("20260615", date(2026, 6, 15)),  # WordPress ACF date picker
    ],
)
def test_whole_days(text: str, day: date) -> None:
    start = parse_datetime(text, ROME)
    end = parse_datetime(text, ROME, end_of_day=True)
    assert start is not None and end is not None
    local_start, local_end = start.astimezone(ROME), end.astimezone(ROME)
    assert (local_start.date(), local_start.hour, local_start.minute) == (day, 0, 0)
    assert (local_end.date(), local_end.time().isoformat()) == (day, "23:59:59")


def test_whole_day_across_daylight_saving() -> None:
    assert parse_datetime("31/12/2025", ROME, end_of_day=True) == utc(2025, 12, 31, 22, 59, 59)
    assert parse_datetime("31/07/2026", ROME, end_of_day=True) == utc(2026, 7, 31, 21, 59, 59)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-04-08T00:00:00.000+0000", utc(2027, 4, 8)),
        # "…T23:00:00.000+0000" is the next day in Brussels
        ("2027-09-21T23:00:00.000+0000", utc(2027, 9, 21, 23)),
        ("2023-04-08T00:00:00.000+0200", utc(2023, 4, 7, 22)),
        ("2023-01-10T17:00:00.000+0100", utc(2023, 1, 10, 16)),
        ("2025-10-01T09:00:00+02:00", utc(2025, 10, 1, 7)),
        ("2026-07-30T15:00:00Z", utc(2026, 7, 30, 15)),
        ("2026-07-30T15:00:00-0500", utc(2026, 7, 30, 20)),
        # naive ISO is local time (Socrata rows, Plone)
        ("2026-06-16T00:00:00.000", utc(2026, 6, 15, 22)),
        ("2026-06-16 10:00", utc(2026, 6, 16, 8)),
    ],
)
def test_iso(text: str, expected: datetime) -> None:
    assert parse_datetime(text, ROME) == expected


def test_naive_iso_in_the_given_zone() -> None:
    # incentivi.gov.it stores local midnight as naive UTC: the source passes UTC as the zone
    assert parse_datetime("2019-12-31T23:00:00", UTC) == utc(2019, 12, 31, 23)
    assert parse_datetime("2023-03-09T00:00:00", BRUSSELS) == utc(2023, 3, 8, 23)


@pytest.mark.parametrize(
    "value",
    [1700000000000, "1700000000000", 1700000000000.0, 1700000000, "1700000000"],
)
def test_epoch_milliseconds_and_seconds(value: int | float | str) -> None:
    assert parse_datetime(value) == utc(2023, 11, 14, 22, 13, 20)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "metà Giugno 2026",
        "a sportello",
        "2026-02-30",
        "30 febbraio 2026",
        "0000-00-00 00:00:00",
        "12/31/2025",
    ],
)
def test_no_date(value: str | None) -> None:
    assert parse_datetime(value) is None


def test_parse_date() -> None:
    assert parse_date("2027-04-08T00:00:00.000+0000") == date(2027, 4, 8)
    assert parse_date("Scadenza: 09/2/2026") == date(2026, 2, 9)
    assert parse_date("31 dicembre 2025 ore 12:00") == date(2025, 12, 31)
    assert parse_date("") is None
    assert parse_date(None) is None


def test_find_dates_spans() -> None:
    text = "Domande dal 16/06/2026 ore 10:00 al 7 settembre 2026, ore 12:00"
    spans = find_dates(text)
    assert [text[a:b] for a, b in spans] == ["16/06/2026", "7 settembre 2026"]
