"""letter drafts: the letter form kept between the form and the send button

Revision ID: 7727ac2ed8b6
Revises: 0f0104adf3a5
Create Date: 2026-12-03 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7727ac2ed8b6"
down_revision: str | Sequence[str] | None = "0f0104adf3a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "letter_draft",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("campaign_slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_draft")),
    )
    op.create_index(
        op.f("ix_letter_draft_expires_at"), "letter_draft", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_letter_draft_expires_at"), table_name="letter_draft")
    op.drop_table("letter_draft")
