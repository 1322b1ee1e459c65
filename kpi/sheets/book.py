"""Cells and pages of an .xlsx workbook: text that stays text, headers, widths that fit, print.

What every sheet kpi writes has in common (``ledger`` lays out the 台账 with it): a cell of text is
text whatever it starts with (never a formula); columns as wide as their values or given the room
of the page; rows as tall as their wrapped text (no office program fits them on opening); A4
landscape, fitted to the page's width, the header on every page, and a footer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpi.locale import t

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from kpi.core.status import PlanStatus

HEADER_FILL = "D9E1F2"
FONT = "Calibri"  # the workbook's own font: a bold or grey cell keeps it
MAX_WIDTH = 40
LINE_HEIGHT = 15  # points per line of 11 pt text, as Excel fits a row of Calibri or 等线
MAX_HEIGHT = 409  # the tallest row Excel keeps
_FORMULA_START = ("=", "+", "-", "@")


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


def put(sheet: Worksheet, row: int, column: int, value: Any, fmt: str | None = None) -> Cell:
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


def header(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for column, text in enumerate(headers, start=1):
        cell = put(sheet, row, column, text)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def finish(
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


def a4_landscape(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, as wide as the page and as many pages long as it takes, the header row on
    every page."""
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


def print_setup(sheet: Worksheet, header_row: int, ps: PlanStatus) -> None:
    """A4 landscape, as wide as the page and as many pages long as it takes, the header on
    every page, and a footer: what the sheet is, page n of N, as of which day."""
    a4_landscape(sheet, header_row)
    # Excel refuses a footer of more than 255 characters: a long plan title is cut short.
    title = ps.plan.title if len(ps.plan.title) <= 60 else ps.plan.title[:59] + "…"
    footer = sheet.oddFooter
    parts = (
        (footer.left, literal(t("ledger.footer_title", title=title, sheet=sheet.title))),
        (footer.center, t("ledger.footer_page", page="&P", pages="&N")),
        (footer.right, literal(t("ledger.footer_as_of", as_of=ps.as_of.isoformat()))),
    )
    for part, text in parts:
        part.text = text
        part.size = 10


def literal(text: str) -> str:
    """Text for a header or footer: an & there starts a code (&P is the page), && is an &."""
    return text.replace("&", "&&")
