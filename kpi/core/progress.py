"""Progress: what the status rules need from an item's records up to a day, folded in one place.

``fold`` reads an item's valid records in order — a set replaces, an add adds, a done finishes —
into a ``Progress``. The database makes the same from many records at once without loading them
(``kpi.store``'s SQL twin, tested against this one), and the trend of ``kpi show`` folds the same
way day by day, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
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
