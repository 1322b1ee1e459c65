"""Statuses and records as plain data: the JSON contract of SPEC.md.

``status_record`` is one object per item, every key present even while the item has no data;
shares are fractions, dates ISO. ``to_json`` writes lists one record a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kpi.core.plan import Plan
from kpi.core.records import Update
from kpi.core.status import ItemStatus, PlanStatus


def _round(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(value, places)


def status_record(plan: Plan, s: ItemStatus) -> dict[str, Any]:
    item = s.item
    area = next(a for a in plan.areas if a.code == item.area_code)
    section = next(x for x in area.sections if x.code == item.section_code)
    b, tg = item.baseline, item.target
    return {
        "code": item.code,
        "title": item.title,
        "area": {"code": area.code, "title": area.title},
        "section": {"code": section.code, "title": section.title},
        "kind": item.kind,
        "unit": item.unit,
        "direction": item.direction if item.is_indicator else None,
        "accumulate": item.accumulate if item.is_indicator else None,
        "text": item.text,
        "baseline": {
            "value": b.value if b else None,
            "year": b.year if b else None,
            "source": b.source if b else None,
            "completion": b.completion if b else None,
            "implied_target": _round(b.implied_target) if b else None,
        },
        "target": {
            "value": tg.value if tg else None,
            "basis": tg.basis if tg else None,
            "provisional": tg.provisional if tg else None,
            "note": tg.note if tg else None,
        },
        "actual": _round(s.actual),
        "remaining": _round(s.remaining),
        "completion": _round(s.completion),
        "expected": _round(s.expected),
        "gap_points": _round(s.gap_points, 2),
        "status": s.light.value,
        "overdue": s.overdue,
        "overdue_milestones": [m.code for m in s.overdue_milestones],
        "milestones": [
            {
                "code": m.code,
                "title": m.title,
                "date": m.date.isoformat(),
                "share": m.share,
                "done": s.milestones_done[m.code].isoformat()
                if m.code in s.milestones_done
                else None,
            }
            for m in item.milestones
        ],
        "lead_office": item.lead_office,
        "other_offices": list(item.other_offices),
        "deadline": item.deadline.isoformat(),
        "assigned": list(item.assigned),
        "last_update": s.last_update.isoformat() if s.last_update else None,
        "stale": s.stale,
        "forecast": _round(s.forecast),
        "latest_note": s.latest_note,
        "as_of": s.as_of.isoformat(),
    }


def status_records(
    ps: PlanStatus, items: Iterable[ItemStatus] | None = None
) -> list[dict[str, Any]]:
    return [status_record(ps.plan, s) for s in (ps.items if items is None else items)]


def update_record(u: Update) -> dict[str, Any]:
    return {
        "id": u.id,
        "code": u.code,
        "item_code": u.item_code,
        "date": u.date.isoformat(),
        "kind": u.kind,
        "value": u.value,
        "note": u.note,
        "by": u.by,
        "os_user": u.os_user,
        "recorded_at": u.recorded_at.isoformat(sep=" ") if u.recorded_at else None,
        "voided": u.voided,
        "void_reason": u.void_reason,
        "origin": u.origin,
    }


def to_json(records: Any) -> str:
    """JSON for people and programs: a list one record a line (Python's fast encoder; with
    ``indent`` it falls back to a slow one, seconds for ten thousand items), anything else indented."""
    if isinstance(records, list):
        if not records:
            return "[]"
        return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]"
    return json.dumps(records, ensure_ascii=False, indent=2)
