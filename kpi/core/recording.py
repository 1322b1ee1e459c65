"""The rules a new record must pass, the same for ``kpi update``, ``kpi done`` and ``kpi import``.

- ``new_update`` makes the record from what was typed: the item or milestone, its value, its day,
  its note and who reported it, beside the account that typed it;
- ``around`` is the item's status before and after the record, counting every record up to the
  later of the record's day and today (the day the status is read);
- ``already_done``: a task or milestone done already is not done again;
- ``needs_reason``: a record that leaves its item red carries its reason (滞后原因).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import replace

from kpi.core.plan import Item, Milestone, Plan
from kpi.core.records import Update, UpdateKind
from kpi.core.status import ItemStatus, Light, already_done, clamp_to_period, item_status

__all__ = ["already_done", "around", "needs_reason", "new_update"]


def new_update(
    found: Item | Milestone,
    kind: UpdateKind,
    value: float | None,
    day: dt.date,
    note: str | None,
    by: str | None,
    account: str,
) -> Update:
    """A record not stored yet (its id is 0): ``by`` names who reported it, ``account`` who typed."""
    item_code = found.item_code if isinstance(found, Milestone) else found.code
    return Update(
        id=0,
        code=found.code,
        item_code=item_code,
        date=day,
        kind=kind,
        value=value,
        note=note.strip() if note and note.strip() else None,
        by=(by or account).strip() or account,
        os_user=account,
    )


def around(
    plan: Plan, item: Item, history: Sequence[Update], new: Update, today: dt.date
) -> tuple[ItemStatus, ItemStatus]:
    """The item's status before and after ``new``, counting every record up to the later day."""
    ref = max(clamp_to_period(plan, today), new.date)
    # Not yet stored, it has no id; it sorts after every record of its day, as it will once stored.
    pending = replace(new, id=sys.maxsize)
    return item_status(plan, item, history, ref), item_status(plan, item, [*history, pending], ref)


def needs_reason(after: ItemStatus, note: str | None) -> bool:
    """A record that leaves its item red needs its reason, unless it gives one."""
    return after.light == Light.RED and not note
