"""Recording progress: a figure or a share (``update``), a finished task or milestone (``done``),
voiding a record (``void``) or your own last one (``undo``), and reading them back (``history``).

Records are append-only. Each use case checks what it can before it takes the write lock — the
right to record, undo or void the item's records (``kpi.core.rights``; on PostgreSQL the server
checks again), the item, the value, the date, a reason for a red light, a figure far out of line
(``kpi.app.questions``) — and the store runs what must be checked against the stored records
(done already, your last record) inside the transaction that writes the one row.

A record is judged on its own day, with the plan in effect then: a late report dated in the past
is judged as things stood that day, and ``Recorded.later`` says what was recorded after it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kpi.app.questions import NO_ANSWERS, Answers, NeedsConfirmation, NeedsReason
from kpi.app.workspace import Workspace
from kpi.core.plan import Item, Milestone
from kpi.core.records import Update, UpdateKind
from kpi.core.status import ItemStatus
from kpi.errors import InputError
from kpi.locale import t


@dataclass(frozen=True, slots=True)
class Recorded:
    """A record as stored, the item's status on its day before and after it, what the item
    is called (``item › milestone`` for a milestone), and the item's records dated later."""

    saved: Update
    before: ItemStatus
    after: ItemStatus
    title: str
    later: tuple[Update, ...] = ()


def update(
    ws: Workspace,
    query: str,
    value: str,
    *,
    date: str | None = None,
    note: str | None = None,
    by: str | None = None,
    answers: Answers = NO_ANSWERS,
) -> Recorded:
    """``kpi update ITEM VALUE``: an amount for an indicator, the share done of a task (完成 is
    ``done``)."""
    from kpi.core.records import parse_record_value

    found = ws.find_in_plan(query)
    if isinstance(found, Milestone):
        raise InputError(t("record.milestone_use_done", code=found.code))
    kind, number = parse_record_value(found, value)
    if kind == "done":  # `kpi update 3.1.3 完成` is `kpi done 3.1.3`
        return _done(ws, found, date=date, note=note, by=by, answers=answers)
    return _record(ws, found, found, kind, number, date, note, by, answers)


def done(
    ws: Workspace,
    query: str,
    *,
    date: str | None = None,
    note: str | None = None,
    by: str | None = None,
    answers: Answers = NO_ANSWERS,
) -> Recorded:
    """``kpi done ITEM``: a task or one of its milestones finished."""
    return _done(ws, ws.find_in_plan(query), date=date, note=note, by=by, answers=answers)


def _done(
    ws: Workspace,
    found: Item | Milestone,
    *,
    date: str | None,
    note: str | None,
    by: str | None,
    answers: Answers,
) -> Recorded:
    if not isinstance(found, Milestone) and found.is_indicator:
        raise InputError(t("record.indicator_use_update", code=found.code))
    task = ws.plan().item(found.item_code) if isinstance(found, Milestone) else found
    return _record(ws, task, found, "done", None, date, note, by, answers)


def record_day(ws: Workspace, given: str | None) -> dt.date:
    """The day a record is dated: given (``--date``), else today; inside the plan's period and
    not after today."""
    from kpi.core.records import check_record_day
    from kpi.core.values import parse_date

    plan = ws.plan()
    day = (
        parse_date(given, today=ws.today, default_year=plan.year) if given is not None else ws.today
    )
    return check_record_day(day, plan, ws.today)


def _record(
    ws: Workspace,
    item: Item,
    found: Item | Milestone,
    kind: UpdateKind,
    value: float | None,
    date: str | None,
    note: str | None,
    by: str | None,
    answers: Answers,
) -> Recorded:
    """Check, ask for what is missing, write in one transaction, and say what was recorded."""
    from kpi.core.recording import (
        already_done,
        around,
        later_records,
        needs_reason,
        new_update,
        typed_note,
    )
    from kpi.core.rights import check_record

    check_record(ws.rights(), ws.plan(), item)  # before any question is asked
    day = record_day(ws, date)
    plan = ws.plan_on(day)
    if plan.has(item.code):
        item = plan.item(item.code)
    new = new_update(found, kind, value, day, note, by, ws.user)
    before, after = around(plan, item, ws.updates(item.code), new)
    _check_slip(before, after, answers)
    if needs_reason(after, new.note):
        if not answers.reason:
            raise NeedsReason(after)
        new = replace(new, note=typed_note(answers.reason))
    seen: list[tuple[ItemStatus, ItemStatus, list[Update]]] = []

    def check(stored: Sequence[Update]) -> None:
        # Inside the write transaction: what others recorded meanwhile counts.
        now_before, now_after = around(plan, item, stored, new)
        if new.kind == "done" and already_done(now_before, new.code):
            raise InputError(t("record.already_done", code=new.code))
        if now_after.actual is not None and not math.isfinite(now_after.actual):
            raise InputError(t("record.not_finite", code=item.code))
        seen.append((now_before, now_after, later_records(stored, new)))

    saved = ws.plan_store().add_update(new, check)
    before, after, later = seen[-1] if seen else (before, after, [])
    if saved.code == item.code:
        title = item.title
    else:
        title = next(f"{item.title} › {m.title}" for m in item.milestones if m.code == saved.code)
    return Recorded(saved, before, after, title, tuple(later))


def _check_slip(before: ItemStatus, after: ItemStatus, answers: Answers) -> None:
    """A record far out of line with its figure is confirmed: at a terminal, or with --yes."""
    from kpi.core.recording import implausible
    from kpi.formats.words import num

    slip = implausible(before, after)
    if slip is None or answers.confirms():
        return
    fields = {
        "code": after.item.code,
        "before": num(slip.before),
        "after": num(slip.after),
        "limit": num(slip.limit),
        "unit": after.item.unit or "",
    }
    if slip.kind == "down":
        question = t("record.slip_down", **fields)
    else:
        question = t("record.slip_jump", **fields)
    raise NeedsConfirmation(question + t("record.slip_needs_yes"), question + t("record.slip_ask"))


# -- voids --------------------------------------------------------------------------------------


def undo(ws: Workspace, *, answers: Answers = NO_ANSWERS) -> Update:
    """``kpi undo``: void your own last record. The person confirms the record they are shown;
    with ``--yes``, whichever is last when the lock is held, so that two undos at once void two
    records."""
    from kpi.core.rights import check_undo, item_of

    plan = ws.plan()
    last = ws.plan_store().last_update_by(ws.user)
    if last is None:
        raise InputError(t("record.nothing_to_undo", user=ws.user))
    check_undo(ws.rights(), plan, item_of(plan, last.item_code), last)
    if not answers.confirms(last.id):
        question = t("record.undo_question", what=record_words(ws, last))
        raise NeedsConfirmation(t("record.confirm_needs_yes"), question, last.id)
    chosen = None if answers.confirmed is True else last.id
    return ws.plan_store().undo(chosen, account=ws.user, reason=t("record.undo_reason"))


def void(ws: Workspace, record_id: int, *, reason: str, by: str | None = None) -> Update:
    """``kpi void ID --reason``: void any record one may void, saying why."""
    from kpi.core.recording import typed_name, typed_reason
    from kpi.core.rights import check_void, item_of

    reason = typed_reason(reason)
    if not reason:
        raise InputError(t("record.void_needs_reason"))
    rights, plan = ws.rights(), ws.plan()

    def check(record: Update) -> None:  # given the record as stored, inside the transaction
        check_void(rights, plan, item_of(plan, record.item_code), record)

    return ws.plan_store().void(
        record_id,
        reason=reason,
        by=typed_name(by) or ws.user,
        os_user=ws.user,
        check=check,
    )


def record_words(ws: Workspace, record: Update) -> str:
    """A record in a few words: ``#2 1.1.5 2025-07-02 +10 家``."""
    from kpi.formats.words import describe

    plan = ws.plan()
    unit = plan.item(record.item_code).unit if plan.has(record.item_code) else None
    return t(
        "record.describe",
        id=record.id,
        code=record.code,
        date=record.date,
        record=describe(record, unit),
    )


# -- reading them back --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class History:
    records: list[Update]
    units: dict[str, str]


def history(
    ws: Workspace, query: str | None = None, *, since: str | None = None, by: str | None = None
) -> History:
    """``kpi history``: every record (of one item), oldest first, voided ones marked."""
    from kpi.core.values import parse_date

    plan = ws.plan()
    code = None
    if query:
        found = ws.find_in_plan(query)
        code = found.item_code if isinstance(found, Milestone) else found.code
    records = ws.updates(code)
    if since:
        start = parse_date(since, today=ws.today, default_year=plan.year)
        records = [u for u in records if u.date >= start]
    if by:
        records = [u for u in records if by in (u.by, u.os_user)]
    return History(records, {i.code: i.unit or "" for i in plan.items})
