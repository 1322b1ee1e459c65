"""Checking an import's rows beside each other and beside the stored records, in one stream.

Each item keeps a running state — its records as of the day the import is judged, stored ones
and the file's rows above — and nothing else is kept of a row once it is checked, so a million
rows take the memory of the plan's items, not of the rows:

- a row identical to a stored record (same code, date, value and note) is skipped, each stored
  record matching one row at most, so importing a file twice records it once; the stored records
  are asked for only on the items and days the file has them (``Stored.matching``);
- a task or milestone done already (stored, or above in the file) is not done again;
- a running total must stay a finite number;
- a row that moves a figure far more than is plausible (``kpi.core.recording.implausible``, as
  ``kpi update`` asks) is a slip, listed, and written only when the user says so.

The import runs this once before it takes the write lock, and again inside the transaction if
anyone recorded or voided something meanwhile; the write then streams the rows again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from kpi.core.plan import Item, Plan
from kpi.core.progress import Progress, Tally
from kpi.core.recording import implausible
from kpi.core.status import ItemStatus, already_done, clamp_to_period, status_of
from kpi.locale import t
from kpi.sheets.rows import MAX_LISTED, Mistakes, Reader, Record

_CHUNK = 4096  # rows whose stored twins are asked for at once
Key = tuple[str, dt.date, str, float | None, str | None]  # code, date, kind, value, note


class Stored(Protocol):
    """What the checks need of the stored records (``kpi.store`` gives it, read or in a write)."""

    def state(self, day: dt.date) -> tuple[Any, ...]: ...

    def matching(
        self, pairs: Sequence[tuple[str, dt.date]]
    ) -> list[tuple[int, str, dt.date, str, float | None, str | None]]: ...


@dataclass(frozen=True, slots=True)
class StoredState:
    """Each item's valid records up to a day, as the checks fold them further."""

    progress: dict[str, Progress] = field(default_factory=dict)
    last_set: dict[str, tuple[dt.date, float | None]] = field(default_factory=dict)
    adds_after: dict[str, dict[dt.date, float]] = field(default_factory=dict)  # by day
    days: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # first, last day
    max_id: int = 0


class Running(Tally):
    """One item's records as of the day the import is judged — the stored ones and the file's
    rows above, folded by ``kpi.core.progress.Tally`` — with what the checks remember of it: its
    rows, which of them finished something, and the changes found plausible or not so far."""

    __slots__ = ("count", "done_rows", "hi", "lo", "template")

    def __init__(self, item: Item, stored: StoredState) -> None:
        code = item.code
        super().__init__(
            item,
            stored.progress.get(code),
            stored.last_set.get(code, (None, None)),
            stored.adds_after.get(code),
        )
        self.count = 0
        self.done_rows: dict[str, int] = {}
        self.template: ItemStatus | None = None
        self.lo, self.hi = -1.0, math.inf  # differences known plausible, known implausible


@dataclass(slots=True)
class Outcome:
    """A check of a whole file: its mistakes, the rows to skip, what each item comes to."""

    mistakes: Mistakes
    rows: int = 0  # rows read as records
    fresh: int = 0
    skipped: int = 0
    skip: bytearray = field(default_factory=bytearray)  # a bit per row number
    items: dict[str, Running] = field(default_factory=dict)
    slips: list[tuple[int, str]] = field(default_factory=list)  # (row, message), the first few
    slip_count: int = 0


def check(plan: Plan, reader: Reader, stored: Stored, today: dt.date) -> Outcome:
    """Every row of the file, read and checked in file order against ``stored``."""
    ref = clamp_to_period(plan, today)
    state = StoredState(*stored.state(ref))
    outcome = Outcome(Mistakes(reader.table))
    consumed = bytearray(state.max_id // 8 + 1)
    chunk: list[Record] = []
    for record in reader.records(outcome.mistakes):
        chunk.append(record)
        if len(chunk) >= _CHUNK:
            _check_chunk(plan, chunk, stored, state, consumed, outcome, ref)
            chunk.clear()
    _check_chunk(plan, chunk, stored, state, consumed, outcome, ref)
    return outcome


def _key(code: str, day: dt.date, kind: str, value: float | None, note: str | None) -> Key:
    return (code, day, kind, None if value is None else round(value, 9), note or None)


def _twins(chunk: list[Record], stored: Stored, state: StoredState) -> dict[Key, list[int]] | None:
    """The stored records identical to rows of ``chunk``, by what they record: their ids."""
    days = state.days
    if not days:
        return None
    pairs = {
        (r[2], r[3])
        for r in chunk
        if (span := days.get(r[2])) is not None and span[0] <= r[3] <= span[1]
    }
    if not pairs:
        return None
    twins: dict[Key, list[int]] = {}
    for key_id, code, day, kind, value, note in stored.matching(sorted(pairs)):
        twins.setdefault(_key(code, day, kind, value, note), []).append(key_id)
    for ids in twins.values():
        ids.sort()
    return twins


def _check_chunk(
    plan: Plan,
    chunk: list[Record],
    stored: Stored,
    state: StoredState,
    consumed: bytearray,
    out: Outcome,
    ref: dt.date,
) -> None:
    if not chunk:
        return
    twins = _twins(chunk, stored, state)
    items = out.items
    mistakes = out.mistakes
    for record in chunk:
        number, code, item_code, day, kind, value, note, _by = record
        out.rows += 1
        if twins is not None:
            ids = twins.get(_key(code, day, kind, value, note))
            twin = next((i for i in ids if not consumed[i >> 3] & (1 << (i & 7))), None) if ids else None  # fmt: skip
            if twin is not None:
                consumed[twin >> 3] |= 1 << (twin & 7)
                at = number >> 3
                if at >= len(out.skip):
                    out.skip.extend(bytes(at + 1 - len(out.skip) + 4096))
                out.skip[at] |= 1 << (number & 7)
                out.skipped += 1
                continue
        running = items.get(item_code)
        if running is None:
            running = items[item_code] = Running(plan.item(item_code), state)
        problem = _problem(plan, running, record, ref, out)
        if problem is not None:
            mistakes.add(number, "value", problem)
            continue
        running.apply(code, day, kind, value)
        running.count += 1
        out.fresh += 1


def _problem(
    plan: Plan, running: Running, record: Record, ref: dt.date, out: Outcome
) -> str | None:
    """What is wrong with the row beside what came before it, if anything; a slip is noted."""
    number, code, _item_code, _day, kind, value, _note, _by = record
    item = running.item
    if kind == "done":
        if code in running.done_rows:
            return t("import.done_twice", code=code, row=running.done_rows[code])
        before = status_of(plan, item, running.progress(), ref)
        if already_done(before, code):
            return t("record.already_done", code=code)
        running.done_rows[code] = number
        return None
    if not item.is_indicator:
        return None
    old = running.value()
    if value is None:
        return None
    new = (old or 0.0) + value if kind == "add" else value
    if not math.isfinite(new) or (kind == "add" and not math.isfinite(running.added + value)):
        return t("record.not_finite", code=item.code)
    slip = _slip(plan, running, old, new, ref)
    if slip is not None:
        out.slip_count += 1
        if len(out.slips) < MAX_LISTED:
            out.slips.append((number, _slip_text(out.mistakes, number, item, slip)))
    return None


def _slip(plan: Plan, running: Running, old: float | None, new: float, ref: dt.date) -> Any:
    """``implausible`` of the row's change. Apart from a year-to-date total going down, it
    depends on the size of the change alone, growing: the sizes found plausible and implausible
    so far decide most rows without asking again."""
    item = running.item
    start = old if old is not None else 0.0
    change = abs(new - start)
    down = item.accumulate == "ytd" and old is not None and new < start - 1e-9
    if not down and change <= running.lo:
        return None
    if running.template is None:
        running.template = status_of(plan, item, Progress(), ref)
    template = running.template
    slip = implausible(replace(template, actual=old), replace(template, actual=new))
    if not down:
        if slip is None:
            running.lo = max(running.lo, change)
        else:
            running.hi = min(running.hi, change)
    return slip


def _slip_text(mistakes: Mistakes, number: int, item: Item, slip: Any) -> str:
    from kpi.formats.words import num

    key = "record.slip_down" if slip.kind == "down" else "record.slip_jump"
    problem = t(
        key,
        code=item.code,
        before=num(slip.before),
        after=num(slip.after),
        limit=num(slip.limit),
        unit=item.unit or "",
    )
    table = mistakes.table
    column = table.columns["value"][1]
    return t("import.cell", file=table.name, row=number, column=column, problem=problem)


class Batch:
    """The rows an import writes, read again in file order as it writes them: those not
    recorded already, each as (code, item code, day, kind, value, note, 填报人, account, origin)."""

    def __init__(self, outcome: Outcome, reader: Reader, *, os_user: str, origin: str) -> None:
        self.outcome, self.reader, self.os_user, self.origin = outcome, reader, os_user, origin

    def __len__(self) -> int:
        return self.outcome.fresh

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        skip, os_user, origin = self.outcome.skip, self.os_user, self.origin
        size = len(skip)
        for number, code, item_code, day, kind, value, note, by in self.reader.records(None):
            at = number >> 3
            if at < size and skip[at] & (1 << (number & 7)):
                continue
            yield (code, item_code, day, kind, value, note, by, os_user, origin)


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
    plan: Plan, outcome: Outcome, today: dt.date, *, limit: int | None = None
) -> list[ItemChange]:
    """Per item, in plan order: how many records and the status they lead to (the first
    ``limit`` items only, when given)."""
    ref = clamp_to_period(plan, today)
    out: list[ItemChange] = []
    for item in plan.items:
        running = outcome.items.get(item.code)
        if running is None or not running.count:
            continue
        if limit is not None and len(out) >= limit:
            break
        before = status_of(plan, item, running.before, ref)
        after = status_of(plan, item, running.progress(), ref)
        out.append(ItemChange(item, running.count, before, after))
    return out


def touched(outcome: Outcome) -> int:
    return sum(1 for r in outcome.items.values() if r.count)
