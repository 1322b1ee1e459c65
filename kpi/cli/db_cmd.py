"""`kpi db upgrade | backup | check`: keeping the database safe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi.cli.app import app as main_app
from kpi.cli.app import state
from kpi.errors import KpiError
from kpi.locale import t

db_app = typer.Typer(no_args_is_help=True, help=t("help.db_group"))
main_app.add_typer(db_app, name="db")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())


@db_app.command(help=t("help.db_upgrade"))
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the database schema to this version of kpi, keeping every record."""
    from kpi.store import SCHEMA_VERSION, Store

    st = state(ctx)
    store = Store.open(st.db, st.env, check_schema=False)
    try:
        if store.schema_version() == SCHEMA_VERSION:
            st.out.print(t("db.up_to_date", version=SCHEMA_VERSION), markup=False)
            return
        before, after = store.upgrade()
        st.out.print(
            t("db.upgraded", before=before, after=after, counts=_counts(store.counts())),
            markup=False,
        )
    finally:
        store.close()


@db_app.command(help=t("help.db_backup"))
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=t("help.backup_file"))],
) -> None:
    """Copy a SQLite database safely while others keep recording (SQLite's online backup)."""
    from kpi.store import Store

    st = state(ctx)
    store = Store.open(st.db, st.env, check_schema=False)
    try:
        store.backup(file)
    finally:
        store.close()
    size = file.stat().st_size
    st.out.print(t("db.backed_up", path=file, size=f"{size / 1024:.0f} KB"), markup=False)


@db_app.command(help=t("help.db_check"))
def check(ctx: typer.Context) -> None:
    """Check integrity, records pointing nowhere, voids of missing records, and the schema version."""
    from kpi.store import Store

    st = state(ctx)
    store = Store.open(st.db, st.env, check_schema=False)
    try:
        problems = store.check()
        counts = store.counts()
    finally:
        store.close()
    if problems:
        raise KpiError(t("db.check_failed", n=len(problems)), details=problems)
    st.out.print(t("db.check_ok", counts=_counts(counts)), markup=False)
