"""HTTP side of fundwatch: `fundwatch serve` (feeds, calendars, unsubscribe, not relevant)."""

from fundwatch.web.app import FeedApp
from fundwatch.web.server import make_server

__all__ = ["FeedApp", "make_server"]
