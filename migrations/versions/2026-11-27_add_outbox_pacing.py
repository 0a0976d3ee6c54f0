"""add outbox pacing: pace key, receiving domain, redaction; pace locks and job leases

Revision ID: 7d2b4e6a8c13
Revises: 81afca224227
Create Date: 2026-11-27 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7d2b4e6a8c13"
down_revision: str | None = "81afca224227"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_pace",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("raised_per_hour", sa.Float(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_delivery_pace")),
    )
    op.create_table(
        "periodic_run",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_run")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pace_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "to_domain",
                sqlmodel.sql.sqltypes.AutoString(length=255),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("redacted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(
            "ix_outbox_message_pace_key_not_before", ["pace_key", "not_before"], unique=False
        )
    # Rows queued before this revision: their receiving domain, from the address.
    position = "strpos" if op.get_bind().dialect.name == "postgresql" else "instr"
    op.execute(
        f"UPDATE outbox_message SET to_domain = lower(substr(to_email, {position}(to_email, '@') + 1))"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_pace_key_not_before")
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("to_domain")
        batch_op.drop_column("pace_key")
    op.drop_table("periodic_run")
    op.drop_table("delivery_pace")
