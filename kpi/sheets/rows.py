"""Checking imported rows: each row of a file becomes a record by the rules of ``kpi update`` and
``kpi done``, or every mistake is listed at once, each naming its row and its column.

A row identical to a record already stored (same code, date, value and note) is skipped, so
importing the same file twice records it once. Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kpi.core.plan import Item, Milestone, Plan
from kpi.core.records import Update, UpdateKind
from kpi.core.status import ItemStatus
from kpi.errors import Ambiguous, InputError, NotFound
from kpi.locale import t
from kpi.sheets.read import COLUMNS, Table

# Excel's CSV keeps the time of a date cell: 2025/7/1 0:00.
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
# Above every id the database will hand out, in file order: pending records sort after stored ones.
_PENDING_ID = 2**62


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
    from kpi.core.records import check_record_day
    from kpi.core.values import normalize, parse_date

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
    parsed = parse_rows(plan, table, today=today, by=by, os_user=os_user)
    return against_stored(plan, table, parsed, existing, today)


Rows = list[tuple[int, Update]]  # (row number as the spreadsheet shows it, its record)
Errors = list[tuple[int, int, str]]  # (row, column, message), to be sorted into file order


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file's rows read as records, and the mistakes of those that could not be."""

    rows: Rows
    errors: Errors


def _refuse(table: Table, errors: list[tuple[int, int, str]]) -> InputError:
    errors.sort()
    lines = [message for _, _, message in errors]
    return InputError(
        t("import.refused", file=table.name, n=len(lines)) + " " + lines[0], details=lines[1:]
    )


def _cell_error(table: Table, row: int, field: str, problem: str) -> tuple[int, int, str]:
    column = table.columns[field][1]
    message = t("import.cell", file=table.name, row=row, column=column, problem=problem)
    return (row, list(COLUMNS).index(field), message)


def against_stored(
    plan: Plan, table: Table, parsed: Parsed, stored: Sequence[Update], today: dt.date
) -> Checked:
    """The rows not recorded already, or ``InputError`` listing every mistake: those of
    reading the rows, and rows that finish what is done already.

    Run inside the write transaction with the records stored at that moment, so that two
    imports of one sheet at once record each row once."""
    fresh, skipped = _without_recorded(parsed.rows, stored)
    errors = parsed.errors + [
        _cell_error(table, number, "value", problem)
        for number, problem in _done_twice(plan, fresh, stored, today)
    ]
    if errors:
        raise _refuse(table, errors)
    return Checked([u for _, u in fresh], skipped)


def parse_rows(plan: Plan, table: Table, *, today: dt.date, by: str, os_user: str) -> Parsed:
    """Every row as a record by the rules of ``kpi update``, and every mistake, each naming its
    row and its column."""
    from kpi.core.records import parse_record_value

    errors: list[tuple[int, int, str]] = []

    def wrong(row: int, field: str, problem: str) -> None:
        errors.append(_cell_error(table, row, field, problem))

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

    rows: Rows = []
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
                    wrong(number, field, t("import.required"))
        if code_text:
            code_got = codes.get(code_text)
            if code_got is None:
                code_got = look_up(codes, code_text, code_of, code_text)
            if isinstance(code_got, InputError):
                wrong(number, "code", code_got.message)
            else:
                found = code_got
        if date_text:
            day_got = days.get(date_text)
            if day_got is None:
                day_got = look_up(days, date_text, parse_day, date_text, plan, today)
            if isinstance(day_got, InputError):
                wrong(number, "date", day_got.message)
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
                    wrong(number, "value", exc.message)
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

    return Parsed(rows, errors)


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
    from kpi.core.status import clamp_to_period, item_status

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
    from kpi.core.status import clamp_to_period, item_status

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
