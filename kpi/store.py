"""The database: where it is, its tables, and every read and write the tool makes.

SQLite by default (``db/kpi.sqlite`` under the working directory), any SQLAlchemy URL otherwise.
Writes run in one short transaction each, so a failure leaves the database as it was; on SQLite the
transaction takes the write lock up front (``BEGIN IMMEDIATE``) and waits for other writers rather
than failing, and the journal is WAL so readers never block writers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError

from kpi.errors import InputError, StoreError
from kpi.messages import t
from kpi.models import (
    AreaRow,
    ItemRow,
    LoadRow,
    MilestoneRow,
    PlanRow,
    SectionRow,
    UpdateRow,
    VoidRow,
)
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
from kpi.status import Update

DEFAULT_DB = Path("db") / "kpi.sqlite"
SCHEMA_VERSION = "0002"  # the newest migration in kpi/migrations/versions

# The tables as SQLAlchemy Core sees them: queries here return plain rows, not ORM objects.
PLANS: Table = PlanRow.__table__  # type: ignore[attr-defined]
AREAS: Table = AreaRow.__table__  # type: ignore[attr-defined]
SECTIONS: Table = SectionRow.__table__  # type: ignore[attr-defined]
ITEMS: Table = ItemRow.__table__  # type: ignore[attr-defined]
MILESTONES: Table = MilestoneRow.__table__  # type: ignore[attr-defined]
UPDATES: Table = UpdateRow.__table__  # type: ignore[attr-defined]
VOIDS: Table = VoidRow.__table__  # type: ignore[attr-defined]
LOADS: Table = LoadRow.__table__  # type: ignore[attr-defined]
BUSY_TIMEOUT_MS = 30_000


def database_url(db: str | os.PathLike[str] | None) -> str:
    """A path or a URL (``--db``/``KPI_DB``) as an SQLAlchemy URL; the default file otherwise."""
    text = str(db) if db else os.environ.get("KPI_DB") or str(DEFAULT_DB)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if path.is_dir():
        raise InputError(t("db.is_dir", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # A new database is readable by the office's group, never writable by the world.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o640)
        os.close(fd)
    return f"sqlite:///{path.resolve()}"


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
    """One database. Open it with ``Store.open``; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None, *, check_schema: bool = True) -> Store:
        """Open (creating if new) the database; refuse one whose schema is older than this tool's."""
        url = database_url(db)
        try:
            engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise InputError(t("db.bad_url", url=url, problem=_first_line(exc))) from None
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        store = cls(engine)
        try:
            version = store.schema_version()
            if version is None:
                store.upgrade()  # a new database
            elif version != SCHEMA_VERSION and check_schema:
                raise StoreError(t("db.old_schema", version=version, head=SCHEMA_VERSION))
        except DatabaseError as exc:
            engine.dispose()
            raise StoreError(
                t("db.cannot_open", url=engine.url, problem=_first_line(exc))
            ) from None
        except BaseException:
            engine.dispose()
            raise
        return store

    # -- schema -------------------------------------------------------------------------------

    def schema_version(self) -> str | None:
        """The Alembic revision of the database; None for a new, empty one."""
        with self.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:
                if tables & {"plans", "updates"}:
                    raise StoreError(t("db.unknown_schema", url=self.engine.url))
                return None
            return conn.scalar(text("SELECT version_num FROM alembic_version"))

    def upgrade(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision, in one transaction; returns (before, after)."""
        from alembic import command
        from alembic.config import Config

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

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(t("db.failed", problem=_first_line(exc))) from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
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
        with self._read() as conn:
            if self.is_sqlite:
                for (line,) in conn.execute(text("PRAGMA integrity_check")):
                    if line != "ok":
                        problems.append(t("check.integrity", problem=line))
                for row in conn.execute(text("PRAGMA foreign_key_check")):
                    problems.append(t("check.foreign_key", table=row[0], rowid=row[1]))
            version = conn.scalar(text("SELECT version_num FROM alembic_version"))
            if version != SCHEMA_VERSION:
                problems.append(t("check.schema", version=version, head=SCHEMA_VERSION))
            known_items = {
                (r.plan_year, r.code) for r in conn.execute(select(ITEMS.c.plan_year, ITEMS.c.code))
            }
            known_ms = {
                (r.plan_year, r.code): r.item_code
                for r in conn.execute(
                    select(MILESTONES.c.plan_year, MILESTONES.c.code, MILESTONES.c.item_code)
                )
            }
            for u in conn.execute(
                select(
                    UPDATES.c.id,
                    UPDATES.c.plan_year,
                    UPDATES.c.code,
                    UPDATES.c.item_code,
                    UPDATES.c.kind,
                )
            ):
                if (u.plan_year, u.item_code) not in known_items:
                    problems.append(
                        t("check.orphan_update", id=u.id, code=u.item_code, year=u.plan_year)
                    )
                elif u.code != u.item_code:
                    if known_ms.get((u.plan_year, u.code)) != u.item_code:
                        problems.append(t("check.orphan_milestone", id=u.id, code=u.code))
                    elif u.kind != "done":
                        problems.append(
                            t("check.milestone_kind", id=u.id, code=u.code, kind=u.kind)
                        )
            orphan_voids = conn.execute(
                select(VOIDS.c.update_id)
                .outerjoin(UPDATES, UPDATES.c.id == VOIDS.c.update_id)
                .where(UPDATES.c.id.is_(None))
            ).scalars()
            problems.extend(t("check.orphan_void", id=v) for v in orphan_voids)
        return problems

    def counts(self) -> dict[str, int]:
        """Rows per table, for `kpi db check` and for checking that an upgrade lost nothing."""
        with self._read() as conn:
            return {
                table.name: conn.scalar(select(func.count()).select_from(table)) or 0
                for table in (PLANS, AREAS, SECTIONS, ITEMS, MILESTONES, UPDATES, VOIDS, LOADS)
            }

    # -- plans --------------------------------------------------------------------------------

    def plan_years(self) -> list[int]:
        with self._read() as conn:
            return sorted(conn.scalars(select(PLANS.c.year)))

    def load_plan(self, year: int) -> Plan:
        """The plan as stored, without retired items."""
        with self._read() as conn:
            head = conn.execute(select(PLANS).where(PLANS.c.year == year)).one_or_none()
            if head is None:
                raise InputError(t("db.no_plan", year=year))
            areas, sections, items, milestones = (
                conn.execute(
                    select(table)
                    .where(table.c.plan_year == year, table.c.retired.is_(False))
                    .order_by(table.c.position)
                ).all()
                for table in (AREAS, SECTIONS, ITEMS, MILESTONES)
            )
        return _plan_from_rows(head, areas, sections, items, milestones)

    def sync_plan(
        self, plan: Plan, *, file: str, sha256: str, by: str, dry_run: bool
    ) -> SyncResult:
        """Bring the stored plan in line with ``plan``, matched by code; retire what is gone."""
        rows = _rows_from_plan(plan)
        result = SyncResult()
        with self._write() as conn:
            head = _plan_head(plan)
            existing_head = conn.execute(select(PLANS).where(PLANS.c.year == plan.year)).first()
            if existing_head is None:
                if not dry_run:
                    conn.execute(insert(PLANS).values(**head))
            elif dict(existing_head._mapping) != head:
                result.changed.append(str(plan.year))
                if not dry_run:
                    conn.execute(update(PLANS).where(PLANS.c.year == plan.year).values(**head))
            for table, new_rows in rows.items():
                self._sync_table(conn, table, plan.year, new_rows, result, dry_run)
            if not dry_run and not result.nothing:
                conn.execute(
                    insert(LOADS).values(
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
        cols = table.c
        old = {
            r.code: dict(r._mapping)
            for r in conn.execute(select(table).where(cols.plan_year == year))
        }
        unchanged = 0
        for row in new_rows:
            code = row["code"]
            before = old.pop(code, None)
            if before is None:
                result.added.append(code)
                if not dry_run:
                    conn.execute(insert(table).values(**row))
                continue
            # A shift in position (an item added or removed above it) is not a change to report.
            if {**before, "position": None} != {**row, "position": None}:
                result.changed.append(code)
            else:
                unchanged += 1
            if before != row and not dry_run:
                conn.execute(
                    update(table).where(cols.plan_year == year, cols.code == code).values(**row)
                )
        for code, before in old.items():
            if before["retired"]:
                continue
            result.retired.append(code)
            if not dry_run:
                conn.execute(
                    update(table)
                    .where(cols.plan_year == year, cols.code == code)
                    .values(retired=True)
                )
        object.__setattr__(result, "unchanged", result.unchanged + unchanged)

    def names(self, year: int) -> list[tuple[str, str]]:
        """(code, title) of every current item and milestone, in plan order: for Tab completion."""
        with self._read() as conn:
            items = conn.execute(
                select(ITEMS.c.code, ITEMS.c.title)
                .where(ITEMS.c.plan_year == year, ITEMS.c.retired.is_(False))
                .order_by(ITEMS.c.position)
            ).all()
            milestones = conn.execute(
                select(MILESTONES.c.code, MILESTONES.c.title)
                .where(MILESTONES.c.plan_year == year, MILESTONES.c.retired.is_(False))
                .order_by(MILESTONES.c.position)
            ).all()
        return [(code, title) for code, title in [*items, *milestones]]

    def retired_codes(self, year: int) -> set[str]:
        with self._read() as conn:
            query = select(ITEMS.c.code).where(ITEMS.c.plan_year == year, ITEMS.c.retired.is_(True))
            return set(conn.scalars(query))

    # -- updates ------------------------------------------------------------------------------

    def updates(self, year: int, *, item_code: str | None = None) -> list[Update]:
        """Every update of the plan year (or of one item), voided ones marked, oldest first."""
        query = (
            select(UPDATES, VOIDS.c.reason)
            .outerjoin(VOIDS, VOIDS.c.update_id == UPDATES.c.id)
            .where(UPDATES.c.plan_year == year)
            .order_by(UPDATES.c.date, UPDATES.c.id)
        )
        if item_code is not None:
            query = query.where(UPDATES.c.item_code == item_code)
        with self._read() as conn:
            return [_update_from_row(row) for row in conn.execute(query)]

    def add_update(self, year: int, update_: Update) -> Update:
        values = {
            k: v for k, v in asdict(update_).items() if k not in {"id", "voided", "void_reason"}
        }
        values["recorded_at"] = values["recorded_at"] or _now()
        with self._write() as conn:
            new_id = conn.execute(
                insert(UpdateRow).values(plan_year=year, **values)
            ).inserted_primary_key
        assert new_id is not None
        return Update(
            **{**asdict(update_), "id": int(new_id[0]), "recorded_at": values["recorded_at"]}
        )

    def add_updates(self, year: int, updates: Sequence[Update]) -> int:
        """Several updates (an import) in one transaction: all are written, or none."""
        now = _now()
        rows = [
            {
                **{k: v for k, v in asdict(u).items() if k not in {"id", "voided", "void_reason"}},
                "plan_year": year,
                "recorded_at": u.recorded_at or now,
            }
            for u in updates
        ]
        if rows:
            with self._write() as conn:
                conn.execute(insert(UPDATES), rows)
        return len(rows)

    def get_update(self, year: int, update_id: int) -> Update | None:
        query = (
            select(UPDATES, VOIDS.c.reason)
            .outerjoin(VOIDS, VOIDS.c.update_id == UPDATES.c.id)
            .where(UPDATES.c.id == update_id, UPDATES.c.plan_year == year)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return _update_from_row(row) if row else None

    def last_update_by(self, year: int, os_user: str) -> Update | None:
        """The newest update this OS user recorded and has not voided."""
        query = (
            select(UPDATES, VOIDS.c.reason)
            .outerjoin(VOIDS, VOIDS.c.update_id == UPDATES.c.id)
            .where(UPDATES.c.plan_year == year, UPDATES.c.os_user == os_user)
            .where(VOIDS.c.update_id.is_(None))
            .order_by(UPDATES.c.id.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return _update_from_row(row) if row else None

    def void(self, update_id: int, *, reason: str, by: str, os_user: str) -> None:
        try:
            with self._write() as conn:
                conn.execute(
                    insert(VOIDS).values(
                        update_id=update_id, reason=reason, by=by, os_user=os_user, voided_at=_now()
                    )
                )
        except IntegrityError:
            raise InputError(t("void.already", id=update_id)) from None


# --------------------------------------------------------------------------------------------
# Rows ↔ plan objects


def _configure_sqlite(engine: Engine) -> None:
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


def _rows_from_plan(plan: Plan) -> dict[Table, list[dict[str, Any]]]:
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
    return {AREAS: areas, SECTIONS: sections, ITEMS: items, MILESTONES: milestones}


def _plan_from_rows(
    head: Any,
    areas: Sequence[Any],
    sections: Sequence[Any],
    items: Sequence[Any],
    milestones: Sequence[Any],
) -> Plan:
    h = head
    ms_by_item: dict[str, list[Milestone]] = {}
    for m in milestones:
        ms_by_item.setdefault(m.item_code, []).append(
            Milestone(m.code, m.item_code, m.title, m.date, m.share, tuple(m.assigned))
        )
    plan_items: list[Item] = []
    codes_by_section: dict[str, list[str]] = {}
    for i in items:
        baseline = None
        if i.baseline_value is not None:
            baseline = Baseline(
                i.baseline_value,
                i.baseline_year,
                i.baseline_source,
                i.baseline_completion,
                i.baseline_growth,
            )
        target = None
        if i.target_value is not None:
            target = Target(i.target_value, i.target_basis, i.target_source, i.target_note)
        plan_items.append(
            Item(
                code=i.code,
                kind=i.kind,
                title=i.title,
                text=i.text,
                area_code=i.area_code,
                section_code=i.section_code,
                lead_office=i.lead_office,
                deadline=i.deadline,
                other_offices=tuple(i.other_offices),
                lead=i.lead,
                assigned=tuple(i.assigned),
                unit=i.unit,
                direction=i.direction,
                accumulate=i.accumulate,
                baseline=baseline,
                target=target,
                checkpoints=tuple(
                    Checkpoint(dt.date.fromisoformat(d), s) for d, s in i.checkpoints
                ),
                milestones=tuple(ms_by_item.get(i.code, ())),
            )
        )
        codes_by_section.setdefault(i.section_code, []).append(i.code)
    sections_by_area: dict[str, list[Section]] = {}
    for s in sections:
        sections_by_area.setdefault(s.area_code, []).append(
            Section(s.code, s.area_code, s.title, tuple(codes_by_section.get(s.code, ())))
        )
    plan_areas = []
    for a in areas:
        plan_areas.append(Area(a.code, a.title, tuple(sections_by_area.get(a.code, ()))))
    return Plan(
        year=h.year,
        title=h.title,
        source=h.source,
        start=h.start,
        end=h.end,
        rules=Rules(**h.rules),
        offices=tuple(h.offices),
        areas=tuple(plan_areas),
        items=tuple(plan_items),
    )


def _update_from_row(row: Any) -> Update:
    u, reason = row, row.reason
    return Update(
        id=u.id,
        code=u.code,
        item_code=u.item_code,
        date=u.date,
        kind=u.kind,
        value=u.value,
        note=u.note,
        by=u.by,
        os_user=u.os_user,
        recorded_at=u.recorded_at,
        voided=reason is not None,
        void_reason=reason,
        origin=u.origin,
    )
