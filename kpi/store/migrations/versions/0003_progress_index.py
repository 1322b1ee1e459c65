"""An index that holds everything a status needs from the records, so that working out where
10,000 items stand from a million records reads the index alone, never the table; and one by
date, for a week's records in the weekly summary.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["plan_year", "item_code", "date", "id", "kind", "code", "value"]


def upgrade() -> None:
    op.create_index("ix_updates_progress", "updates", COLUMNS)
    op.drop_index("ix_updates_item_date", table_name="updates")  # the new index begins with it
    op.create_index("ix_updates_date", "updates", ["plan_year", "date"])


def downgrade() -> None:
    op.drop_index("ix_updates_date", table_name="updates")
    op.create_index("ix_updates_item_date", "updates", ["plan_year", "item_code", "date"])
    op.drop_index("ix_updates_progress", table_name="updates")
