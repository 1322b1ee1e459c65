"""Reading a spreadsheet of records: a CSV or an .xlsx file → rows of text under a checked header.

Offices keep their progress in spreadsheets, so a CSV (UTF-8 with or without a BOM, or GBK as
Excel on Chinese Windows saves it) or an .xlsx file can be imported whole. The header is
``编号,日期,数值,进展情况,填报人`` or ``code,date,value,note,by``, in any order; the first three are
required, and a title above the header (as sheets often have, the 台账 among them) is passed over.

A district's file holds a million rows, so nothing here holds a file whole: ``open_table`` finds
and checks the header, and ``Table.rows`` streams the rows below it, each as text with its row
number as the spreadsheet numbers it (the header is row 1), as often as the import needs to read
them (it checks them all, then writes them). Every bound a hostile file could push — its size, a
line, a cell, the columns of a row, the rows of a sheet — is checked as it is read, and refused in
one line that names the row.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

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
MAX_COLUMNS = 16_384  # Excel's own limit: no sheet saved by it has more
MAX_LINE = 2**20  # characters of one line of a CSV: five cells at the csv module's limit fit
NAMED = 5  # unknown columns a message names; the rest are counted
_CHUNK = 2**20

Row = tuple[int, list[str]]  # (row number as the spreadsheet shows it, cells)

_HEADER_NAMES = {
    unicodedata.normalize("NFKC", name).casefold(): field
    for field, names in COLUMNS.items()
    for name in names
}


@dataclass(frozen=True, slots=True)
class Source:
    """A file that can be read again from its start: the path given, or a copy of a pipe."""

    name: str
    path: Path
    kind: str  # csv | xlsx
    encoding: str = "utf-8-sig"
    stamp: tuple[int, int, int] = (0, 0, 0)  # (size, mtime, inode) when first read

    def records(self) -> Iterator[Row]:
        """Every row of the file, blank ones too, numbered from 1."""
        try:
            same = _stamp(self.path) == self.stamp
        except OSError:  # removed, or moved away
            same = False
        if not same:
            raise InputError(t("import.changed", file=self.name))
        if self.kind == "xlsx":
            from kpi.sheets.xlsx import xlsx_records

            return xlsx_records(self.path, self.name)
        return _csv_records(self)


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header, checked: ``columns`` maps a field to (index, header); ``rows`` streams
    the rows below it that hold anything."""

    name: str
    columns: dict[str, tuple[int, str]]
    header_row: int
    source: Source
    unnamed: tuple[int, ...] = ()  # blank header cells within the header's width
    width: int = 0
    _keep: list[object] = field(default_factory=list)  # a copy of a pipe lives as long as this

    def rows(self) -> Iterator[Row]:
        """The rows below the header that hold anything; a cell in a column with no name is
        refused (the header's mistake, so it names the columns, not each row)."""
        header, width, unnamed = self.header_row, self.width, self.unnamed
        for number, cells in self.source.records():
            if number <= header or not cells:
                continue
            if not (cells[0].strip() or any(c.strip() for c in cells)):
                continue
            if len(cells) > width or unnamed:
                stray = _stray(cells, width, unnamed)
                if stray:
                    raise _unknown(self.name, header, [], stray)
            yield number, cells


def open_table(path: Path, name: str) -> Table:
    """The CSV or .xlsx file at ``path`` with its header checked; ``name`` is how messages call
    the file. Only the header and whatever precedes it are read here."""
    keep: list[object] = []
    try:
        if path.is_file():
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise InputError(t("import.too_big", file=name, mb=MAX_BYTES // 2**20))
        else:  # a pipe or a device: copied (bounded) so that it can be read twice
            path = _copy(path, name, keep)
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise InputError(t("import.file_missing", path=name)) from None
    except OSError as exc:
        raise InputError(t("import.unreadable", path=name, problem=exc.strerror or exc)) from None
    suffix = path.suffix.lower() if not keep else Path(name).suffix.lower()
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Excel format
        raise InputError(t("import.xls", file=name))
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        from kpi.sheets.xlsx import check_zip

        check_zip(path, name)
        source = Source(name, path, "xlsx", stamp=_stamp(path))
    else:
        source = Source(name, path, "csv", _encoding(path, name), _stamp(path))
    return _table(source, keep)


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _copy(path: Path, name: str, keep: list[object]) -> Path:
    with path.open("rb") as src:
        copy = tempfile.NamedTemporaryFile(prefix="kpi-import-", delete=True)  # noqa: SIM115
        keep.append(copy)
        copied = 0
        while chunk := src.read(_CHUNK):
            copied += len(chunk)
            if copied > MAX_BYTES:  # /dev/zero, or a pipe far too big, stops here
                raise InputError(t("import.too_big", file=name, mb=MAX_BYTES // 2**20))
            copy.write(chunk)
        copy.flush()
    return Path(copy.name)


def _encoding(path: Path, name: str) -> str:
    """UTF-8 (a BOM or not), else GBK — what Excel on Chinese Windows saves as “CSV” — read
    through once, a chunk at a time. UTF-16 (Excel's “Unicode text”) is neither."""
    with path.open("rb") as handle:
        first = handle.read(_CHUNK)
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or first.count(0) * 4 > len(first):
        raise InputError(t("import.bad_encoding", file=name))
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file, and more
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(t("import.bad_encoding", file=name))


class _TooWide(Exception):
    def __init__(self, line: str) -> None:
        self.line = line


def _lines(handle: IO[str]) -> Iterator[str]:
    """The file's lines for the csv module, none longer than ``MAX_LINE`` characters."""
    readline = handle.readline
    while line := readline(MAX_LINE):
        # Many cells, or one line longer than any five cells can be: refused by ``_csv_records``.
        wide = len(line) >= MAX_COLUMNS and line.count(",") >= MAX_COLUMNS
        if wide or (len(line) >= MAX_LINE and line[-1] not in "\r\n"):
            raise _TooWide(line)
        yield line


def _csv_records(source: Source) -> Iterator[Row]:
    name = source.name
    number = 0
    try:
        with source.path.open(encoding=source.encoding, newline="") as handle:
            reader = csv.reader(_lines(handle))
            # A blank line is a row of its own (csv gives []), so numbers match the spreadsheet's.
            for number, cells in enumerate(reader, start=1):
                if len(cells) > MAX_COLUMNS:
                    raise _too_wide(name, number, cells)
                yield number, cells
    except _TooWide as exc:
        row = number + 1
        if exc.line.count(",") < MAX_COLUMNS:  # one cell far too long, not many cells
            raise InputError(
                t("import.cell_too_long", file=name, row=row, limit=_limit())
            ) from None
        cut = len(exc.line) >= MAX_LINE and exc.line[-1] not in "\r\n"
        cells = next(csv.reader([exc.line[:4096]]), [])
        raise _too_wide(name, row, cells, n=exc.line.count(",") + 1, more=cut) from None
    except csv.Error as exc:
        row = number + 1
        if "field larger" in str(exc):
            raise InputError(
                t("import.cell_too_long", file=name, row=row, limit=_limit())
            ) from None
        raise InputError(t("import.bad_csv_row", file=name, row=row, problem=exc)) from None
    except UnicodeDecodeError:  # the file changed after it was read through
        raise InputError(t("import.changed", file=name)) from None


def _limit() -> int:
    return csv.field_size_limit()


def _too_wide(
    name: str, row: int, cells: list[str], *, n: int | None = None, more: bool = False
) -> InputError:
    """A row of far too many cells, naming the first few that are not columns of a record."""
    shown = [f"“{c.strip()}”" for c in cells if c.strip() and _header_key(c) not in _HEADER_NAMES]
    n = len(cells) if n is None else n
    return InputError(
        t(
            "import.too_many_columns",
            file=name,
            row=row,
            n=f"{n:,}+" if more else f"{n:,}",
            limit=f"{MAX_COLUMNS:,}",
            names="、".join(shown[:NAMED]) or "—",
        )
    )


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _stray(cells: list[str], width: int, unnamed: tuple[int, ...]) -> list[int]:
    """The columns (0-based) of ``cells`` holding something under no name."""
    found = [i for i in unnamed if i < len(cells) and cells[i].strip()]
    found += [i for i in range(width, len(cells)) if cells[i].strip()]
    return found


def _unknown(name: str, row: int, names: list[str], stray: list[int]) -> InputError:
    listed = [f"“{n}”" for n in names] + [t("import.unnamed_column", n=i + 1) for i in stray]
    total = len(listed)
    text = "、".join(listed[:NAMED])
    if total > NAMED:
        text += t("import.more_columns", n=f"{total:,}")
    return InputError(
        t("import.unknown_columns", file=name, row=row, names=text, zh=HEADER_ZH, en=HEADER_EN)
    )


def _table(source: Source, keep: list[object]) -> Table:
    """Find the header, check it, and keep the rows below it.

    The header is the first row naming a known column: a title above it (as sheets often have,
    the 台账 among them) is passed over. A file with no such row has its first row checked.
    """
    name = source.name
    first: Row | None = None
    found: Row | None = None
    for number, cells in source.records():
        if not cells or not (cells[0].strip() or any(c.strip() for c in cells)):
            continue
        if first is None:
            first = (number, cells)
        if any(_header_key(c) in _HEADER_NAMES for c in cells):
            found = (number, cells)
            break
    if first is None:
        raise InputError(t("import.empty", file=name, header=HEADER_ZH))
    header_row, header = found or first
    columns: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    unnamed: list[int] = []
    for index, cell in enumerate(header):
        text = cell.strip()
        if not text:
            unnamed.append(index)
            continue
        key = _HEADER_NAMES.get(_header_key(text))
        if key is None:
            unknown.append(text)
        elif key in columns:
            raise InputError(
                t(
                    "import.duplicate_column",
                    file=name,
                    row=header_row,
                    name=text,
                    other=columns[key][1],
                )
            )
        else:
            columns[key] = (index, text)
    table = Table(name, columns, header_row, source, tuple(unnamed), len(header), keep)
    if unknown:
        # Name the columns with data but no name too, as far as the first rows show them.
        stray: set[int] = set()
        try:
            for n, (_, cells) in enumerate(_peek(table)):
                stray.update(_stray(cells, table.width, table.unnamed))
                if n >= 1000 or len(stray) > NAMED:
                    break
        except InputError:
            pass
        raise _unknown(name, header_row, unknown, sorted(stray))
    missing = [COLUMNS[f][1] + "/" + COLUMNS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise InputError(
            t("import.missing_columns", file=name, row=header_row, names="、".join(missing))
        )
    return table


def _peek(table: Table) -> Iterator[Row]:
    """The rows below the header, columns with no name let through."""
    open_rows = Table(table.name, table.columns, table.header_row, table.source, (), 10**9)
    return open_rows.rows()
