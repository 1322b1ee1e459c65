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
import math
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpi.core.plan import Area, Plan
from kpi.core.records import Update
from kpi.core.status import Light, PlanStatus
from kpi.formats.words import describe, light_word, num, title_with_unit
from kpi.locale import language, t

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
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
HEADER_FILL = "D9E1F2"
FONT = "Calibri"  # the workbook's own font: a bold or grey cell keeps it
AREA_FILL = "D9D9D9"  # greys that stay greys on a black-and-white printer
SECTION_FILL = "F2F2F2"
MAX_WIDTH = 40
LINE_HEIGHT = 15  # points per line of 11 pt text, as Excel fits a row of Calibri or 等线
MAX_HEIGHT = 409  # the tallest row Excel keeps
_FORMULA_START = ("=", "+", "-", "@")
_PERCENT = "0.0%"
_DATE = "yyyy-mm-dd"
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a sheet: its header, and either a fixed width (text that wraps, given the
    room of the page) or none (as wide as its widest value, for numbers, dates and codes)."""

    header: str
    width: int | None = None
    wrap: bool = False
    centre: bool = False


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is about two."""
    lines = text.splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def header_room(header: str) -> int:
    """The width a header needs: a short one all of it, a longer one may take two lines, so half
    of it and its longest word (Chinese breaks between any two characters, other words at
    spaces)."""
    width = display_width(header)
    if width <= 8:
        return width
    words = re.findall(r"[^\s\u2e80-\u9fff\uff00-\uffef]+", header)
    return max([-(-width // 2), *(display_width(w) for w in words)])


def text_lines(text: str, width: float, widen: float = 1.0) -> int:
    """Lines an 11 pt text takes wrapped in a column ``width`` wide, rounded up: a row cut short
    hides words, one a line too tall costs only paper.

    Excel's unit is 7 pixels, 5 of each column's being padding. A Chinese character of 11 pt is
    15 pixels and may end a line anywhere; other characters are counted at 7.5, more than most
    Latin letters and digits take, and a tenth more for the room a line loses where a word would
    not fit. LibreOffice's columns are a little wider than Excel's: the same text fits them."""
    room = 7 * width - 5
    lines = 0
    for paragraph in text.splitlines() or [""]:
        wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in paragraph)
        pixels = 15 * wide + 7.5 * 1.1 * (len(paragraph) - wide)
        lines += max(1, math.ceil(pixels * widen / room))
    return lines


def number_format(value: float, suffix: str = "") -> str:
    """'0' for 234, '0.00' for 7.75 (at most four places), with a literal suffix such as （暂定）."""
    places = next((p for p in range(5) if abs(round(value, p) - value) < 1e-9), 4)
    code = "0" if places == 0 else "0." + "0" * places
    return f'{code}"{suffix}"' if suffix else code


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


def ledger_headers(year: int) -> list[str]:
    return [c.header for c in ledger_columns(year)]


def history_headers() -> list[str]:
    return [c.header for c in history_columns()]


def workbook_bytes(ps: PlanStatus, history: Sequence[Update]) -> bytes:
    """The 台账 (summary sheet) and 填报记录 (every record) as an .xlsx file."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "kpi"
    workbook.properties.title = t("ledger.title", title=ps.plan.title, as_of=ps.as_of.isoformat())
    _ledger_sheet(workbook.active, ps)
    _history_sheet(workbook.create_sheet(), ps, history)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(sheet: Worksheet, row: int, column: int, value: Any, fmt: str | None = None) -> Cell:
    """One cell; text stays text, whatever it starts with: never a formula, never an error code."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            # As Excel marks text typed after an apostrophe: shown as is, kept text when edited.
            cell.quotePrefix = True
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt
    return cell


def _header(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for column, text in enumerate(headers, start=1):
        cell = _put(sheet, row, column, text)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _finish(
    sheet: Worksheet,
    header_row: int,
    columns: Sequence[Column],
    widths: Sequence[int],
    skip: Collection[int] = (),
) -> None:
    """Widths, borders, alignment, wrapping and the heights wrapped text needs, and a frozen
    header with filters; the rows in ``skip`` (group rows) keep the look they were given."""
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    line = Side(style="thin", color="A6A6A6")
    border = Border(left=line, right=line, top=line, bottom=line)
    last_column = get_column_letter(len(columns))
    last_row = max(sheet.max_row, header_row)
    final: list[float] = []
    for number, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        fitted = min(MAX_WIDTH, max(width, header_room(column.header), 4) + 2)
        final.append(column.width or fitted)
        sheet.column_dimensions[get_column_letter(number)].width = final[-1]
    aligns = [
        Alignment(
            horizontal="center" if c.centre else None, vertical="top", wrap_text=c.wrap or None
        )
        for c in columns
    ]
    wrapped = [(n, final[n]) for n, c in enumerate(columns) if c.wrap]
    for row in sheet.iter_rows(min_row=header_row, max_row=last_row, max_col=len(columns)):
        number = row[0].row
        if number in skip:
            continue
        for cell, align in zip(row, aligns, strict=True):
            cell.border = border
            if number > header_row:
                cell.alignment = align
        if number == header_row:  # every header may wrap, and is bold: a little wider
            lines = max(text_lines(str(c.value), final[c.column - 1], 1.1) for c in row)
        else:
            lines = max(
                (
                    text_lines(row[n].value, width)
                    for n, width in wrapped
                    if isinstance(row[n].value, str)
                ),
                default=1,
            )
        if lines > 1:
            # Excel and LibreOffice keep a row's height as stored: they do not fit it on opening.
            sheet.row_dimensions[number].height = min(MAX_HEIGHT, LINE_HEIGHT * lines)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"


def _print_setup(sheet: Worksheet, header_row: int, ps: PlanStatus) -> None:
    """A4 landscape, as wide as the page and as many pages long as it takes, the header on
    every page, and a footer: what the sheet is, page n of N, as of which day."""
    from openpyxl.worksheet.page import PageMargins

    sheet.print_title_rows = f"{header_row}:{header_row}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(
        left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.3, footer=0.3
    )
    # Excel refuses a footer of more than 255 characters: a long plan title is cut short.
    title = ps.plan.title if len(ps.plan.title) <= 60 else ps.plan.title[:59] + "…"
    footer = sheet.oddFooter
    parts = (
        (footer.left, _literal(t("ledger.footer_title", title=title, sheet=sheet.title))),
        (footer.center, t("ledger.footer_page", page="&P", pages="&N")),
        (footer.right, _literal(t("ledger.footer_as_of", as_of=ps.as_of.isoformat()))),
    )
    for part, text in parts:
        part.text = text
        part.size = 10


def _literal(text: str) -> str:
    """Text for a header or footer: an & there starts a code (&P is the page), && is an &."""
    return text.replace("&", "&&")


def _ledger_sheet(sheet: Worksheet, ps: PlanStatus) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    plan = ps.plan
    sheet.title = t("ledger.sheet")
    columns = ledger_columns(plan.year)
    headers = [c.header for c in columns]
    title = _put(sheet, 1, 1, t("ledger.title", title=plan.title, as_of=ps.as_of.isoformat()))
    title.font = Font(name=FONT, bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.row_dimensions[1].height = 28
    _header(sheet, 2, headers)
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
            _put(sheet, n, column, value, fmt)
            widths[column - 1] = max(widths[column - 1], display_width(shown))
        sheet.cell(row=n, column=status_column).fill = PatternFill("solid", fgColor=FILLS[r.light])
        sheet.row_dimensions[n].outline_level = 2
    # Each group row heads the rows below it: Excel's fold buttons sit on the group rows.
    sheet.sheet_properties.outlinePr.summaryBelow = False
    sheet.sheet_format.outlineLevelRow = 2
    _finish(sheet, 2, columns, widths, skip=group_rows)
    _print_setup(sheet, 2, ps)


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
    heading = _put(sheet, row, 1, text)
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
    _header(sheet, 1, headers)
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
            cell = _put(sheet, n, column, value, fmt)
            if u.voided:
                cell.font = grey
            widths[column - 1] = max(widths[column - 1], display_width(shown))
    _finish(sheet, 1, columns, widths)
    _print_setup(sheet, 1, ps)
