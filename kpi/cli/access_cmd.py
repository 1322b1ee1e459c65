"""`kpi access init | grant | revoke | list`: who may do what.

The rules are ``kpi.core.rights``; the grants are rows of ``grant_events`` (``kpi.store.access``).
On PostgreSQL `kpi access init`, run by the database owner, makes the server enforce them, and a
grant makes the role a member of kpi's group role, so that it can log in and use kpi. On SQLite
the file's permissions are the boundary and kpi applies the same rules against mistakes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.context import State
from kpi.cli.options import Format
from kpi.cli.root import app as main_app
from kpi.cli.root import state
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from rich.table import Table

    from kpi.core.rights import Grant, GrantEvent, Rights

access_app = typer.Typer(no_args_is_help=True, help=t("help.access"))
main_app.add_typer(access_app, name="access")


class LevelChoice(StrEnum):
    staff = "staff"
    supervisor = "supervisor"
    admin = "admin"
    reader = "reader"


RoleArg = Annotated[str, typer.Argument(metavar="ROLE", help=t("help.access_role"))]
OfficeOpt = Annotated[
    list[str] | None, typer.Option("--office", help=t("help.access_office"), show_default=False)
]
PlanOpt = Annotated[
    str | None, typer.Option("--plan", help=t("help.access_plan"), show_default=False)
]


def _role(st: State, text: str) -> str:
    from kpi.core.typed import check_typed

    role = check_typed(text.strip(), "ROLE", limit=63, lines=False)
    if not role:
        raise InputError(t("access.empty_role"))
    store = st.workspace.store()
    if not store.role_exists(role):
        raise InputError(t("access.no_such_role", role=role))
    if role == store.access_group():
        raise InputError(t("access.not_group", role=role))
    return role


@access_app.command("init", help=t("help.access_init"))
def init(
    ctx: typer.Context,
    admin: Annotated[
        str | None, typer.Option("--admin", help=t("help.access_admin"), show_default=False)
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", help=t("help.access_group"), show_default=False)
    ] = None,
) -> None:
    """Set the rights up: on PostgreSQL the server's roles, policies and triggers; the first admin."""
    from kpi.core.rights import Rights, check_init

    st = state(ctx)
    store = st.workspace.store()
    me = store.identity(st.env.user)
    role = _role(st, admin) if admin is not None else me.account

    def check(stored: list[GrantEvent]) -> None:
        check_init(Rights.of(me.account, stored, owner=me.owner, enforced=me.enforced))

    result = store.init_access(st.env.user, admin=role, group=group, check=check)
    out = st.out
    if result.group is not None:
        out.print(t("access.init_server", group=result.group), markup=False)
    else:
        out.print(t("access.init_sqlite"), markup=False)
    key = "access.admin_granted" if result.granted else "access.admin_already"
    out.print("  " + t(key, role=role), markup=False)
    out.print("  " + t("access.next"), markup=False)


@access_app.command("grant", help=t("help.access_grant"))
def grant(
    ctx: typer.Context,
    role: RoleArg,
    level: Annotated[LevelChoice, typer.Option("--as", help=t("help.access_as"))],
    office: OfficeOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Grant ROLE a right: staff of an office, supervisor, admin or reader; of a plan or all."""
    from kpi.core.rights import check_grant, describe_grant, grants_to_add

    st = state(ctx)
    offices = [o.strip() for o in office or [] if o.strip()]
    if level == LevelChoice.staff and not offices:
        raise InputError(t("access.office_needed"))
    if level != LevelChoice.staff and offices:
        raise InputError(t("access.office_not_allowed"))
    plan_id = _plan(st, plan)
    _check_offices(st, offices, plan_id)
    name = _role(st, role)
    rights = st.workspace.rights()
    check_grant(rights, plan_id)

    def make(stored: list[GrantEvent]) -> list[GrantEvent]:
        return grants_to_add(stored, name, level.value, offices, plan_id, rights.account)

    added = st.workspace.store().add_grant_events(make)
    out = st.out
    if not added:
        each: list[str | None] = [*offices] or [None]
        words = "、".join(describe_grant(level.value, o, plan_id) for o in each)
        out.print(t("access.held", role=name, right=words), markup=False)
        return
    for e in added:
        right = describe_grant(e.level, e.office, e.plan_id)
        out.print(t("access.granted", role=name, right=right), markup=False)
    group = st.workspace.store().access_group()
    if group is not None:
        out.print("  " + t("access.granted_login", role=name, group=group), markup=False)


def _plan(st: State, plan: str | None) -> str | None:
    if plan is None or not plan.strip():
        return None
    known = st.workspace.plans()
    if not any(p.id == plan.strip() for p in known):
        raise InputError(
            t("plan.unknown", plan=plan.strip(), plans="、".join(p.id for p in known) or "—")
        )
    return plan.strip()


def _check_offices(st: State, offices: list[str], plan_id: str | None) -> None:
    """An office must be one the plan (or some plan) names: a typo would grant nothing."""
    known = st.workspace.store().offices(plan_id)
    if known is None:
        return  # no plan loaded yet: nothing to check against
    for office in offices:
        if office not in known:
            raise InputError(
                t("access.unknown_office", office=office, offices="、".join(sorted(known)))
            )


@access_app.command("revoke", help=t("help.access_revoke"))
def revoke(
    ctx: typer.Context,
    role: RoleArg,
    level: Annotated[
        LevelChoice | None, typer.Option("--as", help=t("help.revoke_as"), show_default=False)
    ] = None,
    office: OfficeOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Take away ROLE's rights that match (with nothing more given: all its rights)."""
    from kpi.core.rights import check_grant, describe_grant, effective, grants_to_revoke

    st = state(ctx)
    name = role.strip()
    offices = [o.strip() for o in office or [] if o.strip()]
    plan_id = plan.strip() if plan and plan.strip() else None
    rights = st.workspace.rights()

    def make(stored: list[GrantEvent]) -> list[GrantEvent]:
        new = grants_to_revoke(
            stored, name, level.value if level else None, offices, plan_id, rights.account
        )
        for e in new:
            check_grant(rights, e.plan_id)
        return new

    if not rights.in_force:
        check_grant(rights, plan_id)
    removed = st.workspace.store().add_grant_events(make)
    if not removed:
        raise InputError(t("access.nothing_to_revoke", role=name))
    out = st.out
    for e in removed:
        right = describe_grant(e.level, e.office, e.plan_id)
        out.print(t("access.revoked", role=name, right=right), markup=False)
    group = st.workspace.store().access_group()
    left = [g for g in effective(st.workspace.store().grant_events()) if g.role == name]
    if group is not None and not left:
        out.print("  " + t("access.revoked_login", role=name, group=group), markup=False)


@access_app.command("list", help=t("help.access_list"))
def list_(
    ctx: typer.Context,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help=t("help.table_or_json"))
    ] = Format.table,
) -> None:
    """The rights in force, who granted each and when; how they are enforced; your own."""
    from kpi.core.rights import effective
    from kpi.formats.records import to_json

    st = state(ctx)
    store = st.workspace.store()
    events = store.grant_events()
    held = sorted(
        effective(events), key=lambda g: (g.role, g.plan_id or "", g.level, g.office or "")
    )
    rights = st.workspace.rights()
    group = store.access_group()
    if fmt == Format.json:
        typer.echo(
            to_json(
                {
                    "in_force": bool(events),
                    "enforced_by": "postgresql" if group else ("kpi" if events else None),
                    "group": group,
                    "account": rights.account,
                    "owner": rights.owner,
                    "rights": [
                        {
                            "role": g.role,
                            "level": g.level,
                            "office": g.office,
                            "plan": g.plan_id,
                            "by": g.by,
                            "at": g.at.isoformat(sep=" ") if g.at else None,
                        }
                        for g in held
                    ],
                }
            )
        )
        return
    if fmt != Format.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    out = st.out
    if not events:
        out.print(t("access.mode_off"), markup=False)
        return
    key = "access.mode_server" if group else "access.mode_kpi"
    out.print(t(key, group=group or ""), markup=False)
    out.print(_rights_table(held))
    out.print(_you(rights), markup=False)


def _rights_table(held: list[Grant]) -> Table:
    from rich import box
    from rich.table import Table

    from kpi.core.rights import level_name

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for key in (
        "col.role",
        "col.right",
        "col.grant_office",
        "col.plan",
        "col.granted_by",
        "col.at",
    ):
        table.add_column(t(key), no_wrap=key != "col.grant_office")
    if not held:
        table.add_row("", t("access.none"), "", "", "", "")
    for g in held:
        table.add_row(
            g.role,
            level_name(g.level),
            g.office or "",
            g.plan_id or t("rights.all_plans"),
            g.by,
            g.at.astimezone().strftime("%Y-%m-%d %H:%M") if g.at else "",
        )
    return table


def _you(rights: Rights) -> str:
    from kpi.core.rights import describe_grant

    if rights.owner:
        return t("access.you_owner", user=rights.account)
    if not rights.grants:
        return t("access.you_none", user=rights.account)
    words = "、".join(describe_grant(g.level, g.office, g.plan_id) for g in rights.grants)
    return t("access.you", user=rights.account, rights=words)
