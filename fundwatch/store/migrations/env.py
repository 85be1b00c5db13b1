"""Alembic environment: runs on the connection that fundwatch.store.db hands it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import fundwatch.store.tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through fundwatch.store.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
