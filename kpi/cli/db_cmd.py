"""`kpi db upgrade | backup | check`: keeping the database safe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi.cli.root import app as main_app
from kpi.cli.root import state
from kpi.locale import t

db_app = typer.Typer(no_args_is_help=True, help=t("help.db_group"))
main_app.add_typer(db_app, name="db")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())


@db_app.command(help=t("help.db_upgrade"))
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the database schema to this version of kpi, keeping every record."""
    from kpi.app import database

    st = state(ctx)
    done = database.upgrade(st.workspace)
    if not done.changed:
        st.out.print(t("db.up_to_date", version=done.after), markup=False)
        return
    counts = _counts(done.counts)
    st.out.print(
        t("db.upgraded", before=done.before, after=done.after, counts=counts), markup=False
    )


@db_app.command(help=t("help.db_backup"))
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=t("help.backup_file"))],
) -> None:
    """Copy a SQLite database safely while others keep recording (SQLite's online backup)."""
    from kpi.app import database

    st = state(ctx)
    size = database.backup(st.workspace, file)
    st.out.print(t("db.backed_up", path=file, size=f"{size / 1024:.0f} KB"), markup=False)


@db_app.command(help=t("help.db_check"))
def check(ctx: typer.Context) -> None:
    """Check integrity, records pointing nowhere, voids of missing records, and the schema version."""
    from kpi.app import database

    st = state(ctx)
    counts = database.check(st.workspace)
    st.out.print(t("db.check_ok", counts=_counts(counts)), markup=False)
