"""rebuild letter fingerprints (normalised text, shingles of 3 words)

Revision ID: 5c7df4f33da6
Revises: 4e1f0b9d2a67
Create Date: 2026-12-03 10:20:00

The similarity hold now normalises text before fingerprinting (look-alike letters, invisible
characters) and uses shingles of REPMAIL_LETTERS__SHINGLE_WORDS words (default 3, was 4). A
stored fingerprint made the old way would never match a new one, so every letter's is rebuilt
from its paragraph. Data only: no table changes. Uses the service's own fingerprinting, as it
is at this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.config import Settings
from service.letters import similarity

revision: str = "5c7df4f33da6"
down_revision: str | Sequence[str] | None = "4e1f0b9d2a67"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
letter = sa.table(
    "letter", sa.column("id", sa.String), sa.column("message", sa.Text), sa.column("fingerprint")
)


def upgrade() -> None:
    k = Settings().letters.shingle_words
    connection = op.get_bind()
    last = ""
    while True:
        rows = connection.execute(
            sa.select(letter.c.id, letter.c.message)
            .where(letter.c.id > last)
            .order_by(letter.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            letter.update()
            .where(letter.c.id == sa.bindparam("letter_id"))
            .values(fingerprint=sa.bindparam("new_fingerprint")),
            [
                {
                    "letter_id": row.id,
                    "new_fingerprint": similarity.pack(similarity.shingles(row.message, k)),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    # The old fingerprints cannot be told apart from the new by anything but their content;
    # nothing to undo in the schema. A downgraded service compares new-style sets until
    # letters age out of the similarity window.
    pass
