"""Every database table, as SQLModel classes: the schema as one declaration, for readers and tests.

The schema itself is made and changed by the migrations in ``kpi/store/migrations``; a change here
needs a new migration there (``tests/test_db.py`` compares the two). The store reads and writes
with plain SQL, so nothing at run time imports these classes.

The plan tables mirror ``targets/<year>.yaml`` and are synced by code: rows are never deleted,
an item removed from the file is marked ``retired`` so its history stays. Updates are append-only:
a correction is a row in ``voids`` plus a new update, never an edit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


class PlanRow(SQLModel, table=True):
    __tablename__ = "plans"

    year: int = Field(primary_key=True)
    title: str
    source: str
    start: dt.date
    end: dt.date
    rules: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    offices: list[str] = Field(sa_column=Column(JSON, nullable=False))


class AreaRow(SQLModel, table=True):
    __tablename__ = "areas"

    plan_year: int = Field(primary_key=True, foreign_key="plans.year")
    code: str = Field(primary_key=True)
    title: str
    position: int
    retired: bool = False


class SectionRow(SQLModel, table=True):
    __tablename__ = "sections"

    plan_year: int = Field(primary_key=True, foreign_key="plans.year")
    code: str = Field(primary_key=True)
    area_code: str
    title: str
    position: int
    retired: bool = False


class ItemRow(SQLModel, table=True):
    __tablename__ = "items"

    plan_year: int = Field(primary_key=True, foreign_key="plans.year")
    code: str = Field(primary_key=True)
    area_code: str
    section_code: str
    kind: str
    title: str
    text: str
    lead_office: str
    other_offices: list[str] = Field(sa_column=Column(JSON, nullable=False))
    lead: str | None = None
    deadline: dt.date
    assigned: list[str] = Field(sa_column=Column(JSON, nullable=False))
    unit: str | None = None
    direction: str = "up"
    accumulate: str = "sum"
    baseline_value: float | None = None
    baseline_year: int | None = None
    baseline_source: str | None = None
    baseline_completion: float | None = None
    baseline_growth: float | None = None
    target_value: float | None = None
    target_basis: str | None = None
    target_source: str | None = None
    target_note: str | None = None
    checkpoints: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    position: int
    retired: bool = False


class MilestoneRow(SQLModel, table=True):
    __tablename__ = "milestones"

    plan_year: int = Field(primary_key=True, foreign_key="plans.year")
    code: str = Field(primary_key=True)
    item_code: str
    title: str
    date: dt.date
    share: float
    assigned: list[str] = Field(sa_column=Column(JSON, nullable=False))
    position: int
    retired: bool = False


class UpdateRow(SQLModel, table=True):
    """A dated record against an item or a milestone (``code``), who made it and when."""

    __tablename__ = "updates"
    __table_args__ = (
        # Everything a status needs from the records: it is worked out from the index alone.
        Index(
            "ix_updates_progress", "plan_year", "item_code", "date", "id", "kind", "code", "value"
        ),
        Index("ix_updates_date", "plan_year", "date"),  # a week's records
        Index("ix_updates_os_user", "os_user", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_year: int = Field(foreign_key="plans.year")
    code: str
    item_code: str
    date: dt.date
    kind: str  # add | set | percent | done
    value: float | None = None
    note: str | None = None
    by: str
    os_user: str
    recorded_at: dt.datetime
    origin: str = Field(
        default="cli", sa_column_kwargs={"server_default": "cli"}
    )  # cli | import:FILE


class VoidRow(SQLModel, table=True):
    """Voids an update; the update itself stays, marked, in the history."""

    __tablename__ = "voids"

    update_id: int = Field(primary_key=True, foreign_key="updates.id")
    reason: str
    by: str
    os_user: str
    voided_at: dt.datetime


class LoadRow(SQLModel, table=True):
    """One `kpi load` of a targets file: what it changed, who ran it, when."""

    __tablename__ = "loads"

    id: int | None = Field(default=None, primary_key=True)
    plan_year: int
    file: str
    sha256: str
    by: str
    loaded_at: dt.datetime
    added: int
    changed: int
    retired: int
    unchanged: int
