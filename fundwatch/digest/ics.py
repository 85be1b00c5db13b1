"""iCalendar deadline feed of a profile (RFC 5545), with the icalendar package. Pure.

One VEVENT per deadline of each matched call, at the deadline's instant in the reader's zone
(with its VTIMEZONE). Identity and versioning:

- UID: a hash of (source, call id, deadline slot). The slot is the deadline's label, or its
  position among unlabelled deadlines; it never contains the date, so a moved deadline keeps
  its UID and a subscribed calendar moves the event instead of adding a second one.
- SEQUENCE: the number of deadline events of the call (moved, brought forward, cut-off added,
  withdrawn) seen so far. Events are never deleted, so it only grows, and it grows whenever a
  deadline moves (RFC 5545 §3.8.7.4).
- DTSTAMP / LAST-MODIFIED: the call's latest such event, else its first sighting — never the
  render time, so an unchanged calendar is byte-identical (stable ETag).

VALARM reminders fire at the profile's lead times (e.g. 30 and 7 days before). A withdrawn or
vanished call keeps its events with STATUS:CANCELLED, so subscribed calendars show the change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from fundwatch.digest import i18n
from fundwatch.digest.links import web_url
from fundwatch.models import Call, ChangeEvent, ChangeKind

_MOVES = frozenset(
    {
        ChangeKind.DEADLINE_EXTENDED,
        ChangeKind.DEADLINE_BROUGHT_FORWARD,
        ChangeKind.CUTOFF_ADDED,
        ChangeKind.WITHDRAWN,
        ChangeKind.VANISHED,
    }
)
_CANCELLED = frozenset({ChangeKind.WITHDRAWN, ChangeKind.VANISHED})


@dataclass(frozen=True)
class CalendarCall:
    """A matched call with its first sighting and all its stored events (any age)."""

    call: Call
    first_seen: datetime
    events: Sequence[ChangeEvent] = field(default_factory=tuple)
    uid_key: tuple[str, str] | None = None
    """The (source, source_id) the event UIDs are made of, when not the call's own: a call
    seen on several sources keeps the UIDs of the copy first seen, so that calendars move the
    event instead of replacing it when a more authoritative copy takes over."""


def deadline_uid(key: tuple[str, str], slot: str) -> str:
    source, source_id = key
    digest = hashlib.sha256(f"{source}\0{source_id}\0{slot}".encode()).hexdigest()
    return f"{digest[:32]}@fundwatch"


def calendar(
    calls: Sequence[CalendarCall],
    *,
    name: str,
    language: str,
    zone: ZoneInfo,
    reminder_days: Sequence[int] = (30, 7),
) -> bytes:
    """The calendar as bytes (CRLF lines, folded at 75 octets by icalendar)."""
    cal = Calendar()
    cal.add("prodid", "-//fundwatch//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", i18n.say(language, "cal_name", name=name))
    cal.add("x-wr-timezone", zone.key)
    instants: list[datetime] = []
    for item in sorted(calls, key=lambda c: c.call.key):
        for slot, at in _slots(item.call):
            cal.add_component(_event(item, slot, at, language, zone, reminder_days))
            instants.append(at)
    if instants:
        first = min(instants).astimezone(zone).date() - timedelta(days=366)
        last = max(instants).astimezone(zone).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return bytes(cal.to_ical())


def _slots(call: Call) -> list[tuple[str, datetime]]:
    """(slot, instant) per deadline; the slot names the deadline without its date."""
    out: list[tuple[str, datetime]] = []
    unlabelled = sorted(d.at for d in call.deadlines if not d.label.strip())
    for index, at in enumerate(unlabelled):
        out.append((f"#{index}", at))
    labels: dict[str, int] = {}
    for d in sorted(call.deadlines, key=lambda d: d.at):
        label = " ".join(d.label.split())
        if not label:
            continue
        n = labels.get(label, 0)
        labels[label] = n + 1
        out.append((f"{label}#{n}" if n else label, d.at))
    return out


def _event(
    item: CalendarCall,
    slot: str,
    at: datetime,
    language: str,
    zone: ZoneInfo,
    reminder_days: Sequence[int],
) -> Event:
    call = item.call
    moves = sorted((e for e in item.events if e.kind in _MOVES), key=lambda e: e.at)
    stamp = max([item.first_seen, *(e.at for e in moves)])
    fates = [
        e
        for e in sorted(item.events, key=lambda e: e.at)
        if e.kind in _CANCELLED or e.kind is ChangeKind.REOPENED
    ]
    cancelled = bool(fates) and fates[-1].kind in _CANCELLED
    title = call.title
    ev = Event()
    ev.add("uid", deadline_uid(item.uid_key or call.key, slot))
    ev.add("dtstamp", stamp)
    ev.add("last-modified", stamp)
    ev.add("sequence", len(moves))
    ev.add("dtstart", at.astimezone(zone))
    ev.add("summary", i18n.say(language, "cal_deadline", title=title))
    lines = [title]
    if call.issuer:
        lines.append(f"{i18n.say(language, 'issuer')}: {call.issuer}")
    if call.budget.total_eur is not None:
        lines.append(
            f"{i18n.say(language, 'budget')}: {i18n.money(call.budget.total_eur, language)}"
        )
    url = web_url(call.url)
    if url:
        lines.append(url)
    ev.add("description", "\n".join(lines))
    if url:
        ev.add("url", url)
    ev.add("transp", "TRANSPARENT")
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        for days in sorted(set(reminder_days), reverse=True):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(days=-days))
            alarm.add("description", i18n.say(language, "cal_alarm", n=days, title=title))
            ev.add_component(alarm)
    return ev
