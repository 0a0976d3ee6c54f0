"""add campaign pacing: letters per hour and office hours

Revision ID: 3c5e1a7f9b20
Revises: 891c93cdc792
Create Date: 2026-11-27 18:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c5e1a7f9b20"
down_revision: str | None = "891c93cdc792"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("letters_per_hour", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column("office_hours_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("office_hours_start", sa.Integer(), nullable=False, server_default="9")
        )
        batch_op.add_column(
            sa.Column("office_hours_end", sa.Integer(), nullable=False, server_default="18")
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("office_hours_end")
        batch_op.drop_column("office_hours_start")
        batch_op.drop_column("office_hours_only")
        batch_op.drop_column("letters_per_hour")
