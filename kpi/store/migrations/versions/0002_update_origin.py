"""Record where each update came from: typed at the command line, or imported from a file.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("updates") as batch:
        batch.add_column(sa.Column("origin", sa.String(), nullable=False, server_default="cli"))
    # Undo finds a user's newest record: without this index it reads every record.
    op.create_index("ix_updates_os_user", "updates", ["os_user", "id"])


def downgrade() -> None:
    op.drop_index("ix_updates_os_user", table_name="updates")
    with op.batch_alter_table("updates") as batch:
        batch.drop_column("origin")
