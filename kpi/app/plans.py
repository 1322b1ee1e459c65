"""Plans: loading one from its targets file (a sync, each change a new version), listing them,
taking one out of use.

Loading and retiring a plan are an admin's (``kpi.core.rights``; on PostgreSQL the server checks
again); a dry run, which writes nothing, is anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpi.app.exporting import Steps, _Silent
from kpi.app.workspace import Workspace, default_plan_file
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.plan import Plan, PlanInfo
    from kpi.store import SyncResult

LARGE_FILE = 1_000_000  # bytes, about two thousand items: a file worth a progress bar


@dataclass(frozen=True, slots=True)
class Loaded:
    """The plan as the file has it, the file as named, and what the sync did (or would do)."""

    plan: Plan
    name: str
    result: SyncResult
    dry_run: bool


def plan_file(ws: Workspace, file: Path | None) -> Path:
    """The targets file to load: the one given, else the default (``targets/<year>.yaml``)."""
    return file or default_plan_file(ws.env)


def large(path: Path) -> bool:
    """Whether a targets file is large enough for loading it to show its steps."""
    try:
        return path.stat().st_size >= LARGE_FILE
    except OSError:
        return False


def load(
    ws: Workspace,
    path: Path,
    *,
    dry_run: bool = False,
    effective: str | None = None,
    steps: Steps | None = None,
) -> Loaded:
    """Sync the plan from a targets file: items matched by code, changed ones updated, removed
    ones retired; a change is a new version, in effect today or from ``effective``."""
    from kpi.core.plan_file import file_sha256, read_plan_file
    from kpi.core.rights import check_load
    from kpi.core.values import parse_date

    steps = steps or _Silent()
    name = ws.shown_path(path)
    steps.step(t("progress.reading", path=name))
    plan = read_plan_file(path, name)  # a file with mistakes is refused before the database
    day = ws.today  # a load takes effect today, unless it says from when
    if effective is not None:
        day = parse_date(effective, today=ws.today, default_year=plan.year)
        if not plan.contains(day):
            raise InputError(
                t("load.effective_outside", day=day, plan=plan.id, start=plan.start, end=plan.end)
            )
    if not dry_run:
        check_load(ws.rights(), plan.id)
    store = ws.store()
    steps.step(t("progress.syncing", n=len(plan.items)))
    result = store.sync_plan(
        plan, file=name, sha256=file_sha256(path), by=ws.user, dry_run=dry_run, effective=day
    )
    return Loaded(plan, name, result, dry_run)


def plans(ws: Workspace) -> list[PlanInfo]:
    """Every plan in the database, with its counts and its current version."""
    return ws.plans()


def retire(ws: Workspace, plan_id: str) -> bool:
    """Take a plan out of use (hidden from the choice of plan, nothing deleted); False when it
    was out of use already."""
    from kpi.core.rights import check_load

    plan_id = plan_id.strip()
    check_load(ws.rights(), plan_id)
    return ws.store().plan(plan_id).retire()
