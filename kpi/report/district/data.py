"""The district's view as data: JSON (every plan and every red item, nothing cut) and CSV (one
row per plan).

``plan_record`` is one plan as ``kpi --plan all status --format json`` lists it; the weekly
report's JSON holds the same objects with the week's figures added. Shares are fractions, gaps
points, dates ISO; every key is present even when its value is null.
"""

from __future__ import annotations

from typing import Any

from kpi.core.status import ItemStatus, Light
from kpi.formats.records import to_json
from kpi.formats.tables import to_csv
from kpi.report.district.model import RANKING, District, PlanRow


def _round(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(value, places)


def red_record(s: ItemStatus) -> dict[str, Any]:
    return {
        "code": s.item.code,
        "title": s.item.title,
        "lead_office": s.item.lead_office,
        "completion": _round(s.completion),
        "expected": _round(s.expected),
        "gap_points": _round(s.gap_points, 2),
        "overdue": s.overdue,
        "overdue_milestones": [m.code for m in s.overdue_milestones],
        "deadline": s.item.deadline.isoformat(),
        "last_update": s.last_update.isoformat() if s.last_update else None,
        "latest_note": s.latest_note,
    }


def plan_record(r: PlanRow) -> dict[str, Any]:
    plan = r.status.plan
    return {
        "rank": r.rank,
        "id": r.id,
        "organisation": r.organisation,
        "title": r.title,
        "start": plan.start.isoformat(),
        "end": plan.end.isoformat(),
        "as_of": r.as_of.isoformat(),
        "clamped": r.clamped,
        "items": r.items,
        "counts": {light.value: n for light, n in r.counts.items()},
        "monitored": r.monitored,
        "completion": _round(r.completion),
        "elapsed": _round(r.elapsed),
        "gap_points": _round(r.gap_points, 2),
        "light": r.light.value,
        "stale": r.stale,
        "red_items": [red_record(s) for s in r.red],
    }


def week_record(r: PlanRow) -> dict[str, Any]:
    return {
        **plan_record(r),
        "records": r.records,
        "changes": {"better": r.better, "worse": r.worse},
        "stale_by_office": r.to_chase,
    }


def status_json(d: District) -> str:
    """An array of plans, worst first."""
    return to_json([plan_record(r) for r in d.rows])


def weekly_json(d: District) -> str:
    data = {
        "year": d.year,
        "week": d.week,
        "as_of": d.as_of.isoformat(),
        "window": {"start": d.window_start.isoformat(), "end": d.as_of.isoformat()},
        "ranking": list(RANKING),
        "totals": {
            "plans": len(d.rows),
            "items": d.items,
            "counts": {light.value: d.total(light) for light in Light if light != Light.MONITOR},
            "monitored": d.monitored,
            "stale": d.stale,
            "records": d.records,
        },
        "plans": [week_record(r) for r in d.rows],
    }
    return to_json(data)


CSV_COLUMNS = (
    "rank",
    "id",
    "organisation",
    "title",
    "start",
    "end",
    "as_of",
    "clamped",
    "items",
    "counts.done",
    "counts.green",
    "counts.yellow",
    "counts.red",
    "counts.none",
    "monitored",
    "completion",
    "elapsed",
    "gap_points",
    "light",
    "stale",
)


def status_csv(d: District) -> str:
    """One row per plan (its red items are in the JSON)."""
    return to_csv([plan_record(r) for r in d.rows], CSV_COLUMNS)
