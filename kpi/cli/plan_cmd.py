"""`kpi load`: sync a targets file into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi.cli.app import app, state
from kpi.cli.context import default_plan_file, display_path
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
) -> None:
    """Load (sync) the plan from a targets file: items matched by code, removed ones retired."""
    from kpi.core.plan_file import file_sha256, read_plan_file

    st = state(ctx)
    path = file or default_plan_file(st.env)
    name = display_path(path, st.env)
    plan = read_plan_file(path, name)
    result = st.store().sync_plan(
        plan, file=name, sha256=file_sha256(path), by=st.user, dry_run=dry_run
    )
    out = st.out
    if result.nothing:
        out.print(t("load.nothing", path=name, n=result.unchanged), markup=False)
        return
    key = "load.dry_run" if dry_run else "load.done"
    out.print(
        t(
            key,
            path=name,
            added=len(result.added),
            changed=len(result.changed),
            retired=len(result.retired),
            unchanged=result.unchanged,
        ),
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
            out.print(f"  {t(label)}: {shown}", markup=False, soft_wrap=False)
