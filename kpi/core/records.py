"""A record of progress and the rules for making one, the same for the command line and imports.

``Update`` is one dated record against an item or a milestone, as stored: records are never
edited, a correction voids one and adds another. The rules every new record follows live here, so
that ``kpi update``, ``kpi done`` and ``kpi import`` decide alike: what a typed value means for an
item (``record_value``), which days a record may have (``check_record_day``), when an item is
finished and a record would finish it again (``already_done``), and when a record needs its
reason (滞后原因).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from kpi.core.plan import Item, Milestone, Plan
from kpi.core.values import normalize, parse_number, parse_percent
from kpi.errors import InputError
from kpi.locale import t

UpdateKind = Literal["add", "set", "percent", "done"]


@dataclass(frozen=True, slots=True)
class Update:
    """One record against an item or milestone, as stored; ``code`` may be a milestone's."""

    id: int
    code: str
    item_code: str
    date: dt.date
    kind: UpdateKind
    value: float | None = None
    note: str | None = None
    by: str = ""
    os_user: str = ""
    recorded_at: dt.datetime | None = None
    voided: bool = False
    void_reason: str | None = None
    origin: str = "cli"  # cli, or import:FILE
    void_kind: str | None = None  # void, or undo (voided by its own author)
    voided_by: str | None = None
    voided_at: dt.datetime | None = None


DONE_WORDS = frozenset({"done", "完成", "已完成"})


def parse_record_value(found: Item | Milestone, raw: str) -> tuple[UpdateKind, float | None]:
    """What a record of ``raw`` against ``found`` is, by the rules of ``kpi update``/``kpi done``:

    an indicator takes a number (``+5`` adds, ``=120`` sets the running total, a bare number
    adds to a count and sets a level or a year-to-date total; ``-1.5`` only where the plan
    allows values below zero); a task takes a share (``60%``) or 完成/done; a milestone only
    完成/done.
    """
    text = normalize(raw)
    if isinstance(found, Milestone):
        if text.casefold() in DONE_WORDS:
            return "done", None
        raise InputError(t("import.milestone_value", code=found.code, value=raw))
    if found.is_indicator:
        kind: UpdateKind
        if text.startswith("+"):
            kind, text = "add", text[1:]
        elif text.startswith("="):
            kind, text = "set", text[1:]
        else:
            kind = "add" if found.accumulate == "sum" else "set"
        return kind, parse_number(text, unit=found.unit, shown=raw, negative=found.negative)
    if text.casefold() in DONE_WORDS:
        return "done", None
    if text.startswith(("+", "=")) or not re.search(r"\d", text):
        raise InputError(t("import.task_value", code=found.code, value=raw))
    return "percent", parse_percent(text)


def check_record_day(
    day: dt.date, plan: Plan, today: dt.date, *, from_file: bool = False
) -> dt.date:
    """A record's day must lie in the plan's period and not after today. The message names
    ``--date`` on the command line; an import names neither, the row says where."""
    outside, future = (
        ("import.outside_period", "import.future")
        if from_file
        else ("record.outside_period", "record.future")
    )
    if not plan.contains(day):
        raise InputError(
            t(outside, day=day.isoformat(), year=plan.year, start=plan.start, end=plan.end)
        )
    if day > today:
        raise InputError(t(future, day=day.isoformat(), today=today.isoformat()))
    return day
