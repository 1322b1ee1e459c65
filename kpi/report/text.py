"""The weekly summary as plain text, for a terminal, cron's mail or a file, at a given width.

It draws ``layout.page`` with plain grids (``grid``), so that a district's thousands of items take a
moment; with ``color`` on (a terminal), lights and headings get ANSI colours, the words stay.
Columns that need room (``detail``) or a picture (``bar``) are left out, and a row's note goes on
a line under its title.
"""

from __future__ import annotations

from kpi.formats.words import LIGHT_STYLE
from kpi.report.grid import Cell as GridCell
from kpi.report.grid import grid, styled
from kpi.report.layout import Cell, Line, Section, Table, page, visible
from kpi.report.weekly import WeeklyReport

HIDDEN = {"bar", "detail"}


def to_text(rep: WeeklyReport, *, width: int = 80, color: bool = False) -> str:
    """The summary at ``width`` columns (ANSI colours when ``color``)."""
    p = page(rep)
    lines = [styled(p.title, "bold", color), *p.summary]
    for section in p.sections:
        lines.extend(_section(section, width, color))
    return "\n".join(lines) + "\n"


def _section(section: Section, width: int, color: bool) -> list[str]:
    lines = ["", styled(section.heading, "bold", color), *section.intro]
    if section.table is not None:
        lines.extend(_table(section.table, width, color))
    for group in section.groups:
        lines.append(styled(f"{group.title}（{group.count}）", "bold", color))
        lines.extend(f"  {line}" for line in group.lines)
    lines.extend(_line(line, color) for line in section.lines)
    lines.extend(section.more)
    if section.blank and section.empty:
        lines.append(section.empty)
    return lines


def _table(table: Table, width: int, color: bool) -> list[str]:
    shown = visible(table.columns, HIDDEN | {"note"})
    columns = [table.columns[n] for n in shown]
    note = next((n for n, c in enumerate(table.columns) if c.kind == "note"), None)
    title = next((k for k, c in enumerate(columns) if c.kind == "title"), 1)
    rows = []
    for row in table.rows:
        cells = [_cell(row.cells[n], "bold" if row.total else None) for n in shown]
        if note is not None and row.cells[note].text:
            words = f"\n{table.columns[note].name}：{row.cells[note].text}"
            cells[title] = GridCell(cells[title].text + words, cells[title].style)
        rows.append(cells)
    right = [k for k, c in enumerate(columns) if c.kind == "number"]
    return grid(
        [c.name for c in columns], rows, width=width, flexible=title, right=right, color=color
    )


def _cell(cell: Cell, style: str | None) -> GridCell:
    text = cell.day.strftime("%m-%d") if cell.day else cell.text
    if cell.light is not None:
        style = LIGHT_STYLE[cell.light]
    return GridCell(text, style)


def _line(line: Line, color: bool) -> str:
    out = []
    for segment in line:
        if isinstance(segment, str):
            out.append(segment)
        else:
            light, words = segment
            out.append(styled(words, LIGHT_STYLE[light], color))
    return "".join(out)
