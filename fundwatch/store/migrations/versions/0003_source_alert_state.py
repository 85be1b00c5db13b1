"""operator alert state per source

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "source",
        sa.Column("alert_state", sa.String(length=20), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("alert_state")
