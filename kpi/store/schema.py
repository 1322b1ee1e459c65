"""Every database table, as SQLModel classes: the schema as one declaration, for readers and tests.

The schema itself is made and changed by the migrations in ``kpi/store/migrations``; a change here
needs a new migration there (``tests/test_db.py`` compares the two). The store reads and writes
with plain SQL, so nothing at run time imports these classes.

- A plan is known by its ``id``; its areas, sections, items and milestones are synced by code
  from its targets file: rows are never deleted, an item removed from the file is marked
  ``retired`` so its history stays. Each load that changes a plan is a row of ``plan_versions``,
  holding the plan as that load left it.
- Records (``updates``) are append-only: a correction is a row in ``voids`` plus a new record,
  never an edit. Rights are granted and revoked by rows of ``grant_events``, never erased.
- JSON is kept as text (``rules``, ``offices``, an item's ``baseline`` and ``target`` …): only kpi
  reads it, and text reads the same on every engine.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Index, Text, false, text
from sqlmodel import Field, SQLModel

# The records two partial indexes hold (migration 0005).
DONE = "kind = 'done'"
NOTED = "note IS NOT NULL AND note <> ''"


class PlanRow(SQLModel, table=True):
    __tablename__ = "plans"

    id: str = Field(primary_key=True)
    organisation: str
    year: int
    title: str
    source: str
    start: dt.date
    end: dt.date
    rules: str = Field(sa_column=Column(Text, nullable=False))
    offices: str = Field(sa_column=Column(Text, nullable=False))
    retired: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    legacy: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class AreaRow(SQLModel, table=True):
    __tablename__ = "areas"

    plan_id: str = Field(primary_key=True, foreign_key="plans.id")
    code: str = Field(primary_key=True)
    title: str
    position: int
    retired: bool = False


class SectionRow(SQLModel, table=True):
    __tablename__ = "sections"

    plan_id: str = Field(primary_key=True, foreign_key="plans.id")
    code: str = Field(primary_key=True)
    area_code: str
    title: str
    position: int
    retired: bool = False


class ItemRow(SQLModel, table=True):
    __tablename__ = "items"

    plan_id: str = Field(primary_key=True, foreign_key="plans.id")
    code: str = Field(primary_key=True)
    area_code: str
    section_code: str
    kind: str
    title: str
    text: str
    lead_office: str
    other_offices: str = Field(sa_column=Column(Text, nullable=False))
    lead: str | None = None
    deadline: dt.date
    assigned: str = Field(sa_column=Column(Text, nullable=False))
    unit: str | None = None
    direction: str
    accumulate: str
    negative: bool
    baseline: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    target: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    checkpoints: str = Field(sa_column=Column(Text, nullable=False))
    position: int
    retired: bool = False


class MilestoneRow(SQLModel, table=True):
    __tablename__ = "milestones"

    plan_id: str = Field(primary_key=True, foreign_key="plans.id")
    code: str = Field(primary_key=True)
    item_code: str
    title: str
    date: dt.date
    share: float
    assigned: str = Field(sa_column=Column(Text, nullable=False))
    position: int
    retired: bool = False


class UpdateRow(SQLModel, table=True):
    """A dated record against an item or a milestone (``code``), who made it and when."""

    __tablename__ = "updates"
    __table_args__ = (
        # Everything a status needs from the records: it is worked out from the index alone.
        Index("ix_updates_progress", "plan_id", "item_code", "date", "id", "kind", "code", "value"),
        Index("ix_updates_date", "plan_id", "date"),  # a week's records
        Index("ix_updates_os_user", "os_user", "id"),  # your last record, for kpi undo
        # The records that mark something done, and those with a note: each item's are found in a
        # few steps (migration 0005).
        Index(
            "ix_updates_done",
            *("plan_id", "item_code", "code", "date", "kind"),
            sqlite_where=text(DONE),
            postgresql_where=text(DONE),
        ),
        Index(
            "ix_updates_noted",
            *("plan_id", "item_code", "date", "id"),
            sqlite_where=text(NOTED),
            postgresql_where=text(NOTED),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plans.id")
    code: str
    item_code: str
    date: dt.date
    kind: str  # add | set | percent | done
    value: float | None = None
    note: str | None = None
    by: str
    os_user: str
    recorded_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    origin: str = Field(default="cli", sa_column_kwargs={"server_default": "cli"})


class VoidRow(SQLModel, table=True):
    """Voids an update (``kind`` void, or undo by its own author); the update stays, marked."""

    __tablename__ = "voids"

    update_id: int = Field(primary_key=True, foreign_key="updates.id")
    kind: str = Field(default="void", sa_column_kwargs={"server_default": "void"})
    reason: str
    by: str
    os_user: str
    voided_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class PlanVersionRow(SQLModel, table=True):
    """One `kpi load` that changed a plan: who, when, the file, what changed, from which day."""

    __tablename__ = "plan_versions"

    plan_id: str = Field(primary_key=True, foreign_key="plans.id")
    version: int = Field(primary_key=True)
    effective: dt.date
    file: str
    sha256: str
    by: str
    loaded_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    added: int
    changed: int
    retired: int
    unchanged: int
    changes: str = Field(sa_column=Column(Text, nullable=False))
    snapshot: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class GrantEventRow(SQLModel, table=True):
    """A right granted or revoked: ``role`` may act as ``level`` (for ``office``) on a plan."""

    __tablename__ = "grant_events"
    __table_args__ = (Index("ix_grant_events_role", "role", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    action: str  # grant | revoke
    role: str
    level: str  # staff | supervisor | admin | reader
    office: str | None = None
    plan_id: str | None = None  # None: every plan
    by: str
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
