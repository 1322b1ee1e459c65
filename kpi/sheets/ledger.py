"""The 督查督办台账: statuses and records as an .xlsx workbook for leaders.

``ledger_rows`` is the ledger as plain rows; ``workbook_bytes`` lays it out with openpyxl: a
title, a frozen header with filters, a bold shaded row before each area's items (an outline level
Excel can fold), lights as words and as fills, shares as real percentages, and the history on a
second sheet beside each record's task. Both sheets print as they are: A4 landscape, fitted to
the width of the page only, at about 9 pt, the header on every page and a footer with the page
numbers and the as-of day. Whatever people typed is stored as text: no cell is a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpi.core.plan import Area, Plan
from kpi.core.records import Update
from kpi.core.status import Light, PlanStatus
from kpi.formats.words import describe, light_word, num, title_with_unit
from kpi.locale import language, t
from kpi.sheets.book import (
    FONT,
    Column,
    display_width,
    finish,
    header,
    number_format,
    print_setup,
    put,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True, slots=True)
class LedgerRow:
    number: int
    area_code: str
    area: str
    section_code: str
    section: str
    code: str
    task: str
    office: str
    deadline: dt.date
    baseline: float | None
    target: float | None
    provisional: bool
    actual: float | None
    completion: float | None
    expected: float
    light: Light
    light_word: str
    latest: str | None


def ledger_rows(ps: PlanStatus) -> list[LedgerRow]:
    """One row per item, in plan order, as the summary sheet shows it."""
    plan = ps.plan
    areas = {a.code: a.title for a in plan.areas}
    sections = {s.code: s.title for s in plan.sections()}
    rows: list[LedgerRow] = []
    for n, s in enumerate(ps.items, start=1):
        item = s.item
        rows.append(
            LedgerRow(
                number=n,
                area_code=item.area_code,
                area=areas[item.area_code],
                section_code=item.section_code,
                section=sections[item.section_code],
                code=item.code,
                task=title_with_unit(item),
                office=item.lead_office,
                deadline=item.deadline,
                baseline=item.baseline.value if item.baseline else None,
                target=item.target.value if item.target else None,
                provisional=bool(item.target and item.target.provisional),
                actual=s.actual if item.is_indicator else None,
                completion=s.completion,
                expected=s.expected,
                light=s.light,
                light_word=light_word(s),
                latest=s.latest_note,
            )
        )
    return rows


# Light fills, the colours spreadsheets use for good, neutral and bad; the word is in the cell too.
FILLS = {
    Light.DONE: "BDD7EE",
    Light.GREEN: "C6EFCE",
    Light.YELLOW: "FFEB9C",
    Light.RED: "FFC7CE",
    Light.NONE: "EDEDED",
    Light.MONITOR: "DDEBF7",
}
AREA_FILL = "D9D9D9"  # greys that stay greys on a black-and-white printer
SECTION_FILL = "F2F2F2"
_PERCENT = "0.0%"
_DATE = "yyyy-mm-dd"
_NUMERALS = "一二三四五六七八九十"


def area_heading(area: Area) -> str:
    """一、加快培育新质生产力… in Chinese, 1. … in English: the row above an area's items."""
    number = area.code
    if language() == "zh" and number.isdigit() and 1 <= int(number) <= len(_NUMERALS):
        number = _NUMERALS[int(number) - 1]
    return t("ledger.area_row", number=number, title=area.title)


# The widths of the text columns are shares of a landscape A4 page: at the scale that fits all
# the columns to its width, an 11 pt cell prints at about 9 pt.
def ledger_columns(year: int) -> list[Column]:
    return [
        Column(t("ledger.number"), centre=True),
        Column(t("col.code"), centre=True),
        Column(t("ledger.task"), 30, wrap=True),
        Column(t("col.office"), 14, wrap=True),  # 文化活动中心 on one line
        Column(t("show.deadline"), centre=True),
        Column(t("ledger.baseline", year=year - 1)),
        Column(t("ledger.target", year=year)),
        Column(t("col.actual")),
        Column(t("col.completion")),
        Column(t("col.expected")),
        Column(t("col.status"), centre=True),
        Column(t("ledger.latest"), 28, wrap=True),
    ]


def history_columns() -> list[Column]:
    return [
        Column(t("col.code"), centre=True),
        Column(t("ledger.task"), 30, wrap=True),
        Column(t("col.date"), centre=True),
        Column(t("col.record"), 12, wrap=True),
        Column(t("col.note"), 36, wrap=True),
        Column(t("col.by"), 10, wrap=True),
        Column(t("ledger.os_user"), 10, wrap=True),
        Column(t("ledger.recorded_at"), centre=True),
        Column(t("ledger.voided"), centre=True),
        Column(t("ledger.void_reason"), 16, wrap=True),
    ]


def workbook_bytes(ps: PlanStatus, history: Sequence[Update]) -> bytes:
    """The 台账 (summary sheet) and 填报记录 (every record) as an .xlsx file."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "kpi"
    workbook.properties.title = t("ledger.title", title=ps.plan.title, as_of=ps.as_of.isoformat())
    ledger_sheet(workbook.active, ps)
    _history_sheet(workbook.create_sheet(), ps, history)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_sheet(sheet: Worksheet, ps: PlanStatus, name: str | None = None) -> None:
    """The 台账 of one plan on ``sheet``, named ``name`` (台账 unless given): a workbook of
    several plans (``kpi.sheets.district``) has one of these per plan."""
    from openpyxl.styles import Alignment, Font, PatternFill

    plan = ps.plan
    sheet.title = name or t("ledger.sheet")
    columns = ledger_columns(plan.year)
    headers = [c.header for c in columns]
    title = put(sheet, 1, 1, t("ledger.title", title=plan.title, as_of=ps.as_of.isoformat()))
    title.font = Font(name=FONT, bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.row_dimensions[1].height = 28
    header(sheet, 2, headers)
    widths = [0] * len(headers)  # the headers may wrap: _finish gives them their room
    provisional = t("show.provisional")
    areas = {a.code: a for a in plan.areas}
    sections = {s.code: s for s in plan.sections()}
    status_column = headers.index(t("col.status")) + 1
    group_rows: set[int] = set()
    n = 2
    area_code = section_code = None
    for r in ledger_rows(ps):
        if r.area_code != area_code:
            area_code = r.area_code
            n += 1
            _group_row(sheet, n, len(columns), area_heading(areas[area_code]), level=0)
            group_rows.add(n)
        if r.section_code != section_code:
            section_code = r.section_code
            n += 1
            section = sections[section_code]
            text = t("ledger.section_row", code=section.code, title=section.title)
            _group_row(sheet, n, len(columns), text, level=1)
            group_rows.add(n)
        n += 1
        target_fmt = None
        if r.target is not None:
            target_fmt = number_format(r.target, f"（{provisional}）" if r.provisional else "")
        cells: list[tuple[Any, str | None, str]] = [
            (r.number, None, str(r.number)),
            (r.code, None, r.code),
            (r.task, None, r.task),
            (r.office, None, r.office),
            (r.deadline, _DATE, r.deadline.isoformat()),
            (r.baseline, _fmt(r.baseline), _shown(r.baseline)),
            (
                r.target,
                target_fmt,
                _shown(r.target) + (f"（{provisional}）" if r.provisional else ""),
            ),
            (r.actual, _fmt(r.actual), _shown(r.actual)),
            (r.completion, _PERCENT, "100.0%"),
            (r.expected, _PERCENT, "100.0%"),
            (r.light_word, None, r.light_word),
            (r.latest, None, r.latest or ""),
        ]
        for column, (value, fmt, shown) in enumerate(cells, start=1):
            put(sheet, n, column, value, fmt)
            widths[column - 1] = max(widths[column - 1], display_width(shown))
        sheet.cell(row=n, column=status_column).fill = PatternFill("solid", fgColor=FILLS[r.light])
        sheet.row_dimensions[n].outline_level = 2
    # Each group row heads the rows below it: Excel's fold buttons sit on the group rows.
    sheet.sheet_properties.outlinePr.summaryBelow = False
    sheet.sheet_format.outlineLevelRow = 2
    finish(sheet, 2, columns, widths, skip=group_rows)
    print_setup(sheet, 2, ps)


def _group_row(sheet: Worksheet, row: int, width: int, text: str, level: int) -> None:
    """A bold, shaded row across the sheet, an area's (level 0) or a section's (level 1): its
    words in the first cell, running over the empty ones beside it (no merged cells, so that
    filters and sorting still work)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    line = Side(style="thin", color="A6A6A6")
    fill = PatternFill("solid", fgColor=AREA_FILL if level == 0 else SECTION_FILL)
    for column in range(1, width + 1):
        cell = sheet.cell(row=row, column=column)
        cell.fill = fill
        cell.border = Border(
            top=line,
            bottom=line,
            left=line if column == 1 else None,
            right=line if column == width else None,
        )
    heading = put(sheet, row, 1, text)
    heading.font = Font(name=FONT, bold=True, size=12 if level == 0 else 11)
    heading.alignment = Alignment(horizontal="left", vertical="center", indent=level)
    sheet.row_dimensions[row].height = 21 if level == 0 else 18
    if level:
        sheet.row_dimensions[row].outline_level = level


def _fmt(value: float | None) -> str | None:
    return None if value is None else number_format(value)


def _shown(value: float | None) -> str:
    return "" if value is None else num(value)


def _task_of(plan: Plan, code: str, item_code: str) -> str:
    """The task or indicator a record is about; a milestone's record names the milestone too."""
    if not plan.has(item_code):
        return ""  # not in this plan (any more): nothing is made up
    task = title_with_unit(plan.item(item_code))
    milestone = plan.milestone(code) if code != item_code else None
    if milestone is not None:
        return t("ledger.milestone_task", task=task, milestone=milestone.title)
    return task


def _history_sheet(sheet: Worksheet, ps: PlanStatus, history: Sequence[Update]) -> None:
    from openpyxl.styles import Font

    plan = ps.plan
    sheet.title = t("ledger.history_sheet")
    columns = history_columns()
    headers = [c.header for c in columns]
    header(sheet, 1, headers)
    widths = [0] * len(headers)  # the headers may wrap: _finish gives them their room
    units = {i.code: i.unit for i in plan.items}
    tasks: dict[tuple[str, str], str] = {}
    grey = Font(name=FONT, color="808080", strike=True)
    for n, u in enumerate(history, start=2):
        recorded = u.recorded_at
        if recorded is not None and recorded.tzinfo is not None:
            recorded = recorded.astimezone().replace(tzinfo=None)  # Excel has no time zones
        record = describe(u, units.get(u.item_code))
        key = (u.code, u.item_code)
        if key not in tasks:
            tasks[key] = _task_of(plan, u.code, u.item_code)
        cells: list[tuple[Any, str | None, str]] = [
            (u.code, None, u.code),
            (tasks[key] or None, None, tasks[key]),
            (u.date, _DATE, u.date.isoformat()),
            (record, None, record),
            (u.note, None, u.note or ""),
            (u.by, None, u.by),
            (u.os_user, None, u.os_user),
            (recorded, "yyyy-mm-dd hh:mm", "2025-01-01 00:00"),
            (t("ledger.yes") if u.voided else None, None, t("ledger.yes")),
            (u.void_reason, None, u.void_reason or ""),
        ]
        for column, (value, fmt, shown) in enumerate(cells, start=1):
            cell = put(sheet, n, column, value, fmt)
            if u.voided:
                cell.font = grey
            widths[column - 1] = max(widths[column - 1], display_width(shown))
    finish(sheet, 1, columns, widths)
    print_setup(sheet, 1, ps)
