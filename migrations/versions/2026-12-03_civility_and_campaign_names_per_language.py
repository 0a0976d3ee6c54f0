"""a député's civility from the official data; the campaign's sender name per language

Revision ID: 0f0104adf3a5
Revises: 46b1613c70f0, 4e1f0b9d2a67, 56ffc22b7636
Create Date: 2026-12-03 11:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0f0104adf3a5"
down_revision: str | Sequence[str] | None = ("46b1613c70f0", "4e1f0b9d2a67", "56ffc22b7636")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("representative") as batch:
        batch.add_column(
            sa.Column("civility", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True)
        )
    with op.batch_alter_table("campaign_text") as batch:
        batch.add_column(
            sa.Column("sender_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_text") as batch:
        batch.drop_column("sender_name")
    with op.batch_alter_table("representative") as batch:
        batch.drop_column("civility")
