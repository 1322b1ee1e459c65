"""Next year's targets file from this year's plan and records, for the office to edit.

The areas, sections, items and codes stay; dates move on by the years between the plans. Each
indicator's baseline becomes what was recorded this year (its source says so, with the date and the
number of records); an indicator nobody reported on keeps its old baseline, marked as carried over.
Every target is provisional (``basis: assumed``) until the office or the district sets one. No
record is copied: the new year starts empty. A comment above each item says how it ended the year,
so whoever edits the file can see what was finished.

``next_year`` builds the plan as plain data and ``to_yaml`` writes it in the style of
``targets/2025.yaml``; the caller checks the text with ``parse_plan`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kpi.core.plan import Baseline, Item, Plan
from kpi.core.records import Update
from kpi.core.status import ItemStatus, Light, plan_status
from kpi.formats.words import light_word, num, pct
from kpi.locale import t


@dataclass(frozen=True, slots=True)
class Rollover:
    """Next year's plan as YAML-ready data, a comment per item code, and what was carried."""

    data: dict[str, Any]
    comments: dict[str, str] = field(default_factory=dict)
    from_records: int = 0  # indicators whose baseline is this year's recorded actual
    carried: int = 0  # indicators without records that keep last year's baseline


class _Code(str):
    """A code, written double-quoted as in the targets file ("1.1.5")."""


class _Flow(list[str]):
    """A short list written on one line: [经济发展办, 营商办]."""


def shift(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def clean(value: float) -> float | int:
    """234.0 → 234, 0.30000000000000004 → 0.3: numbers as a person writes them."""
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def next_year(plan: Plan, updates: Sequence[Update], year: int, as_of: dt.date) -> Rollover:
    """The plan for ``year`` from ``plan`` and the records dated up to ``as_of``."""
    years = year - plan.year
    ps = plan_status(plan, updates, as_of)
    counts: dict[str, int] = {}
    for u in updates:
        if not u.voided and u.date <= as_of:
            counts[u.item_code] = counts.get(u.item_code, 0) + 1
    head: dict[str, Any] = {
        "id": next_id(plan.id, plan.year, year),
        "organisation": plan.organisation,
        "year": year,
        "title": _title(plan.title, plan.year, year),
        "source": t("rollover.plan_source", year=plan.year, source=plan.source),
        "start": shift(plan.start, years),
        "end": shift(plan.end, years),
        "rules": {
            "stale_days": plan.rules.stale_days,
            "mode": plan.rules.mode,
            "yellow": clean(plan.rules.yellow),
            "red": clean(plan.rules.red),
        },
    }
    statuses = {s.item.code: s for s in ps.items}
    comments: dict[str, str] = {}
    from_records = carried = 0
    areas: list[dict[str, Any]] = []
    for area in plan.areas:
        sections: list[dict[str, Any]] = []
        for section in area.sections:
            items: list[dict[str, Any]] = []
            for code in section.item_codes:
                s = statuses[code]
                entry = _item(s.item, years)
                if s.item.is_indicator:
                    recorded = _indicator(entry, s, plan.year, as_of, counts.get(code, 0))
                    from_records += recorded
                    carried += not recorded and s.item.baseline is not None
                items.append(entry)
                comments[code] = _outcome(s, plan.year)
            sections.append({"code": _Code(section.code), "title": section.title, "items": items})
        areas.append({"code": _Code(area.code), "title": area.title, "sections": sections})
    data = {"plan": head, "offices": list(plan.offices), "areas": areas}
    return Rollover(data, comments, from_records, carried)


def next_id(plan_id: str, old: int, new: int) -> str:
    """xjw-2025 → xjw-2026; an id without its year gets the new year after it."""
    if str(old) in plan_id:
        return plan_id.replace(str(old), str(new))
    return f"{plan_id}-{new}"[:32]


def _title(title: str, old: int, new: int) -> str:
    return title.replace(str(old), str(new)) if str(old) in title else f"{title}（{new}）"


def _item(item: Item, years: int) -> dict[str, Any]:
    """The item's own fields, dates moved on; an indicator's baseline and target come after."""
    entry: dict[str, Any] = {
        "code": _Code(item.code),
        "kind": item.kind,
        "title": item.title,
        "text": item.text,
        "lead_office": item.lead_office,
    }
    if item.other_offices:
        entry["other_offices"] = _Flow(item.other_offices)
    if item.lead:
        entry["lead"] = item.lead
    entry["deadline"] = shift(item.deadline, years)
    if item.assigned:
        entry["assigned"] = _Flow(item.assigned)
    if item.checkpoints:
        entry["checkpoints"] = [
            {"date": shift(c.date, years), "share": clean(c.share)} for c in item.checkpoints
        ]
    if item.is_indicator:
        entry["unit"] = item.unit
        if not item.monitored:  # a monitored figure has no better way
            entry["direction"] = item.direction
        entry["accumulate"] = item.accumulate
        if item.negative:
            entry["negative"] = True
    if item.milestones:
        entry["milestones"] = [
            {
                "code": _Code(m.code),
                "title": m.title,
                "date": shift(m.date, years),
                "share": round(m.share, 4),
                **({"assigned": _Flow(m.assigned)} if m.assigned else {}),
            }
            for m in item.milestones
        ]
    return entry


def _indicator(entry: dict[str, Any], s: ItemStatus, year: int, as_of: dt.date, n: int) -> bool:
    """Set the baseline and target; True when the baseline is this year's recorded actual."""
    item = s.item
    old_target = item.target.value if item.target else None
    actual = s.actual
    # A total that is not finite (a stored value kpi refuses today) is no baseline.
    usable = (
        actual is not None
        and math.isfinite(actual)
        and not (item.direction == "down" and actual <= 0)
    )
    if actual is not None and usable:
        baseline: dict[str, Any] = {
            "value": clean(actual),
            "year": year,
            "source": t("rollover.source_records", year=year, as_of=as_of.isoformat(), n=n),
        }
        if s.completion is not None and 0 < s.completion <= 10:
            baseline["completion"] = round(s.completion, 4)
        entry["baseline"] = baseline
        if item.direction == "down" and item.baseline and old_target is not None:
            # Keep going down at the rate planned this year; "as this year" would be no target.
            ratio = old_target / item.baseline.value if item.baseline.value else 1.0
            value, note = actual * ratio, t("rollover.note_down", year=year)
        elif actual > 0:
            value, note = actual, t("rollover.note_actual", year=year)
        else:
            value, note = old_target or 1.0, t("rollover.note_zero", year=year)
        entry["target"] = _kept_kind(item, value, note, year)
        return True
    if item.baseline is not None:
        entry["baseline"] = _carried(item.baseline)
    value = old_target if old_target is not None else 1.0
    entry["target"] = _kept_kind(item, value, t("rollover.note_kept", year=year), year)
    return False


def _kept_kind(item: Item, value: float, note: str, year: int) -> dict[str, Any]:
    """Next year's target, of the same kind as this year's: a ceiling stays the ceiling, a
    range its range, a growth rate its rate (over the new baseline), a monitored figure monitored."""
    tg = item.target
    kept = t("rollover.note_same_kind", year=year)
    if tg is None or (tg.kind == "at_least" and not tg.derived):
        return {"value": clean(value), "basis": "assumed", "note": note}
    if tg.kind == "monitor":
        return {"kind": "monitor", "basis": "assumed", "note": kept}
    if tg.kind == "range":
        assert tg.low is not None and tg.high is not None
        return {
            "kind": "range",
            "min": clean(tg.low),
            "max": clean(tg.high),
            "basis": "assumed",
            "note": kept,
        }
    entry: dict[str, Any] = {} if tg.kind == "at_least" else {"kind": tg.kind}
    if tg.positive:
        entry["growth"] = "positive"
    elif tg.growth is not None:
        entry["growth"] = clean(tg.growth)
    else:
        entry["value"] = clean(tg.value if tg.value is not None else value)
    if tg.about:
        entry["about"] = True
    return {**entry, "basis": "assumed", "note": kept}


def _carried(b: Baseline) -> dict[str, Any]:
    carried: dict[str, Any] = {
        "value": clean(b.value),
        "year": b.year,
        "source": t("rollover.source_kept", year=b.year, source=b.source),
    }
    if b.completion is not None:
        carried["completion"] = b.completion
    if b.growth is not None:
        carried["growth"] = b.growth
    return carried


def _outcome(s: ItemStatus, year: int) -> str:
    """How the item ended the year, for the comment above it."""
    if s.light == Light.DONE:
        return t("rollover.outcome_done", year=year)
    if s.completion is None:
        return t("rollover.outcome_none", year=year)
    actual = ""
    if s.item.is_indicator and s.actual is not None:
        actual = t("rollover.outcome_actual", value=num(s.actual), unit=s.item.unit or "")
    return t(
        "rollover.outcome",
        year=year,
        actual=actual,
        completion=pct(s.completion),
        light=light_word(s),
    )


_ITEM_LINE = re.compile(r'^(?P<indent>\s*)- code: "(?P<code>[^"]+)"$')


def to_yaml(rollover: Rollover, header: str) -> str:
    """The targets file: a header comment, then the plan in the key order of targets/2025.yaml."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            # Lists indented under their key, as people write them ("  - code: ...").
            super().increase_indent(flow, False)

    def code(dumper: yaml.SafeDumper, value: _Code) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')

    def flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.SequenceNode:
        return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)

    Dumper.add_representer(_Code, code)
    Dumper.add_representer(_Flow, flow)
    body = yaml.dump(
        rollover.data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for line in body.splitlines():
        if line and not line.startswith(" ") and lines and lines[-1]:
            lines.append("")  # a blank line before plan:, offices: and areas:
        match = _ITEM_LINE.match(line)
        if match and len(match["indent"]) == 2 and not lines[-1].endswith("areas:"):
            lines.append("")  # and between the areas
        if match and match["code"] in rollover.comments:
            lines.append(f"{match['indent']}# {rollover.comments[match['code']]}")
        lines.append(line)
    return "\n".join(lines) + "\n"
