"""representative care: why letters to a representative are paused, and where an address an
organiser corrected came from; a campaign's test mode (the address every letter goes to)

Revision ID: 981ea23d1c0c
Revises: 46b1613c70f0, 4e1f0b9d2a67, 56ffc22b7636
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "981ea23d1c0c"
down_revision: str | Sequence[str] | None = ("46b1613c70f0", "4e1f0b9d2a67", "56ffc22b7636")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "representative_care",
        sa.Column("representative_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("pause_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("paused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("email_source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email_corrected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["representative_id"],
            ["representative.id"],
            name=op.f("fk_representative_care_representative_id_representative"),
        ),
        sa.PrimaryKeyConstraint("representative_id", name=op.f("pk_representative_care")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("test_recipient", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("test_recipient")
    op.drop_table("representative_care")
