"""Rows ↔ objects: the plan and its records as the tables hold them, one converter each way.

SQLite hands back text for dates and times (times are kept in UTC), PostgreSQL hands back date and
time objects; both become the same plan objects and records here. JSON columns are text. Text
read back is neutralised (``kpi.safety``): a control character stored by an older kpi, or
written straight into the database, never reaches a terminal raw.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from kpi.core.plan import (
    Area,
    Baseline,
    Checkpoint,
    Item,
    Milestone,
    Plan,
    Rules,
    Section,
    Source,
    Target,
)
from kpi.core.records import Update
from kpi.safety import neutralise

PARTS = ("areas", "sections", "items", "milestones")


def plan_head(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "organisation": plan.organisation,
        "year": plan.year,
        "title": plan.title,
        "source": plan.source,
        "start": plan.start,
        "end": plan.end,
        "rules": asdict(plan.rules),
        "offices": list(plan.offices),
    }


def _baseline(b: Baseline | None) -> dict[str, Any] | None:
    if b is None:
        return None
    out = asdict(b)
    out["also"] = [asdict(s) for s in b.also]
    return out


def _target(tg: Target | None) -> dict[str, Any] | None:
    return None if tg is None else asdict(tg)


def rows_from_plan(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The plan as rows of its four tables, in plan order (``position``)."""
    pid = plan.id
    areas: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for a_pos, area in enumerate(plan.areas):
        areas.append(
            {
                "plan_id": pid,
                "code": area.code,
                "title": area.title,
                "position": a_pos,
                "retired": False,
            }
        )
        for section in area.sections:
            sections.append(
                {
                    "plan_id": pid,
                    "code": section.code,
                    "area_code": area.code,
                    "title": section.title,
                    "position": len(sections),
                    "retired": False,
                }
            )
    for pos, item in enumerate(plan.items):
        items.append(
            {
                "plan_id": pid,
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
                "negative": item.negative,
                "baseline": _baseline(item.baseline),
                "target": _target(item.target),
                "checkpoints": [[c.date.isoformat(), c.share] for c in item.checkpoints],
                "position": pos,
                "retired": False,
            }
        )
        for m in item.milestones:
            milestones.append(
                {
                    "plan_id": pid,
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
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def days_of() -> Callable[[Any], dt.date]:
    """``day_of`` remembering what it has read: the rows of many records share a few days."""
    days: dict[Any, dt.date] = {}

    def day(value: Any) -> dt.date:
        found = days.get(value)
        if found is None:
            found = days[value] = day_of(value)
        return found

    return day


def moment_of(value: Any) -> dt.datetime | None:
    """A stored time: SQLite keeps UTC as text, PostgreSQL returns it with its zone."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def json_of(value: Any) -> Any:
    if value == "[]":  # most items: no other offices, no checkpoints
        return []
    return json.loads(value) if isinstance(value, str) else value


def json_column(rows: Sequence[Any], name: str) -> list[Any]:
    """``json_of`` of the column ``name`` of every row, decoded in one go: the texts, each a JSON
    document, joined into one array (ten thousand items' baselines cost one decode, not ten
    thousand)."""
    texts = ["null" if r[name] is None else r[name] for r in rows]
    if not all(isinstance(v, str) and v for v in texts):  # a server's JSON type: decoded already
        return [json_of(r[name]) for r in rows]
    return list(json.loads(f"[{','.join(texts)}]"))


def _text(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def _baseline_from(data: Any) -> Baseline | None:
    data = json_of(data)
    if not data:
        return None
    also = tuple(
        Source(s["value"], _text(s["source"]), s.get("year"), bool(s.get("excerpt")))
        for s in data.get("also") or ()
    )
    return Baseline(
        value=data["value"],
        year=data["year"],
        source=_text(data["source"]),
        completion=data.get("completion"),
        growth=data.get("growth"),
        excerpt=bool(data.get("excerpt")),
        also=also,
    )


def _target_from(data: Any) -> Target | None:
    data = json_of(data)
    if not data:
        return None
    return Target(
        basis=data["basis"],
        kind=data.get("kind") or "at_least",
        value=data.get("value"),
        growth=data.get("growth"),
        positive=bool(data.get("positive")),
        about=bool(data.get("about")),
        low=data.get("low"),
        high=data.get("high"),
        source=_text(data.get("source")),
        note=_text(data.get("note")),
    )


def plan_from_rows(
    head: Any,
    areas: Sequence[Any],
    sections: Sequence[Any],
    items: Sequence[Any],
    milestones: Sequence[Any],
) -> Plan:
    ms_by_item: dict[str, list[Milestone]] = {}
    for m, assigned in zip(milestones, json_column(milestones, "assigned"), strict=True):
        ms_by_item.setdefault(m["item_code"], []).append(
            Milestone(
                m["code"],
                m["item_code"],
                _text(m["title"]),
                day_of(m["date"]),
                m["share"],
                tuple(assigned),
            )
        )
    plan_items: list[Item] = []
    codes_by_section: dict[str, list[str]] = {}
    columns = zip(
        *(
            json_column(items, name)
            for name in ("other_offices", "assigned", "baseline", "target", "checkpoints")
        ),
        strict=True,
    )
    for i, (others, assigned, baseline, target, checkpoints) in zip(items, columns, strict=True):
        plan_items.append(
            Item(
                code=i["code"],
                kind=i["kind"],
                title=_text(i["title"]),
                text=_text(i["text"]),
                area_code=i["area_code"],
                section_code=i["section_code"],
                lead_office=i["lead_office"],
                deadline=day_of(i["deadline"]),
                other_offices=tuple(others),
                lead=_text(i["lead"]),
                assigned=tuple(assigned),
                unit=i["unit"],
                direction=i["direction"],
                accumulate=i["accumulate"],
                negative=bool(i["negative"]),
                baseline=_baseline_from(baseline),
                target=_target_from(target),
                checkpoints=tuple(
                    Checkpoint(dt.date.fromisoformat(d), sh) for d, sh in checkpoints
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
                _text(sec["title"]),
                tuple(codes_by_section.get(sec["code"], ())),
            )
        )
    plan_areas = [
        Area(a["code"], _text(a["title"]), tuple(sections_by_area.get(a["code"], ())))
        for a in areas
    ]
    return Plan(
        id=head["id"],
        organisation=_text(head["organisation"]),
        year=head["year"],
        title=_text(head["title"]),
        source=_text(head["source"]),
        start=day_of(head["start"]),
        end=day_of(head["end"]),
        rules=Rules(**json_of(head["rules"])),
        offices=tuple(json_of(head["offices"])),
        areas=tuple(plan_areas),
        items=tuple(plan_items),
    )


def snapshot_of(head: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> str:
    """The plan's rows as one JSON text: what a plan version keeps."""
    data = {"head": head, **rows}
    return json.dumps(data, ensure_ascii=False, default=_jsonable)


def plan_from_snapshot(text: str) -> Plan:
    data = json.loads(text)
    current = {name: [r for r in data[name] if not r.get("retired")] for name in PARTS}
    return plan_from_rows(data["head"], *(current[name] for name in PARTS))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def update_from_row(u: Any) -> Update:
    return updates_from_rows([u])[0]


def updates_from_rows(rows: Sequence[Any]) -> list[Update]:
    """Records from their rows (``SELECT u.*`` with the void's columns), in their order.

    A week of a district's records is twenty thousand rows: each column is found by its place
    (a SQLite row looks a name up among all of them), and what repeats from row to row (the
    day, who recorded it, where it came from) is converted once.
    """
    if not rows:
        return []
    names = list(rows[0].keys())
    at = {name: n for n, name in enumerate(names)}
    detail = {"void_kind", "voided_by", "voided_at"} <= at.keys()
    day = days_of()
    texts: dict[str, str] = {}

    def text(value: str) -> str:
        found = texts.get(value)
        if found is None:
            found = texts[value] = neutralise(value)
        return found

    i_id, i_code, i_item, i_date, i_kind, i_value, i_note = (
        at[c] for c in ("id", "code", "item_code", "date", "kind", "value", "note")
    )
    i_by, i_user, i_at, i_reason, i_origin = (
        at[c] for c in ("by", "os_user", "recorded_at", "void_reason", "origin")
    )
    i_vkind, i_vby, i_vat = (
        (at[c] for c in ("void_kind", "voided_by", "voided_at")) if detail else (0, 0, 0)
    )
    out = []
    for row in rows:
        u = row if isinstance(row, tuple | sqlite3.Row) else tuple(row.values())
        reason = u[i_reason]
        out.append(
            Update(
                id=u[i_id],
                code=u[i_code],
                item_code=u[i_item],
                date=day(u[i_date]),
                kind=u[i_kind],
                value=u[i_value],
                note=_text(u[i_note]),
                by=text(u[i_by]),
                os_user=text(u[i_user]),
                recorded_at=moment_of(u[i_at]),
                voided=reason is not None,
                void_reason=_text(reason),
                origin=text(u[i_origin]),
                void_kind=u[i_vkind] if detail else None,
                voided_by=_text(u[i_vby]) if detail else None,
                voided_at=moment_of(u[i_vat]) if detail else None,
            )
        )
    return out


def update_row(plan_id: str, u: Update, now: dt.datetime) -> dict[str, Any]:
    """The row of a new record: its time of entry is ``now``, the real clock's."""
    return {
        "plan_id": plan_id,
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
