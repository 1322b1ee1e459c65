"""Two small indexes beside ``ix_updates_progress``, so that each item's progress on a day is a
few steps down an index instead of a pass over every record: the records that mark something done
(an item or a milestone: a few in a thousand), and the records with a note (the latest note of an
item is the newest of them). Partial indexes: they hold only those records, so a write costs
little more than before.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DONE = "kind = 'done'"
NOTED = "note IS NOT NULL AND note <> ''"


def upgrade() -> None:
    op.create_index(
        "ix_updates_done",
        "updates",
        ["plan_id", "item_code", "code", "date", "kind"],
        sqlite_where=sa.text(DONE),
        postgresql_where=sa.text(DONE),
    )
    op.create_index(
        "ix_updates_noted",
        "updates",
        ["plan_id", "item_code", "date", "id"],
        sqlite_where=sa.text(NOTED),
        postgresql_where=sa.text(NOTED),
    )


def downgrade() -> None:
    op.drop_index("ix_updates_noted", table_name="updates")
    op.drop_index("ix_updates_done", table_name="updates")
