"""Progress: what the status rules need from an item's records up to a day, folded in one place.

``fold`` reads an item's valid records in order — a set replaces, an add adds (a value missing
adds nothing), a done finishes — into a ``Progress``; it is the rule. Its twins, each for speed
and each checked against it by property tests over random records (``tests/test_progress.py``):

- ``Tally``, the same fold taken a record at a time in any order of days (an import's rows,
  beside the stored records it starts from), for checking a sheet of a million rows;
- the database's SQL (``kpi.store.progress``), which folds a year of records without loading
  them, and the stored state an import starts from (``kpi.store.records.StoredRecords.state``).

The trend of ``kpi show`` folds day by day with ``fold`` itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kpi.core.plan import Item
from kpi.core.records import Update


@dataclass(frozen=True, slots=True)
class Progress:
    """All that the status rules need from an item's records up to a day.

    ``fold`` makes it from the records; the database makes the same from many records at once
    without loading them (``Store.progress``), and a test checks that both agree.
    """

    value: float | None = None  # indicator: its value; task: the latest share given
    done: bool = False  # a task recorded as finished
    milestones_done: dict[str, dt.date] = field(default_factory=dict)  # code → first day done
    last_date: dt.date | None = None
    latest_note: str | None = None


def valid_until(updates: Iterable[Update], item_code: str, day: dt.date) -> list[Update]:
    """The item's records that count on ``day``: not voided, dated on or before it, in order."""
    return sorted(
        (u for u in updates if u.item_code == item_code and not u.voided and u.date <= day),
        key=lambda u: (u.date, u.id),
    )


def fold(item: Item, updates: Sequence[Update]) -> Progress:
    """Progress from an item's valid records in order: sets replace, adds add, dones finish."""
    value: float | None = None
    done = False
    milestones: dict[str, dt.date] = {}
    note: str | None = None
    for u in updates:
        if u.note:
            note = u.note
        if u.code != item.code:
            if u.kind == "done":
                milestones.setdefault(u.code, u.date)
            continue
        if u.kind == "set" or u.kind == "percent":
            value = u.value
        elif u.kind == "add":
            value = (value or 0.0) + (u.value or 0.0)
        elif u.kind == "done":
            done = True
    last = updates[-1].date if updates else None
    return Progress(value, done, milestones, last, note)


class Tally:
    """``fold``, one record at a time, the records coming in any order of days: a record sorts
    after every record already taken of its day. It starts from an item's progress up to a day
    (``before``), its newest set then (``last_set``: its day and value) and what was added after
    that set, by day (``adds_after``) — what the database keeps for an import to start from."""

    __slots__ = (
        "added", "before", "done", "item", "last_day", "later", "milestones", "set_day",
        "set_value", "touched",
    )  # fmt: skip

    def __init__(
        self,
        item: Item,
        before: Progress | None = None,
        last_set: tuple[dt.date | None, float | None] = (None, None),
        adds_after: Mapping[dt.date, float] | None = None,
    ) -> None:
        before = before or Progress()
        self.item = item
        self.before = before
        self.set_day, self.set_value = last_set
        self.later = dict(adds_after or {})
        self.added = math.fsum(self.later.values())
        self.touched = before.value is not None  # a value recorded at all
        self.done = before.done
        self.milestones = dict(before.milestones_done)
        self.last_day = before.last_date

    def value(self) -> float | None:
        if not self.touched:
            return None
        return (self.set_value or 0.0) + self.added

    def progress(self, note: str | None = None) -> Progress:
        """Where the item stands; the latest note is the one it started with unless given."""
        note = note if note is not None else self.before.latest_note
        return Progress(self.value(), self.done, self.milestones, self.last_day, note)

    def apply(self, code: str, day: dt.date, kind: str, value: float | None) -> None:
        """Take one more record: ``code`` is the item's or one of its milestones'."""
        if self.last_day is None or day > self.last_day:
            self.last_day = day
        if code != self.item.code:
            if kind == "done" and (code not in self.milestones or day < self.milestones[code]):
                self.milestones[code] = day
            return
        if kind == "done":
            self.done = True
        elif kind == "add":
            if self.set_day is None or day >= self.set_day:  # else it counts before the set
                self.touched = True
                self.later[day] = self.later.get(day, 0.0) + (value or 0.0)
                self.added += value or 0.0
        elif kind in ("set", "percent") and (self.set_day is None or day >= self.set_day):
            self.touched = True
            self.set_day, self.set_value = day, value
            self.later = {d: v for d, v in self.later.items() if d > day}
            self.added = math.fsum(self.later.values())
