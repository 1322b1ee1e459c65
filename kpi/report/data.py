"""The weekly summary as JSON: every fact of the week, nothing cut for reading."""

from __future__ import annotations

import json
from typing import Any

from kpi.core.status import Light, Rollup
from kpi.formats.records import status_record, update_record
from kpi.report.weekly import Due, WeeklyReport, record_title


def to_json(rep: WeeklyReport) -> str:
    def rollup(r: Rollup) -> dict[str, Any]:
        return {
            "code": r.code,
            "title": r.title,
            "total": r.total,
            "counts": {light.value: r.counts.get(light, 0) for light in Light},
            "worst": r.worst.value,
            "completion": None if r.mean_completion is None else round(r.mean_completion, 6),
            "stale": r.stale,
        }

    data = {
        "plan": {
            "id": rep.plan.id,
            "organisation": rep.plan.organisation,
            "year": rep.plan.year,
            "title": rep.plan.title,
        },
        "year": rep.year,
        "week": rep.week,
        "as_of": rep.as_of.isoformat(),
        "window": {"start": rep.window_start.isoformat(), "end": rep.as_of.isoformat()},
        "elapsed": round(rep.status.elapsed, 6),
        "overall": rollup(rep.overall),
        "areas": [rollup(r) for r in rep.areas],
        "updates": [
            {**update_record(r.update), "title": record_title(r), "unit": r.item.unit}
            for r in rep.records
        ],
        "attention": [status_record(rep.plan, s) for s in rep.attention],
        "milestones_due": [_due_record(d) for d in rep.due],
        "milestones_overdue": [_due_record(d) for d in rep.overdue],
        "stale_by_office": {
            office: [
                {
                    "code": x.status.item.code,
                    "title": x.status.item.title,
                    "last_update": x.status.last_update.isoformat()
                    if x.status.last_update
                    else None,
                    "days": x.days,
                }
                for x in items
            ]
            for office, items in rep.stale.items()
        },
        "changes": [
            {
                "code": c.status.item.code,
                "title": c.status.item.title,
                "from": c.before.value,
                "to": c.status.light.value,
                "direction": "better" if c.better else "worse",
            }
            for c in rep.changes
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _due_record(d: Due) -> dict[str, Any]:
    return {
        "code": d.milestone.code,
        "title": d.milestone.title,
        "item_code": d.item.code,
        "item_title": d.item.title,
        "date": d.milestone.date.isoformat(),
        "lead_office": d.item.lead_office,
        "days": d.days,
    }
