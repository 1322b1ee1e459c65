"""An .xlsx file's first sheet as rows of text, read as a stream and within bounds.

An .xlsx is a zip of XML files. One of 1.2 MB can hold a sheet that unpacks to gigabytes (a “zip
bomb”), so before openpyxl opens it the zip's own table of contents is checked: what its members
declare they unpack to, together and each against its compressed size (Python's zip reader stops
at the declared size, so a member cannot unpack to more than it says). The sheet is then read in
openpyxl's read-only mode, row by row, and reading stops at Excel's own limits of rows and
columns. Every cell becomes text as a person reads it: 2025-07-01, 5, 60% for a cell shown as a
percentage; formulas as written (``=120``), not their results.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kpi.errors import InputError
from kpi.locale import t

MAX_UNZIPPED = 512 * 2**20  # a district's million records unpack to about 250 MB
MAX_RATIO = 100  # sheets compress 5–20 times; a member packed far tighter is padding
RATIO_FROM = 2**20  # the ratio is checked of members larger than this
MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 16_384

# What openpyxl raises for a file that is not a well-formed workbook, as it reads it.
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, SyntaxError)


def check_zip(path: Path, name: str) -> None:
    """Refuse a zip that would unpack beyond the bounds, before anything is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(t("import.bad_xlsx", file=name, problem=exc)) from None
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED:
        raise InputError(
            t("import.xlsx_too_big", file=name, mb=total // 2**20, limit=MAX_UNZIPPED // 2**20)
        )
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputError(
                t(
                    "import.xlsx_packed",
                    file=name,
                    member=m.filename,
                    mb=m.file_size // 2**20,
                    ratio=m.file_size // max(m.compress_size, 1),
                )
            )


def xlsx_records(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    """Every row of the first sheet, blank ones too, numbered as Excel numbers them."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, *_BROKEN) as exc:
        raise InputError(t("import.bad_xlsx", file=name, problem=exc)) from None
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares may be wrong, or huge: read the rows there are, unpadded.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1)
        number = 0
        while True:
            try:
                row = next(rows, None)
            except _BROKEN as exc:
                raise InputError(t("import.bad_xlsx", file=name, problem=exc)) from None
            if row is None:
                return
            number += 1
            if number > MAX_ROWS:
                raise InputError(t("import.too_many_rows", file=name, limit=f"{MAX_ROWS:,}"))
            if len(row) > MAX_COLUMNS:
                shown = [f"“{c.value}”" for c in row[:50] if c.value not in (None, "")][:5]
                raise InputError(
                    t(
                        "import.too_many_columns",
                        file=name,
                        row=number,
                        n=f"{len(row):,}",
                        limit=f"{MAX_COLUMNS:,}",
                        names="、".join(shown) or "—",
                    )
                )
            yield number, [_cell_text(c.value, getattr(c, "number_format", "")) for c in row]
    finally:
        workbook.close()


def _cell_text(value: Any, number_format: str | None) -> str:
    """A spreadsheet cell as a person would read it: 2025-07-01, 5, 60% (a cell shown as 60%)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if "%" in (number_format or ""):
            return _number_text(value * 100) + "%"
        return _number_text(value)
    return str(getattr(value, "text", value))  # an array formula, as written


def _number_text(value: float) -> str:
    """5.0 → '5', 60.00000000000001 → '60', 641.42 → '641.42' (repr keeps every digit typed)."""
    rounded = round(value, 9)
    if rounded == int(rounded):
        return str(int(rounded))
    return repr(rounded)
