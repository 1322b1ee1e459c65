"""The first schema: plans, their areas, sections, items and milestones; updates, voids, loads.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _plan_part(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("plan_year", sa.Integer(), sa.ForeignKey("plans.year"), primary_key=True),
        sa.Column("code", sa.String(), primary_key=True),
        *columns,
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("offices", sa.JSON(), nullable=False),
    )
    _plan_part("areas", sa.Column("title", sa.String(), nullable=False))
    _plan_part(
        "sections",
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
    )
    _plan_part(
        "items",
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("section_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("lead_office", sa.String(), nullable=False),
        sa.Column("other_offices", sa.JSON(), nullable=False),
        sa.Column("lead", sa.String(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("assigned", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("accumulate", sa.String(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("baseline_source", sa.String(), nullable=True),
        sa.Column("baseline_completion", sa.Float(), nullable=True),
        sa.Column("baseline_growth", sa.Float(), nullable=True),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_basis", sa.String(), nullable=True),
        sa.Column("target_source", sa.String(), nullable=True),
        sa.Column("target_note", sa.String(), nullable=True),
        sa.Column("checkpoints", sa.JSON(), nullable=False),
    )
    _plan_part(
        "milestones",
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("assigned", sa.JSON(), nullable=False),
    )
    op.create_table(
        "updates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_year", sa.Integer(), sa.ForeignKey("plans.year"), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_updates_item_date", "updates", ["plan_year", "item_code", "date"])
    op.create_table(
        "voids",
        sa.Column(
            "update_id",
            sa.Integer(),
            sa.ForeignKey("updates.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "loads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_year", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("loads", "voids", "updates", "milestones", "items", "sections", "areas", "plans"):
        op.drop_table(table)
