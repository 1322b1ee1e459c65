"""Recording progress: `kpi update`, `kpi done`, `kpi undo`, `kpi void` and `kpi history`.

Each command parses what was typed, makes one call of ``kpi.app.recording`` (which checks and
writes; see there), asks at a terminal for what it still needs (a reason for a red light, a yes
for a figure far out of line or a record to void: ``kpi.cli.ask.asking``), and says in a line or
two what was recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from kpi.app.questions import Answers
from kpi.cli.ask import asking
from kpi.cli.complete import complete_item
from kpi.cli.context import State
from kpi.cli.options import Format
from kpi.cli.root import app, state
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.app.recording import Recorded

DateOpt = Annotated[
    str | None,
    typer.Option("--date", "-d", help=t("help.date")),
]
NoteOpt = Annotated[
    str | None,
    typer.Option("--note", "-m", help=t("help.note")),
]
ByOpt = Annotated[str | None, typer.Option("--by", help=t("help.by"))]


def _said(st: State, done: Recorded) -> None:
    """What was recorded, the running total before → after, and the light it leaves."""
    from kpi.cli.views import light_text
    from kpi.formats.words import describe, num, pct, points

    saved, before, after = done.saved, done.before, done.after
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
    out = st.out
    out.print(
        t(
            "record.saved",
            id=saved.id,
            code=saved.code,
            title=done.title,
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
    if done.later:
        out.print(
            "  "
            + t(
                "record.later_exists",
                n=len(done.later),
                date=done.later[-1].date.isoformat(),
                day=saved.date.isoformat(),
            ),
            markup=False,
            soft_wrap=True,
        )


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
    from kpi.app import recording

    st = state(ctx)
    ws = st.workspace

    def attempt(answers: Answers) -> Recorded:
        return recording.update(ws, item, value, date=date, note=note, by=by, answers=answers)

    _said(st, asking(st.env.interactive, attempt, Answers(confirmed=yes)))


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
    from kpi.app import recording

    st = state(ctx)
    ws = st.workspace

    def attempt(answers: Answers) -> Recorded:
        return recording.done(ws, item, date=date, note=note, by=by, answers=answers)

    _said(st, asking(st.env.interactive, attempt, Answers()))


@app.command(help=t("help.undo"))
def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.yes"))] = False,
) -> None:
    """Void your own last record (it stays in the history, marked void)."""
    from kpi.app import recording

    st = state(ctx)
    ws = st.workspace
    voided = asking(
        st.env.interactive, lambda a: recording.undo(ws, answers=a), Answers(confirmed=yes)
    )
    st.out.print(t("record.voided", what=recording.record_words(ws, voided)), markup=False)


@app.command(help=t("help.void"))
def void(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID", help=t("help.record_id"))],
    reason: Annotated[str, typer.Option("--reason", "-r", help=t("help.reason"))],
    by: ByOpt = None,
) -> None:
    """Void a record, with a reason; to correct a figure, void it and record the right one."""
    from kpi.app import recording

    st = state(ctx)
    voided = recording.void(st.workspace, record_id, reason=reason, by=by)
    st.out.print(
        t("record.voided", what=recording.record_words(st.workspace, voided)), markup=False
    )


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
    from kpi.app import recording

    st = state(ctx)
    found = recording.history(st.workspace, item, since=since, by=by)
    if fmt == Format.json:
        from kpi.formats.records import to_json, update_record

        typer.echo(to_json([update_record(u) for u in found.records]))
        return
    if fmt != Format.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    from kpi.cli.views import history_table

    title = t("history.title", n=len(found.records))
    st.out.print(history_table(found.records, title=title, units=found.units))
