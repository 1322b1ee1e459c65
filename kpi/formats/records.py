"""Statuses and records as plain data: the JSON contract of SPEC.md.

``status_record`` is one object per item, every key present even while the item has no data;
shares are fractions, dates ISO. ``to_json`` writes lists one record a line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from kpi.core.plan import Plan, PlanInfo, Target
from kpi.core.records import Update
from kpi.core.status import ItemStatus, PlanStatus


def _round(value: float | None, places: int = 6) -> float | None:
    """A number for JSON: rounded, and never ``Infinity`` or ``NaN`` (null instead)."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, places)


def _target(tg: Target | None) -> dict[str, Any]:
    return {
        "kind": tg.kind if tg else None,
        "value": _round(tg.value) if tg else None,
        "basis": tg.basis if tg else None,
        "provisional": tg.provisional if tg else None,
        "derived": tg.derived if tg else None,
        "growth": ("positive" if tg.positive else tg.growth) if tg else None,
        "about": tg.about if tg else None,
        "min": tg.low if tg else None,
        "max": tg.high if tg else None,
        "source": tg.source if tg else None,
        "note": tg.note if tg else None,
    }


def status_record(plan: Plan, s: ItemStatus) -> dict[str, Any]:
    item = s.item
    area = next(a for a in plan.areas if a.code == item.area_code)
    section = next(x for x in area.sections if x.code == item.section_code)
    b, tg = item.baseline, item.target
    return {
        "plan": plan.id,
        "code": item.code,
        "title": item.title,
        "area": {"code": area.code, "title": area.title},
        "section": {"code": section.code, "title": section.title},
        "kind": item.kind,
        "unit": item.unit,
        "direction": item.direction if item.is_indicator else None,
        "accumulate": item.accumulate if item.is_indicator else None,
        "negative": item.negative if item.is_indicator else None,
        "text": item.text,
        "baseline": {
            "value": b.value if b else None,
            "year": b.year if b else None,
            "source": b.source if b else None,
            "completion": b.completion if b else None,
            "implied_target": _round(b.implied_target) if b else None,
            "excerpt": b.excerpt if b else None,
            "also": [
                {"value": a.value, "year": a.year, "source": a.source}
                for a in (b.also if b else ())
            ],
        },
        "target": _target(tg),
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
        "void_kind": u.void_kind,
        "voided_by": u.voided_by,
        "voided_at": u.voided_at.isoformat(sep=" ") if u.voided_at else None,
        "origin": u.origin,
    }


def plan_record(p: PlanInfo) -> dict[str, Any]:
    """A plan as ``kpi plans --format json`` lists it."""
    return {
        "id": p.id,
        "organisation": p.organisation,
        "title": p.title,
        "year": p.year,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "retired": p.retired,
        "items": p.items,
        "records": p.records,
        "last_record": p.last_record.isoformat() if p.last_record else None,
        "version": p.version,
        "effective": p.effective.isoformat() if p.effective else None,
    }


def to_json(records: Any) -> str:
    """JSON for people and programs: a list one record a line (Python's fast encoder; with
    ``indent`` it falls back to a slow one, seconds for ten thousand items), anything else indented.
    A number that is not finite (a stored 1e308 added twice) is written as null, never as the
    ``Infinity`` that JSON does not have."""
    if isinstance(records, list):
        if not records:
            return "[]"
        return "[\n" + ",\n".join(_dumps(r) for r in records) + "\n]"
    return _dumps(records, indent=2)


def _dumps(value: Any, indent: int | None = None) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:  # a non-finite number somewhere: the rare slow path
        return json.dumps(_finite(value), ensure_ascii=False, indent=indent, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
