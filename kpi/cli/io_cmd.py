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

from kpi.app.files import write_atomically
from kpi.cli.context import State, display_path
from kpi.cli.options import AsOf
from kpi.cli.root import app, state
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.sheets.checks import ItemChange


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
    """Import records from a spreadsheet: every row is checked first, then all are written or none."""
    from kpi.app.importing import import_file

    st = state(ctx)
    done = import_file(st.workspace, file, by=by, dry_run=dry_run, yes=yes)
    outcome, name = done.outcome, done.name
    out = st.out
    if not outcome.fresh:
        out.print(t("import.nothing", file=name, n=outcome.skipped), markup=False)
        return
    key = "import.dry_run" if dry_run else "import.done"
    out.print(t(key, file=name, n=outcome.fresh), markup=False)
    for change in done.changes:
        out.print("  " + _change_line(change), markup=False, soft_wrap=True)
    if done.items > len(done.changes):
        out.print("  " + t("load.and_more", n=done.items - len(done.changes)).strip(), markup=False)
    if outcome.skipped:
        out.print(t("import.skipped", n=outcome.skipped), markup=False)
    if outcome.slip_count:
        key = "import.slips_found" if dry_run else "import.slips_written"
        out.print(t(key, n=outcome.slip_count), markup=False)
        for _, line in outcome.slips:
            out.print("  " + line, markup=False, soft_wrap=True)
        if outcome.slip_count > len(outcome.slips):
            out.print("  " + t("import.more_slips", n=outcome.slip_count - len(outcome.slips)))


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
    from kpi.app import exporting
    from kpi.cli.progress import Counted, bar
    from kpi.formats.records import status_records, to_json, update_record
    from kpi.formats.tables import to_csv

    st = state(ctx)
    ws = st.workspace
    if ws.everything:
        from kpi.cli import district

        return district.export(st, fmt, out, as_of)
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = ExportFormat(suffix) if suffix in set(ExportFormat) else ExportFormat.xlsx
    if out is not None:
        ws.store().guard_out(out)
    with bar(st.err, show=exporting.large(ws)) as progress:
        ledger = exporting.ledger(ws, as_of, progress)
        ps, history = ledger.status, ledger.history
        day = ps.as_of
        if fmt == ExportFormat.xlsx:
            from kpi.sheets.ledger import workbook_bytes

            path = out or Path(t("export.default_name", as_of=day.isoformat()))
            ws.store().guard_out(path)
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
    from kpi.app.rollover import rollover as roll

    st = state(ctx)
    done = roll(st.workspace, year, out=out, force=force)
    st.out.print(
        t(
            "rollover.written",
            path=done.path,
            n=done.items,
            old=done.old,
            from_records=done.from_records,
            carried=done.carried,
        ),
        markup=False,
        soft_wrap=True,
    )
