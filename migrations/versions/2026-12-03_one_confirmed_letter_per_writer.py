"""one confirmed letter per writer: unconfirmed letters may repeat

Revision ID: 761617024d3d
Revises: 5c7df4f33da6
Create Date: 2026-12-03 10:40:00

A submission is stored whether or not its address wrote to the representative before, so
that its answer reveals nothing (service.letters.one_letter). The rule "one letter per
writer, representative and campaign" now holds over confirmed letters: a partial unique
index replaces the unique constraint over all letters.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "761617024d3d"
down_revision: str | Sequence[str] | None = "5c7df4f33da6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["campaign_id", "representative_id", "email_key"]
_CONFIRMED = sa.text("confirmed_at IS NOT NULL")


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """SQLite drops a unique constraint by copying the table and dropping the old one, which
    letter_event and outbox_message point at. Its foreign keys can only be switched off
    between transactions (service.db begins them itself, so a plain COMMIT and BEGIN do it);
    the copy keeps every id, and foreign_key_check proves nothing was left dangling."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN")
    try:
        yield
        dangling = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"letter copy left {len(dangling)} dangling references")
    finally:
        bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys = ON")
        bind.exec_driver_sql("BEGIN")


def upgrade() -> None:
    with _foreign_keys_off(), op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_constraint("uq_letter_campaign_id_representative_id_email_key", "unique")
    op.create_index(
        "uq_letter_one_confirmed_per_writer",
        "letter",
        _COLUMNS,
        unique=True,
        sqlite_where=_CONFIRMED,
        postgresql_where=_CONFIRMED,
    )


def downgrade() -> None:
    op.drop_index("uq_letter_one_confirmed_per_writer", table_name="letter")
    # Unconfirmed repeats written since cannot satisfy the old constraint: keep the newest
    # letter of each writer (a confirmed one first).
    op.execute(
        "DELETE FROM letter_event WHERE letter_id IN (SELECT id FROM letter l WHERE EXISTS ("
        "SELECT 1 FROM letter o WHERE o.campaign_id = l.campaign_id "
        "AND o.representative_id = l.representative_id AND o.email_key = l.email_key "
        "AND o.id <> l.id AND (o.confirmed_at IS NOT NULL AND l.confirmed_at IS NULL "
        "OR (o.confirmed_at IS NULL) = (l.confirmed_at IS NULL) AND o.created_at > l.created_at)"
        "))"
    )
    op.execute(
        "DELETE FROM letter WHERE id IN (SELECT id FROM letter l WHERE EXISTS ("
        "SELECT 1 FROM letter o WHERE o.campaign_id = l.campaign_id "
        "AND o.representative_id = l.representative_id AND o.email_key = l.email_key "
        "AND o.id <> l.id AND (o.confirmed_at IS NOT NULL AND l.confirmed_at IS NULL "
        "OR (o.confirmed_at IS NULL) = (l.confirmed_at IS NULL) AND o.created_at > l.created_at)"
        "))"
    )
    with _foreign_keys_off(), op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_letter_campaign_id_representative_id_email_key", _COLUMNS
        )
