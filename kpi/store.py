"""The database: where it is, its tables, and every read and write the tool makes.

SQLite by default (``db/kpi.sqlite`` under the working directory), any SQLAlchemy URL otherwise.
Writes run in one short transaction each, so a failure leaves the database as it was; on SQLite the
transaction takes the write lock up front (``BEGIN IMMEDIATE``) and waits for other writers rather
than failing, and the journal is WAL so readers never block writers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from kpi.errors import InputError, StoreError
from kpi.messages import t
from kpi.plan import (
    Area,
    Baseline,
    Checkpoint,
    Item,
    Milestone,
    Plan,
    Rules,
    Section,
    Target,
)
from kpi.status import Progress, Update

if TYPE_CHECKING:
    from sqlalchemy import Engine, Table
    from sqlalchemy.engine import Connection

DEFAULT_DB = Path("db") / "kpi.sqlite"
SCHEMA_VERSION = "0003"  # the newest migration in kpi/migrations/versions


def _tables() -> SimpleNamespace:
    """The tables as SQLAlchemy Core sees them, for writes. Imported only when writing: reading
    needs neither SQLAlchemy nor SQLModel, which cost more to import than a status takes to show.
    """
    from kpi import models

    return SimpleNamespace(
        PLANS=models.PlanRow.__table__,  # type: ignore[attr-defined]
        AREAS=models.AreaRow.__table__,  # type: ignore[attr-defined]
        SECTIONS=models.SectionRow.__table__,  # type: ignore[attr-defined]
        ITEMS=models.ItemRow.__table__,  # type: ignore[attr-defined]
        MILESTONES=models.MilestoneRow.__table__,  # type: ignore[attr-defined]
        UPDATES=models.UpdateRow.__table__,  # type: ignore[attr-defined]
        VOIDS=models.VoidRow.__table__,  # type: ignore[attr-defined]
        LOADS=models.LoadRow.__table__,  # type: ignore[attr-defined]
    )


BUSY_TIMEOUT_MS = 30_000
BULK_ROWS = 50_000  # an import this large rebuilds the record indexes instead of updating them


def database_url(db: str | os.PathLike[str] | None) -> str:
    """A path or a URL (``--db``/``KPI_DB``) as an SQLAlchemy URL; the default file otherwise."""
    text = str(db) if db else os.environ.get("KPI_DB") or str(DEFAULT_DB)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if path.is_dir():
        raise InputError(t("db.is_dir", path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(t("db.no_folder", path=path.parent, problem=exc.strerror or exc)) from None
    if not path.exists():
        # A new database is readable by the office's group, never writable by the world.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o640)
        os.close(fd)
    return f"sqlite:///{path.resolve()}"


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a load changed (or, in a dry run, would change), by code."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def nothing(self) -> bool:
        return not (self.added or self.changed or self.retired)


class Store:
    """One database. Open it with ``Store.open``; every method is one short transaction.

    Reads on SQLite go straight through the standard library's ``sqlite3``; writes, migrations
    and PostgreSQL go through SQLAlchemy, imported only when needed. Both run the same SQL.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = _sqlite_path(url)
        self.is_sqlite = self.path is not None
        self._engine: Engine | None = None
        self._reader: sqlite3.Connection | None = None

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None, *, check_schema: bool = True) -> Store:
        """Open (creating if new) the database; refuse one whose schema is older than this tool's."""
        store = cls(database_url(db))
        try:
            version = store.schema_version()
            if version is None:
                store.upgrade()  # a new database
            elif version != SCHEMA_VERSION and check_schema:
                raise StoreError(t("db.old_schema", version=version, head=SCHEMA_VERSION))
        except BaseException:
            store.close()
            raise
        return store

    @property
    def engine(self) -> Engine:
        """SQLAlchemy's engine, made on first use (writes, migrations, PostgreSQL)."""
        if self._engine is None:
            from sqlalchemy import create_engine
            from sqlalchemy.exc import ArgumentError, NoSuchModuleError

            try:
                engine = create_engine(self.url)
            except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
                raise InputError(t("db.bad_url", url=self.url, problem=_first_line(exc))) from None
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine)
            self._engine = engine
        return self._engine

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _query(self, sql: str, **params: Any) -> list[Any]:
        """Rows of a read-only query with :named parameters, addressable by column name."""
        if self.path is not None:
            if self._reader is None:
                reader = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
                )
                reader.row_factory = sqlite3.Row
                self._reader = reader
            # Dates are stored as ISO text in SQLite; compare them as such.
            params = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
            try:
                return self._reader.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreError(t("db.cannot_open", url=self.url, problem=exc)) from None
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn:
                return list(conn.execute(text(sql), params).mappings())
        except DBAPIError as exc:
            raise StoreError(t("db.cannot_open", url=self.url, problem=_first_line(exc))) from None

    # -- schema -------------------------------------------------------------------------------

    def schema_version(self) -> str | None:
        """The Alembic revision of the database; None for a new, empty one."""
        if self.path is not None:
            tables = {
                r["name"]
                for r in self._query("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        else:
            from sqlalchemy import inspect
            from sqlalchemy.exc import DBAPIError

            try:
                with self.engine.connect() as conn:
                    tables = set(inspect(conn).get_table_names())
            except DBAPIError as exc:
                raise StoreError(
                    t("db.cannot_open", url=self.url, problem=_first_line(exc))
                ) from None
        if "alembic_version" not in tables:
            if tables & {"plans", "updates"}:
                raise StoreError(t("db.unknown_schema", url=self.url))
            return None
        rows = self._query("SELECT version_num FROM alembic_version")
        return rows[0]["version_num"] if rows else None

    def upgrade(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision, in one transaction; returns (before, after)."""
        from alembic import command
        from alembic.config import Config
        from sqlalchemy import inspect, text

        config = Config()
        config.set_main_option("script_location", "kpi:migrations")
        with self._write() as conn:
            if not self.is_sqlite:
                # Two first commands at once must not both create the tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))
            tables = set(inspect(conn).get_table_names())
            before = (
                conn.scalar(text("SELECT version_num FROM alembic_version"))
                if "alembic_version" in tables
                else None
            )
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        return before, SCHEMA_VERSION

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        from sqlalchemy.exc import OperationalError

        try:
            with self.engine.connect() as conn:
                conn.info["kpi_write"] = True
                try:
                    with conn.begin():
                        yield conn
                finally:
                    conn.info["kpi_write"] = False
        except OperationalError as exc:
            raise StoreError(t("db.failed", problem=_first_line(exc))) from None

    # -- safety -------------------------------------------------------------------------------

    def backup(self, target: Path) -> None:
        """A consistent copy of a SQLite database, taken while others go on writing.

        SQLite's online backup copies page by page and restarts if a writer changes a page it
        has copied, so the copy is always one committed state. The copy is written beside the
        target and renamed into place, so a failed backup never leaves half a file.
        """
        import sqlite3

        if not self.is_sqlite:
            raise InputError(t("db.backup_not_sqlite"))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        raw = self.engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
            os.chmod(partial, 0o640)
            os.replace(partial, target)
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(t("db.backup_failed", path=target, problem=exc)) from None
        finally:
            raw.close()

    def check(self) -> list[str]:
        """Everything wrong with the database, one line each; empty when all is well."""
        problems: list[str] = []
        if self.is_sqlite:
            for row in self._query("PRAGMA integrity_check"):
                if row[0] != "ok":
                    problems.append(t("check.integrity", problem=row[0]))
            for row in self._query("PRAGMA foreign_key_check"):
                problems.append(t("check.foreign_key", table=row[0], rowid=row[1]))
        version = self.schema_version()
        if version != SCHEMA_VERSION:
            problems.append(t("check.schema", version=version, head=SCHEMA_VERSION))
        known_items = {
            (r["plan_year"], r["code"]) for r in self._query("SELECT plan_year, code FROM items")
        }
        known_ms = {
            (r["plan_year"], r["code"]): r["item_code"]
            for r in self._query("SELECT plan_year, code, item_code FROM milestones")
        }
        for u in self._query(
            "SELECT id, plan_year, code, item_code, kind FROM updates ORDER BY id"
        ):
            if (u["plan_year"], u["item_code"]) not in known_items:
                problems.append(
                    t("check.orphan_update", id=u["id"], code=u["item_code"], year=u["plan_year"])
                )
            elif u["code"] != u["item_code"]:
                if known_ms.get((u["plan_year"], u["code"])) != u["item_code"]:
                    problems.append(t("check.orphan_milestone", id=u["id"], code=u["code"]))
                elif u["kind"] != "done":
                    problems.append(
                        t("check.milestone_kind", id=u["id"], code=u["code"], kind=u["kind"])
                    )
        orphan_voids = self._query(
            "SELECT v.update_id FROM voids v LEFT JOIN updates u ON u.id = v.update_id WHERE u.id IS NULL"
        )
        problems.extend(t("check.orphan_void", id=r["update_id"]) for r in orphan_voids)
        return problems

    def counts(self) -> dict[str, int]:
        """Rows per table, for `kpi db check` and for checking that an upgrade lost nothing."""
        tables = ("plans", "areas", "sections", "items", "milestones", "updates", "voids", "loads")
        return {name: self._query(f"SELECT count(*) AS n FROM {name}")[0]["n"] for name in tables}

    # -- plans --------------------------------------------------------------------------------

    def plan_years(self) -> list[int]:
        return sorted(r["year"] for r in self._query("SELECT year FROM plans"))

    def load_plan(self, year: int, *, item: str | None = None) -> Plan:
        """The plan as stored, without retired items; with ``item``, that item alone (all a
        `kpi show` needs, so it does not read ten thousand items to show one)."""
        heads = self._query(
            'SELECT year, title, source, start, "end", rules, offices FROM plans WHERE year = :year',
            year=year,
        )
        if not heads:
            raise InputError(t("db.no_plan", year=year))
        current = "plan_year = :year AND retired = :no"
        parts = [
            self._query(
                f"SELECT * FROM {table} WHERE {current} ORDER BY position", year=year, no=False
            )
            for table in ("areas", "sections")
        ]
        only = "" if item is None else " AND {} = :item"
        parts += [
            self._query(
                f"SELECT * FROM {table} WHERE {current}{only.format(column)} ORDER BY position",
                year=year,
                no=False,
                item=item,
            )
            for table, column in (("items", "code"), ("milestones", "item_code"))
        ]
        return _plan_from_rows(heads[0], *parts)

    def sync_plan(
        self, plan: Plan, *, file: str, sha256: str, by: str, dry_run: bool
    ) -> SyncResult:
        """Bring the stored plan in line with ``plan``, matched by code; retire what is gone."""
        from sqlalchemy import insert, select, update

        tb = _tables()
        rows = _rows_from_plan(plan)
        result = SyncResult()
        with self._write() as conn:
            head = _plan_head(plan)
            existing_head = conn.execute(
                select(tb.PLANS).where(tb.PLANS.c.year == plan.year)
            ).first()
            if existing_head is None:
                if not dry_run:
                    conn.execute(insert(tb.PLANS).values(**head))
            elif dict(existing_head._mapping) != head:
                result.changed.append(str(plan.year))
                if not dry_run:
                    conn.execute(
                        update(tb.PLANS).where(tb.PLANS.c.year == plan.year).values(**head)
                    )
            for name, new_rows in rows.items():
                self._sync_table(
                    conn, getattr(tb, name.upper()), plan.year, new_rows, result, dry_run
                )
            if not dry_run and not result.nothing:
                conn.execute(
                    insert(tb.LOADS).values(
                        plan_year=plan.year,
                        file=file,
                        sha256=sha256,
                        by=by,
                        loaded_at=_now(),
                        added=len(result.added),
                        changed=len(result.changed),
                        retired=len(result.retired),
                        unchanged=result.unchanged,
                    )
                )
        return result

    @staticmethod
    def _sync_table(
        conn: Connection,
        table: Table,
        year: int,
        new_rows: list[dict[str, Any]],
        result: SyncResult,
        dry_run: bool,
    ) -> None:
        from sqlalchemy import bindparam, insert, select, update

        cols = table.c
        old = {
            r.code: dict(r._mapping)
            for r in conn.execute(select(table).where(cols.plan_year == year))
        }
        unchanged = 0
        to_insert: list[dict[str, Any]] = []
        to_update: list[dict[str, Any]] = []
        for row in new_rows:
            code = row["code"]
            before = old.pop(code, None)
            if before is None:
                result.added.append(code)
                to_insert.append(row)
                continue
            # A shift in position (an item added or removed above it) is not a change to report.
            if {**before, "position": None} != {**row, "position": None}:
                result.changed.append(code)
            else:
                unchanged += 1
            if before != row:
                to_update.append({f"new_{k}": v for k, v in row.items()} | {"key": code})
        retired = [code for code, before in old.items() if not before["retired"]]
        result.retired.extend(retired)
        if not dry_run:
            # One statement for many rows (executemany): a 10,000-item plan loads in one pass.
            if to_insert:
                conn.execute(insert(table), to_insert)
            if to_update:
                names = [k.removeprefix("new_") for k in to_update[0] if k.startswith("new_")]
                statement = (
                    update(table)
                    .where(cols.plan_year == year, cols.code == bindparam("key"))
                    .values({name: bindparam(f"new_{name}") for name in names})
                )
                conn.execute(statement, to_update)
            if retired:
                conn.execute(
                    update(table)
                    .where(cols.plan_year == year, cols.code.in_(retired))
                    .values(retired=True)
                )
        object.__setattr__(result, "unchanged", result.unchanged + unchanged)

    def item_of(self, year: int, text: str) -> str | None:
        """The item that ``text`` names without doubt: its code, a milestone's code, or the one
        title (or else milestone title) containing it; None when none or several do."""
        query = text.strip()
        current = "plan_year = :year AND retired = :no"
        for table, column in (("items", "code"), ("milestones", "item_code")):
            rows = self._query(
                f"SELECT {column} AS item FROM {table} WHERE {current} AND code = :q",
                year=year,
                no=False,
                q=query,
            )
            if rows:
                return str(rows[0]["item"])
        folded = query.casefold()
        for table, column in (("items", "code"), ("milestones", "item_code")):
            rows = self._query(
                f"SELECT {column} AS item, title FROM {table} WHERE {current}",
                year=year,
                no=False,
            )
            hits = {r["item"] for r in rows if folded in r["title"].casefold()}
            if hits:
                return hits.pop() if len(hits) == 1 else None
        return None

    def names(self, year: int) -> list[tuple[str, str]]:
        """(code, title) of every current item and milestone, in plan order: for Tab completion."""
        rows = self._query(
            "SELECT code, title FROM items WHERE plan_year = :year AND retired = :no "
            "ORDER BY position",
            year=year,
            no=False,
        ) + self._query(
            "SELECT code, title FROM milestones WHERE plan_year = :year AND retired = :no "
            "ORDER BY position",
            year=year,
            no=False,
        )
        return [(r["code"], r["title"]) for r in rows]

    def retired_codes(self, year: int) -> set[str]:
        rows = self._query(
            "SELECT code FROM items WHERE plan_year = :year AND retired = :yes", year=year, yes=True
        )
        return {r["code"] for r in rows}

    # -- updates ------------------------------------------------------------------------------

    _UPDATES = (
        "SELECT u.*, v.reason AS void_reason FROM updates u "
        "LEFT JOIN voids v ON v.update_id = u.id WHERE u.plan_year = :year"
    )

    def updates(self, year: int, *, item_code: str | None = None) -> list[Update]:
        """Every update of the plan year (or of one item), voided ones marked, oldest first."""
        if item_code is None:
            rows = self._query(f"{self._UPDATES} ORDER BY u.date, u.id", year=year)
        else:
            rows = self._query(
                f"{self._UPDATES} AND u.item_code = :item ORDER BY u.date, u.id",
                year=year,
                item=item_code,
            )
        return [_update_from_row(row) for row in rows]

    def progress_on(self, year: int, days: Sequence[dt.date]) -> list[dict[str, Progress]]:
        """``progress`` on several days; on SQLite each day in a thread with a connection of its
        own: the database does the counting and lets the other threads run meanwhile."""
        if not self.is_sqlite or len(days) < 2:
            return [self.progress(year, day) for day in days]
        from concurrent.futures import ThreadPoolExecutor

        def one(day: dt.date) -> dict[str, Progress]:
            reader = Store(self.url)
            try:
                return reader.progress(year, day)
            finally:
                reader.close()

        with ThreadPoolExecutor(max_workers=len(days)) as pool:
            return list(pool.map(one, days))

    def progress(self, year: int, day: dt.date) -> dict[str, Progress]:
        """Each item's progress on ``day``, worked out by the database (what ``status.fold``
        makes from the records), so that a status never loads a year of records into Python.
        """
        params = {"year": year, "day": day}
        counts = (
            "u.plan_year = :year AND u.date <= :day AND u.id NOT IN (SELECT update_id FROM voids)"
        )
        # The newest record that sets the value (a running total, a level, a task's share) …
        last_set = (
            "SELECT i.code AS item_code, s.id, s.date, s.value FROM items i JOIN updates s ON s.id = ("
            " SELECT u.id FROM updates u WHERE u.item_code = i.code AND u.code = i.code"
            f" AND u.kind IN ('set', 'percent') AND {counts} ORDER BY u.date DESC, u.id DESC LIMIT 1)"
            " WHERE i.plan_year = :year"
        )
        # … plus what was added after it; the last day anything was recorded; whether it is done.
        per_item = self._query(
            f"WITH ls AS MATERIALIZED ({last_set}) "
            "SELECT u.item_code, MAX(u.date) AS last_date, MAX(ls.value) AS set_value, "
            "MAX(CASE WHEN u.kind = 'done' AND u.code = u.item_code THEN 1 ELSE 0 END) AS done, "
            "SUM(CASE WHEN u.kind = 'add' AND u.code = u.item_code AND (ls.id IS NULL "
            "OR u.date > ls.date OR (u.date = ls.date AND u.id > ls.id)) THEN u.value END) AS added "
            f"FROM updates u LEFT JOIN ls ON ls.item_code = u.item_code WHERE {counts} "
            "GROUP BY u.item_code",
            **params,
        )
        milestones = self._query(
            f"SELECT u.item_code, u.code, MIN(u.date) AS day FROM updates u WHERE {counts} "
            "AND u.kind = 'done' AND u.code <> u.item_code GROUP BY u.item_code, u.code",
            **params,
        )
        notes = self._query(
            "SELECT i.code AS item_code, (SELECT u.note FROM updates u WHERE u.item_code = i.code"
            f" AND u.note IS NOT NULL AND u.note <> '' AND {counts}"
            " ORDER BY u.date DESC, u.id DESC LIMIT 1) AS note FROM items i WHERE i.plan_year = :year",
            **params,
        )
        values: dict[str, float | None] = {}
        for r in per_item:
            if r["set_value"] is not None or r["added"] is not None:
                values[r["item_code"]] = (r["set_value"] or 0.0) + (r["added"] or 0.0)
        done_ms: dict[str, dict[str, dt.date]] = {}
        for r in milestones:
            done_ms.setdefault(r["item_code"], {})[r["code"]] = _date(r["day"])
        latest = {r["item_code"]: r["note"] for r in notes if r["note"]}
        return {
            r["item_code"]: Progress(
                value=values.get(r["item_code"]),
                done=bool(r["done"]),
                milestones_done=done_ms.get(r["item_code"], {}),
                last_date=_date(r["last_date"]),
                latest_note=latest.get(r["item_code"]),
            )
            for r in per_item
        }

    def updates_between(self, year: int, start: dt.date, end: dt.date) -> list[Update]:
        """The records dated from ``start`` to ``end``, oldest first."""
        rows = self._query(
            f"{self._UPDATES} AND u.date >= :start AND u.date <= :end ORDER BY u.date, u.id",
            year=year,
            start=start,
            end=end,
        )
        return [_update_from_row(row) for row in rows]

    def get_update(self, year: int, update_id: int) -> Update | None:
        if not 0 < update_id < 2**63:  # no such record could exist
            return None
        rows = self._query(f"{self._UPDATES} AND u.id = :id", year=year, id=update_id)
        return _update_from_row(rows[0]) if rows else None

    def last_update_by(self, year: int, os_user: str) -> Update | None:
        """The newest update this OS user recorded and has not voided."""
        rows = self._query(
            f"{self._UPDATES} AND u.os_user = :user AND v.update_id IS NULL ORDER BY u.id DESC LIMIT 1",
            year=year,
            user=os_user,
        )
        return _update_from_row(rows[0]) if rows else None

    def add_update(self, year: int, update_: Update) -> Update:
        """Record one update; returns it with its number and time."""
        from sqlalchemy import insert

        values = _update_values(year, update_, _now())
        with self._write() as conn:
            key = conn.execute(insert(_tables().UPDATES).values(**values)).inserted_primary_key
        assert key is not None
        return replace(update_, id=int(key[0]), recorded_at=values["recorded_at"])

    def add_updates(self, year: int, updates: Sequence[Update]) -> int:
        """Several updates (an import) in one transaction: all are written, or none."""
        from sqlalchemy import insert

        now = _now()
        if not updates:
            return 0
        with self._write() as conn:
            if self.is_sqlite:
                # A million rows: straight to the driver's executemany, as SQLModel would store them.
                stamp = (
                    now.astimezone(dt.UTC)
                    .replace(tzinfo=None)
                    .isoformat(sep=" ", timespec="microseconds")
                )
                # Many rows at once: the indexes are dropped and built again after, in the same
                # transaction (a sorted build beats a million one-by-one index updates, 2×).
                rebuild = []
                if len(updates) >= BULK_ROWS:
                    rebuild = [
                        row[0]
                        for row in conn.exec_driver_sql(
                            "SELECT sql FROM sqlite_master WHERE type = 'index' "
                            "AND tbl_name = 'updates' AND sql IS NOT NULL"
                        )
                    ]
                    for sql in rebuild:
                        name = sql.split()[2]
                        conn.exec_driver_sql(f"DROP INDEX {name}")
                conn.exec_driver_sql(
                    'INSERT INTO updates (plan_year, code, item_code, date, kind, value, note, "by", '
                    "os_user, recorded_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [_update_tuple(year, u, stamp) for u in updates],
                )
                for sql in rebuild:
                    conn.exec_driver_sql(sql)
            else:
                conn.execute(
                    insert(_tables().UPDATES), [_update_values(year, u, now) for u in updates]
                )
        return len(updates)

    def void(self, update_id: int, *, reason: str, by: str, os_user: str) -> None:
        from sqlalchemy import insert
        from sqlalchemy.exc import IntegrityError

        try:
            with self._write() as conn:
                conn.execute(
                    insert(_tables().VOIDS).values(
                        update_id=update_id, reason=reason, by=by, os_user=os_user, voided_at=_now()
                    )
                )
        except IntegrityError:
            raise InputError(t("void.already", id=update_id)) from None


# --------------------------------------------------------------------------------------------
# Rows ↔ plan objects


def _configure_sqlite(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Take the write lock at the start, so a writer waits its turn instead of failing later.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("kpi_write") else "BEGIN")


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _plan_head(plan: Plan) -> dict[str, Any]:
    return {
        "year": plan.year,
        "title": plan.title,
        "source": plan.source,
        "start": plan.start,
        "end": plan.end,
        "rules": asdict(plan.rules),
        "offices": list(plan.offices),
    }


def _rows_from_plan(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    year = plan.year
    areas: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for a_pos, area in enumerate(plan.areas):
        areas.append(
            {
                "plan_year": year,
                "code": area.code,
                "title": area.title,
                "position": a_pos,
                "retired": False,
            }
        )
        for section in area.sections:
            sections.append(
                {
                    "plan_year": year,
                    "code": section.code,
                    "area_code": area.code,
                    "title": section.title,
                    "position": len(sections),
                    "retired": False,
                }
            )
    for pos, item in enumerate(plan.items):
        b, tg = item.baseline, item.target
        items.append(
            {
                "plan_year": year,
                "code": item.code,
                "area_code": item.area_code,
                "section_code": item.section_code,
                "kind": item.kind,
                "title": item.title,
                "text": item.text,
                "lead_office": item.lead_office,
                "other_offices": list(item.other_offices),
                "lead": item.lead,
                "deadline": item.deadline,
                "assigned": list(item.assigned),
                "unit": item.unit,
                "direction": item.direction,
                "accumulate": item.accumulate,
                "baseline_value": b.value if b else None,
                "baseline_year": b.year if b else None,
                "baseline_source": b.source if b else None,
                "baseline_completion": b.completion if b else None,
                "baseline_growth": b.growth if b else None,
                "target_value": tg.value if tg else None,
                "target_basis": tg.basis if tg else None,
                "target_source": tg.source if tg else None,
                "target_note": tg.note if tg else None,
                "checkpoints": [[c.date.isoformat(), c.share] for c in item.checkpoints],
                "position": pos,
                "retired": False,
            }
        )
        for m in item.milestones:
            milestones.append(
                {
                    "plan_year": year,
                    "code": m.code,
                    "item_code": item.code,
                    "title": m.title,
                    "date": m.date,
                    "share": m.share,
                    "assigned": list(m.assigned),
                    "position": len(milestones),
                    "retired": False,
                }
            )
    return {"areas": areas, "sections": sections, "items": items, "milestones": milestones}


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _moment(value: Any) -> dt.datetime | None:
    """A stored time: SQLite keeps UTC as text, PostgreSQL returns it with its zone."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _json(value: Any) -> Any:
    if value == "[]":  # most items: no other offices, no checkpoints
        return []
    return json.loads(value) if isinstance(value, str) else value


def _update_tuple(year: int, u: Update, stamp: str) -> tuple[Any, ...]:
    day = u.date.isoformat()
    return (
        year,
        u.code,
        u.item_code,
        day,
        u.kind,
        u.value,
        u.note,
        u.by,
        u.os_user,
        stamp,
        u.origin,
    )


def _update_values(year: int, u: Update, now: dt.datetime) -> dict[str, Any]:
    return {
        "plan_year": year,
        "code": u.code,
        "item_code": u.item_code,
        "date": u.date,
        "kind": u.kind,
        "value": u.value,
        "note": u.note,
        "by": u.by,
        "os_user": u.os_user,
        "recorded_at": u.recorded_at or now,
        "origin": u.origin,
    }


def _plan_from_rows(
    head: Any,
    areas: Sequence[Any],
    sections: Sequence[Any],
    items: Sequence[Any],
    milestones: Sequence[Any],
) -> Plan:
    ms_by_item: dict[str, list[Milestone]] = {}
    for m in milestones:
        ms_by_item.setdefault(m["item_code"], []).append(
            Milestone(
                m["code"],
                m["item_code"],
                m["title"],
                _date(m["date"]),
                m["share"],
                tuple(_json(m["assigned"])),
            )
        )
    plan_items: list[Item] = []
    codes_by_section: dict[str, list[str]] = {}
    for i in items:
        baseline = None
        if i["baseline_value"] is not None:
            baseline = Baseline(
                i["baseline_value"],
                i["baseline_year"],
                i["baseline_source"],
                i["baseline_completion"],
                i["baseline_growth"],
            )
        target = None
        if i["target_value"] is not None:
            target = Target(
                i["target_value"], i["target_basis"], i["target_source"], i["target_note"]
            )
        plan_items.append(
            Item(
                code=i["code"],
                kind=i["kind"],
                title=i["title"],
                text=i["text"],
                area_code=i["area_code"],
                section_code=i["section_code"],
                lead_office=i["lead_office"],
                deadline=_date(i["deadline"]),
                other_offices=tuple(_json(i["other_offices"])),
                lead=i["lead"],
                assigned=tuple(_json(i["assigned"])),
                unit=i["unit"],
                direction=i["direction"],
                accumulate=i["accumulate"],
                baseline=baseline,
                target=target,
                checkpoints=tuple(
                    Checkpoint(dt.date.fromisoformat(d), sh) for d, sh in _json(i["checkpoints"])
                ),
                milestones=tuple(ms_by_item.get(i["code"], ())),
            )
        )
        codes_by_section.setdefault(i["section_code"], []).append(i["code"])
    sections_by_area: dict[str, list[Section]] = {}
    for sec in sections:
        sections_by_area.setdefault(sec["area_code"], []).append(
            Section(
                sec["code"],
                sec["area_code"],
                sec["title"],
                tuple(codes_by_section.get(sec["code"], ())),
            )
        )
    plan_areas = [
        Area(a["code"], a["title"], tuple(sections_by_area.get(a["code"], ()))) for a in areas
    ]
    return Plan(
        year=head["year"],
        title=head["title"],
        source=head["source"],
        start=_date(head["start"]),
        end=_date(head["end"]),
        rules=Rules(**_json(head["rules"])),
        offices=tuple(_json(head["offices"])),
        areas=tuple(plan_areas),
        items=tuple(plan_items),
    )


def _update_from_row(u: Any) -> Update:
    return Update(
        id=u["id"],
        code=u["code"],
        item_code=u["item_code"],
        date=_date(u["date"]),
        kind=u["kind"],
        value=u["value"],
        note=u["note"],
        by=u["by"],
        os_user=u["os_user"],
        recorded_at=_moment(u["recorded_at"]),
        voided=u["void_reason"] is not None,
        void_reason=u["void_reason"],
        origin=u["origin"],
    )
