"""The rules a new record must pass, the same for ``kpi update``, ``kpi done`` and ``kpi import``.

- ``new_update`` makes the record from what was typed: the item or milestone, its value, its day,
  its note and who reported it, beside the account that typed it; a note or a name holding a
  control or invisible character, or too long, is refused (``typed_note``, ``typed_name``, and
  ``typed_reason`` for the reason of a void), naming the character and its place;
- ``around`` is the item's status before and after the record on the record's own day: a late
  report dated in the past is judged as things stood that day, and ``later_records`` says what
  was recorded after it;
- ``already_done``: a task or milestone done already is not done again;
- ``needs_reason``: a record that leaves its item red carries its reason (滞后原因);
- ``implausible``: a record that moves a figure far more than is plausible (beyond twice its
  target, or a year-to-date total going down) is confirmed before it is written.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kpi.core.plan import Item, Milestone, Plan
from kpi.core.records import Update, UpdateKind
from kpi.core.status import ItemStatus, Light, already_done, clamp_to_period, item_status
from kpi.core.typed import check_typed
from kpi.safety import MAX_NAME, MAX_NOTE

__all__ = [
    "Slip",
    "already_done",
    "around",
    "implausible",
    "later_records",
    "needs_reason",
    "new_update",
    "typed_name",
    "typed_note",
    "typed_reason",
]


def typed_note(text: str | None, what: str = "--note") -> str | None:
    """A note as typed, trimmed (None when blank): lines and tabs are kept; a control or
    invisible character, or more than ``MAX_NOTE`` characters, is refused naming ``what``."""
    if text is None:
        return None
    check_typed(text, what, limit=len(text))  # positions as typed, before trimming
    return check_typed(text.strip(), what, limit=MAX_NOTE) or None


def typed_name(text: str | None, what: str = "--by") -> str | None:
    """A name (填报人) as typed, trimmed (None when blank): one line of at most ``MAX_NAME``."""
    if text is None:
        return None
    check_typed(text, what, limit=len(text), lines=False)
    return check_typed(text.strip(), what, limit=MAX_NAME, lines=False) or None


def typed_reason(text: str, what: str = "--reason") -> str:
    """The reason given for voiding a record, by the rules of a note (empty stays empty)."""
    return typed_note(text, what) or ""


def new_update(
    found: Item | Milestone,
    kind: UpdateKind,
    value: float | None,
    day: dt.date,
    note: str | None,
    by: str | None,
    account: str,
    *,
    note_field: str = "--note",
    by_field: str = "--by",
) -> Update:
    """A record not stored yet (its id is 0): ``by`` names who reported it, ``account`` who typed.

    The note and the name are checked as typed text (``typed_note``, ``typed_name``); a message
    names them as ``note_field`` and ``by_field`` (an import names its cell instead)."""
    item_code = found.item_code if isinstance(found, Milestone) else found.code
    note = typed_note(note, note_field)
    by = typed_name(by, by_field)
    return Update(
        id=0,
        code=found.code,
        item_code=item_code,
        date=day,
        kind=kind,
        value=value,
        note=note,
        by=by or account,
        os_user=account,
    )


def around(
    plan: Plan, item: Item, history: Sequence[Update], new: Update
) -> tuple[ItemStatus, ItemStatus]:
    """The item's status on ``new``'s day, before and after it."""
    day = clamp_to_period(plan, new.date)
    # Not yet stored, it has no id; it sorts after every record of its day, as it will once stored.
    pending = replace(new, id=sys.maxsize)
    return item_status(plan, item, history, day), item_status(plan, item, [*history, pending], day)


def later_records(history: Sequence[Update], new: Update) -> list[Update]:
    """The item's valid records dated after ``new``: the status today is theirs as well."""
    return sorted(
        (u for u in history if not u.voided and u.item_code == new.item_code and u.date > new.date),
        key=lambda u: (u.date, u.id),
    )


def needs_reason(after: ItemStatus, note: str | None) -> bool:
    """A record that leaves its item red needs its reason, unless it gives one."""
    return after.light == Light.RED and not note


@dataclass(frozen=True, slots=True)
class Slip:
    """A record that moves its indicator far more than is plausible: a typo, most likely.

    ``kind`` is ``jump`` (it moves the figure by more than twice the target, or the baseline of a
    figure without one) or ``down`` (a year-to-date total that goes down)."""

    kind: str
    before: float
    after: float
    limit: float | None = None


def implausible(before: ItemStatus, after: ItemStatus) -> Slip | None:
    """Whether the record that led from ``before`` to ``after`` needs a second look."""
    item = after.item
    if not item.is_indicator or after.actual is None:
        return None
    old = before.actual if before.actual is not None else 0.0
    if item.accumulate == "ytd" and before.actual is not None and after.actual < old - 1e-9:
        return Slip("down", old, after.actual)
    scale = _scale(item)
    if scale is not None and abs(after.actual - old) > 2 * scale + 1e-9:
        return Slip("jump", old, after.actual, 2 * scale)
    return None


def _scale(item: Item) -> float | None:
    """The size of the figure a record is measured against: its target, else its baseline."""
    tg = item.target
    for value in (
        tg.value if tg else None,
        tg.high if tg else None,
        item.baseline.value if item.baseline else None,
    ):
        if value is not None and abs(value) > 0:
            return abs(value)
    return None
