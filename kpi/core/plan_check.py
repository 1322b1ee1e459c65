"""The plan checker: YAML nodes of a targets file → a ``Plan``, every mistake recorded.

It walks the file from the top — the plan's head and rules, the offices, each area, section and
item, each item's baseline, target, checkpoints and milestones — converting what it finds into
plan objects and checking what one value says about another (a deadline inside the period, a
target below a lower-is-better baseline, milestones in order). Single values are read by
``plan_fields.Fields``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from kpi.core.plan import Area, Checkpoint, Item, Milestone, Plan, Rules, Section
from kpi.core.plan_fields import Invalid
from kpi.core.plan_targets import Indicators
from kpi.locale import t

_ASSIGNABLE_ITEM = ("lead_office", "deadline", "other_offices", "lead")
_ASSIGNABLE_MILESTONE = ("date", "share")
PLAN_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_HEAD = ["id", "organisation", "title", "source", "start", "end"]
_RULES = ["stale_days", "mode", "yellow", "red", "other_offices_record"]


class Checker(Indicators):
    """Walks the YAML nodes, converting them to plan objects and recording every mistake."""

    def plan(self, node: Any) -> Plan | None:
        try:
            top = self.mapping(node, "文件", ["plan", "offices", "areas"], [])
            head = self.mapping(top["plan"][1], "plan", _HEAD, ["year", "rules"])
        except Invalid:
            return None
        plan_id = self.attempt(self.plan_id, head["id"][1])
        organisation = self.attempt(self.text, head["organisation"][1], "plan.organisation")
        year = None
        if "year" in head:
            year = self.attempt(self.integer, head["year"][1], "plan.year", minimum=1990)
        title = self.attempt(self.text, head["title"][1], "plan.title")
        source = self.attempt(self.text, head["source"][1], "plan.source")
        start = self.attempt(self.date, head["start"][1], "plan.start", in_period=False)
        end = self.attempt(self.date, head["end"][1], "plan.end", in_period=False)
        if start and end and end <= start:
            self.error(head["end"][1], "plan.end_before_start", start=start, end=end)
        elif start and end:
            self.start, self.end = start, end
            if year and year not in (start.year, end.year):
                self.error(head["year"][1], "plan.year_period", year=year, start=start, end=end)
            year = year or start.year
        self.year = year or 0
        rules = Rules()
        if "rules" in head:
            rules = self.attempt(self.rules, head["rules"][1]) or rules
        offices = self.attempt(self.names, top["offices"][1], "offices") or ()
        self.offices = set(offices)
        areas: list[Area] = []
        items: list[Item] = []
        area_nodes = self.attempt(self.sequence, top["areas"][1], "areas") or []
        for area_node in area_nodes:
            parsed = self.attempt(self.area, area_node, items)
            if parsed:
                areas.append(parsed)
        if self.errors:
            return None
        assert plan_id and organisation and year and title and source and start and end
        return Plan(
            plan_id,
            organisation,
            year,
            title,
            source,
            start,
            end,
            rules,
            offices,
            tuple(areas),
            tuple(items),
        )

    def plan_id(self, node: Any) -> str:
        value = self.scalar(node, "plan.id")
        text = str(value).strip() if isinstance(value, str | int) else ""
        if isinstance(value, bool) or not PLAN_ID.match(text) or text.lower() == "all":
            raise self.fail(node, "plan.bad_id", value=node.value)
        return text

    def rules(self, node: Any) -> Rules:
        keys = self.mapping(node, "rules", [], _RULES)
        default = Rules()
        stale = default.stale_days
        if "stale_days" in keys:
            stale = self.integer(keys["stale_days"][1], "rules.stale_days", minimum=1)
        mode = default.mode
        if "mode" in keys:
            mode = self.choice(keys["mode"][1], "rules.mode", ["points", "ratio"])
        yellow = self.number(keys["yellow"][1], "rules.yellow") if "yellow" in keys else 10.0
        red = self.number(keys["red"][1], "rules.red") if "red" in keys else 30.0
        if not 0 <= yellow < red <= 100:
            raise self.fail(node, "plan.bad_thresholds", yellow=yellow, red=red)
        others = default.other_offices_record
        if "other_offices_record" in keys:
            others = self.flag(keys["other_offices_record"][1], "rules.other_offices_record")
        return Rules(stale, mode, yellow, red, others)

    def area(self, node: Any, items: list[Item]) -> Area:
        keys = self.mapping(node, "area", ["code", "title", "sections"], [])
        code = self.code(keys["code"][1], "area.code", prefix=None)
        title = self.text(keys["title"][1], "area.title")
        sections = []
        for section_node in self.sequence(keys["sections"][1], "area.sections"):
            section = self.attempt(self.section, section_node, code, items)
            if section:
                sections.append(section)
        return Area(code, title, tuple(sections))

    def section(self, node: Any, area_code: str, items: list[Item]) -> Section:
        keys = self.mapping(node, "section", ["code", "title", "items"], [])
        code = self.code(keys["code"][1], "section.code", prefix=area_code)
        title = self.text(keys["title"][1], "section.title")
        codes = []
        for item_node in self.sequence(keys["items"][1], "section.items"):
            item = self.attempt(self.item, item_node, area_code, code)
            if item:
                items.append(item)
                codes.append(item.code)
        return Section(code, area_code, title, tuple(codes))

    def item(self, node: Any, area_code: str, section_code: str) -> Item:
        import yaml

        common = ["code", "kind", "title", "text", "lead_office"]
        optional = ["other_offices", "lead", "deadline", "assigned", "checkpoints"]
        kind_node = None
        if isinstance(node, yaml.MappingNode):
            kind_node = next(
                (v for k, v in node.value if getattr(k, "value", None) == "kind"), None
            )
        if kind_node is None:
            code_node = None
            if isinstance(node, yaml.MappingNode):
                code_node = next(
                    (v for k, v in node.value if getattr(k, "value", None) == "code"), None
                )
            code = code_node.value if code_node is not None else "?"
            raise self.fail(node, "plan.missing_kind", code=code)
        kind = self.choice(kind_node, "item.kind", ["indicator", "task"])
        if kind == "indicator":
            required = [*common, "unit", "target"]
            optional = [*optional, "direction", "accumulate", "negative", "baseline"]
        else:
            required, optional = common, [*optional, "milestones"]
        keys = self.mapping(node, f"item ({kind})", required, optional)
        code = self.code(keys["code"][1], "item.code", prefix=section_code)
        title = self.attempt(self.text, keys["title"][1], "item.title")
        text = self.attempt(self.text, keys["text"][1], "item.text")
        lead_office = self.attempt(self.office, keys["lead_office"][1])
        others: tuple[str, ...] = ()
        if "other_offices" in keys:
            others = self.attempt(
                self.names, keys["other_offices"][1], "item.other_offices", sorted(self.offices)
            )
        lead = self.attempt(self.text, keys["lead"][1], "item.lead") if "lead" in keys else None
        deadline = self.end
        if "deadline" in keys:
            deadline = self.attempt(self.date, keys["deadline"][1], "item.deadline") or self.end
        assigned: tuple[str, ...] = ()
        if "assigned" in keys:
            assigned = self.attempt(
                self.names, keys["assigned"][1], "item.assigned", _ASSIGNABLE_ITEM
            )
        checkpoints: tuple[Checkpoint, ...] = ()
        if "checkpoints" in keys:
            checkpoints = self.attempt(self.checkpoints, keys["checkpoints"][1], deadline) or ()
        indicator: dict[str, Any] = {}
        milestones: tuple[Milestone, ...] = ()
        if kind == "indicator":
            indicator = self.indicator(keys, code)
        elif "milestones" in keys:
            milestones = self.attempt(self.milestones, keys["milestones"][1], code, deadline) or ()
        return Item(
            code=code,
            kind=kind,
            title=title or "",
            text=text or "",
            area_code=area_code,
            section_code=section_code,
            lead_office=lead_office or "",
            deadline=deadline,
            other_offices=others or (),
            lead=lead,
            assigned=assigned or (),
            checkpoints=checkpoints,
            milestones=milestones,
            **indicator,
        )

    def office(self, node: Any) -> str:
        name = self.text(node, "item.lead_office")
        if name not in self.offices:
            near = difflib.get_close_matches(name, sorted(self.offices), n=1, cutoff=0.3)
            hint = t("plan.did_you_mean", name=near[0]) if near else ""
            raise self.fail(node, "plan.unknown_office", name=name, hint=hint)
        return name

    def checkpoints(self, node: Any, deadline: dt.date) -> tuple[Checkpoint, ...]:
        out: list[Checkpoint] = []
        for sub in self.sequence(node, "checkpoints"):
            keys = self.mapping(sub, "checkpoint", ["date", "share"], [])
            day = self.date(keys["date"][1], "checkpoint.date")
            share = self.share(keys["share"][1], "checkpoint.share", zero=True)
            if out and (day <= out[-1].date or share < out[-1].share):
                raise self.fail(sub, "plan.checkpoints_order")
            if day > deadline:
                raise self.fail(
                    keys["date"][1], "plan.after_deadline", value=day, deadline=deadline
                )
            out.append(Checkpoint(day, share))
        return tuple(out)

    def milestones(self, node: Any, item_code: str, deadline: dt.date) -> tuple[Milestone, ...]:
        rows: list[tuple[str, str, dt.date, float | None, tuple[str, ...], Any]] = []
        for sub in self.sequence(node, "milestones"):
            keys = self.mapping(sub, "milestone", ["code", "title", "date"], ["share", "assigned"])
            code = self.code(keys["code"][1], "milestone.code", prefix=item_code, sep="-")
            title = self.text(keys["title"][1], "milestone.title")
            day = self.date(keys["date"][1], "milestone.date")
            if day > deadline:
                raise self.fail(
                    keys["date"][1], "plan.after_deadline", value=day, deadline=deadline
                )
            share = self.share(keys["share"][1], "milestone.share") if "share" in keys else None
            assigned: tuple[str, ...] = ()
            if "assigned" in keys:
                assigned = self.names(
                    keys["assigned"][1], "milestone.assigned", _ASSIGNABLE_MILESTONE
                )
            rows.append((code, title, day, share, assigned, sub))
        given = [r[3] for r in rows]
        if any(s is not None for s in given) and any(s is None for s in given):
            raise self.fail(node, "plan.shares_all_or_none")
        out: list[Milestone] = []
        for n, (code, title, day, share, assigned, sub) in enumerate(rows, start=1):
            share = share if share is not None else n / len(rows)
            if out and (day < out[-1].date or share <= out[-1].share):
                raise self.fail(sub, "plan.milestones_order")
            out.append(Milestone(code, item_code, title, day, share, assigned))
        return tuple(out)
