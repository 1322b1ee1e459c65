"""The weekly summary laid out once: sections of tables and lists that every format draws.

``sections(rep)`` says what the reader sees — each section's heading, its lines, its table (the
columns and the rows) or its groups and lines — and nothing about how it is drawn. The renderers
(``text``, ``markdown``, ``html``) draw the same sections, each as its medium allows:

- a column's ``kind`` tells a renderer what the cells hold: a ``bar`` (completion against 序时进度)
  is drawn only where bars can be drawn (HTML); a ``detail`` column only where there is room
  (Markdown, not 80 columns of text); a ``note`` column becomes a line under the row's title
  where a row has room for one (text, HTML) and a column of its own elsewhere;
- a cell with a ``light`` is coloured (or labelled) by it; a cell with a ``day`` shows the date
  as long or as short as the renderer likes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from kpi.core.status import ItemStatus, Light, Rollup
from kpi.formats.words import COUNT_ORDER, light_word, pct, points, short_word
from kpi.locale import t
from kpi.report.weekly import (
    Trend,
    WeeklyReport,
    charted,
    due_when,
    for_reading,
    heading,
    more,
    record_title,
    record_words,
    stale_since,
    summary_line,
    window_line,
)

ColumnKind = Literal["text", "code", "title", "number", "light", "bar", "detail", "note"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Cell:
    text: str = ""
    light: Light | None = None  # the cell is coloured (or labelled) by this light
    day: dt.date | None = None  # a date, which a renderer may show shorter than ``text``
    bar: tuple[float | None, float | None] | None = None  # (completion, 序时进度)


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    total: bool = False  # a totals row, set apart


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


# A line of a list: words, and words coloured by a light ("1.1.1 招引企业：", 红 滞后, " → " …).
Segment = str | tuple[Light, str]
Line = tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A heading with its lines: one office and its items in the 催办 list."""

    title: str
    count: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: a completion against 序时进度, coloured by a light and saying it."""

    label: str
    completion: float | None
    expected: float | None
    light: Light
    words: str  # the light in words
    total: bool = False


@dataclass(frozen=True, slots=True)
class Figure:
    """Pictures of a section, for a renderer that draws them (HTML; text and Markdown do not):
    bars against 序时进度, and items' trends, each with its status."""

    bars: tuple[Bar, ...] = ()
    trends: tuple[tuple[ItemStatus, Trend], ...] = ()
    heading: str = ""
    more: str | None = None  # how many were left unpictured


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    intro: tuple[str, ...] = ()
    table: Table | None = None
    groups: tuple[Group, ...] = ()
    lines: tuple[Line, ...] = ()
    more: tuple[str, ...] = ()  # "另有 N 条" lines, for rows left out for reading
    empty: str | None = None  # said when the section has nothing to show
    figure: Figure | None = None  # drawn where pictures can be (HTML)

    @property
    def blank(self) -> bool:
        return self.table is None and not self.groups and not self.lines


@dataclass(frozen=True, slots=True)
class Page:
    """The whole summary: its heading, the summary lines, an overall bar, and the sections."""

    title: str
    summary: tuple[str, ...]
    overall: tuple[float | None, float, Light]  # completion, time elapsed, worst light
    sections: tuple[Section, ...] = field(default_factory=tuple)
    legend: str = ""


def page(rep: WeeklyReport) -> Page:
    """The report as a page, each list cut for reading (``weekly.for_reading``)."""
    rep = for_reading(rep)
    rules = rep.plan.rules
    return Page(
        title=heading(rep),
        summary=tuple(summary_line(rep).splitlines()),
        overall=(rep.overall.mean_completion, rep.status.elapsed, rep.overall.worst),
        sections=(
            _areas(rep),
            _this_week(rep),
            _attention(rep),
            _milestones(rep),
            _stale(rep),
            _changes(rep),
        ),
        legend=t(
            "status.legend",
            yellow=f"{rules.yellow:g}",
            red=f"{rules.red:g}",
            stale=rules.stale_days,
        ),
    )


def _more(rep: WeeklyReport, *names: str) -> tuple[str, ...]:
    return tuple(line for line in (more(rep, name) for name in names) if line)


def counted(rep: WeeklyReport) -> tuple[Light, ...]:
    """The lights the counts show: monitored figures apart, and only where there are some."""
    return (*COUNT_ORDER, Light.MONITOR) if rep.overall.monitored else COUNT_ORDER


def count_columns(lights: tuple[Light, ...] = COUNT_ORDER) -> list[Column]:
    return [Column(short_word(light), "number") for light in lights]


def area_cells(
    r: Rollup, title: str | None = None, lights: tuple[Light, ...] = COUNT_ORDER
) -> list[Cell]:
    return [
        Cell(r.code),
        Cell(title or r.title),
        Cell(str(r.total)),
        *(Cell(str(r.counts.get(light, 0))) for light in lights),
        Cell(pct(r.mean_completion)),
    ]


def _areas(rep: WeeklyReport) -> Section:
    elapsed = rep.status.elapsed
    columns = (
        Column(t("col.code"), "code"),
        Column(t("col.area"), "title"),
        Column(t("col.items"), "number"),
        *count_columns(counted(rep)),
        Column(t("col.mean"), "number"),
        Column(t("html.progress"), "bar"),
    )
    rows = [
        Row(
            (
                *area_cells(r, None, counted(rep)),
                Cell(bar=(r.mean_completion, elapsed), light=r.worst),
            )
        )
        for r in rep.areas
    ]
    o = rep.overall
    rows.append(
        Row(
            (
                *area_cells(o, t("status.overall"), counted(rep)),
                Cell(bar=(o.mean_completion, elapsed), light=o.worst),
            ),
            total=True,
        )
    )
    bars = [
        Bar(f"{r.code} {r.title}", r.mean_completion, elapsed, r.worst, light_word(r.worst))
        for r in rep.areas
    ]
    bars.append(
        Bar(t("status.overall"), o.mean_completion, elapsed, o.worst, light_word(o.worst), True)
    )
    return Section(
        t("report.by_area"), table=Table(columns, tuple(rows)), figure=Figure(bars=tuple(bars))
    )


def _this_week(rep: WeeklyReport) -> Section:
    columns = (
        Column(t("col.date"), "code"),
        Column(t("col.code"), "code"),
        Column(t("col.title"), "title"),
        Column(t("col.record")),
        Column(t("col.by")),
        Column(t("col.note")),
    )
    rows = tuple(
        Row(
            (
                Cell(r.update.date.isoformat(), day=r.update.date),
                Cell(r.update.code),
                Cell(record_title(r)),
                Cell(record_words(r)),
                Cell(r.update.by),
                Cell(r.update.note or ""),
            )
        )
        for r in rep.records
    )
    return Section(
        t("report.this_week"),
        intro=(window_line(rep),),
        table=Table(columns, rows) if rows else None,
        more=_more(rep, "records"),
    )


def _attention(rep: WeeklyReport) -> Section:
    columns = (
        Column(t("col.code"), "code"),
        Column(t("col.title"), "title"),
        Column(t("col.office")),
        Column(t("html.progress"), "bar"),
        Column(t("col.completion"), "number"),
        Column(t("col.expected"), "detail"),
        Column(t("col.gap"), "number"),
        Column(t("col.status"), "light"),
        Column(t("col.reason"), "note"),
    )
    rows = tuple(
        Row(
            (
                Cell(s.item.code),
                Cell(s.item.title),
                Cell(s.item.lead_office),
                Cell(bar=(s.completion, s.expected), light=s.light),
                Cell(pct(s.completion)),
                Cell(pct(s.expected)),
                Cell(points(s.gap_points)),
                Cell(light_word(s), light=s.light),
                Cell(s.latest_note or ""),
            )
        )
        for s in rep.attention
    )
    return Section(
        t("report.attention"),
        table=Table(columns, rows) if rows else None,
        more=_more(rep, "attention"),
        empty=t("report.none_attention"),
        figure=_trends(rep),
    )


def _trends(rep: WeeklyReport) -> Figure | None:
    """The red items' trends, where the report has them."""
    shown = tuple((s, rep.trends[s.item.code]) for s in charted(rep) if s.item.code in rep.trends)
    if not shown:
        return None
    left = rep.count(Light.RED) - len(shown)
    return Figure(
        trends=shown,
        heading=t("chart.red_trends"),
        more=t("chart.more_trends", n=left) if left > 0 else None,
    )


def _milestones(rep: WeeklyReport) -> Section:
    columns = (
        Column(t("col.code"), "code"),
        Column(t("col.title"), "title"),
        Column(t("col.office")),
        Column(t("col.date"), "code"),
        Column(t("col.status")),
    )
    rows = tuple(
        Row(
            (
                Cell(d.milestone.code),
                Cell(f"{d.item.title} › {d.milestone.title}"),
                Cell(d.item.lead_office),
                Cell(d.milestone.date.isoformat(), day=d.milestone.date),
                Cell(due_when(d), light=Light.RED if d.days < 0 else None),
            )
        )
        for d in [*rep.overdue, *rep.due]
    )
    return Section(
        t("report.milestones"),
        table=Table(columns, rows) if rows else None,
        more=_more(rep, "overdue", "due"),
        empty=t("report.none_due"),
    )


def _stale(rep: WeeklyReport) -> Section:
    groups = []
    for office, items in rep.stale.items():
        lines = [f"{x.status.item.code} {x.status.item.title}（{stale_since(x)}）" for x in items]
        lines.extend(_more(rep, f"stale:{office}"))
        total = len(items) + rep.omitted.get(f"stale:{office}", 0)
        groups.append(Group(office, total, tuple(lines)))
    return Section(
        t("report.stale", days=rep.plan.rules.stale_days),
        groups=tuple(groups),
        empty=t("report.none_stale"),
    )


def _changes(rep: WeeklyReport) -> Section:
    lines: list[Line] = [
        (
            f"{c.status.item.code} {c.status.item.title}：",
            (c.before, light_word(c.before)),
            " → ",
            (c.status.light, light_word(c.status)),
            f"（{t('report.better') if c.better else t('report.worse')}）",
        )
        for c in rep.changes
    ]
    return Section(
        t("report.changes"),
        lines=tuple(lines),
        more=_more(rep, "changes"),
        empty=t("report.no_changes"),
    )


def visible(columns: Sequence[Column], hidden: set[str]) -> list[int]:
    """The positions of the columns a renderer shows, given the kinds it leaves out."""
    return [n for n, c in enumerate(columns) if c.kind not in hidden]
