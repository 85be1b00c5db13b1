"""Dates and times as the sources write them, turned into aware UTC datetimes.

Forms handled (all seen in real payloads): ISO 8601 with ``Z``, ``+00:00`` or ``+0000`` and
optional milliseconds; naive ISO (read in the source's zone); epoch milliseconds or seconds,
as numbers or strings; ``31/12/2025``, ``1/10/2025``, ``09/2/2026``, ``15.01.2026``,
``15-01-2026``, ``20260615`` (WordPress ACF date pickers); Italian, English and French month
names (``31 dicembre 2025 ore 12:00``, ``09 March 2023``, ``12 mars 2024``,
``Apr 27, 2023 4:18:31 PM``); weekday prefixes (``Gio, 30/07/2026 - 17:00``); times as
``17:00``, ``17.00``, ``ore 12``.

A date without a time is a whole day: `end_of_day=True` reads it as 23:59:59 local time (the
right reading for a deadline), otherwise as local midnight.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROME = ZoneInfo("Europe/Rome")
BRUSSELS = ZoneInfo("Europe/Brussels")

MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    (
        ("gennaio", "january", "janvier", "gen", "jan", "janv"),
        ("febbraio", "february", "février", "fevrier", "feb", "fev", "févr", "fevr"),
        ("marzo", "march", "mars", "mar"),
        ("aprile", "april", "avril", "apr", "avr"),
        ("maggio", "may", "mai", "mag"),
        ("giugno", "june", "juin", "giu", "jun"),
        ("luglio", "july", "juillet", "lug", "jul", "juil"),
        ("agosto", "august", "août", "aout", "ago", "aug"),
        ("settembre", "september", "septembre", "set", "sep", "sept"),
        ("ottobre", "october", "octobre", "ott", "oct"),
        ("novembre", "november", "nov"),
        ("dicembre", "december", "décembre", "decembre", "dic", "dec", "déc"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _n

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # WordPress ACF date pickers: 20260615
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
_MONTH_NAME = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:°|º|st|nd|rd|th|er)?\s+({_MONTH_NAME})\.?,?\s+(\d{{4}})", re.I
)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_NAME})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})", re.I)
_TIME = re.compile(
    r"(?:ore|h|alle|at|à)?\s*(?<![\d/.])(\d{1,2})(?:[:.](\d{2}))(?::(\d{2}))?\s*([AaPp][Mm])?(?![\d/])"
)
# "ore 12", "alle 12", "h 12", "h.12" (not "H2" or "h24", which name other things)
_ORE_ONLY = re.compile(r"(?:\bore\s*|\balle\s+|\bh\.\s*|\bh\s+)(\d{1,2})\b(?![:.]\d)", re.I)
_END_OF_DAY = time(23, 59, 59)


def known_zone(value: str) -> str:
    """`value` when it names an IANA time zone, else a ValueError saying so (config checks)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name like Europe/Rome)"
        ) from None
    return value


def parse_datetime(
    value: str | int | float | None, tz: ZoneInfo = ROME, *, end_of_day: bool = False
) -> datetime | None:
    """Parse one date or date-time; None when `value` holds no date we can read."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    text = " ".join(str(value).split())
    if re.fullmatch(r"-?\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text))
    compact = _COMPACT.fullmatch(text)
    if compact:
        day = _safe_date(int(compact[1]), int(compact[2]), int(compact[3]))
        return _combine(day, None, tz, end_of_day) if day else None
    iso = _ISO.match(text)
    if iso:
        return _from_iso(iso, tz, end_of_day)
    day = _find_date(text)
    if day is None:
        return None
    clock = _find_time(text)
    return _combine(day, clock, tz, end_of_day)


def parse_date(value: str | None) -> date | None:
    """The calendar day in `value`, without time or zone (``None`` if none)."""
    if not value:
        return None
    iso = _ISO.match(value.strip())
    if iso:
        return _safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
    return _find_date(value)


def find_dates(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the calendar dates written in `text`, in order and not
    overlapping (every form `parse_datetime` reads in free text). Cue-word search uses it to
    find the date that follows "scadenza", "entro il", "dal … al …"."""
    found = sorted(
        (m.start(), m.end())
        for pattern in (_NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR)
        for m in pattern.finditer(text)
    )
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: parse it in the source's zone first")
    return moment.astimezone(UTC)


def _from_epoch(number: float) -> datetime:
    seconds = number / 1000 if abs(number) >= 1e11 else number
    return datetime.fromtimestamp(seconds, UTC)


def _from_iso(m: re.Match[str], tz: ZoneInfo, end_of_day: bool) -> datetime | None:
    day = _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if day is None:  # WordPress writes "0000-00-00 00:00:00" for "never"
        return None
    if m[4] is None:
        return _combine(day, None, tz, end_of_day)
    try:
        clock = time(int(m[4]), int(m[5]), int(m[6] or 0))
    except ValueError:
        return None
    offset = m[7]
    if offset is None:
        return datetime.combine(day, clock, tz).astimezone(UTC)
    if offset == "Z":
        return datetime.combine(day, clock, UTC)
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (datetime.combine(day, clock, UTC) - sign * delta).astimezone(UTC)


def _find_date(text: str) -> date | None:
    m = _NUMERIC.search(text)
    if m:
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _safe_date(year, int(m[2]), int(m[1]))
    m = _DAY_MONTH_YEAR.search(text)
    if m:
        return _safe_date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    m = _MONTH_DAY_YEAR.search(text)
    if m:
        return _safe_date(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    return None


def _find_time(text: str) -> time | None:
    stripped = _NUMERIC.sub(" ", text)
    m = _TIME.search(stripped)
    if m:
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        if m[4]:
            hour = hour % 12 + (12 if m[4].lower() == "pm" else 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
        if (hour, minute, second) == (24, 0, 0):  # "entro le ore 24:00": the end of that day
            return _END_OF_DAY
    m = _ORE_ONLY.search(stripped)
    if m and int(m[1]) < 24:
        return time(int(m[1]), 0)
    if m and int(m[1]) == 24:
        return _END_OF_DAY
    return None


def _combine(day: date, clock: time | None, tz: ZoneInfo, end_of_day: bool) -> datetime:
    if clock is None:
        clock = time(23, 59, 59) if end_of_day else time(0, 0)
    return datetime.combine(day, clock, tz).astimezone(UTC)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
