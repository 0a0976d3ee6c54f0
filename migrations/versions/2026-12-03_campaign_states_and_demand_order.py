"""a campaign's state (draft, open, closed); a demand's position and retirement

Revision ID: a3f9c2e71b84
Revises: 981ea23d1c0c
Create Date: 2026-12-03 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a3f9c2e71b84"
down_revision: str | Sequence[str] | None = "981ea23d1c0c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Campaigns that exist already take letters today: they are open.
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="open",
            )
        )
    with op.batch_alter_table("campaign_demand") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    # Demands keep the order they had: their numbers.
    op.execute("UPDATE campaign_demand SET position = number")


def downgrade() -> None:
    with op.batch_alter_table("campaign_demand") as batch:
        batch.drop_column("retired_at")
        batch.drop_column("position")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("status")
