"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fundwatch.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "cache_entry",
        sa.Column("namespace", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key"),
    )
    op.create_table(
        "delivery_state",
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("last_period", sa.String(length=50), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("profile_id", "channel"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=50), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "next_attempt_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("sent_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=False),
        sa.Column("lease_until", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_profile_id"), ["profile_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_good_count", sa.Integer(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column(
            "last_success_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=500), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("opens_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_deadline", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rolling", sa.Boolean(), nullable=False),
        sa.Column("first_seen", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_changed", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("missed_runs", sa.Integer(), nullable=False),
        sa.Column("gone", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_id", name="uq_call_source_key"),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_last_deadline"), ["last_deadline"], unique=False)

    op.create_table(
        "source_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("calls_seen", sa.Integer(), nullable=False),
        sa.Column("calls_new", sa.Integer(), nullable=False),
        sa.Column("calls_changed", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("error_kind", sa.String(length=50), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("source_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_run_source_id"), ["source_id"], unique=False)

    op.create_table(
        "call_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["source_run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_version_call_id"), ["call_id"], unique=False)

    op.create_table(
        "change_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", fundwatch.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["source_run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.create_index("ix_change_event_at_kind", ["at", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_event_call_id"), ["call_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_event_call_id"))
        batch_op.drop_index("ix_change_event_at_kind")

    op.drop_table("change_event")
    with op.batch_alter_table("call_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_version_call_id"))

    op.drop_table("call_version")
    with op.batch_alter_table("source_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_run_source_id"))

    op.drop_table("source_run")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_last_deadline"))
        batch_op.drop_index(batch_op.f("ix_call_entity_id"))

    op.drop_table("call")
    op.drop_table("source")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_profile_id"))

    op.drop_table("outbox")
    op.drop_table("delivery_state")
    op.drop_table("cache_entry")
