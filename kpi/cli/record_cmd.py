"""Recording progress: `kpi update`, `kpi done`, `kpi undo`, `kpi void` and `kpi history`.

Records are append-only. Every command here checks everything first — the item, the value, the
date, the reason for a red light — and writes one row in one transaction, or nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from kpi.cli.app import State, app, complete_item, state, user
from kpi.cli.status_cmd import Format
from kpi.errors import InputError
from kpi.messages import t

if TYPE_CHECKING:
    from kpi.plan import Item, Milestone
    from kpi.status import ItemStatus, Update, UpdateKind

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
    from kpi.values import check_record_day, parse_date

    plan = st.plan()
    day = (
        parse_date(given, today=st.today, default_year=plan.year) if given is not None else st.today
    )
    return check_record_day(day, plan, st.today)


def _status_pair(st: State, item: Item, new: Update) -> tuple[ItemStatus, ItemStatus]:
    """The item's status before and after ``new``, counting every record up to the later day."""
    from kpi.status import clamp_to_period, item_status

    plan = st.plan()
    history = st.updates(item.code)
    ref = max(clamp_to_period(plan, st.today), new.date)
    # Not yet stored, it has no id; it sorts after every record of its day, as it will once stored.
    pending = replace(new, id=sys.maxsize)
    return item_status(plan, item, history, ref), item_status(plan, item, [*history, pending], ref)


def _require_reason(after: ItemStatus, note: str | None) -> str | None:
    """An update that leaves an item red carries its reason: asked on a terminal, required elsewhere."""
    from kpi.status import Light

    if after.light != Light.RED or note:
        return note
    if sys.stdin.isatty():
        reason = typer.prompt(t("record.ask_reason")).strip()
        if reason:
            return reason
    raise InputError(t("record.needs_reason", code=after.item.code, gap=_gap(after)))


def _gap(s: ItemStatus) -> str:
    from kpi import render

    return render.points(s.gap_points)


def _write(st: State, new: Update) -> Update:
    return st.store().add_update(st.plan().year, new)


def _new_update(
    found: Item | Milestone,
    kind: UpdateKind,
    value: float | None,
    day: dt.date,
    note: str | None,
    by: str | None,
) -> Update:
    from kpi.plan import Milestone
    from kpi.status import Update

    item_code = found.item_code if isinstance(found, Milestone) else found.code
    os_user = user()
    return Update(
        id=0,
        code=found.code,
        item_code=item_code,
        date=day,
        kind=kind,
        value=value,
        note=note.strip() if note and note.strip() else None,
        by=(by or os_user).strip() or os_user,
        os_user=os_user,
    )


def _confirm_line(st: State, saved: Update, before: ItemStatus, after: ItemStatus) -> None:
    from kpi import render

    item = after.item
    unit = item.unit or ""
    if item.is_indicator:
        change = t(
            "record.indicator_change",
            record=render.describe(saved, unit),
            before=render.num(before.actual if before.actual is not None else 0),
            after=render.num(after.actual),
            unit=unit,
        )
    else:
        change = t(
            "record.task_change",
            before=render.pct(before.completion or 0),
            after=render.pct(after.completion),
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
            completion=render.pct(after.completion),
            expected=render.pct(after.expected),
            gap=render.points(after.gap_points),
        )
    )
    line.append_text(render.light_text(after))
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
) -> None:
    """Record progress: an amount for an indicator, or the share done of a task."""
    from kpi.plan import Milestone
    from kpi.values import parse_record_value

    st = state(ctx)
    plan = st.plan()
    found = plan.find(item)
    if isinstance(found, Milestone):
        raise InputError(t("record.milestone_use_done", code=found.code))
    kind, number = parse_record_value(found, value)
    if kind == "done":  # `kpi update 3.1.3 完成` is `kpi done 3.1.3`
        _record_done(st, found, date, note, by)
        return
    day = _record_date(st, date)
    new = _new_update(found, kind, number, day, note, by)
    before, after = _status_pair(st, found, new)
    reason = _require_reason(after, new.note)
    if reason != new.note:
        new = _new_update(found, kind, number, day, reason, by)
    saved = _write(st, new)
    _confirm_line(st, saved, before, after)


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
    _record_done(st, st.plan().find(item), date, note, by)


def _record_done(
    st: State, found: Item | Milestone, date: str | None, note: str | None, by: str | None
) -> None:
    from kpi.plan import Milestone

    plan = st.plan()
    if not isinstance(found, Milestone) and found.is_indicator:
        raise InputError(t("record.indicator_use_update", code=found.code))
    task = plan.item(found.item_code) if isinstance(found, Milestone) else found
    day = _record_date(st, date)
    new = _new_update(found, "done", None, day, note, by)
    before, after = _status_pair(st, task, new)
    already = (
        found.code in before.milestones_done
        if isinstance(found, Milestone)
        else before.completion is not None and before.completion >= 1
    )
    if already:
        raise InputError(t("record.already_done", code=found.code))
    reason = _require_reason(after, new.note)
    if reason != new.note:
        new = _new_update(found, "done", None, day, reason, by)
    saved = _write(st, new)
    _confirm_line(st, saved, before, after)


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError(t("record.confirm_needs_yes"))
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)


@app.command(help=t("help.undo"))
def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.yes"))] = False,
) -> None:
    """Void your own last record (it stays in the history, marked void)."""
    from kpi import render

    st = state(ctx)
    plan = st.plan()
    last = st.store().last_update_by(plan.year, user())
    if last is None:
        raise InputError(t("record.nothing_to_undo", user=user()))
    unit = (
        plan.item(last.item_code).unit if last.item_code in {i.code for i in plan.items} else None
    )
    what = t(
        "record.describe",
        id=last.id,
        code=last.code,
        date=last.date,
        record=render.describe(last, unit),
    )
    _confirm(t("record.undo_question", what=what), yes)
    st.store().void(last.id, reason=t("record.undo_reason"), by=user(), os_user=user())
    st.out.print(t("record.voided", what=what), markup=False)


@app.command(help=t("help.void"))
def void(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID", help=t("help.record_id"))],
    reason: Annotated[str, typer.Option("--reason", "-r", help=t("help.reason"))],
    by: ByOpt = None,
) -> None:
    """Void any record, with a reason; to correct a figure, void it and record the right one."""
    from kpi import render

    st = state(ctx)
    plan = st.plan()
    if not reason.strip():
        raise InputError(t("record.void_needs_reason"))
    record = st.store().get_update(plan.year, record_id)
    if record is None:
        raise InputError(t("record.no_such_record", id=record_id))
    if record.voided:
        raise InputError(t("void.already", id=record_id))
    st.store().void(record_id, reason=reason.strip(), by=(by or user()), os_user=user())
    unit = plan.item(record.item_code).unit if plan.has(record.item_code) else None
    what = t(
        "record.describe",
        id=record.id,
        code=record.code,
        date=record.date,
        record=render.describe(record, unit),
    )
    st.out.print(t("record.voided", what=what), markup=False)


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
    from kpi import formats, render
    from kpi.plan import Milestone
    from kpi.values import parse_date

    st = state(ctx)
    plan = st.plan()
    code = None
    if item:
        found = plan.find(item)
        code = found.item_code if isinstance(found, Milestone) else found.code
    records = st.updates(code)
    if since:
        start = parse_date(since, today=st.today, default_year=plan.year)
        records = [u for u in records if u.date >= start]
    if by:
        records = [u for u in records if by in (u.by, u.os_user)]
    if fmt == Format.json:
        typer.echo(formats.to_json([formats.update_record(u) for u in records]))
        return
    if fmt != Format.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    units = {i.code: i.unit or "" for i in plan.items}
    st.out.print(
        render.history_table(records, title=t("history.title", n=len(records)), units=units)
    )
