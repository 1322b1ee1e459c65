"""The 督查督办台账: statuses and records as an .xlsx workbook for leaders.

``ledger_rows`` is the ledger as plain rows; ``workbook_bytes`` lays it out with openpyxl: a
title, a frozen header with filters, lights as words and as fills, shares as real percentages,
and the history on a second sheet. Whatever people typed is stored as text: no cell of the
workbook is a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpi.core.plan import Plan
from kpi.core.records import Update
from kpi.core.status import Light, PlanStatus
from kpi.formats.words import describe, light_word, num, title_with_unit
from kpi.locale import t

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True, slots=True)
class LedgerRow:
    number: int
    area: str
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
                area=areas[item.area_code],
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
MAX_WIDTH = 40
_FORMULA_START = ("=", "+", "-", "@")
_PERCENT = "0.0%"
_DATE = "yyyy-mm-dd"


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is about two."""
    lines = text.splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def number_format(value: float, suffix: str = "") -> str:
    """'0' for 234, '0.00' for 7.75 (at most four places), with a literal suffix such as （暂定）."""
    places = next((p for p in range(5) if abs(round(value, p) - value) < 1e-9), 4)
    code = "0" if places == 0 else "0." + "0" * places
    return f'{code}"{suffix}"' if suffix else code


def ledger_headers(year: int) -> list[str]:
    return [
        t("ledger.number"),
        t("col.area"),
        t("ledger.section"),
        t("col.code"),
        t("ledger.task"),
        t("col.office"),
        t("show.deadline"),
        t("ledger.baseline", year=year - 1),
        t("ledger.target", year=year),
        t("col.actual"),
        t("col.completion"),
        t("col.expected"),
        t("col.status"),
        t("ledger.latest"),
    ]


def history_headers() -> list[str]:
    return [
        t("col.code"),
        t("col.date"),
        t("col.record"),
        t("col.note"),
        t("col.by"),
        t("ledger.os_user"),
        t("ledger.recorded_at"),
        t("ledger.voided"),
        t("ledger.void_reason"),
    ]


def workbook_bytes(ps: PlanStatus, history: Sequence[Update]) -> bytes:
    """The 台账 (summary sheet) and 填报记录 (every record) as an .xlsx file."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "kpi"
    workbook.properties.title = t("ledger.title", title=ps.plan.title, as_of=ps.as_of.isoformat())
    _ledger_sheet(workbook.active, ps)
    _history_sheet(workbook.create_sheet(), ps.plan, history)
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
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _finish(sheet: Worksheet, header_row: int, widths: list[int], wrap: set[int]) -> None:
    """Widths, borders, wrapping, a frozen header with filters, and landscape A4 printing."""
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    line = Side(style="thin", color="A6A6A6")
    border = Border(left=line, right=line, top=line, bottom=line)
    last_column = get_column_letter(len(widths))
    last_row = max(sheet.max_row, header_row)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, width + 2)
    for row in sheet.iter_rows(min_row=header_row, max_row=last_row, max_col=len(widths)):
        for cell in row:
            cell.border = border
            if cell.row > header_row:
                cell.alignment = Alignment(vertical="top", wrap_text=cell.column in wrap)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _ledger_sheet(sheet: Worksheet, ps: PlanStatus) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    plan = ps.plan
    sheet.title = t("ledger.sheet")
    headers = ledger_headers(plan.year)
    title = _put(sheet, 1, 1, t("ledger.title", title=plan.title, as_of=ps.as_of.isoformat()))
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.row_dimensions[1].height = 28
    _header(sheet, 2, headers)
    widths = [display_width(h) for h in headers]
    provisional = t("show.provisional")
    for n, r in enumerate(ledger_rows(ps), start=3):
        target_fmt = None
        if r.target is not None:
            target_fmt = number_format(r.target, f"（{provisional}）" if r.provisional else "")
        cells: list[tuple[Any, str | None, str]] = [
            (r.number, None, str(r.number)),
            (r.area, None, r.area),
            (r.section, None, r.section),
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
        status = sheet.cell(row=n, column=13)
        status.fill = PatternFill("solid", fgColor=FILLS[r.light])
    _finish(sheet, 2, widths, wrap={2, 3, 5, 14})
    for column in (1, 4, 7, 13):  # 序号, 编号, 完成时限, 状态: centred
        for row in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            row[0].alignment = Alignment(horizontal="center", vertical="top")


def _fmt(value: float | None) -> str | None:
    return None if value is None else number_format(value)


def _shown(value: float | None) -> str:
    return "" if value is None else num(value)


def _history_sheet(sheet: Worksheet, plan: Plan, history: Sequence[Update]) -> None:
    from openpyxl.styles import Font

    sheet.title = t("ledger.history_sheet")
    headers = history_headers()
    _header(sheet, 1, headers)
    widths = [display_width(h) for h in headers]
    units = {i.code: i.unit for i in plan.items}
    grey = Font(color="808080", strike=True)
    for n, u in enumerate(history, start=2):
        recorded = u.recorded_at
        if recorded is not None and recorded.tzinfo is not None:
            recorded = recorded.astimezone().replace(tzinfo=None)  # Excel has no time zones
        record = describe(u, units.get(u.item_code))
        cells: list[tuple[Any, str | None, str]] = [
            (u.code, None, u.code),
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
    _finish(sheet, 1, widths, wrap={4, 9})
