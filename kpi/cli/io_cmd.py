"""`kpi import`, `kpi export` and `kpi rollover`: records from spreadsheets, the 台账 to leaders,
and next year's targets file.

The checking and the layout live in ``kpi.sheets`` and ``kpi.rollover``; these commands read the
files, call them, write (in one transaction, or one rename) and say what happened.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.app import app, state
from kpi.cli.context import State, display_path
from kpi.cli.files import write_atomically
from kpi.cli.options import AsOf
from kpi.errors import InputError, KpiError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.sheets.checks import ItemChange, Outcome


@app.command("import", help=t("help.import"))
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help=t("help.import_file"),
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help=t("help.import_dry_run"))
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help=t("help.import_by")),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.import_yes"))] = False,
) -> None:
    """Import records from a spreadsheet: every row is checked first, then all are written or none.

    The file is read as a stream, twice: once to check every row (before the write lock), once
    to write the rows in one transaction, which checks again first if anyone recorded or voided
    something on the file's items meanwhile."""
    from kpi.core.recording import typed_name
    from kpi.core.rights import check_items
    from kpi.sheets.checks import Batch, changes, check, touched
    from kpi.sheets.read import open_table
    from kpi.sheets.rows import Reader

    st = state(ctx)
    plan = st.plan()
    name = display_path(file, st.env)
    table = open_table(file, name)
    reader = Reader(plan, table, today=st.today, by=typed_name(by) or st.user)
    store = st.store()
    plan_id = st.plan_id()
    before = store.stored_records(plan_id)
    marks = before.marks()
    outcome = _checked(check(plan, reader, before, st.today), table.name, slips=dry_run or yes)
    rights = st.rights()
    check_items(rights, plan, outcome.items)  # the same rights as kpi update, for every row
    if not dry_run and outcome.fresh:
        final = [outcome]

        def inside(stored):  # type: ignore[no-untyped-def]
            # Inside the write transaction: what others recorded meanwhile counts.
            if stored.changed(marks, final[0].items):
                final[0] = _checked(check(plan, reader, stored, st.today), table.name, slips=yes)
                check_items(rights, plan, final[0].items)
            return Batch(final[0], reader, os_user=st.user, origin=f"import:{table.name}")

        store.add_updates(plan_id, [], inside)
        outcome = final[0]
    out = st.out
    if not outcome.fresh:
        out.print(t("import.nothing", file=name, n=outcome.skipped), markup=False)
        return
    key = "import.dry_run" if dry_run else "import.done"
    out.print(t(key, file=name, n=outcome.fresh), markup=False)
    listed = changes(plan, outcome, st.today, limit=LISTED_ITEMS)
    for change in listed:
        out.print("  " + _change_line(change), markup=False, soft_wrap=True)
    items = touched(outcome)
    if items > len(listed):
        out.print("  " + t("load.and_more", n=items - len(listed)).strip(), markup=False)
    if outcome.skipped:
        out.print(t("import.skipped", n=outcome.skipped), markup=False)
    if outcome.slip_count:
        key = "import.slips_found" if dry_run else "import.slips_written"
        out.print(t(key, n=outcome.slip_count), markup=False)
        for _, line in outcome.slips:
            out.print("  " + line, markup=False, soft_wrap=True)
        if outcome.slip_count > len(outcome.slips):
            out.print("  " + t("import.more_slips", n=outcome.slip_count - len(outcome.slips)))


def _checked(outcome: Outcome, name: str, *, slips: bool) -> Outcome:
    """The check's outcome, or its refusal: the rows' mistakes, no rows at all, or slips
    (unless ``slips`` lets them through)."""
    if outcome.mistakes.count:
        raise outcome.mistakes.refusal()
    if not outcome.rows:
        raise InputError(t("import.no_rows", file=name))
    if outcome.slip_count and not slips:
        lines = [line for _, line in outcome.slips]
        if outcome.slip_count > len(lines):
            lines.append(t("import.more_slips", n=outcome.slip_count - len(lines)))
        raise InputError(
            t("import.slips", file=name, n=outcome.slip_count) + " " + lines[0],
            details=lines[1:],
        )
    return outcome


LISTED_ITEMS = 300  # items listed after an import; a district's file touches thousands


def _change_line(c: ItemChange) -> str:
    from kpi.formats.words import light_word, num, pct

    item = c.item
    if item.is_indicator:
        change = t(
            "import.indicator_change",
            before=num(c.before.actual if c.before.actual is not None else 0),
            after=num(c.after.actual),
            unit=item.unit or "",
        )
    else:
        change = t(
            "record.task_change",
            before=pct(c.before.completion or 0),
            after=pct(c.after.completion),
        )
    return t(
        "import.item_line",
        code=item.code,
        title=item.title,
        n=c.count,
        change=change,
        light=light_word(c.after),
    )


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


@app.command(help=t("help.export"))
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help=t("help.export_format"),
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=t("help.export_out"),
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Status and records for leaders and other tools: an Excel 台账, CSV or JSON."""
    from kpi.cli.progress import Counted, bar
    from kpi.core.status import plan_status
    from kpi.formats.records import status_records, to_json, update_record
    from kpi.formats.tables import to_csv

    st = state(ctx)
    from kpi.cli import district

    if st.chosen == district.ALL:
        return district.export(st, fmt, out, as_of)
    day = st.as_of(as_of)
    plan = st.plan_on(day)
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = ExportFormat(suffix) if suffix in set(ExportFormat) else ExportFormat.xlsx
    if out is not None:
        st.store().guard_out(out)
    with bar(st.err, show=len(plan.items) >= LARGE_PLAN) as progress:
        progress.step(t("progress.records"))
        updates = st.updates()
        progress.step(t("progress.statuses", n=len(plan.items)))
        ps = plan_status(plan, updates, day)
        history = [u for u in updates if u.date <= day]
        if fmt == ExportFormat.xlsx:
            from kpi.sheets.ledger import workbook_bytes

            path = out or Path(t("export.default_name", as_of=day.isoformat()))
            st.store().guard_out(path)
            progress.step(t("progress.workbook"), total=len(history))
            rows = Counted(history, progress, then=t("progress.saving", path=path.name))
            write_atomically(path, workbook_bytes(ps, rows))
        elif fmt == ExportFormat.csv:
            progress.step(t("progress.writing"))
            text = to_csv(status_records(ps))
        else:
            progress.step(t("progress.writing"), total=len(history))
            records = {
                "as_of": day.isoformat(),
                "items": status_records(ps),
                "history": [update_record(u) for u in progress.track(history)],
            }
            text = to_json(records) + "\n"
    if fmt == ExportFormat.xlsx:
        _written(st, path, len(ps.items), len(history))
        return
    if out is None:
        typer.echo(text, nl=False)
        return
    # A BOM tells Excel on Chinese Windows that the CSV is UTF-8 (it guesses GBK otherwise).
    write_atomically(out, ("\ufeff" + text) if fmt == ExportFormat.csv else text)
    _written(st, out, len(ps.items), len(history))


LARGE_PLAN = 2_000  # items: an export worth a progress bar (a district's plan)


def _written(st: State, path: Path, items: int, records: int) -> None:
    st.note(t("export.written", path=display_path(path, st.env), items=items, records=records))


@app.command(help=t("help.rollover"))
def rollover(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Argument(help=t("help.rollover_year")),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=t("help.rollover_out")),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=t("help.force"))] = False,
) -> None:
    """Write next year's targets file from this year's plan: baselines from this year's records."""
    from kpi.core.plan_file import parse_plan
    from kpi.core.status import clamp_to_period
    from kpi.errors import PlanError
    from kpi.rollover import next_year, to_yaml

    st = state(ctx)
    plan = st.plan()
    year = year or plan.year + 1
    if year != plan.year + 1:
        raise InputError(t("rollover.not_next", year=year, plan=plan.id, next=plan.year + 1))
    path = out or Path("targets") / f"{year}.yaml"
    name = display_path(path, st.env)
    st.store().guard_out(path)
    if path.exists() and not force:
        raise InputError(t("rollover.exists", path=name))
    as_of = clamp_to_period(plan, st.today)
    if as_of < plan.end:
        st.note(t("rollover.not_over", year=plan.year, end=plan.end, as_of=as_of))
    result = next_year(plan, st.updates(), year, as_of)
    header = t(
        "rollover.header",
        year=year,
        old=plan.year,
        as_of=as_of.isoformat(),
        today=st.today.isoformat(),
        title=plan.title,
        path=name,
    )
    text = to_yaml(result, header)
    try:
        new = parse_plan(text, name)
    except PlanError as exc:
        # Our own output failed the check: a fault of the tool, not of what the user typed.
        raise KpiError(
            t("rollover.invalid", year=year, problem=exc.message), details=exc.details
        ) from None
    write_atomically(path, text)
    st.out.print(
        t(
            "rollover.written",
            path=name,
            n=len(new.items),
            old=plan.year,
            from_records=result.from_records,
            carried=result.carried,
        ),
        markup=False,
        soft_wrap=True,
    )
