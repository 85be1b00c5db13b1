"""Schedule expressions used in config: a 5-field cron line or ``every N[m|h|d]``.

Optionally followed by ``jitter N[s|m]`` (``every 6h jitter 10m``, ``0 5 * * * jitter 20m``) so
that many installations do not hit a portal at the same second.

Cron lines mean what they mean to cron: day of week 0 and 7 are Sunday, 1 is Monday. (APScheduler
3 counts 0 as Monday; numeric weekdays are translated to names before they reach it.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
_JITTER = re.compile(r"\s+jitter\s+(\d+)\s*([sm])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOW_ITEM = re.compile(r"^(\*|\d+)(?:-(\d+))?(?:/(\d+))?$")


@dataclass(frozen=True)
class Schedule:
    cron: str | None = None
    interval: timedelta | None = None
    jitter_seconds: int = 0

    def trigger(self, tz: ZoneInfo) -> BaseTrigger:
        jitter = self.jitter_seconds or None
        if self.interval is not None:
            return IntervalTrigger(
                seconds=int(self.interval.total_seconds()), timezone=tz, jitter=jitter
            )
        assert self.cron is not None
        return _cron_trigger(self.cron, tz, jitter)


def _cron_trigger(expr: str, tz: ZoneInfo, jitter: int | None = None) -> CronTrigger:
    minute, hour, day, month, dow = expr.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_weekdays(dow),
        timezone=tz,
        jitter=jitter,
    )


def _crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0/7 = Sunday) as APScheduler weekday names."""
    if field == "*":
        return field
    names: list[str] = []
    for item in field.split(","):
        m = _DOW_ITEM.match(item)
        if m is None:  # names (mon-fri) mean the same to both
            names.append(item)
            continue
        start, end, step = m[1], m[2], int(m[3] or 1)
        first, last = (0, 7) if start == "*" else (int(start), int(end or start))
        if end is None and start != "*" and m[3]:
            last = 7  # "1/2": from Monday on, every other day
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step > 0):
            raise ValueError(f"day of week {item!r} is not within 0-7")
        names.extend(_CRON_DAYS[d] for d in range(first, last + 1, step))
    return ",".join(dict.fromkeys(names))


def parse_schedule(text: str) -> Schedule:
    """Parse a schedule; ValueError with a readable message when it is not one."""
    raw = " ".join(text.strip().lower().split())
    jitter = 0
    m = _JITTER.search(raw)
    if m:
        jitter = int(m[1]) * _UNITS[m[2]]
        raw = raw[: m.start()]
    m = _EVERY.match(raw)
    if m:
        seconds = int(m[1]) * _UNITS[m[2]]
        if seconds < 60:
            raise ValueError(f"schedule {text!r}: fetching more than once a minute is impolite")
        return Schedule(interval=timedelta(seconds=seconds), jitter_seconds=jitter)
    if len(raw.split()) == 5:
        try:
            _cron_trigger(raw, ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"schedule {text!r} is not a valid cron expression: {exc}") from None
        return Schedule(cron=raw, jitter_seconds=jitter)
    raise ValueError(
        f"schedule {text!r} is neither a cron expression ('0 6 * * *') nor 'every N[m|h|d]'"
    )
