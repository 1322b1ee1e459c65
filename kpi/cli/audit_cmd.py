"""`kpi audit`: every record, void, undo, plan load and grant, with who did it and when.

Read from the append-only tables (``kpi.store.audit``): nothing in it can be changed through kpi,
nor, on a PostgreSQL server set up by `kpi access init`, through SQL by any role but the owner.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpi.cli.options import Format
from kpi.cli.root import app, state
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from rich.table import Table

    from kpi.app.audit import AuditEvent

_ACTIONS = {
    "record": "audit.action_record",
    "void": "audit.action_void",
    "undo": "audit.action_undo",
    "load": "audit.action_load",
    "grant": "audit.action_grant",
    "revoke": "audit.action_revoke",
}


@app.command(help=t("help.audit"))
def audit(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help=t("help.audit_since"))] = None,
    who: Annotated[str | None, typer.Option("--who", help=t("help.audit_who"))] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help=t("help.table_or_json"))
    ] = Format.table,
) -> None:
    """Every step, oldest first: records, voids, undos, plan loads, grants; who and when."""
    from kpi.app.audit import trail
    from kpi.formats.records import to_json

    if fmt not in (Format.table, Format.json):
        raise InputError(t("show.bad_format", fmt=fmt.value))
    st = state(ctx)
    found = trail(st.workspace, since=since, who=who)
    if fmt == Format.json:
        typer.echo(to_json([_record(e) for e in found]))
        return
    st.out.print(_table(found))


def _record(e: AuditEvent) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(sep=" ") if e.at else None,
        "actor": e.actor,
        "action": e.action,
        "plan": e.plan_id,
        **{k: v for k, v in e.detail.items() if k != "unit"},
    }


def _table(found: list[AuditEvent]) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SIMPLE_HEAD,
        title=Text(t("audit.title", n=len(found)), style="bold"),
        title_justify="left",
        pad_edge=False,
    )
    table.add_column(t("col.at"), no_wrap=True)
    table.add_column(t("col.account"), no_wrap=True)
    table.add_column(t("col.action"), no_wrap=True)
    table.add_column(t("col.plan"), no_wrap=True)
    table.add_column(t("col.detail"), ratio=1, overflow="fold")
    if not found:
        table.add_row("", "", t("audit.empty"), "", "")
    for e in found:
        when = e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if e.at else ""
        style = "dim" if e.action in ("void", "undo", "revoke") else ""
        table.add_row(when, e.actor, t(_ACTIONS[e.action]), e.plan_id or "", _words(e), style=style)
    return table


def _words(e: AuditEvent) -> str:
    from kpi.core.records import Update
    from kpi.core.rights import describe_grant
    from kpi.formats.words import describe

    d = e.detail
    if e.action == "record":
        update = Update(
            0, d["code"], d["item_code"], dt.date.fromisoformat(d["date"]), d["kind"], d["value"]
        )
        text = t(
            "audit.record",
            id=d["id"],
            code=d["code"],
            date=d["date"],
            record=describe(update, d["unit"]),
        )
        if d["by"] and d["by"] != e.actor:
            text += t("audit.reported_by", by=d["by"])
        return text
    if e.action in ("void", "undo"):
        key = "audit.void" if e.action == "void" else "audit.undo"
        text = t(key, id=d["id"], code=d["code"], date=d["date"], reason=d["reason"] or "")
        if d["by"] and d["by"] != e.actor:
            text += t("audit.reported_by", by=d["by"])
        return text
    if e.action == "load":
        return t(
            "audit.load",
            version=d["version"],
            file=d["file"],
            sha=(d["sha256"] or "")[:12],
            effective=d["effective"],
            added=d["added"],
            changed=d["changed"],
            retired=d["retired"],
        )
    key = "audit.grant" if e.action == "grant" else "audit.revoke"
    return t(key, role=d["role"], right=describe_grant(d["level"], d["office"], e.plan_id))
