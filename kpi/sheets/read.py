"""Reading a spreadsheet of records: a CSV or an .xlsx file → rows of text under a checked header.

Offices keep their progress in spreadsheets, so a CSV (UTF-8 with or without a BOM, or GBK as
Excel on Chinese Windows saves it) or an .xlsx file can be imported whole. The header is
``编号,日期,数值,进展情况,填报人`` or ``code,date,value,note,by``, in any order; the first three are
required, and a title above the header (as sheets often have, the 台账 among them) is passed over.
``read_table`` gives every row as text with its row number as the spreadsheet numbers it (the
header is row 1), for ``rows`` to check.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpi.errors import InputError
from kpi.locale import t

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "编号"),
    "date": ("date", "日期"),
    "value": ("value", "数值"),
    "note": ("note", "进展情况"),
    "by": ("by", "填报人"),
}
REQUIRED = ("code", "date", "value")
HEADER_ZH = ",".join(names[1] for names in COLUMNS.values())
HEADER_EN = ",".join(names[0] for names in COLUMNS.values())
# A year of an office's records is well under 1 MB; a district's million records about 36 MB.
MAX_BYTES = 128 * 2**20

_HEADER_NAMES = {
    unicodedata.normalize("NFKC", name).casefold(): field
    for field, names in COLUMNS.items()
    for name in names
}
# Excel's CSV keeps the time of a date cell: 2025/7/1 0:00.


@dataclass(frozen=True, slots=True)
class Table:
    """A file's rows as text, its header checked: ``columns`` maps a field to (index, header)."""

    name: str
    columns: dict[str, tuple[int, str]]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


def read_table(path: Path, name: str) -> Table:
    """The CSV or .xlsx file at ``path`` as a ``Table``; ``name`` is how messages call the file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # /dev/zero, or a file far too big, stops here
    except FileNotFoundError:
        raise InputError(t("import.file_missing", path=name)) from None
    except OSError as exc:
        raise InputError(t("import.unreadable", path=name, problem=exc.strerror or exc)) from None
    if len(data) > MAX_BYTES:
        raise InputError(t("import.too_big", file=name, mb=MAX_BYTES // 2**20))
    suffix = path.suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Excel format
        raise InputError(t("import.xls", file=name))
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data, name)
    else:
        rows = _csv_rows(data, name)
    return _table(rows, name)


def decode_csv(data: bytes, name: str) -> str:
    """UTF-8 (a BOM or not), else GBK — what Excel on Chinese Windows saves as “CSV”."""
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file, and more
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise InputError(t("import.bad_encoding", file=name))


def _csv_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    text = decode_csv(data, name)
    try:
        # A blank line is a row of its own (csv gives []), so numbers match the spreadsheet's.
        return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as exc:
        raise InputError(t("import.bad_csv", file=name, problem=exc)) from None


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    """The first sheet, every cell as text; formulas as written (``=120``), not their results."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InputError(t("import.bad_xlsx", file=name, problem=exc)) from None
    sheet = workbook.worksheets[0]
    rows = [
        (row[0].row, [_cell_text(c.value, c.number_format) for c in row])
        for row in sheet.iter_rows()
        if row
    ]
    workbook.close()
    return rows


def _cell_text(value: Any, number_format: str) -> str:
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


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _table(rows: list[tuple[int, list[str]]], name: str) -> Table:
    """Find the header, check it, and keep the rows below it.

    The header is the first row naming a known column: a title above it (as sheets often have,
    the 台账 among them) is passed over. A file with no such row has its first row checked.
    """
    # A row counts when any cell holds something (the first usually does: a quick test first).
    filled = [
        (n, cells)
        for n, cells in rows
        if cells and (cells[0].strip() or any(c.strip() for c in cells))
    ]
    if not filled:
        raise InputError(t("import.empty", file=name, header=HEADER_ZH))
    header_row, header = next(
        ((n, cells) for n, cells in filled if any(_header_key(c) in _HEADER_NAMES for c in cells)),
        filled[0],
    )
    data = [(n, cells) for n, cells in filled if n > header_row]
    columns: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    width = max(len(cells) for _, cells in filled)
    for index in range(width):
        text = header[index].strip() if index < len(header) else ""
        if not text:
            if any(index < len(cells) and cells[index].strip() for _, cells in data):
                unknown.append(t("import.unnamed_column", n=index + 1))
            continue
        field = _HEADER_NAMES.get(_header_key(text))
        if field is None:
            unknown.append(f"“{text}”")
        elif field in columns:
            raise InputError(
                t(
                    "import.duplicate_column",
                    file=name,
                    row=header_row,
                    name=text,
                    other=columns[field][1],
                )
            )
        else:
            columns[field] = (index, text)
    if unknown:
        raise InputError(
            t(
                "import.unknown_columns",
                file=name,
                row=header_row,
                names="、".join(unknown),
                zh=HEADER_ZH,
                en=HEADER_EN,
            )
        )
    missing = [COLUMNS[f][1] + "/" + COLUMNS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise InputError(
            t("import.missing_columns", file=name, row=header_row, names="、".join(missing))
        )
    if not data:
        raise InputError(t("import.no_rows", file=name))
    return Table(name, columns, data)
