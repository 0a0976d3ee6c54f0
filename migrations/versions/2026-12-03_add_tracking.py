"""tracking: webhook batches, provider events, receiving address health; a hold switch on
each recipient's pace row

Revision ID: d00692158805
Revises: 4e1f0b9d2a67
(also: campaign.reply_after_days and reply_survey, the reply follow-up)
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d00692158805"
down_revision: str | Sequence[str] | None = "4e1f0b9d2a67"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "webhook_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("processed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_batch")),
    )
    op.create_index(
        "ix_webhook_batch_processed_at",
        "webhook_batch",
        ["processed_at", "received_at"],
        unique=False,
    )
    op.create_table(
        "provider_event",
        sa.Column("sg_event_id", AutoString(length=100), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", AutoString(length=32), nullable=True),
        sa.Column("event", AutoString(length=20), nullable=False),
        sa.Column("bounce_type", AutoString(length=20), nullable=True),
        sa.Column("reason", AutoString(length=500), nullable=True),
        sa.Column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sg_event_id", name=op.f("pk_provider_event")),
    )
    op.create_index(
        op.f("ix_provider_event_batch_id"), "provider_event", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_provider_event_outbox_id"), "provider_event", ["outbox_id"], unique=False
    )
    op.create_table(
        "address_health",
        sa.Column("address", AutoString(length=320), nullable=False),
        sa.Column("recipient_key", AutoString(length=40), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("hard_bounces", sa.Integer(), nullable=False),
        sa.Column("blocks", sa.Integer(), nullable=False),
        sa.Column("spam_reports", sa.Integer(), nullable=False),
        sa.Column("last_reason", AutoString(length=500), nullable=True),
        sa.Column("last_event_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_address_health")),
    )
    op.create_index(
        op.f("ix_address_health_recipient_key"),
        "address_health",
        ["recipient_key"],
        unique=False,
    )
    with op.batch_alter_table("delivery_pace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_reason", AutoString(length=200), nullable=True))
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_after_days", sa.Integer(), nullable=False, server_default="14")
        )
    op.create_table(
        "reply_survey",
        sa.Column("letter_id", AutoString(length=32), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answer", AutoString(length=20), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_reply_survey_letter_id_letter")
        ),
        sa.PrimaryKeyConstraint("letter_id", name=op.f("pk_reply_survey")),
    )
    op.create_index("ix_reply_survey_due_at", "reply_survey", ["due_at", "asked_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reply_survey_due_at", table_name="reply_survey")
    op.drop_table("reply_survey")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("reply_after_days")
    with op.batch_alter_table("delivery_pace", schema=None) as batch_op:
        batch_op.drop_column("held_reason")
    op.drop_index(op.f("ix_address_health_recipient_key"), table_name="address_health")
    op.drop_table("address_health")
    op.drop_index(op.f("ix_provider_event_outbox_id"), table_name="provider_event")
    op.drop_index(op.f("ix_provider_event_batch_id"), table_name="provider_event")
    op.drop_table("provider_event")
    op.drop_index("ix_webhook_batch_processed_at", table_name="webhook_batch")
    op.drop_table("webhook_batch")
