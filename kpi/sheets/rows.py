"""Reading imported rows: each row of a file becomes a record by the rules of ``kpi update`` and
``kpi done``, or its mistakes, each naming its row and its column.

A row is read on its own here — its code, date and value, and its note and 填报人 as text a person
typed (no control or invisible character, within the lengths of ``kpi.core.safety``). What a
row means beside the others and beside the stored records (done already, recorded already, a
figure moved far out of line) is ``kpi.sheets.checks``. Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from kpi.core.plan import Item, Milestone, Plan
from kpi.core.records import Update, UpdateKind
from kpi.errors import Ambiguous, InputError, NotFound
from kpi.locale import t
from kpi.sheets.read import COLUMNS, Table

# Excel's CSV keeps the time of a date cell: 2025/7/1 0:00.
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
# Above every id the database will hand out, in file order: pending records sort after stored ones.
PENDING_ID = 2**62
MAX_LISTED = 200  # mistakes a refusal lists in full; the rest are counted
_CACHE = 100_000  # distinct texts remembered per column, so that a file of garbage stays small
FIELDS = tuple(COLUMNS)

# A row read as a record: (row, code, item code, day, kind, value, note, 填报人)
Record = tuple[int, str, str, dt.date, UpdateKind, float | None, str | None, str]


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


class Mistakes:
    """A file's mistakes as (row, column, message), in file order: the first ``MAX_LISTED`` in
    full, the rest counted."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.listed: list[tuple[int, int, str]] = []
        self.count = 0

    def add(self, row: int, field: str, problem: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED:
            column = self.table.columns[field][1]
            message = t(
                "import.cell", file=self.table.name, row=row, column=column, problem=problem
            )
            self.listed.append((row, FIELDS.index(field), message))

    def refusal(self) -> InputError:
        lines = [message for _, _, message in sorted(self.listed)]
        if self.count > len(lines):
            lines.append(t("import.more_errors", n=self.count - len(lines)))
        return InputError(
            t("import.refused", file=self.table.name, n=self.count) + " " + lines[0],
            details=lines[1:],
        )


class Reader:
    """Turns a table's rows into records by the rules of ``kpi update``; every distinct text is
    read once (a year has 365 days, a plan some thousand codes, and values recur)."""

    def __init__(self, plan: Plan, table: Table, *, today: dt.date, by: str) -> None:
        from kpi.core.safety import MAX_NAME, MAX_NOTE, MAX_QUOTE

        self.plan, self.table, self.today, self.by = plan, table, today, by
        self._codes: dict[str, Item | Milestone | InputError] = {}
        self._days: dict[str, dt.date | InputError] = {}
        self._values: dict[tuple[Any, str], tuple[UpdateKind, float | None] | InputError] = {}
        self._texts: dict[tuple[str, str], str | None] = {}  # (field, text) → problem
        index = {f: column[0] for f, column in table.columns.items()}
        self._positions = [index.get(f) for f in FIELDS]
        self._limits = {
            "code": (MAX_QUOTE, False),
            "date": (MAX_QUOTE, False),
            "value": (MAX_QUOTE, False),
            "note": (MAX_NOTE, True),
            "by": (MAX_NAME, False),
        }

    def records(self, mistakes: Mistakes | None) -> Iterator[Record]:
        """Each row's record, in file order; a row with mistakes adds them to ``mistakes``
        (or, without it, is a fault: the rows were checked before)."""
        read = self.read
        for number, cells in self.table.rows():
            record = read(number, cells, mistakes)
            if record is not None:
                yield record

    def read(self, number: int, cells: list[str], mistakes: Mistakes | None) -> Record | None:
        count = len(cells)
        code_text, date_text, value_text, note_text, by_text = (
            cells[at].strip() if at is not None and at < count else "" for at in self._positions
        )
        problems: list[tuple[str, str]] = []
        if not (code_text and date_text and value_text):
            for f, text in (("code", code_text), ("date", date_text), ("value", value_text)):
                if not text:
                    problems.append((f, t("import.required")))
        for f, text in (
            ("code", code_text),
            ("date", date_text),
            ("value", value_text),
            ("note", note_text),
            ("by", by_text),
        ):
            if text:
                problem = self._typed(f, text)
                if problem is not None:
                    problems.append((f, problem))
        typed_ok = {f for f, _ in problems}
        found = day = parsed = None
        if code_text and "code" not in typed_ok:
            got = self._codes.get(code_text) or self._code(code_text)
            if isinstance(got, InputError):
                problems.append(("code", got.message))
            else:
                found = got
        if date_text and "date" not in typed_ok:
            got_day = self._days.get(date_text) or self._day(date_text)
            if isinstance(got_day, InputError):
                problems.append(("date", got_day.message))
            else:
                day = got_day
        if found is not None and value_text and "value" not in typed_ok:
            # Items of one kind read a value alike; a mistake names its item, so is not shared.
            kind_of = (
                ("milestone", found.code)
                if isinstance(found, Milestone)
                else (found.kind, found.accumulate, found.unit)
            )
            got_value = self._values.get((kind_of, value_text)) or self._value(
                kind_of, found, value_text
            )
            if isinstance(got_value, InputError):
                problems.append(("value", got_value.message))
            else:
                parsed = got_value
        if problems:
            if mistakes is None:
                raise InputError(t("import.changed", file=self.table.name))
            problems.sort(key=lambda p: FIELDS.index(p[0]))
            for f, problem in problems:
                mistakes.add(number, f, problem)
            return None
        if found is None or day is None or parsed is None:
            return None
        item_code = found.item_code if isinstance(found, Milestone) else found.code
        return (
            number,
            found.code,
            item_code,
            day,
            parsed[0],
            parsed[1],
            note_text or None,
            by_text or self.by,
        )

    def _typed(self, f: str, text: str) -> str | None:
        key = (f, text)
        if key in self._texts:
            return self._texts[key]
        from kpi.core.safety import check_typed

        limit, lines = self._limits[f]
        try:
            check_typed(text, self.table.columns[f][1], limit=limit, lines=lines)
            problem = None
        except InputError as exc:
            problem = exc.message
        _remember(self._texts, key, problem)
        return problem

    def _code(self, text: str) -> Item | Milestone | InputError:
        try:
            got: Item | Milestone | InputError = find_code(
                self.plan, unicodedata.normalize("NFKC", text).strip()
            )
        except InputError as exc:
            got = exc
        _remember(self._codes, text, got)
        return got

    def _day(self, text: str) -> dt.date | InputError:
        try:
            got: dt.date | InputError = parse_day(text, self.plan, self.today)
        except InputError as exc:
            got = exc
        _remember(self._days, text, got)
        return got

    def _value(
        self, kind_of: Any, found: Item | Milestone, text: str
    ) -> tuple[UpdateKind, float | None] | InputError:
        from kpi.core.records import parse_record_value

        try:
            got: tuple[UpdateKind, float | None] | InputError = parse_record_value(found, text)
        except InputError as exc:
            got = exc
        if not isinstance(got, InputError) or kind_of[0] == "milestone":
            _remember(self._values, (kind_of, text), got)
        return got


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE:
        cache.clear()
    cache[key] = value


def as_update(record: Record, *, os_user: str, origin: str) -> Update:
    """A record read from a row as the ``Update`` it will be stored as."""
    number, code, item_code, day, kind, value, note, by = record
    return Update(
        # Not stored yet: it sorts after every stored record of its day, in file order.
        id=PENDING_ID + number,
        code=code,
        item_code=item_code,
        date=day,
        kind=kind,
        value=value,
        note=note,
        by=by,
        os_user=os_user,
        origin=origin,
    )
