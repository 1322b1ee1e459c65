"""The plan in a terminal: the status table by area and section, its totals and legend, the plans.

Laid out for the width at hand with a plain grid (``kpi.cli.plain``), so that ten thousand rows
take a moment: every number column as wide as its widest value, the title column the rest. At 80
columns an item takes one or two lines — its title, its lead office beside or under it (dim), what
is left to do under the actual value — and nothing is cut inside a word, a number or a unit
(``kpi.cli.wrap``). From ``NOTE_AT`` columns the latest note has a column; from ``OFFICE_AT`` the
lead office too. A column empty for every row shown is left out. Lights are words as well as
colours (完成/绿/黄/红/无数据/逾期/超额/监测), so they survive mail, print, a pipe and readers who
do not see colour; an item nobody has updated for a while (待更新) gets a dim mark of its own
after the light, explained in the legend, never a colour beside its title.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpi.cli.plain import EMPTY, Cell, Column, Line, fit, header, render, room, rule, total
from kpi.cli.wrap import clip, pack, split_first, wrap
from kpi.core.plan import Plan, PlanInfo
from kpi.core.status import ItemStatus, Light, PlanStatus, Rollup, rank
from kpi.core.text import width as width_of
from kpi.formats.words import (
    COUNT_ORDER,
    LIGHT_STYLE,
    cell_word,
    num,
    pct,
    points,
    short_word,
    target_text,
    title_with_unit,
)
from kpi.locale import t
from kpi.report.grid import styled

NOTE_AT = 120  # from this width on, the latest note has a column of its own
OFFICE_AT = 150  # and from this one, the lead office
NOTE_MIN = 28  # the note column's least width: two lines hold a short sentence
TITLE_MIN = 12
NUMBERS = ("col.baseline", "col.target", "col.actual", "col.completion", "col.gap")
BLANK = ("", "—")  # what counts as nothing in a number column


def _values(s: ItemStatus) -> dict[str, str]:
    item = s.item
    return {
        "col.baseline": num(item.baseline.value) if item.baseline else "",
        "col.target": target_text(item) if item.target else "",
        "col.actual": num(s.actual) if item.is_indicator and s.actual is not None else "",
        "col.completion": pct(s.completion),
        "col.gap": points(s.gap_points),
    }


def _left(s: ItemStatus) -> str:
    """What is left to do, for the line under the actual value: 差174."""
    if s.item.is_indicator and s.actual is not None and s.remaining and s.remaining > 0:
        return t("col.left_short", n=num(s.remaining))
    return ""


class StatusTable:
    """The columns of one status table, fitted to ``width`` over the rows it will show."""

    def __init__(self, shown: Sequence[ItemStatus], width: int) -> None:
        self.width = width
        values = [_values(s) for s in shown]
        self.values = {s.item.code: v for s, v in zip(shown, values, strict=True)}
        self.numbers = [k for k in NUMBERS if any(v[k] not in BLANK for v in values)]
        notes = width >= NOTE_AT and any(s.latest_note for s in shown)
        self.office_column = width >= OFFICE_AT
        self.keys = ["code", "title", *(["office"] if self.office_column else [])]
        self.keys += [*self.numbers, "light", "stale", *(["note"] if notes else [])]
        heads = {
            "code": t("col.code"),
            "title": t("col.title"),
            "office": t("col.office"),
            "light": t("col.status"),
            "stale": "",
            "note": t("col.latest_note"),
        }
        self.columns = [
            Column(
                heads[k] if k in heads else t(k),
                right=k in NUMBERS,
                gap=1 if k in NUMBERS[1:] or k in ("light", "stale") else 2,
            )
            for k in self.keys
        ]
        sample = [self._fixed_cells(s) for s in shown]
        fit(self.columns, sample)
        self._share(shown)

    def _col(self, key: str) -> Column:
        return self.columns[self.keys.index(key)]

    def _fixed_cells(self, s: ItemStatus) -> list[Cell]:
        """The row's cells but the title and the note (laid out once their widths are known)."""
        v = self.values[s.item.code]
        cells: list[Cell] = []
        for key in self.keys:
            if key == "code":
                cells.append([Line.of(s.item.code)])
            elif key == "office":
                cells.append([Line.of(s.item.lead_office)])
            elif key in NUMBERS:
                cell = [Line.of(v[key])] if v[key] else []
                if key == "col.actual" and (left := _left(s)):
                    cell = [cell[0] if cell else Line.of(""), Line.of(left, "dim")]
                cells.append(cell)
            elif key == "light":
                cells.append([Line.of(cell_word(s), LIGHT_STYLE[s.light])])
            elif key == "stale":
                cells.append([Line.of(t("col.stale_mark"), "dim")] if s.stale else EMPTY)
            else:
                cells.append(EMPTY)
        return cells

    def _share(self, shown: Sequence[ItemStatus]) -> None:
        """The room left goes to the title, and from ``NOTE_AT`` columns shared with the note."""
        title = self._col("title")
        title.width = 0
        note = self._col("note") if "note" in self.keys else None
        if note is not None:
            note.width = 0
        left = self.width - total(self.columns)
        longest = max((width_of(title_with_unit(s.item)) for s in shown), default=TITLE_MIN)
        if not self.office_column:
            office = max((width_of(s.item.lead_office) for s in shown), default=0)
            longest += 2 + office
        if note is None:
            title.width = max(TITLE_MIN, left)
            return
        wanted = max(width_of(s.latest_note or "") for s in shown)
        title.width = max(TITLE_MIN, min(longest, left - NOTE_MIN))
        note.width = max(NOTE_MIN, min(wanted, left - title.width))
        title.width = max(TITLE_MIN, left - note.width)

    def header(self, color: bool) -> list[str]:
        return [header(self.columns, color), styled(rule(self.columns, self.width), "dim", color)]

    def row(self, s: ItemStatus, color: bool) -> list[str]:
        cells = self._fixed_cells(s)
        n = self.keys.index("title")
        if "note" in self.keys and s.latest_note:
            note_col = self._col("note")
            cells[-1] = [Line.of(x) for x in clip(s.latest_note, note_col.width, 2)]
        second = any(len(c) > 1 for c in cells)
        office = "" if self.office_column else s.item.lead_office
        cells[n] = _title_cell(
            title_with_unit(s.item),
            office,
            self.columns[n].width,
            room(self.columns, cells, n, 1),
            second,
        )
        return render(self.columns, cells, color)

    def section(self, code: str, heading: str, counts: Line, color: bool) -> list[str]:
        """A section's row: its code, then its title and counts across the whole width."""
        first = self.columns[0]
        avail = max(TITLE_MIN, self.width - first.width - self.columns[1].gap)
        lines = [Line.of(x, "bold") for x in wrap(heading, avail)]
        if lines[-1].width + 2 + counts.width <= avail:
            lines[-1].add("  ").pieces.extend(counts.pieces)
            lines[-1].width += counts.width
        else:
            lines.append(counts)
        span = [Column("", gap=0, width=first.width), Column("", width=avail)]
        return render(span, [[Line.of(code, "bold")], lines], color)


def _title_cell(title: str, office: str, columns: int, second_room: int, second: bool) -> Cell:
    """The title and (dim) lead office in one or two lines of ``columns``, the second line
    running on to ``second_room`` when it must."""
    first, rest = split_first(title, columns)
    lines = [Line.of(first)]
    if not rest:
        if office and not second and lines[0].width + 2 + width_of(office) <= columns:
            lines[0].add("  ").add(office, "dim")
        elif office:
            lines.append(Line.of(office, "dim"))
        return lines
    tail = wrap(rest, columns)
    if office and len(tail) == 1 and width_of(tail[0]) + 2 + width_of(office) <= columns:
        return [*lines, Line.of(tail[0]).add("  ").add(office, "dim")]
    if office and width_of(rest) + 2 + width_of(office) <= second_room:
        return [*lines, Line.of(rest).add("  ").add(office, "dim")]
    if width_of(rest) <= second_room:
        tail = [rest]
    lines += [Line.of(x) for x in tail]
    if office:
        lines.append(Line.of(office, "dim"))
    return lines


def counts_line(r: Rollup) -> Line:
    """完成2 绿5 黄1 红1 无数据3, each in its light's colour; monitored figures apart."""
    line = Line([], 0)
    for light in (*COUNT_ORDER, Light.MONITOR):
        n = r.counts.get(light, 0)
        if n:
            if line.width:
                line.add(" ")
            line.add(f"{short_word(light)}{n}", LIGHT_STYLE[light])
    return line


def _worst_first(s: ItemStatus) -> tuple[int, float]:
    """Red before yellow before no data before green before done; within a light the widest gap
    first, and an overdue item with nothing recorded before any other red one (ties keep the
    plan's order)."""
    gap = s.gap_points if s.gap_points is not None else float("-inf")
    return rank(s.light), gap


def worst_first(shown: Sequence[ItemStatus]) -> list[ItemStatus]:
    """The items judged, worst first, then the monitored figures (never behind) in plan order."""
    judged = sorted((s for s in shown if s.judged), key=_worst_first)
    return judged + [s for s in shown if not s.judged]


def status_lines(
    ps: PlanStatus,
    shown: Sequence[ItemStatus],
    *,
    width: int = 80,
    color: bool = False,
    sort: str = "code",
) -> list[str]:
    """The items ``shown``: by area and section (``sort="code"``), or worst first (``"gap"``)
    with the monitored figures, which are never behind, listed apart after them."""
    table = StatusTable(shown, width)
    lines: list[str] = []
    if sort == "gap":
        ordered = worst_first(shown)
        monitored = [s for s in ordered if not s.judged]
        lines += table.header(color)
        for s in ordered[: len(ordered) - len(monitored)]:
            lines += table.row(s, color)
        if monitored:
            lines += ["", styled(t("status.monitored"), "bold", color)]
            for s in monitored:
                lines += table.row(s, color)
        return lines
    wanted = {s.item.code: s for s in shown}
    for area in ps.plan.areas:
        if not any(c in wanted for sec in area.sections for c in sec.item_codes):
            continue
        if lines:
            lines.append("")
        lines += [styled(x, "bold", color) for x in wrap(f"{area.code} {area.title}", width)]
        lines += table.header(color)
        for sec in area.sections:
            rows = [wanted[c] for c in sec.item_codes if c in wanted]
            if not rows:
                continue
            lines += table.section(sec.code, sec.title, counts_line(ps.sections[sec.code]), color)
            for s in rows:
                lines += table.row(s, color)
    return lines


def totals_lines(
    ps: PlanStatus, area_codes: Sequence[str] | None = None, *, width: int = 80, color: bool = False
) -> list[str]:
    """Per area and overall: items, how many of each light, monitored, stale, mean completion."""
    assert ps.overall is not None
    # Monitored figures are counted apart, never among the lights: a column only if any.
    order = [*COUNT_ORDER, *([Light.MONITOR] if ps.overall.monitored else [])]
    columns = [
        Column(t("col.area")),
        Column(t("col.items"), right=True),
        *(Column(short_word(light), right=True, gap=1) for light in order),
        Column(t("col.stale"), right=True, gap=1),
        Column(t("col.mean"), right=True, gap=1),
    ]
    rollups = [
        ps.areas[a.code] for a in ps.plan.areas if area_codes is None or a.code in area_codes
    ]

    def cells(r: Rollup, bold: bool) -> list[Cell]:
        style = "bold" if bold else None
        name = t("status.overall") if bold else f"{r.code} {r.title}"
        numbers = [str(r.total), *(str(r.counts.get(x, 0)) for x in order), str(r.stale)]
        return [
            [Line.of(name, style)],
            *([Line.of(x, style)] for x in numbers),
            [Line.of(pct(r.mean_completion), style)],
        ]

    rows = [cells(r, False) for r in rollups] + [cells(ps.overall, True)]
    fit(columns, rows)
    longest = columns[0].width
    columns[0].width = 0
    columns[0].width = max(TITLE_MIN, min(longest, width - total(columns)))
    lines = [styled(t("status.totals"), "bold", color), header(columns, color)]
    lines.append(styled(rule(columns, width), "dim", color))
    for n, row in enumerate(rows):
        if n == len(rows) - 1:
            lines.append(styled(rule(columns, width), "dim", color))
        row[0] = _hanging(row[0], columns[0].width)
        lines += render(columns, row, color)
    return lines


def _hanging(cell: Cell, columns: int) -> Cell:
    """``1 加快培育…`` in lines of ``columns``, the lines after the first under the title."""
    line = cell[0]
    if line.width <= columns:
        return cell
    text, style = line.pieces[0]
    code, _, title = text.partition(" ")
    indent = " " * (width_of(code) + 1)
    lines = wrap(title, columns - len(indent))
    return [Line.of(f"{code} {lines[0]}", style), *(Line.of(indent + x, style) for x in lines[1:])]


def status_heading(ps: PlanStatus) -> str:
    return t(
        "status.heading", title=ps.plan.title, as_of=ps.as_of.isoformat(), elapsed=pct(ps.elapsed)
    )


def legend_lines(plan: Plan, width: int) -> list[str]:
    """The legend, a clause never broken across lines when it fits in one."""
    sep = t("status.legend_sep")
    return [x.rstrip() for x in pack(legend(plan).split(sep), width, sep)]


def legend(plan: Plan) -> str:
    r = plan.rules
    return t(
        "status.legend_desk",
        yellow=f"{r.yellow:g}",
        red=f"{r.red:g}",
        stale=r.stale_days,
        mark=t("col.stale_mark"),
    )


# -- the plans ----------------------------------------------------------------------------------


def plans_table(infos: Sequence[PlanInfo]):  # type: ignore[no-untyped-def]
    """Every plan: id, organisation, title, period, items, records, last record, version.

    The organisation has a column only when some title does not begin with it (新江湾城街道2025年
    主要工作安排 names its office already): at 80 columns the title keeps room to be read."""
    from rich import box
    from rich.table import Table

    named = all(p.title.startswith(p.organisation) for p in infos)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
    table.add_column(t("col.plan"), no_wrap=True)
    if not named:
        table.add_column(t("col.organisation"), overflow="fold")
    table.add_column(t("col.plan_title"), ratio=1, overflow="fold")
    table.add_column(t("col.period"), no_wrap=True)
    table.add_column(t("col.items"), justify="right", no_wrap=True)
    table.add_column(t("col.records"), justify="right", no_wrap=True)
    table.add_column(t("col.last_record"), no_wrap=True)
    table.add_column(t("col.version"), justify="right", no_wrap=True)
    for p in infos:
        style = "dim" if p.retired else ""
        cells = [
            p.id + (t("plans.retired_mark") if p.retired else ""),
            *([] if named else [p.organisation]),
            p.title,
            f"{p.start:%Y-%m-%d}～{p.end:%m-%d}",
            str(p.items),
            str(p.records),
            p.last_record.isoformat() if p.last_record else "—",
            f"v{p.version}" if p.version else "—",
        ]
        table.add_row(*cells, style=style)
    return table
