"""One item's facts in words, once, for every page that shows an item (``kpi show``, its HTML).

Each fact is a label and its words: where the item stands in the plan, the report's text, who
leads it, by when, the baseline with what the report's figures imply and its sources (quoted),
the target with how it was set, what is done and left, 序时进度, the light, the forecast and the
last record. A renderer draws each as its medium allows: a quote in italics, the light coloured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kpi.core.plan import Plan
from kpi.core.status import ItemStatus
from kpi.formats.words import basis_words, light_word, num, pct, points, target_words
from kpi.locale import t


@dataclass(frozen=True, slots=True)
class Fact:
    label: str  # in words already
    text: str
    kind: Literal["plain", "quote", "light"] = "plain"


def item_facts(plan: Plan, s: ItemStatus) -> list[Fact]:
    item = s.item
    area = next(a for a in plan.areas if a.code == item.area_code)
    section = next(x for x in area.sections if x.code == item.section_code)
    facts: list[Fact] = []

    def add(label: str, text: str, kind: Literal["plain", "quote", "light"] = "plain") -> None:
        facts.append(Fact(t(label), text, kind))

    add("show.where", f"{area.code} {area.title} › {section.code} {section.title}")
    add("show.text", item.text)
    offices = item.lead_office
    if item.other_offices:
        offices += t("show.others", names="、".join(item.other_offices))
    if "lead_office" in item.assigned:
        offices += t("show.assigned")
    add("show.office", offices)
    assigned = t("show.assigned") if "deadline" in item.assigned else ""
    add("show.deadline", item.deadline.isoformat() + assigned)
    unit = item.unit or ""
    if item.is_indicator:
        b = item.baseline
        if b:
            line = t("show.baseline_value", value=num(b.value), unit=unit, year=b.year)
            if b.implied_target:
                line += t(
                    "show.implied_target",
                    completion=pct(b.completion),
                    target=num(b.implied_target),
                    unit=unit,
                )
            if b.implied_prior is not None:
                line += t(
                    "show.implied_prior",
                    growth=pct(b.growth),
                    prior=num(b.implied_prior),
                    unit=unit,
                )
            add("show.baseline", line)
            excerpt = t("show.excerpt") if b.excerpt else ""
            add("show.source", f"“{b.source}”{excerpt}", "quote")
            for other in b.also:
                figure = t(
                    "show.also_value", value=num(other.value), unit=unit, year=other.year or b.year
                )
                add("show.also", f"{figure}“{other.source}”", "quote")
        add("show.target", f"{target_words(item)} — {basis_words(item)}")
        add("show.actual", f"{num(s.actual)} {unit}" if s.actual is not None else t("light.none"))
        if s.remaining is not None:
            add("show.remaining", f"{num(s.remaining)} {unit}")
    else:
        add("show.actual", pct(s.completion) if s.completion is not None else t("light.none"))
    add("show.completion", pct(s.completion))
    add(
        "show.expected",
        t("show.expected_value", expected=pct(s.expected), gap=points(s.gap_points)),
    )
    add("show.status", light_word(s), "light")
    if s.forecast is not None:
        add("show.forecast", f"{num(s.forecast)} {unit}" if item.is_indicator else pct(s.forecast))
    last = s.last_update.isoformat() if s.last_update else "—"
    add("show.last_update", last + (t("show.stale") if s.stale else ""))
    return facts
