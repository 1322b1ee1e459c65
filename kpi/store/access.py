"""Rights in the database: who is acting, the grant events, the rights in force, and the server's
set-up that enforces them.

- **Who is acting** (``identity``): on PostgreSQL the role logged in, ``current_user`` — what the
  server's policies check — and whether it owns kpi's tables (then it may do everything there);
  on SQLite the account of the real uid, handed in by the caller.
- **The rights** (``rights``): every grant event, folded by ``kpi.core.rights.effective``.
- **Granting** (``add_events``): events appended in one transaction, after a check that sees
  those stored; on PostgreSQL the server's policy lets only an admin append them, and a trigger
  makes the role a member of kpi's group role (or no longer one) to match.
- **Set-up** (``init``): on PostgreSQL the group role, grants, policies, functions and triggers
  of ``access_sql``, run by the database owner, and the first admin; on SQLite the first admin.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kpi.core.rights import GrantEvent, Refused, Rights, effective
from kpi.errors import InputError
from kpi.locale import t
from kpi.store import access_sql
from kpi.store.engine import Database, Transaction
from kpi.store.rows import moment_of

_IDENTITY = (
    "SELECT CAST(current_user AS text) AS me, CAST(current_database() AS text) AS db, "
    "CAST(current_schema() AS text) AS schema, (SELECT CAST(tableowner AS text) "
    "FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'updates') "
    "AS owner, (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS super, "
    "to_regprocedure(quote_ident(current_schema()) || '.kpi_group()') IS NOT NULL AS enforced"
)
_EVENTS = 'SELECT id, action, role, level, office, plan_id, "by", at FROM grant_events ORDER BY id'
_INSERT = (
    'INSERT INTO grant_events (action, role, level, office, plan_id, "by", at) '
    "VALUES (:action, :role, :level, :office, :plan, :by, :at)"
)
_GROUP = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is acting on this database."""

    account: str
    owner: bool = False  # owns kpi's tables (or is a superuser): the server lets it do anything
    enforced: bool = False  # the server enforces the rights (`kpi access init` was run)
    database: str | None = None
    schema: str | None = None
    table_owner: str | None = None


def identity(db: Database, account: str) -> Identity:
    """On a server, the role logged in; on SQLite, ``account`` (the real uid's)."""
    if db.is_sqlite:
        return Identity(account)
    row = db.rows(_IDENTITY)[0]
    return Identity(
        account=str(row["me"]),
        owner=bool(row["super"]) or row["me"] == row["owner"],
        enforced=bool(row["enforced"]),
        database=row["db"],
        schema=row["schema"],
        table_owner=row["owner"],
    )


def events(db: Database | Transaction) -> list[GrantEvent]:
    """Every grant and revocation, oldest first."""
    return [
        GrantEvent(
            id=int(r["id"]),
            action=r["action"],
            role=r["role"],
            level=r["level"],
            office=r["office"],
            plan_id=r["plan_id"],
            by=r["by"],
            at=moment_of(r["at"]),
        )
        for r in db.rows(_EVENTS)
    ]


def rights(db: Database, who: Identity) -> Rights:
    """What ``who`` may do: the rights in force that are theirs."""
    return Rights.of(who.account, events(db), owner=who.owner, enforced=who.enforced)


def role_exists(db: Database, role: str) -> bool:
    """Whether the server has a role of that name (on SQLite any account may be named)."""
    if db.is_sqlite:
        return True
    return bool(db.rows("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r", r=role))


def add_events(
    db: Database,
    make: Callable[[list[GrantEvent]], Sequence[GrantEvent]],
    now: dt.datetime,
) -> list[GrantEvent]:
    """Append the events ``make`` returns, given those stored, in one transaction."""
    with db.write() as tx:
        new = list(make(events(tx)))
        _append(tx, new, now)
    return new


def _append(tx: Transaction, new: Sequence[GrantEvent], now: dt.datetime) -> None:
    tx.executemany(
        _INSERT,
        [
            {
                "action": e.action,
                "role": e.role,
                "level": e.level,
                "office": e.office,
                "plan": e.plan_id,
                "by": e.by,
                "at": now,
            }
            for e in new
        ],
    )


def default_group(who: Identity) -> str:
    """``<database>_users`` (with the schema's name too when it is not ``public``)."""
    parts = [who.database or "kpi"]
    if who.schema and who.schema != "public":
        parts.append(who.schema)
    name = re.sub(r"[^a-z0-9_]", "_", "_".join([*parts, "users"]).lower())
    return (name if name[:1].isalpha() else f"kpi_{name}")[:63]


def group_of(db: Database) -> str | None:
    """The group role of an enforced server, or None."""
    if db.is_sqlite or not identity(db, "").enforced:
        return None
    return str(db.rows("SELECT kpi_group() AS g")[0]["g"])


@dataclass(frozen=True, slots=True)
class InitResult:
    group: str | None  # the server's group role (None on SQLite)
    granted: bool  # the admin was granted (False: they were admin already)


def init(
    db: Database,
    who: Identity,
    *,
    admin: str,
    group: str | None,
    now: dt.datetime,
    check: Callable[[list[GrantEvent]], None],
) -> InitResult:
    """Set the rights up (again): on a server the group role, grants, policies, functions and
    triggers, by the owner of kpi's tables; then ``admin`` is admin of every plan."""
    name = None
    with db.write() as tx:
        if not db.is_sqlite:
            if not who.owner:
                raise Refused(t("rights.init_not_owner", owner=who.table_owner, user=who.account))
            name = _group_name(tx, who, group)
            known = tx.rows("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :g", g=name)
            if not known:
                tx.execute(f"CREATE ROLE {access_sql.ident(name)} NOLOGIN")
            assert who.schema is not None and who.database is not None
            for statement in access_sql.setup(who.schema, name, who.database, access_sql.TABLES):
                tx.execute(statement)
        stored = events(tx)
        check(stored)  # inside the transaction: a grant made meanwhile counts
        held = any(
            g.role == admin and g.level == "admin" and g.plan_id is None for g in effective(stored)
        )
        if not held:
            _append(tx, [GrantEvent(0, "grant", admin, "admin", None, None, who.account, now)], now)
    return InitResult(group=name, granted=not held)


def _group_name(tx: Transaction, who: Identity, asked: str | None) -> str:
    existing = None
    if who.enforced:
        existing = str(tx.rows("SELECT kpi_group() AS g")[0]["g"])
    if asked is not None and existing is not None and asked != existing:
        raise InputError(t("rights.group_differs", group=existing, asked=asked))
    name = asked or existing or default_group(who)
    if not _GROUP.match(name):
        raise InputError(t("rights.bad_group", group=name))
    return name


def offices(db: Database, plan_id: str | None) -> set[str] | None:
    """The offices of the plan (of every plan, without one); None when no plan is loaded."""
    import json

    if plan_id is None:
        rows = db.rows("SELECT offices FROM plans")
    else:
        rows = db.rows("SELECT offices FROM plans WHERE id = :plan", plan=plan_id)
    if not rows:
        return None
    return {office for r in rows for office in json.loads(r["offices"])}
