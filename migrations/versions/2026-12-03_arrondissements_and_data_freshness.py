"""arrondissement short lists (Paris, Lyon, Marseille) and the date of each dataset's source

Revision ID: 56ffc22b7636
Revises: 3c5e1a7f9b20, 7d2b4e6a8c13
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "56ffc22b7636"
down_revision: str | Sequence[str] | None = ("3c5e1a7f9b20", "7d2b4e6a8c13")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fr_arrondissement_constituency",
        sa.Column("code_insee", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("constituency_id", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_insee"],
            ["fr_commune.code_insee"],
            name=op.f("fk_fr_arrondissement_constituency_code_insee_fr_commune"),
        ),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
            name=op.f("fk_fr_arrondissement_constituency_constituency_id_constituency"),
        ),
        sa.PrimaryKeyConstraint(
            "code_insee", "constituency_id", name=op.f("pk_fr_arrondissement_constituency")
        ),
    )
    with op.batch_alter_table("dataset_load", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("source_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("checked_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset_load", schema=None) as batch_op:
        batch_op.drop_column("checked_on")
        batch_op.drop_column("source_date")
        batch_op.drop_column("source")
    op.drop_table("fr_arrondissement_constituency")
