"""Leases: how several daemons share one PostgreSQL database without doing work twice.

A lease is a named row with an owner and an expiry. `claim` is one atomic
``INSERT … ON CONFLICT DO UPDATE … WHERE expired-or-mine`` statement, so two instances racing
for the same name cannot both win, on PostgreSQL or SQLite. A dead instance's lease simply
expires and the next claimant takes it over. `release` gives it back early.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

_CLAIM = text(
    """
    INSERT INTO lease (name, owner, until) VALUES (:name, :owner, :until)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
    WHERE lease.until < :now OR lease.owner = :owner
    RETURNING owner
    """
)


def _ts(engine: Engine, moment: datetime) -> datetime:
    """UTCDateTime stores naive UTC on SQLite; compare like with like."""
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None) if engine.dialect.name == "sqlite" else utc


def claim(engine: Engine, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
    """Take (or renew) the lease `name` for `ttl` if it is free, expired or already ours."""
    with engine.begin() as conn:
        row = conn.execute(
            _CLAIM,
            {
                "name": name,
                "owner": owner,
                "until": _ts(engine, now + ttl),
                "now": _ts(engine, now),
            },
        ).first()
    return row is not None and row[0] == owner


def release(engine: Engine, name: str, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM lease WHERE name = :name AND owner = :owner"),
            {"name": name, "owner": owner},
        )


def holder(engine: Engine, name: str, now: datetime) -> str | None:
    """Who holds `name` now (None when free or expired)."""
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT owner FROM lease WHERE name = :name AND until >= :now"),
            {"name": name, "now": _ts(engine, now)},
        ).first()
    return None if row is None else str(row[0])
