"""Reading imported rows: each row of a file becomes a record by the rules of ``kpi update`` and
``kpi done``, or its mistakes, each naming its row and its column.

A row is read on its own here — its code, date and value, and its note and 填报人 as text a person
typed (no control or invisible character, within the lengths of ``kpi.safety``). What a
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
from kpi.core.records import UpdateKind
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
    read once (a year has 365 days, a plan some thousand codes, and values recur), its check as
    typed text with it."""

    def __init__(self, plan: Plan, table: Table, *, today: dt.date, by: str) -> None:
        self.plan, self.table, self.today, self.by = plan, table, today, by
        self._codes: dict[str, Item | Milestone | InputError] = {}
        self._days: dict[str, dt.date | InputError] = {}
        self._values: dict[tuple[Any, str], tuple[UpdateKind, float | None] | InputError] = {}
        self._names: dict[str, str | None] = {}  # 填报人 → why it cannot be taken, or None
        self._kinds: dict[str, Any] = {}  # code → how its values read
        index = {f: column[0] for f, column in table.columns.items()}
        self._at = tuple(index.get(f, -1) for f in FIELDS)

    def records(self, mistakes: Mistakes | None) -> Iterator[Record]:
        """Each row's record, in file order; a row with mistakes adds them to ``mistakes``
        (or, without it, is a fault: the rows were checked before)."""
        read = self.read
        for number, cells in self.table.rows():
            record = read(number, cells, mistakes)
            if record is not None:
                yield record

    def read(self, number: int, cells: list[str], mistakes: Mistakes | None) -> Record | None:
        from kpi.safety import MAX_NOTE, unsafe_char

        n = len(cells)
        a_code, a_date, a_value, a_note, a_by = self._at
        code_text = cells[a_code].strip() if a_code < n else ""
        date_text = cells[a_date].strip() if a_date < n else ""
        value_text = cells[a_value].strip() if a_value < n else ""
        note_text = cells[a_note].strip() if 0 <= a_note < n else ""
        by_text = cells[a_by].strip() if 0 <= a_by < n else ""
        found = self._codes.get(code_text) or self._code(code_text) if code_text else None
        day = self._days.get(date_text) or self._day(date_text) if date_text else None
        parsed: Any = None
        if value_text and found is not None and not isinstance(found, InputError):
            kind_of = self._kinds.get(found.code) or self._kind(found)
            parsed = self._values.get((kind_of, value_text)) or self._value(
                kind_of, found, value_text
            )
        problems: list[tuple[str, str]] | None = None
        if (
            found is None
            or day is None
            or parsed is None
            or isinstance(found, InputError)
            or isinstance(day, InputError)
            or isinstance(parsed, InputError)
        ):
            problems = []
            for f, text, got in (
                ("code", code_text, found),
                ("date", date_text, day),
                ("value", value_text, parsed),
            ):
                if not text:
                    problems.append((f, t("import.required")))
                elif isinstance(got, InputError):
                    problems.append((f, got.message))
        if note_text and (len(note_text) > MAX_NOTE or unsafe_char(note_text) is not None):
            problems = problems or []
            problems.append(("note", self._typed("note", note_text) or ""))
        if by_text:
            name = self._names.get(by_text, "") if by_text in self._names else self._name(by_text)
            if name is not None:
                problems = problems or []
                problems.append(("by", name))
        if problems:
            if mistakes is None:
                raise InputError(t("import.changed", file=self.table.name))
            for f, problem in problems:
                mistakes.add(number, f, problem)
            return None
        if found is None or day is None or parsed is None:
            return None
        assert not isinstance(found, InputError) and not isinstance(day, InputError)
        item_code = found.item_code if isinstance(found, Milestone) else found.code
        return (number, found.code, item_code, day, parsed[0], parsed[1], note_text or None,
                by_text or self.by)  # fmt: skip

    def _typed(self, f: str, text: str) -> str | None:
        """Why ``text`` cannot be taken as typed in column ``f``, if it cannot."""
        from kpi.core.typed import check_typed
        from kpi.safety import MAX_NAME, MAX_NOTE, MAX_QUOTE

        limit = {"note": MAX_NOTE, "by": MAX_NAME}.get(f, MAX_QUOTE)
        try:
            check_typed(text, self.table.columns[f][1], limit=limit, lines=f == "note")
        except InputError as exc:
            return exc.message
        return None

    def _name(self, text: str) -> str | None:
        problem = self._typed("by", text)
        _remember(self._names, text, problem)
        return problem

    def _kind(self, found: Item | Milestone) -> Any:
        # Items of one kind read a value alike; a mistake names its item, so is not shared.
        kind_of = (
            ("milestone", found.code)
            if isinstance(found, Milestone)
            else (found.kind, found.accumulate, found.unit)
        )
        self._kinds[found.code] = kind_of
        return kind_of

    def _code(self, text: str) -> Item | Milestone | InputError:
        problem = self._typed("code", text)
        try:
            if problem is not None:
                raise InputError(problem)
            got: Item | Milestone | InputError = find_code(
                self.plan, unicodedata.normalize("NFKC", text).strip()
            )
        except InputError as exc:
            got = exc
        _remember(self._codes, text, got)
        return got

    def _day(self, text: str) -> dt.date | InputError:
        problem = self._typed("date", text)
        try:
            if problem is not None:
                raise InputError(problem)
            got: dt.date | InputError = parse_day(text, self.plan, self.today)
        except InputError as exc:
            got = exc
        _remember(self._days, text, got)
        return got

    def _value(
        self, kind_of: Any, found: Item | Milestone, text: str
    ) -> tuple[UpdateKind, float | None] | InputError:
        from kpi.core.records import parse_record_value

        problem = self._typed("value", text)
        try:
            if problem is not None:
                raise InputError(problem)
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
