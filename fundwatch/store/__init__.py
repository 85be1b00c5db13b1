"""Persistence: SQLModel tables, Alembic migrations, and the Store API."""

from fundwatch.store.repo import RunSummary, SourceHealth, Store, StoredCall, StoredEvent

__all__ = ["RunSummary", "SourceHealth", "Store", "StoredCall", "StoredEvent"]
