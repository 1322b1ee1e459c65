"""Statuses as plain records, and those records as JSON, CSV and Markdown.

``status_record`` is the JSON contract of SPEC.md: one object per item, every key present even
while the item has no data. Shares are fractions; dates are ISO. CSV and Markdown are flat views of
the same records, with anything people typed neutralised so it cannot become a spreadsheet formula
or break a Markdown table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from kpi.messages import t
from kpi.plan import Plan
from kpi.status import ItemStatus, Light, PlanStatus, Update

# -- numbers and lights in words: the same in a table, a report, a mail and a spreadsheet -----


def num(value: float | None) -> str:
    """234 → '234', 7.75 → '7.75', 641.420 → '641.42'; None → '—'."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}".replace(",", "")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def points(gap: float | None) -> str:
    if gap is None:
        return "—"
    return f"{gap:+.1f}".replace("-", "−")


def light_word(s: ItemStatus | Light) -> str:
    """绿 达进度, 红 滞后·逾期, 完成 超额 …: the light as words, for readers without colour."""
    light = s if isinstance(s, Light) else s.light
    word = t(f"light.{light.value}")
    if isinstance(s, ItemStatus) and s.overdue and light == Light.RED:
        word += t("light.overdue_suffix")
    elif isinstance(s, ItemStatus) and s.exceeded:
        word = t("light.exceeded")
    return word


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


# -- flat views -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with ' (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = "; ".join(v["code"] if isinstance(v, dict) else str(v) for v in value)
        else:
            out[name] = value
    return out


CSV_COLUMNS = (
    "code",
    "title",
    "area.code",
    "section.code",
    "kind",
    "unit",
    "lead_office",
    "deadline",
    "baseline.value",
    "baseline.year",
    "target.value",
    "target.basis",
    "actual",
    "remaining",
    "completion",
    "expected",
    "gap_points",
    "status",
    "overdue",
    "stale",
    "last_update",
    "forecast",
    "latest_note",
    "baseline.source",
)


def to_csv(records: Sequence[dict[str, Any]], columns: Sequence[str] = CSV_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        flat = flatten(record)
        writer.writerow([safe_cell(_csv_value(flat.get(c))) for c in columns])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def md_cell(value: Any) -> str:
    """A Markdown table cell: no line breaks, pipes and markup characters escaped."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    lines.extend("| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"
