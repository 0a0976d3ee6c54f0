"""queued letters per campaign and representative, for the deadline projection

Revision ID: 9d41c7e2b6f0
Revises: 27b62708a9ab
Create Date: 2026-12-03 18:30:00

Filled from the outbox rows already queued (service.stats.rebuild.rebuild_queue), so the
projection counts what was queued before it too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.orm import Session

from service.stats.rebuild import rebuild_queue

revision: str = "9d41c7e2b6f0"
down_revision: str | Sequence[str] | None = "27b62708a9ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_queued_letters",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("letters", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "campaign_id", "representative_id", name=op.f("pk_stats_queued_letters")
        ),
    )
    rebuild_queue(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table("stats_queued_letters")
