"""``kpi rollover YEAR``: next year's targets file, written from this year's plan and records
(``kpi.rollover`` makes it), checked as ``kpi load`` would check it before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpi.app.files import write_atomically
from kpi.app.workspace import Workspace
from kpi.errors import InputError, KpiError
from kpi.locale import t


@dataclass(frozen=True, slots=True)
class RolledOver:
    """The file written, how many items it holds, of which year's plan, and how many baselines
    came from this year's records and how many were carried over."""

    path: str
    items: int
    old: int
    from_records: int
    carried: int


def rollover(
    ws: Workspace, year: int | None = None, *, out: Path | None = None, force: bool = False
) -> RolledOver:
    """Write ``targets/YEAR.yaml`` (or ``out``) for the office to edit and then ``kpi load``; an
    existing file is kept unless ``force``."""
    from kpi.core.plan_file import parse_plan
    from kpi.core.status import clamp_to_period
    from kpi.errors import PlanError
    from kpi.rollover import next_year, to_yaml

    plan = ws.plan()
    year = year or plan.year + 1
    if year != plan.year + 1:
        raise InputError(t("rollover.not_next", year=year, plan=plan.id, next=plan.year + 1))
    path = out or Path("targets") / f"{year}.yaml"
    name = ws.shown_path(path)
    ws.store().guard_out(path)
    if path.exists() and not force:
        raise InputError(t("rollover.exists", path=name))
    as_of = clamp_to_period(plan, ws.today)
    if as_of < plan.end:
        ws.notify(t("rollover.not_over", year=plan.year, end=plan.end, as_of=as_of))
    result = next_year(plan, ws.updates(), year, as_of)
    header = t(
        "rollover.header",
        year=year,
        old=plan.year,
        as_of=as_of.isoformat(),
        today=ws.today.isoformat(),
        title=plan.title,
        path=name,
    )
    text = to_yaml(result, header)
    try:
        new = parse_plan(text, name)
    except PlanError as exc:
        # Our own output failed the check: a fault of the tool, not of what the user typed.
        raise KpiError(
            t("rollover.invalid", year=year, problem=exc.message), details=exc.details
        ) from None
    write_atomically(path, text)
    return RolledOver(name, len(new.items), plan.year, result.from_records, result.carried)
