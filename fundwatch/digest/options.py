"""Per-profile delivery settings and digest periods.

`options_for(profile)` is the single adapter between the profile file (`Profile.delivery`,
`Profile.language`) and the digest code.

Digests follow the profile's schedule in the reader's zone (the profile's `timezone`, else
the installation's): daily at `time`, weekly on
`weekday` at `time`, monthly on `day_of_month` at `time`. The latest scheduled instant at or
before `now` is the digest's *slot*; its key (``2026-09-17``, ``2026-W38``, ``2026-09``) names
the period. At most one digest per profile and period is queued, at the first publish after the
slot; its content covers everything since the previous digest, so nothing falls between two
periods and a late run only delays a digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from fundwatch.config.profile import Profile, SectionName

Frequency = Literal["daily", "weekly", "monthly"]
Section = SectionName
SECTIONS: tuple[Section, ...] = ("new", "changed", "closing_soon", "closed", "health")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DigestOptions:
    """How one profile wants to be told. Defaults are those of a profile that says nothing."""

    language: Literal["it", "en"] = "it"
    frequency: Frequency = "weekly"
    weekday: int = 0
    """0 = Monday … 6 = Sunday (weekly digests)."""
    day_of_month: int = 1
    send_time: time = time(8, 0)
    sections: frozenset[Section] = field(default_factory=lambda: frozenset(SECTIONS))
    closing_days: int = 14
    reminder_days: tuple[int, ...] = (30, 7)
    send_empty: bool = False
    """False: no digest when nothing happened; True: a short "nothing new" digest."""
    feeds: bool = True
    private_feeds: bool = False
    """Feeds and calendar only under a private URL carrying an unguessable token."""
    timezone: str = "Europe/Rome"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def options_for(profile: Profile, timezone: str = "Europe/Rome") -> DigestOptions:
    """The delivery options of `profile`; `timezone` is the installation's, used unless the
    profile names the reader's own zone."""
    d = profile.delivery
    return DigestOptions(
        language=profile.language,
        frequency=d.frequency,
        weekday=_WEEKDAYS.index(d.weekday),
        day_of_month=d.day_of_month,
        send_time=d.time,
        sections=frozenset(s for s in SECTIONS if s not in d.sections_off),
        closing_days=d.closing_soon_days,
        reminder_days=tuple(d.reminders),
        send_empty=d.empty_digest == "send",
        feeds=d.feeds,
        private_feeds=d.private_feeds,
        timezone=d.timezone or timezone,
    )


@dataclass(frozen=True)
class Period:
    """The slot a digest belongs to (`key`) and the span of time it reports on.

    `since` is where the previous digest stopped (or the slot before, for a first digest);
    `until` is the moment the digest is built.
    """

    key: str
    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("period bounds must be timezone-aware")


def latest_slot(now: datetime, opts: DigestOptions) -> datetime:
    """The last scheduled digest instant at or before `now`, in the options' zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = opts.zone
    local = now.astimezone(zone)
    day = local.date()
    if opts.frequency == "weekly":
        day -= timedelta(days=(day.weekday() - opts.weekday) % 7)
    elif opts.frequency == "monthly":
        day = day.replace(day=opts.day_of_month)
    slot = _at(day, opts.send_time, zone)
    return slot if slot <= now else _previous(slot, opts)


def _previous(slot: datetime, opts: DigestOptions) -> datetime:
    day = slot.date()
    if opts.frequency == "daily":
        day -= timedelta(days=1)
    elif opts.frequency == "weekly":
        day -= timedelta(days=7)
    else:
        day = (day.replace(day=1) - timedelta(days=1)).replace(day=opts.day_of_month)
    return _at(day, opts.send_time, opts.zone)


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)


def slot_key(slot: datetime, frequency: Frequency) -> str:
    if frequency == "daily":
        return slot.date().isoformat()
    if frequency == "weekly":
        year, week, _ = slot.date().isocalendar()
        return f"{year}-W{week:02d}"
    return f"{slot.year}-{slot.month:02d}"


def period_key(now: datetime, opts: DigestOptions) -> str:
    """The key of the period `now` falls in."""
    return slot_key(latest_slot(now, opts), opts.frequency)


def period_for(now: datetime, opts: DigestOptions, since: datetime | None = None) -> Period:
    """The period of `now`, reporting from `since` (default: the slot before the current one,
    for a first digest) up to `now`."""
    slot = latest_slot(now, opts)
    return Period(slot_key(slot, opts.frequency), since or _previous(slot, opts), now)
