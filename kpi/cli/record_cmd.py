"""Recording progress: `kpi update`, `kpi done`, `kpi undo`, `kpi void` and `kpi history`.

Records are append-only. Each command checks what it can before it takes the write lock — the
right to record, undo or void the item's records (``kpi.core.rights``; on PostgreSQL the server
checks again), the item, the value, the date, the reason for a red light (asked for on a
terminal) — and the store
runs what must be checked against the stored records (done already, your last record) inside
the transaction that writes the one row; then one line says what was recorded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from kpi.cli.app import app, state
from kpi.cli.ask import confirm
from kpi.cli.complete import complete_item
from kpi.cli.context import State
from kpi.cli.options import Format
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.plan import Item, Milestone
    from kpi.core.records import Update, UpdateKind
    from kpi.core.status import ItemStatus

DateOpt = Annotated[
    str | None,
    typer.Option("--date", "-d", help=t("help.date")),
]
NoteOpt = Annotated[
    str | None,
    typer.Option("--note", "-m", help=t("help.note")),
]
ByOpt = Annotated[str | None, typer.Option("--by", help=t("help.by"))]


def _record_date(st: State, given: str | None) -> dt.date:
    from kpi.core.records import check_record_day
    from kpi.core.values import parse_date

    plan = st.plan()
    day = (
        parse_date(given, today=st.today, default_year=plan.year) if given is not None else st.today
    )
    return check_record_day(day, plan, st.today)


def _ask_reason(st: State, after: ItemStatus, note: str | None) -> str | None:
    """A record that leaves an item red carries its reason: asked on a terminal, required elsewhere."""
    from kpi.core.recording import needs_reason
    from kpi.formats.words import points

    if not needs_reason(after, note):
        return note
    if st.env.interactive:
        reason = typer.prompt(t("record.ask_reason")).strip()
        if reason:
            return reason
    raise InputError(t("record.needs_reason", code=after.item.code, gap=points(after.gap_points)))


def _record(
    st: State,
    item: Item,
    found: Item | Milestone,
    kind: UpdateKind,
    value: float | None,
    date: str | None,
    note: str | None,
    by: str | None,
    yes: bool = False,
) -> None:
    """Check, ask for a reason if needed, write in one transaction, and say what was recorded."""
    from dataclasses import replace

    from kpi.core.recording import already_done, around, later_records, new_update, typed_note
    from kpi.core.rights import check_record

    check_record(st.rights(), st.plan(), item)  # before any question is asked
    day = _record_date(st, date)
    # A record is judged on its own day, with the plan in effect then.
    plan = st.plan_on(day)
    if plan.has(item.code):
        item = plan.item(item.code)
    new = new_update(found, kind, value, day, note, by, st.user)
    history = st.updates(item.code)
    before, after = around(plan, item, history, new)
    _check_slip(st, before, after, yes)
    reason = _ask_reason(st, after, new.note)
    if reason != new.note:
        new = replace(new, note=typed_note(reason))
    seen: list[tuple[ItemStatus, ItemStatus, list[Update]]] = []

    def check(stored: Sequence[Update]) -> None:
        # Inside the write transaction: what others recorded meanwhile counts.
        now_before, now_after = around(plan, item, stored, new)
        if new.kind == "done" and already_done(now_before, new.code):
            raise InputError(t("record.already_done", code=new.code))
        if now_after.actual is not None and not math.isfinite(now_after.actual):
            raise InputError(t("record.not_finite", code=item.code))
        seen.append((now_before, now_after, later_records(stored, new)))

    saved = st.store().add_update(st.plan_id(), new, check)
    before, after, later = seen[-1] if seen else (before, after, [])
    _confirm_line(st, saved, before, after)
    if later:
        st.out.print(
            "  "
            + t(
                "record.later_exists",
                n=len(later),
                date=later[-1].date.isoformat(),
                day=new.date.isoformat(),
            ),
            markup=False,
            soft_wrap=True,
        )


def _check_slip(st: State, before: ItemStatus, after: ItemStatus, yes: bool) -> None:
    """A record far out of line with its figure is confirmed: on a terminal, or with --yes."""
    from kpi.core.recording import implausible
    from kpi.formats.words import num

    slip = implausible(before, after)
    if slip is None or yes:
        return
    unit = after.item.unit or ""
    fields = {
        "code": after.item.code,
        "before": num(slip.before),
        "after": num(slip.after),
        "limit": num(slip.limit),
        "unit": unit,
    }
    key = "record.slip_down" if slip.kind == "down" else "record.slip_jump"
    question = t(key, **fields)
    if not st.env.interactive:
        raise InputError(question + t("record.slip_needs_yes"))
    if not confirm(question + t("record.slip_ask")):
        raise typer.Exit(1)


def _confirm_line(st: State, saved: Update, before: ItemStatus, after: ItemStatus) -> None:
    from kpi.cli.views import light_text
    from kpi.formats.words import describe, num, pct, points

    item = after.item
    unit = item.unit or ""
    if item.is_indicator:
        change = t(
            "record.indicator_change",
            record=describe(saved, unit),
            before=num(before.actual if before.actual is not None else 0),
            after=num(after.actual),
            unit=unit,
        )
    else:
        change = t(
            "record.task_change", before=pct(before.completion or 0), after=pct(after.completion)
        )
    if saved.code == item.code:
        title = item.title
    else:
        title = next(f"{item.title} › {m.title}" for m in item.milestones if m.code == saved.code)
    out = st.out
    out.print(
        t(
            "record.saved",
            id=saved.id,
            code=saved.code,
            title=title,
            date=saved.date.isoformat(),
            change=change,
        ),
        markup=False,
        soft_wrap=True,
    )
    line = Text(
        "  "
        + t(
            "record.now",
            completion=pct(after.completion),
            expected=pct(after.expected),
            gap=points(after.gap_points),
        )
    )
    line.append_text(light_text(after))
    out.print(line, soft_wrap=True)


# -5 is a value (refused as such), not an unknown option
@app.command(context_settings={"ignore_unknown_options": True}, help=t("help.update"))
def update(
    ctx: typer.Context,
    item: Annotated[
        str,
        typer.Argument(help=t("help.item"), autocompletion=complete_item),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help=t("help.value"),
            show_default=False,
        ),
    ],
    date: DateOpt = None,
    note: NoteOpt = None,
    by: ByOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.yes_slip"))] = False,
) -> None:
    """Record progress: an amount for an indicator, or the share done of a task."""
    from kpi.core.plan import Milestone
    from kpi.core.records import parse_record_value

    st = state(ctx)
    found = st.find_in_plan(item)
    if isinstance(found, Milestone):
        raise InputError(t("record.milestone_use_done", code=found.code))
    kind, number = parse_record_value(found, value)
    if kind == "done":  # `kpi update 3.1.3 完成` is `kpi done 3.1.3`
        _record_done(st, found, date, note, by)
        return
    _record(st, found, found, kind, number, date, note, by, yes)


@app.command(help=t("help.done"))
def done(
    ctx: typer.Context,
    item: Annotated[
        str,
        typer.Argument(
            help=t("help.done_item"),
            autocompletion=complete_item,
        ),
    ],
    date: DateOpt = None,
    note: NoteOpt = None,
    by: ByOpt = None,
) -> None:
    """Mark a task or one of its milestones as finished."""
    st = state(ctx)
    _record_done(st, st.find_in_plan(item), date, note, by)


def _record_done(
    st: State, found: Item | Milestone, date: str | None, note: str | None, by: str | None
) -> None:
    from kpi.core.plan import Milestone

    plan = st.plan()
    if not isinstance(found, Milestone) and found.is_indicator:
        raise InputError(t("record.indicator_use_update", code=found.code))
    task = plan.item(found.item_code) if isinstance(found, Milestone) else found
    _record(st, task, found, "done", None, date, note, by)


def _confirm(st: State, question: str, yes: bool) -> None:
    if yes:
        return
    if not st.env.interactive:
        raise InputError(t("record.confirm_needs_yes"))
    if not confirm(question):
        raise typer.Exit(1)


def _describe(st: State, record: Update) -> str:
    from kpi.formats.words import describe

    plan = st.plan()
    unit = plan.item(record.item_code).unit if plan.has(record.item_code) else None
    return t(
        "record.describe",
        id=record.id,
        code=record.code,
        date=record.date,
        record=describe(record, unit),
    )


@app.command(help=t("help.undo"))
def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.yes"))] = False,
) -> None:
    """Void your own last record (it stays in the history, marked void)."""
    from kpi.core.rights import check_undo, item_of

    st = state(ctx)
    last = st.store().last_update_by(st.plan_id(), st.user)
    if last is None:
        raise InputError(t("record.nothing_to_undo", user=st.user))
    check_undo(st.rights(), st.plan(), item_of(st.plan(), last.item_code), last)
    what = _describe(st, last)
    _confirm(st, t("record.undo_question", what=what), yes)
    # Confirmed, it is that record; with --yes, whichever is last when the lock is held, so
    # that two undos at once void two records.
    voided = st.store().undo(
        st.plan_id(), None if yes else last.id, account=st.user, reason=t("record.undo_reason")
    )
    st.out.print(t("record.voided", what=_describe(st, voided)), markup=False)


@app.command(help=t("help.void"))
def void(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID", help=t("help.record_id"))],
    reason: Annotated[str, typer.Option("--reason", "-r", help=t("help.reason"))],
    by: ByOpt = None,
) -> None:
    """Void a record, with a reason; to correct a figure, void it and record the right one."""
    from kpi.core.recording import typed_name, typed_reason
    from kpi.core.rights import check_void, item_of

    st = state(ctx)
    reason = typed_reason(reason)
    if not reason:
        raise InputError(t("record.void_needs_reason"))
    rights, plan = st.rights(), st.plan()

    def check(record: Update) -> None:  # given the record as stored, inside the transaction
        check_void(rights, plan, item_of(plan, record.item_code), record)

    record = st.store().void(
        st.plan_id(),
        record_id,
        reason=reason,
        by=typed_name(by) or st.user,
        os_user=st.user,
        check=check,
    )
    st.out.print(t("record.voided", what=_describe(st, record)), markup=False)


@app.command(help=t("help.history"))
def history(
    ctx: typer.Context,
    item: Annotated[
        str | None,
        typer.Argument(help=t("help.history_item"), autocompletion=complete_item),
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help=t("help.since"))] = None,
    by: Annotated[str | None, typer.Option("--by", help=t("help.history_by"))] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help=t("help.table_or_json"))
    ] = Format.table,
) -> None:
    """Every record, oldest first, voided ones marked."""
    from kpi.cli.views import history_table
    from kpi.core.plan import Milestone
    from kpi.core.values import parse_date
    from kpi.formats.records import to_json, update_record

    st = state(ctx)
    plan = st.plan()
    code = None
    if item:
        found = st.find_in_plan(item)
        code = found.item_code if isinstance(found, Milestone) else found.code
    records = st.updates(code)
    if since:
        start = parse_date(since, today=st.today, default_year=plan.year)
        records = [u for u in records if u.date >= start]
    if by:
        records = [u for u in records if by in (u.by, u.os_user)]
    if fmt == Format.json:
        typer.echo(to_json([update_record(u) for u in records]))
        return
    if fmt != Format.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    units = {i.code: i.unit or "" for i in plan.items}
    st.out.print(history_table(records, title=t("history.title", n=len(records)), units=units))
