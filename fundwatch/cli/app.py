"""What every command needs: the config folder, the store, the HTTP client, the clock."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fundwatch.config import Config, load_config
from fundwatch.errors import FundwatchError

if TYPE_CHECKING:
    from fundwatch.store import Store

DB_ENV = "FUNDWATCH_DATABASE_URL"


def now() -> datetime:
    """The real clock; read here, at the edge, and passed down."""
    return datetime.now(UTC)


def config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def database_url(cfg: Config) -> str:
    """$FUNDWATCH_DATABASE_URL wins over fundwatch.yaml (handy for PostgreSQL and tests)."""
    return os.environ.get(DB_ENV) or cfg.settings.database_url


def open_store(cfg: Config) -> Store:
    from fundwatch.store import Store  # imported here: SQLAlchemy is slow to import

    url = database_url(cfg)
    try:
        return Store.open(url)
    except FundwatchError:
        raise
    except Exception as exc:
        raise FundwatchError(f"cannot open the database {_safe(url)}: {_one_line(exc)}") from None


def parse_when(text: str) -> datetime:
    """An ISO 8601 instant or date from the command line; naive values are UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FundwatchError(f"not an ISO 8601 date or time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _one_line(exc: Exception) -> str:
    """The driver's own message on one line, without SQLAlchemy's wrapper and its
    "Background on this error" link."""
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith("(Background on this error")
    )


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url
