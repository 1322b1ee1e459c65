"""Every plan's 台账 in one workbook, for the district: a summary sheet, then one sheet per plan.

The summary is the district's table (``kpi --plan all status``): a row per plan, worst first, its
counts, the share of its work done against the time elapsed, the gap in points coloured by the
plan's light. Each plan's sheet is its own 台账 (``ledger.ledger_sheet``), as of its own day.
Sheet names are the plan's id and organisation, cut to Excel's 31 characters, without the
characters Excel refuses, and unique. Everything prints like the 台账: A4 landscape, fitted to the
width, the header on every page, a footer; every text stays text (never a formula).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from kpi.locale import t
from kpi.report.district.model import District
from kpi.sheets.book import FONT, Column, a4_landscape, display_width, finish, header, literal, put
from kpi.sheets.ledger import FILLS, ledger_sheet

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_NAME_MAX = 31  # Excel's limit
_REFUSED = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_PERCENT = "0.0%"
_POINTS = '+0.0;"−"0.0;0.0'


def sheet_names(wanted: list[str], taken: set[str] | None = None) -> list[str]:
    """Each wanted name as Excel takes it: no ``[]:*?/\\``, no leading or trailing apostrophe,
    at most 31 characters, and unique (Excel ignores case): a second one gets ``~2``."""
    used = {n.casefold() for n in (taken or set())}
    out = []
    for name in wanted:
        clean = _REFUSED.sub("", name).strip().strip("'").strip() or "sheet"
        candidate = clean[:SHEET_NAME_MAX].rstrip()
        n = 1
        while candidate.casefold() in used:
            n += 1
            mark = f"~{n}"
            candidate = clean[: SHEET_NAME_MAX - len(mark)].rstrip() + mark
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def summary_columns() -> list[Column]:
    return [
        Column(t("col.rank"), centre=True),
        Column(t("col.plan"), centre=True),
        Column(t("col.organisation"), 16, wrap=True),
        Column(t("col.plan_title"), 30, wrap=True),
        Column(t("col.as_of"), centre=True),
        Column(t("col.items")),
        Column(t("light.short.done")),
        Column(t("light.short.green")),
        Column(t("light.short.yellow")),
        Column(t("light.short.red")),
        Column(t("light.short.none")),
        Column(t("light.short.monitor")),
        Column(t("col.mean")),
        Column(t("col.elapsed")),
        Column(t("col.gap"), centre=True),
        Column(t("col.stale")),
    ]


def workbook_bytes(d: District) -> bytes:
    """The summary sheet and every plan's 台账 as an .xlsx file."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "kpi"
    workbook.properties.title = t("district.book_title", as_of=d.as_of.isoformat())
    summary = workbook.active
    summary.title = sheet_names([t("district.sheet")])[0]
    names = sheet_names([f"{r.id} {r.organisation}" for r in d.rows], {summary.title})
    summary_sheet(summary, d)
    for row, name in zip(d.rows, names, strict=True):
        ledger_sheet(workbook.create_sheet(), row.status, name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary_sheet(sheet: Worksheet, d: District) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = summary_columns()
    title = put(sheet, 1, 1, t("district.book_title", as_of=d.as_of.isoformat()))
    title.font = Font(name=FONT, bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.row_dimensions[1].height = 28
    header(sheet, 2, [c.header for c in columns])
    widths = [0] * len(columns)
    gap_column = 15
    for n, r in enumerate(d.rows, start=3):
        cells: list[tuple[Any, str | None, str]] = [
            (r.rank, None, str(r.rank)),
            (r.id, None, r.id),
            (r.organisation, None, r.organisation),
            (r.title, None, r.title),
            (r.as_of, "yyyy-mm-dd", r.as_of.isoformat()),
            (r.items, None, str(r.items)),
            *((v, None, str(v)) for v in r.counts.values()),
            (r.monitored, None, str(r.monitored)),
            (r.completion, _PERCENT, "100.0%"),
            (r.elapsed, _PERCENT, "100.0%"),
            (None if r.gap_points is None else r.gap_points, _POINTS, "+100.0"),
            (r.stale, None, str(r.stale)),
        ]
        for column, (value, fmt, shown) in enumerate(cells, start=1):
            put(sheet, n, column, value, fmt)
            widths[column - 1] = max(widths[column - 1], display_width(shown))
        sheet.cell(row=n, column=gap_column).fill = PatternFill("solid", fgColor=FILLS[r.light])
    finish(sheet, 2, columns, widths)
    _print(sheet, d)


def _print(sheet: Worksheet, d: District) -> None:
    """As the 台账 prints (``book.print_setup``), with the district's words in the footer."""
    a4_landscape(sheet, 2)
    footer = sheet.oddFooter
    parts = (
        (footer.left, literal(t("district.footer_title", sheet=sheet.title))),
        (footer.center, t("ledger.footer_page", page="&P", pages="&N")),
        (footer.right, literal(t("ledger.footer_as_of", as_of=d.as_of.isoformat()))),
    )
    for part, text in parts:
        part.text = text
        part.size = 10
