"""Rows ↔ objects: the plan and its records as the tables hold them, one converter each way.

SQLite hands back text for dates and times (times are kept in UTC), PostgreSQL hands back date and
time objects; both become the same plan objects and records here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from kpi.core.plan import Area, Baseline, Checkpoint, Item, Milestone, Plan, Rules, Section, Target
from kpi.core.records import Update


def plan_head(plan: Plan) -> dict[str, Any]:
    return {
        "year": plan.year,
        "title": plan.title,
        "source": plan.source,
        "start": plan.start,
        "end": plan.end,
        "rules": asdict(plan.rules),
        "offices": list(plan.offices),
    }


def rows_from_plan(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    year = plan.year
    areas: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for a_pos, area in enumerate(plan.areas):
        areas.append(
            {
                "plan_year": year,
                "code": area.code,
                "title": area.title,
                "position": a_pos,
                "retired": False,
            }
        )
        for section in area.sections:
            sections.append(
                {
                    "plan_year": year,
                    "code": section.code,
                    "area_code": area.code,
                    "title": section.title,
                    "position": len(sections),
                    "retired": False,
                }
            )
    for pos, item in enumerate(plan.items):
        b, tg = item.baseline, item.target
        items.append(
            {
                "plan_year": year,
                "code": item.code,
                "area_code": item.area_code,
                "section_code": item.section_code,
                "kind": item.kind,
                "title": item.title,
                "text": item.text,
                "lead_office": item.lead_office,
                "other_offices": list(item.other_offices),
                "lead": item.lead,
                "deadline": item.deadline,
                "assigned": list(item.assigned),
                "unit": item.unit,
                "direction": item.direction,
                "accumulate": item.accumulate,
                "baseline_value": b.value if b else None,
                "baseline_year": b.year if b else None,
                "baseline_source": b.source if b else None,
                "baseline_completion": b.completion if b else None,
                "baseline_growth": b.growth if b else None,
                "target_value": tg.value if tg else None,
                "target_basis": tg.basis if tg else None,
                "target_source": tg.source if tg else None,
                "target_note": tg.note if tg else None,
                "checkpoints": [[c.date.isoformat(), c.share] for c in item.checkpoints],
                "position": pos,
                "retired": False,
            }
        )
        for m in item.milestones:
            milestones.append(
                {
                    "plan_year": year,
                    "code": m.code,
                    "item_code": item.code,
                    "title": m.title,
                    "date": m.date,
                    "share": m.share,
                    "assigned": list(m.assigned),
                    "position": len(milestones),
                    "retired": False,
                }
            )
    return {"areas": areas, "sections": sections, "items": items, "milestones": milestones}


def day_of(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def moment_of(value: Any) -> dt.datetime | None:
    """A stored time: SQLite keeps UTC as text, PostgreSQL returns it with its zone."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def json_of(value: Any) -> Any:
    if value == "[]":  # most items: no other offices, no checkpoints
        return []
    return json.loads(value) if isinstance(value, str) else value


def plan_from_rows(
    head: Any,
    areas: Sequence[Any],
    sections: Sequence[Any],
    items: Sequence[Any],
    milestones: Sequence[Any],
) -> Plan:
    ms_by_item: dict[str, list[Milestone]] = {}
    for m in milestones:
        ms_by_item.setdefault(m["item_code"], []).append(
            Milestone(
                m["code"],
                m["item_code"],
                m["title"],
                day_of(m["date"]),
                m["share"],
                tuple(json_of(m["assigned"])),
            )
        )
    plan_items: list[Item] = []
    codes_by_section: dict[str, list[str]] = {}
    for i in items:
        baseline = None
        if i["baseline_value"] is not None:
            baseline = Baseline(
                i["baseline_value"],
                i["baseline_year"],
                i["baseline_source"],
                i["baseline_completion"],
                i["baseline_growth"],
            )
        target = None
        if i["target_value"] is not None:
            target = Target(
                i["target_value"], i["target_basis"], i["target_source"], i["target_note"]
            )
        plan_items.append(
            Item(
                code=i["code"],
                kind=i["kind"],
                title=i["title"],
                text=i["text"],
                area_code=i["area_code"],
                section_code=i["section_code"],
                lead_office=i["lead_office"],
                deadline=day_of(i["deadline"]),
                other_offices=tuple(json_of(i["other_offices"])),
                lead=i["lead"],
                assigned=tuple(json_of(i["assigned"])),
                unit=i["unit"],
                direction=i["direction"],
                accumulate=i["accumulate"],
                baseline=baseline,
                target=target,
                checkpoints=tuple(
                    Checkpoint(dt.date.fromisoformat(d), sh) for d, sh in json_of(i["checkpoints"])
                ),
                milestones=tuple(ms_by_item.get(i["code"], ())),
            )
        )
        codes_by_section.setdefault(i["section_code"], []).append(i["code"])
    sections_by_area: dict[str, list[Section]] = {}
    for sec in sections:
        sections_by_area.setdefault(sec["area_code"], []).append(
            Section(
                sec["code"],
                sec["area_code"],
                sec["title"],
                tuple(codes_by_section.get(sec["code"], ())),
            )
        )
    plan_areas = [
        Area(a["code"], a["title"], tuple(sections_by_area.get(a["code"], ()))) for a in areas
    ]
    return Plan(
        year=head["year"],
        title=head["title"],
        source=head["source"],
        start=day_of(head["start"]),
        end=day_of(head["end"]),
        rules=Rules(**json_of(head["rules"])),
        offices=tuple(json_of(head["offices"])),
        areas=tuple(plan_areas),
        items=tuple(plan_items),
    )


def update_from_row(u: Any) -> Update:
    return Update(
        id=u["id"],
        code=u["code"],
        item_code=u["item_code"],
        date=day_of(u["date"]),
        kind=u["kind"],
        value=u["value"],
        note=u["note"],
        by=u["by"],
        os_user=u["os_user"],
        recorded_at=moment_of(u["recorded_at"]),
        voided=u["void_reason"] is not None,
        void_reason=u["void_reason"],
        origin=u["origin"],
    )


def update_row(year: int, u: Update, now: dt.datetime) -> dict[str, Any]:
    """The row of a new record: its time of entry is ``now``, the real clock's."""
    return {
        "plan_year": year,
        "code": u.code,
        "item_code": u.item_code,
        "date": u.date,
        "kind": u.kind,
        "value": u.value,
        "note": u.note,
        "by": u.by,
        "os_user": u.os_user,
        "recorded_at": now,
        "origin": u.origin,
    }
