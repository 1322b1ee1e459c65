"""The database, the only part of kpi that touches one: ``Store`` is its face.

- ``engine``: where the database is and how it is reached — ``sqlite3`` for a SQLite file,
  psycopg for PostgreSQL (``server``), SQLAlchemy for any other server — with reads and
  one-transaction writes; ``urls``: telling the URLs apart, passwords never shown;
- ``maintenance``: opening only kpi databases, the schema and its upgrades, backups, checks;
- ``plans``: the plans there are, loading one; ``sync``: syncing one from its targets file;
- ``versions``: every load of a plan, and the plan in effect on any day;
- ``records``: reading, adding and voiding records;
- ``progress``: each item's progress on a day, counted by the database;
- ``access`` and ``access_sql``: who is acting, the rights granted, and the PostgreSQL roles,
  policies and triggers that enforce them; ``audit``: every step, with who and when;
- ``rows``: the conversions between rows and plan objects or records;
- ``schema`` and ``migrations``: the tables, as SQLModel classes and as Alembic migrations.

``Store.plan(id)`` is the store bound to one plan (``PlanStore``): its items, versions, records
and progress. Every method of either is one short read or one transaction; the rules about what
may be written live in ``kpi.core``, and the store runs the checks they need inside its
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from kpi.core.plan import Plan, PlanHead, PlanInfo
from kpi.core.progress import Progress
from kpi.core.records import Update
from kpi.core.rights import GrantEvent, Rights
from kpi.env import Env, real_now
from kpi.errors import InputError
from kpi.locale import t
from kpi.store import access, audit, maintenance, plans, progress, records, sync, versions
from kpi.store.engine import DEFAULT_DB, Database
from kpi.store.maintenance import SCHEMA_VERSION
from kpi.store.urls import safe_url, sqlite_target
from kpi.store.versions import SyncResult

__all__ = [
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "PlanInfo",
    "PlanStore",
    "Store",
    "SyncResult",
    "locate",
    "safe_url",
]


def locate(db: str | None, env: Env | None = None) -> Database:
    """The database ``--db`` (or ``KPI_DB``, else ``db/kpi.sqlite``) names, not yet opened."""
    env = env or Env()
    text = db or env.get("KPI_DB") or str(DEFAULT_DB)
    read_only = False
    if "://" in text:
        target = sqlite_target(text)
        if target is None:
            return Database(text)
        path, read_only = target
    else:
        path = Path(text)
    given, path = path, path.expanduser()
    if not path.is_absolute():
        path = env.cwd / path
    if path.is_dir():
        raise InputError(t("db.is_dir", path=given))
    return Database(f"sqlite:///{path}", path=path, read_only=read_only)


class Store:
    """One database. Open it with ``Store.open``; every method is one read or one transaction."""

    def __init__(self, db: Database, now: Callable[[], dt.datetime] = real_now) -> None:
        self.db = db
        self.now = now
        self._identity: access.Identity | None = None

    @classmethod
    def open(
        cls, db: str | None = None, env: Env | None = None, *, check_schema: bool = True
    ) -> Store:
        """Open the database (creating a new one); refuse one that is not kpi's or is older.

        Without ``env``, the process's own environment says where (``KPI_DB``)."""
        env = env or Env.from_process()
        database = locate(db, env)
        try:
            maintenance.prepare(database, check_schema=check_schema)
        except BaseException:
            database.close()
            raise
        return cls(database, env.now)

    @property
    def is_sqlite(self) -> bool:
        return self.db.is_sqlite

    @property
    def path(self) -> Path | None:
        return self.db.path

    @property
    def shown(self) -> str:
        return self.db.shown

    def close(self) -> None:
        self.db.close()

    # -- safety ---------------------------------------------------------------------------

    def schema_version(self) -> str | None:
        return maintenance.schema_version(self.db)

    def upgrade(self) -> tuple[str | None, str]:
        return maintenance.upgrade(self.db)

    def backup(self, target: Path) -> None:
        maintenance.backup(self.db, target)

    def guard_out(self, target: Path) -> None:
        maintenance.guard_out(self.db, target)

    def check(self) -> list[str]:
        return maintenance.check(self.db)

    def counts(self) -> dict[str, int]:
        return maintenance.counts(self.db)

    # -- plans ----------------------------------------------------------------------------

    def plans(self) -> list[PlanInfo]:
        """Every plan with its counts (a count of every record: for ``kpi plans``)."""
        return plans.plan_infos(self.db)

    def plan_heads(self) -> list[PlanHead]:
        """Every plan, nothing counted: for choosing one."""
        return plans.plan_heads(self.db)

    def plan(self, plan_id: str) -> PlanStore:
        """The store bound to one plan: its items and versions, records and progress."""
        return PlanStore(self, plan_id)

    def sync_plan(
        self,
        plan: Plan,
        *,
        file: str,
        sha256: str,
        by: str,
        dry_run: bool,
        effective: dt.date | None = None,
    ) -> SyncResult:
        return sync.sync_plan(
            self.db,
            plan,
            file=file,
            sha256=sha256,
            by=by,
            now=self.now(),
            effective=effective,
            dry_run=dry_run,
        )

    # -- rights and the audit trail -------------------------------------------------------

    def identity(self, account: str) -> access.Identity:
        """Who is acting: on a server the role logged in, on SQLite ``account`` (the uid's)."""
        if self._identity is None:
            self._identity = access.identity(self.db, account)
        return self._identity

    def account(self, account: str) -> str:
        return self.identity(account).account

    def rights(self, account: str) -> Rights:
        return access.rights(self.db, self.identity(account))

    def grant_events(self) -> list[GrantEvent]:
        return access.events(self.db)

    def add_grant_events(
        self, make: Callable[[list[GrantEvent]], Sequence[GrantEvent]]
    ) -> list[GrantEvent]:
        return access.add_events(self.db, make, self.now())

    def role_exists(self, role: str) -> bool:
        return access.role_exists(self.db, role)

    def offices(self, plan_id: str | None) -> set[str] | None:
        """The offices of the plan (of every plan, without one); None when no plan is loaded."""
        return access.offices(self.db, plan_id)

    def access_group(self) -> str | None:
        return access.group_of(self.db)

    def init_access(
        self,
        account: str,
        *,
        admin: str,
        group: str | None,
        check: Callable[[list[GrantEvent]], None],
    ) -> access.InitResult:
        who = self.identity(account)
        result = access.init(self.db, who, admin=admin, group=group, now=self.now(), check=check)
        self._identity = None
        return result

    def audit(
        self, *, since: dt.datetime | None, who: str | None, plan_id: str | None
    ) -> list[audit.AuditEvent]:
        return audit.trail(self.db, since=since, who=who, plan_id=plan_id)


class PlanStore:
    """One plan's part of the database (``Store.plan(id)``): the plan as stored and in effect on
    a day, its versions, its records, its progress. Each method is one read or one transaction."""

    def __init__(self, store: Store, plan_id: str) -> None:
        self.store = store
        self.db = store.db
        self.id = plan_id

    # -- the plan -------------------------------------------------------------------------

    def load(self, *, item: str | None = None) -> Plan:
        """The plan as it stands now (its newest version); with ``item``, that item alone."""
        return plans.load_plan(self.db, self.id, item=item)

    def on(self, day: dt.date, *, item: str | None = None) -> Plan:
        """The plan as it was in effect on ``day`` (its newest version: the plan's own tables)."""
        version, newest = versions.in_effect(self.db, self.id, day)
        if not newest and version is not None:
            found = versions.plan_of(self.db, self.id, version)
            if found is not None:
                return found if item is None else _only(found, item)
        return self.load(item=item)

    def version_on(self, day: dt.date) -> tuple[int | None, bool]:
        """The version of the plan in effect on ``day``, and whether it is the newest."""
        return versions.in_effect(self.db, self.id, day)

    def versions(self) -> list[versions.Version]:
        return versions.history(self.db, self.id)

    def retire(self) -> bool:
        return plans.retire(self.db, self.id)

    def item_of(self, text: str) -> str | None:
        return plans.item_of(self.db, self.id, text)

    def names(self) -> list[tuple[str, str]]:
        return plans.names(self.db, self.id)

    def retired_codes(self) -> set[str]:
        return plans.retired_codes(self.db, self.id)

    def offices(self) -> set[str] | None:
        return access.offices(self.db, self.id)

    # -- records --------------------------------------------------------------------------

    def updates(self, *, item_code: str | None = None) -> list[Update]:
        return records.updates(self.db, self.id, item_code=item_code)

    def updates_between(self, start: dt.date, end: dt.date) -> list[Update]:
        return records.updates_between(self.db, self.id, start, end)

    def valid_between(self, start: dt.date, end: dt.date) -> list[tuple[int, str]]:
        return records.valid_between(self.db, self.id, start, end)

    def updates_with_ids(self, ids: Sequence[int]) -> list[Update]:
        return records.updates_with_ids(self.db, self.id, ids)

    def get_update(self, update_id: int) -> Update | None:
        return records.get_update(self.db, self.id, update_id)

    def last_update_by(self, os_user: str) -> Update | None:
        return records.last_update_by(self.db, self.id, os_user)

    def add_update(self, new: Update, check: records.Check | None = None) -> Update:
        return records.add_update(self.db, self.id, new, self.store.now(), check)

    def add_updates(
        self,
        new: records.Batch | Sequence[Update] = (),
        check: Callable[[records.StoredRecords], records.Batch] | None = None,
    ) -> int:
        """Several records in one transaction: ``new``, or what ``check`` (run inside the
        transaction with the records as stored then) returns."""
        return records.add_updates(self.db, self.id, new, self.store.now(), check)

    def stored_records(self) -> records.StoredRecords:
        """What an import is checked against, read outside any write."""
        return records.StoredRecords(self.db, self.id)

    def void(
        self,
        update_id: int,
        *,
        reason: str,
        by: str,
        os_user: str,
        check: Callable[[Update], None] | None = None,
    ) -> Update:
        return records.void(
            self.db,
            self.id,
            update_id,
            reason=reason,
            by=by,
            os_user=os_user,
            now=self.store.now(),
            check=check,
        )

    def undo(self, update_id: int | None, *, account: str, reason: str) -> Update:
        return records.undo(
            self.db, self.id, update_id, account=account, reason=reason, now=self.store.now()
        )

    # -- progress -------------------------------------------------------------------------

    def progress(self, day: dt.date) -> dict[str, Progress]:
        return progress.progress(self.db, self.id, day)

    def progress_on(self, days: Sequence[dt.date]) -> list[dict[str, Progress]]:
        return progress.progress_on(self.db, self.id, days)

    def progress_later(self, days: Sequence[dt.date]) -> list[Callable[[], dict[str, Progress]]]:
        """``progress_on``, begun now (in the background on SQLite): a call per day that waits
        for its day."""
        return progress.progress_later(self.db, self.id, days)


def _only(plan: Plan, item: str) -> Plan:
    """``plan`` with one item (and its area and section) alone."""
    from dataclasses import replace

    kept = tuple(i for i in plan.items if i.code == item)
    return replace(plan, items=kept, _by_code={}, _milestones={})
