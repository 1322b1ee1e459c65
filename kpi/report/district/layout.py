"""The district's view laid out once, as sections of ``kpi.report.layout`` that every format draws.

``status_page`` is ``kpi --plan all status``: the ranked table of plans, then each plan's red
items. ``weekly_page`` is ``kpi --plan all report weekly``: the same table as of the week's end,
the week against the last (records, lights better and worse, items to chase), each plan's red
items, and the 催办 counts per plan and lead office. In the weekly page each plan's red items are
cut for reading (a district may have hundreds); JSON always holds everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi.core.status import ItemStatus, Light
from kpi.formats.words import light_word, pct, points
from kpi.locale import t
from kpi.report.district.model import District, PlanRow
from kpi.report.layout import (
    Bar,
    Cell,
    Column,
    Figure,
    Group,
    Row,
    Section,
    Table,
    count_columns,
)
from kpi.report.weekly import READING_LIMIT

# Red items a plan lists in the weekly page (text, Markdown, HTML) when the district has many.
RED_PER_PLAN = 10


@dataclass(frozen=True, slots=True)
class DistrictPage:
    """The whole view: its heading, summary lines, and sections, each with its level (1: a
    part of the page, 2: one plan's part of the section before it)."""

    title: str
    summary: tuple[str, ...]
    sections: tuple[tuple[Section, int], ...]
    legend: str = ""


def title(d: District) -> str:
    if d.weekly:
        return t(
            "district.weekly_title",
            year=d.year,
            week=d.week,
            as_of=d.as_of.isoformat(),
            n=len(d.rows),
        )
    return t("district.title", as_of=d.as_of.isoformat(), n=len(d.rows))


def summary(d: District) -> tuple[str, ...]:
    counts = t(
        "district.summary",
        plans=len(d.rows),
        total=d.items,
        done=d.total(Light.DONE),
        green=d.total(Light.GREEN),
        yellow=d.total(Light.YELLOW),
        red=d.total(Light.RED),
        none=d.total(Light.NONE),
        monitor=d.monitored,
        stale=d.stale,
    )
    lines = counts.splitlines()
    if d.weekly:
        lines.append(
            t(
                "district.week_line",
                start=d.window_start.isoformat(),
                end=d.as_of.isoformat(),
                n=d.records,
            )
        )
    lines.append(t("district.ranking"))
    return tuple(lines)


def status_page(d: District) -> DistrictPage:
    return DistrictPage(
        title(d),
        summary(d),
        (
            (plans_section(d, t("district.status_plans")), 1),
            *red_sections(d, t("district.status_red")),
        ),
        legend=t("html.bar_legend"),
    )


def weekly_page(d: District) -> DistrictPage:
    limit = max(RED_PER_PLAN, READING_LIMIT // max(1, len(d.rows)))
    return DistrictPage(
        title(d),
        summary(d),
        (
            (plans_section(d, t("district.by_plan")), 1),
            (week_section(d), 1),
            *red_sections(d, t("district.red"), limit=limit, notes=True),
            (stale_section(d), 1),
        ),
        legend=t("html.bar_legend"),
    )


# -- the table of plans ---------------------------------------------------------------------------


def plan_columns(monitored: bool) -> tuple[Column, ...]:
    return (
        Column(t("col.plan"), "code"),
        Column(t("col.organisation"), "title"),
        Column(t("col.items"), "detail"),  # the counts add up to it: left out of 80 columns
        *count_columns(),
        *((Column(t("light.short.monitor"), "number"),) if monitored else ()),
        Column(t("col.mean"), "number"),
        Column(t("col.elapsed"), "detail"),
        Column(t("col.gap"), "number"),
        Column(t("col.stale"), "number"),
        Column(t("html.progress"), "bar"),
    )


def plan_cells(row: PlanRow, monitored: bool) -> tuple[Cell, ...]:
    return (
        Cell(row.id),
        Cell(row.organisation),
        Cell(str(row.items)),
        *(Cell(str(n)) for n in row.counts.values()),
        *((Cell(str(row.monitored)),) if monitored else ()),
        Cell(pct(row.completion)),
        Cell(pct(row.elapsed)),
        Cell(points(row.gap_points)),
        Cell(str(row.stale)),
        Cell(bar=(row.completion, row.elapsed), light=row.light),
    )


def plans_section(d: District, heading: str) -> Section:
    monitored = d.monitored > 0  # the column only where there is something to count
    rows = tuple(Row(plan_cells(r, monitored)) for r in d.rows)
    bars = tuple(
        Bar(
            f"{r.rank}. {r.id} {r.organisation}",
            r.completion,
            r.elapsed,
            r.light,
            light_word(r.light),
        )
        for r in d.rows
    )
    return Section(
        heading,
        table=Table(plan_columns(monitored), rows) if rows else None,
        figure=Figure(bars=bars) if bars else None,
        empty=t("district.none"),
    )


# -- the week ---------------------------------------------------------------------------------------


def week_section(d: District) -> Section:
    columns = (
        Column(t("col.plan"), "code"),
        Column(t("col.organisation"), "title"),
        Column(t("col.records"), "number"),
        Column(t("col.better"), "number"),
        Column(t("col.worse"), "number"),
        Column(t("col.to_chase"), "number"),
    )
    rows = tuple(
        Row(
            (
                Cell(r.id),
                Cell(r.organisation),
                Cell(str(r.records)),
                Cell(str(r.better)),
                Cell(str(r.worse)),
                Cell(str(r.stale)),
            )
        )
        for r in d.rows
    )
    return Section(t("district.this_week"), table=Table(columns, rows) if rows else None)


def stale_section(d: District) -> Section:
    groups = tuple(
        Group(
            f"{r.id} {r.organisation}",
            r.stale,
            tuple(t("district.stale_line", office=o, n=n) for o, n in r.to_chase.items()),
        )
        for r in d.rows
        if r.stale
    )
    return Section(t("district.stale"), groups=groups, empty=t("report.none_stale"))


# -- red items ----------------------------------------------------------------------------------------


def red_columns(notes: bool) -> tuple[Column, ...]:
    return (
        Column(t("col.code"), "code"),
        Column(t("col.title"), "title"),
        Column(t("col.office")),
        Column(t("html.progress"), "bar"),
        Column(t("col.completion"), "number"),
        Column(t("col.expected"), "detail"),
        Column(t("col.gap"), "number"),
        Column(t("col.status"), "light"),
        *((Column(t("col.reason"), "note"),) if notes else ()),
    )


def red_cells(s: ItemStatus, notes: bool) -> tuple[Cell, ...]:
    return (
        Cell(s.item.code),
        Cell(s.item.title),
        Cell(s.item.lead_office),
        Cell(bar=(s.completion, s.expected), light=s.light),
        Cell(pct(s.completion)),
        Cell(pct(s.expected)),
        Cell(points(s.gap_points)),
        Cell(light_word(s), light=s.light),
        *((Cell(s.latest_note or ""),) if notes else ()),
    )


def red_sections(
    d: District, heading: str, *, limit: int | None = None, notes: bool = False
) -> tuple[tuple[Section, int], ...]:
    """A heading, then a section per plan with red items (in ranking order): its red items,
    furthest behind first, ``limit`` of them at most."""
    none = not any(r.count(Light.RED) for r in d.rows)
    out = [(Section(heading, empty=t("district.no_red") if none else None), 1)]
    for r in d.rows:
        red = r.red
        if not red:
            continue
        shown = red if limit is None else red[:limit]
        left = len(red) - len(shown)
        words = t(
            "district.plan_red", rank=r.rank, plan=r.id, organisation=r.organisation, n=len(red)
        )
        rows = tuple(Row(red_cells(s, notes)) for s in shown)
        more = (t("district.more", n=left),) if left else ()
        out.append((Section(words, table=Table(red_columns(notes), rows), more=more), 2))
    return tuple(out)
