"""`kpi load` (sync a targets file as a new version of its plan) and `kpi plans` (list, retire).

Loading and retiring a plan are an admin's (``kpi.core.rights``; on PostgreSQL the server checks
again); a dry run, which writes nothing, is anyone's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi.cli.options import Format
from kpi.cli.root import app, state
from kpi.errors import InputError
from kpi.locale import t

LISTED = 30  # codes listed per kind of change; a first load of a big plan adds thousands


@app.command(help=t("help.load"))
def load(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help=t("help.load_file"), show_default=False),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.load_dry_run"))] = False,
    effective: Annotated[
        str | None, typer.Option("--effective", help=t("help.effective"), show_default=False)
    ] = None,
) -> None:
    """Load (sync) the plan from a targets file: items matched by code, removed ones retired."""
    from kpi.app import plans as loading
    from kpi.cli.progress import bar

    st = state(ctx)
    ws = st.workspace
    path = loading.plan_file(ws, file)
    with bar(st.err, show=loading.large(path)) as progress:
        done = loading.load(ws, path, dry_run=dry_run, effective=effective, steps=progress)
    result, plan, name = done.result, done.plan, done.name
    out = st.out
    if result.adopted:
        key = "load.would_adopt" if dry_run else "load.adopted"
        out.print(t(key, old=result.adopted, plan=plan.id), markup=False)
    if result.nothing:
        out.print(t("load.nothing", path=name, n=result.unchanged, plan=plan.id), markup=False)
        return
    key = "load.dry_run" if dry_run else "load.done"
    out.print(
        t(
            key,
            path=name,
            plan=plan.id,
            added=len(result.added),
            changed=len(result.changed),
            retired=len(result.retired),
            unchanged=result.unchanged,
        ),
        markup=False,
    )
    if result.effective is not None:
        key = "load.version_would" if dry_run else "load.version"
        out.print(
            "  " + t(key, version=result.version or "", effective=result.effective.isoformat()),
            markup=False,
        )
    for label, codes in (
        ("load.added", result.added),
        ("load.changed", result.changed),
        ("load.retired", result.retired),
    ):
        if codes:
            shown = ", ".join(codes[:LISTED])
            if len(codes) > LISTED:
                shown += t("load.and_more", n=len(codes) - LISTED)
            out.print(f"  {t(label)}: {shown}", markup=False)


plans_app = typer.Typer(help=t("help.plans"), invoke_without_command=True)
app.add_typer(plans_app, name="plans")


@plans_app.callback()
def plans(
    ctx: typer.Context,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help=t("help.table_or_json"))
    ] = Format.table,
) -> None:
    """Every plan in the database: id, organisation, title, period, items, records, version."""
    if ctx.invoked_subcommand is not None:
        return
    from kpi.app.plans import plans as every_plan
    from kpi.cli.tables import plans_table
    from kpi.formats.records import plan_record, to_json

    st = state(ctx)
    infos = every_plan(st.workspace)
    if fmt == Format.json:
        typer.echo(to_json([plan_record(p) for p in infos]))
        return
    if fmt != Format.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    if not infos:
        st.out.print(t("plans.none"), markup=False)
        return
    st.out.print(plans_table(infos))


@plans_app.command("retire", help=t("help.plans_retire"))
def retire(
    ctx: typer.Context,
    plan_id: Annotated[str, typer.Argument(metavar="ID", help=t("help.plan_id"))],
) -> None:
    """Take a plan out of use: hidden from the choice of plan, nothing deleted."""
    from kpi.app.plans import retire as take_out

    st = state(ctx)
    if take_out(st.workspace, plan_id):
        st.out.print(t("plans.retired", plan=plan_id), markup=False)
    else:
        st.out.print(t("plans.retired_already", plan=plan_id), markup=False)
