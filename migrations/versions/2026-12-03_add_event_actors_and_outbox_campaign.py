"""add who acted on every letter event, and the campaign of every outbox row

Revision ID: 4e1f0b9d2a67
Revises: 3c5e1a7f9b20, 7d2b4e6a8c13
Create Date: 2026-12-03 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4e1f0b9d2a67"
down_revision: str | Sequence[str] | None = ("3c5e1a7f9b20", "7d2b4e6a8c13")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letter_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "actor",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="system",
            )
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_message_campaign_id"), ["campaign_id"], unique=False
        )
    # Rows written before this revision: the campaign of the letter they carry.
    op.execute(
        "UPDATE outbox_message SET campaign_id = "
        "(SELECT letter.campaign_id FROM letter WHERE letter.id = outbox_message.letter_id) "
        "WHERE letter_id IS NOT NULL"
    )
    # Events before this revision: the supporter submitted and confirmed; the rest was the
    # system's (jobs, the worker) or an organiser's, which nothing recorded.
    op.execute(
        "UPDATE letter_event SET actor = 'supporter' "
        "WHERE to_status IN ('pending_confirmation', 'confirmed')"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_campaign_id"))
        batch_op.drop_column("campaign_id")
    with op.batch_alter_table("letter_event", schema=None) as batch_op:
        batch_op.drop_column("actor")
