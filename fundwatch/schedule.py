"""Schedule expressions used in config: a 5-field cron line or ``every N[m|h|d]``.

Optionally followed by ``jitter N[s|m]`` (``every 6h jitter 10m``) so that many installations
do not hit a portal at the same second.
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
        return CronTrigger.from_crontab(self.cron, timezone=tz)


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
            CronTrigger.from_crontab(raw, timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"schedule {text!r} is not a valid cron expression: {exc}") from None
        return Schedule(cron=raw, jitter_seconds=jitter)
    raise ValueError(
        f"schedule {text!r} is neither a cron expression ('0 6 * * *') nor 'every N[m|h|d]'"
    )
