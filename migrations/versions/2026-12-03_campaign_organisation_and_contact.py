"""who runs a campaign: its organisation's name (English and French) and a contact address

Revision ID: 27e0f7066e84
Revises: 7727ac2ed8b6
Create Date: 2026-12-03 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "27e0f7066e84"
down_revision: str | Sequence[str] | None = "7727ac2ed8b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: until organisers set them, the pages use neutral wording, never a placeholder.
    with op.batch_alter_table("campaign") as batch:
        for name, length in (
            ("organisation_name", 120),
            ("organisation_name_fr", 120),
            ("contact_email", 254),
        ):
            batch.add_column(
                sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("contact_email")
        batch.drop_column("organisation_name_fr")
        batch.drop_column("organisation_name")
