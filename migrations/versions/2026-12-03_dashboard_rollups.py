"""dashboard rollups: letters by campaign, representative, status and hold reason; letters
reaching each step of the funnel per campaign and hour; sends and provider events per
receiving domain and hour; an index for the deadline projection

Revision ID: 27b62708a9ab
Revises: 981ea23d1c0c, d00692158805
Create Date: 2026-12-03 14:00:00

The rollups are filled from the rows already there (service.stats.rebuild, as it is at this
revision), so the dashboard counts what came before it too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.orm import Session

from service.stats.rebuild import rebuild_rollups

revision: str = "27b62708a9ab"
down_revision: str | Sequence[str] | None = ("981ea23d1c0c", "d00692158805")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "stats_letter_tally",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", _text(40), nullable=False),
        sa.Column("status", _text(24), nullable=False),
        sa.Column("hold_reason", _text(30), nullable=False),
        sa.Column("letters", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "campaign_id",
            "representative_id",
            "status",
            "hold_reason",
            name=op.f("pk_stats_letter_tally"),
        ),
    )
    op.create_table(
        "stats_letter_hour",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("hour", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("step", _text(24), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("letters", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "campaign_id", "hour", "step", "slot", name=op.f("pk_stats_letter_hour")
        ),
    )
    op.create_table(
        "stats_domain_hour",
        sa.Column("domain", _text(255), nullable=False),
        sa.Column("hour", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("event", _text(20), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("timed", sa.BigInteger(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "domain", "hour", "event", "slot", name=op.f("pk_stats_domain_hour")
        ),
    )
    op.create_index(
        "ix_outbox_message_campaign_state_pace",
        "outbox_message",
        ["campaign_id", "state", "pace_key", "not_before"],
    )
    # The rollups of this revision only: later revisions fill the tables they add.
    rebuild_rollups(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_index("ix_outbox_message_campaign_state_pace", table_name="outbox_message")
    op.drop_table("stats_domain_hour")
    op.drop_table("stats_letter_hour")
    op.drop_table("stats_letter_tally")
