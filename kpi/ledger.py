"""Records in and out of spreadsheets: `kpi import` of a file of updates, and the 台账 export.

Import. Offices keep their progress in spreadsheets, so a CSV (UTF-8 with or without a BOM, or GBK
as Excel on Chinese Windows saves it) or an .xlsx file can be imported whole. The header is
``编号,日期,数值,进展情况,填报人`` or ``code,date,value,note,by``, in any order; the first three are
required. ``read_table`` reads the file into rows of text; ``check_rows`` turns them into updates by
the rules of ``kpi update`` and ``kpi done`` and reports every mistake at once, each naming the row
as the spreadsheet numbers it (the header is row 1) and the column as the file names it. A row
identical to a record already stored (same code, date, value and note) is skipped, so importing
the same file twice records it once. Nothing here writes to the database.

Export. ``ledger_rows`` is the 督查督办台账 as plain rows; ``workbook_bytes`` lays it out with
openpyxl for leaders: a title, a frozen header with filters, lights as words and as fills, shares
as real percentages, and the history on a second sheet. Whatever people typed is stored as text:
no cell of the workbook is a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi.errors import Ambiguous, InputError, NotFound
from kpi.messages import t
from kpi.plan import Item, Milestone, Plan
from kpi.status import ItemStatus, Light, PlanStatus, Update, UpdateKind

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# The columns of an import file: the field, and the headers that name it (English, Chinese).
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
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
# Above every id the database will hand out, in file order: pending records sort after stored ones.
_PENDING_ID = 2**62


# --------------------------------------------------------------------------------------------
# Reading a file


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


# --------------------------------------------------------------------------------------------
# Checking rows


@dataclass(frozen=True, slots=True)
class Checked:
    """The updates a file records, in file order, and how many rows were recorded before."""

    updates: list[Update]
    skipped: int


def find_code(plan: Plan, text: str) -> Item | Milestone:
    """An item or milestone by its exact code; a title, even a unique one, is not taken here."""
    milestone = plan.milestone(text)
    if milestone is not None:
        return milestone
    if plan.has(text):
        return plan.item(text)
    try:
        found = plan.find(text)
    except (NotFound, Ambiguous) as exc:
        raise InputError(exc.message) from None
    raise InputError(t("import.title_not_code", value=text, code=found.code, title=found.title))


def parse_day(raw: str, plan: Plan, today: dt.date) -> dt.date:
    """A record's date: inside the plan's period and not after today."""
    from kpi.values import check_record_day, normalize, parse_date

    day = parse_date(_TRAILING_TIME.sub("", normalize(raw)), today=today, default_year=plan.year)
    return check_record_day(day, plan, today, from_file=True)


def check_rows(
    plan: Plan,
    table: Table,
    *,
    existing: Sequence[Update],
    today: dt.date,
    by: str,
    os_user: str,
) -> Checked:
    """Every row as an update, or ``InputError`` listing every mistake (row and column each)."""
    from kpi.values import parse_record_value

    errors: list[tuple[int, int, str]] = []
    order = {field: n for n, field in enumerate(COLUMNS)}

    def fail(row: int, field: str, problem: str) -> None:
        column = table.columns[field][1]
        message = t("import.cell", file=table.name, row=row, column=column, problem=problem)
        errors.append((row, order[field], message))

    # A file repeats itself: a year has 365 days, a plan some thousand codes, and values recur
    # (60%, +1). Each distinct text is read once; a million rows are then mostly look-ups.
    codes: dict[str, Item | Milestone | InputError] = {}
    days: dict[str, dt.date | InputError] = {}
    values: dict[tuple[Any, str], tuple[UpdateKind, float | None]] = {}
    index = {field: column[0] for field, column in table.columns.items()}
    positions = [index.get(field) for field in ("code", "date", "value", "note", "by")]
    origin = f"import:{table.name}"

    def look_up(cache: dict[Any, Any], key: Any, read: Any, *args: Any) -> Any:
        if key not in cache:
            try:
                cache[key] = read(*args)
            except InputError as exc:
                cache[key] = exc
        return cache[key]

    def code_of(text: str) -> Item | Milestone:
        return find_code(plan, unicodedata.normalize("NFKC", text).strip())

    rows: list[tuple[int, Update]] = []
    for number, cells in table.rows:
        before = len(errors)
        found: Item | Milestone | None = None
        day: dt.date | None = None
        parsed: tuple[UpdateKind, float | None] | None = None
        count = len(cells)
        code_text, date_text, value_text, note_text, by_text = (
            cells[at].strip() if at is not None and at < count else "" for at in positions
        )
        if not (code_text and date_text and value_text):
            for field, text in (("code", code_text), ("date", date_text), ("value", value_text)):
                if not text:
                    fail(number, field, t("import.required"))
        if code_text:
            code_got = codes.get(code_text)
            if code_got is None:
                code_got = look_up(codes, code_text, code_of, code_text)
            if isinstance(code_got, InputError):
                fail(number, "code", code_got.message)
            else:
                found = code_got
        if date_text:
            day_got = days.get(date_text)
            if day_got is None:
                day_got = look_up(days, date_text, parse_day, date_text, plan, today)
            if isinstance(day_got, InputError):
                fail(number, "date", day_got.message)
            else:
                day = day_got
        if found is not None and value_text:
            # Items of one kind read a value alike; a mistake names its item, so is not shared.
            kind_of = (
                ("milestone",)
                if isinstance(found, Milestone)
                else (found.kind, found.accumulate, found.unit)
            )
            parsed = values.get((kind_of, value_text))
            if parsed is None:
                try:
                    parsed = values[(kind_of, value_text)] = parse_record_value(found, value_text)
                except InputError as exc:
                    fail(number, "value", exc.message)
        if len(errors) > before or found is None or day is None or parsed is None:
            continue
        kind, value = parsed
        rows.append(
            (
                number,
                Update(
                    # Not stored yet: it sorts after every stored record of its day, in file order.
                    id=_PENDING_ID + number,
                    code=found.code,
                    item_code=found.item_code if isinstance(found, Milestone) else found.code,
                    date=day,
                    kind=kind,
                    value=value,
                    note=note_text or None,
                    by=by_text or by,
                    os_user=os_user,
                    origin=origin,
                ),
            )
        )

    fresh, skipped = _without_recorded(rows, existing)
    for number, problem in _done_twice(plan, fresh, existing, today):
        fail(number, "value", problem)
    if errors:
        errors.sort()
        lines = [message for _, _, message in errors]
        raise InputError(
            t("import.refused", file=table.name, n=len(lines)) + " " + lines[0],
            details=lines[1:],
        )
    return Checked([u for _, u in fresh], skipped)


def _key(u: Update) -> tuple[Any, ...]:
    value = None if u.value is None else round(u.value, 9)
    return (u.code, u.date, u.kind, value, u.note or None)


def _without_recorded(
    rows: list[tuple[int, Update]], existing: Sequence[Update]
) -> tuple[list[tuple[int, Update]], int]:
    """Drop rows already stored as they are, each stored record matching one row at most.

    A file imported twice is recorded once; two identical rows in one file are two records.
    """
    if not existing:  # a first import: nothing to skip
        return rows, 0
    stored = Counter(_key(u) for u in existing if not u.voided)
    fresh: list[tuple[int, Update]] = []
    for number, u in rows:
        if stored[_key(u)] > 0:
            stored[_key(u)] -= 1
        else:
            fresh.append((number, u))
    return fresh, len(rows) - len(fresh)


def _done_twice(
    plan: Plan, rows: list[tuple[int, Update]], existing: Sequence[Update], today: dt.date
) -> list[tuple[int, str]]:
    """Rows marking done a task or milestone that is done already (stored, or above in the file)."""
    from kpi.status import clamp_to_period, item_status

    problems: list[tuple[int, str]] = []
    done_at: dict[str, int] = {}
    # Each item's records, stored and accepted so far: a done row looks at its own item only.
    records = _by_item(existing)
    for number, u in rows:
        if u.kind == "done":
            if u.code in done_at:
                problems.append((number, t("import.done_twice", code=u.code, row=done_at[u.code])))
                continue
            item = plan.item(u.item_code)
            ref = max(clamp_to_period(plan, today), u.date)
            before = item_status(plan, item, records.get(item.code, []), ref)
            already = (
                u.code in before.milestones_done
                if u.code != item.code
                else before.completion is not None and before.completion >= 1
            )
            if already:
                problems.append((number, t("record.already_done", code=u.code)))
                continue
            done_at[u.code] = number
        records.setdefault(u.item_code, []).append(u)
    return problems


def _by_item(updates: Sequence[Update]) -> dict[str, list[Update]]:
    grouped: dict[str, list[Update]] = {}
    for u in updates:
        grouped.setdefault(u.item_code, []).append(u)
    return grouped


# --------------------------------------------------------------------------------------------
# What an import changes


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One item's records in an import, and its status before and after them."""

    item: Item
    count: int
    before: ItemStatus
    after: ItemStatus


def changes(
    plan: Plan,
    existing: Sequence[Update],
    new: Sequence[Update],
    today: dt.date,
    *,
    limit: int | None = None,
) -> list[ItemChange]:
    """Per item, in plan order: how many records and the status they lead to (the first
    ``limit`` items only, when given: each costs a status before and after)."""
    from kpi.status import clamp_to_period, item_status

    pending = _by_item(new)
    stored_by_item = _by_item(existing)
    out: list[ItemChange] = []
    for item in plan.items:
        mine = pending.get(item.code)
        if not mine:
            continue
        if limit is not None and len(out) >= limit:
            break
        ref = max(clamp_to_period(plan, today), *(u.date for u in mine))
        stored = stored_by_item.get(item.code, [])
        before = item_status(plan, item, stored, ref)
        after = item_status(plan, item, [*stored, *mine], ref)
        out.append(ItemChange(item, len(mine), before, after))
    return out


# --------------------------------------------------------------------------------------------
# The 督查督办台账


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
    from kpi import render

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
                task=render.title_with_unit(item),
                office=item.lead_office,
                deadline=item.deadline,
                baseline=item.baseline.value if item.baseline else None,
                target=item.target.value if item.target else None,
                provisional=bool(item.target and item.target.provisional),
                actual=s.actual if item.is_indicator else None,
                completion=s.completion,
                expected=s.expected,
                light=s.light,
                light_word=render.light_text(s).plain,
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
    from kpi import render

    return "" if value is None else render.num(value)


def _history_sheet(sheet: Worksheet, plan: Plan, history: Sequence[Update]) -> None:
    from openpyxl.styles import Font

    from kpi import render

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
        record = render.describe(u, units.get(u.item_code))
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
