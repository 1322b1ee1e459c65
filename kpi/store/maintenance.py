"""Keeping the database safe: opening only what is ours, the schema and its upgrades, backups, checks.

- A SQLite path that does not exist yet becomes a new database, built beside it and linked into
  place only when complete, so that no half-made file is left behind. A path that exists must be a
  kpi database: an empty file, another program's database or a file that is not a database at all
  is refused, never initialised.
- The schema is versioned with Alembic (``migrations``); a database made by a newer kpi says so.
- ``--out`` of any command never writes over the database in use, its ``-wal``/``-shm`` files, or
  any other SQLite database (``guard_out``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi.errors import InputError, StoreError
from kpi.locale import t
from kpi.store.access_sql import TABLES
from kpi.store.engine import SQLITE_MAGIC, Database
from kpi.store.urls import safe_url

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

SCHEMA_VERSION = "0005"  # the newest migration in kpi/store/migrations/versions
KNOWN_VERSIONS = ("0001", "0002", "0003", "0004", "0005")


def prepare(db: Database, *, check_schema: bool = True) -> None:
    """Make a new database, or make sure an existing one is a kpi database of this version."""
    if db.path is not None and not db.path.exists():
        if db.read_only:
            raise InputError(t("db.missing", path=db.path))
        _create_sqlite(db.path)
    elif db.path is not None:
        _check_sqlite_file(db.path)
    version = schema_version(db)
    if version is None:
        if db.path is not None:
            raise StoreError(t("db.not_kpi", db=db.shown))
        upgrade(db)  # an empty schema on a server: the first command sets it up
        return
    if version not in KNOWN_VERSIONS:
        raise StoreError(t("db.newer_schema", db=db.shown, version=version))
    if version != SCHEMA_VERSION and check_schema:
        raise StoreError(t("db.old_schema", version=version, head=SCHEMA_VERSION))


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise InputError(t("db.is_dir", path=path))
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(t("db.cannot_open", url=path, problem=exc.strerror or exc)) from None
    if not head:
        raise InputError(t("db.empty_file", path=path))
    if head != SQLITE_MAGIC:
        raise InputError(t("db.not_a_database", path=path))


def _create_sqlite(path: Path) -> None:
    """A new database at ``path``: built under a temporary name and linked into place whole."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(t("db.no_folder", path=path.parent, problem=exc.strerror or exc)) from None
    partial = path.with_name(f".{path.name}.new-{os.getpid()}")
    try:
        partial.unlink(missing_ok=True)
        # Made here as any file the user makes: readable and writable as their umask allows
        # (SQLite would make it 0644 whatever the umask, shutting out an office's group), and a
        # folder that cannot be written says so before anything is built.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        builder = Database(f"sqlite:///{partial}", path=partial)
        try:
            upgrade(builder)
            builder.connection().execute("PRAGMA journal_mode = WAL")
        except StoreError as exc:  # a full disk, say: named as the file the user asked for
            raise StoreError(exc.message.replace(str(partial), str(path))) from None
        finally:
            builder.close()
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile: theirs
            os.link(partial, path)  # never over a file another process made meanwhile
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StoreError(t("db.disk_full", db=path)) from None
        raise StoreError(t("db.cannot_create", path=path, problem=exc.strerror or exc)) from None
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)


def schema_version(db: Database) -> str | None:
    """The Alembic revision of the database; None for one without any table."""
    if db.is_sqlite:
        tables = {r["name"] for r in db.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    else:
        tables = {
            r["name"]
            for r in db.rows(
                "SELECT table_name AS name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        }
    if "alembic_version" not in tables:
        if tables:
            raise StoreError(t("db.unknown_schema", url=db.shown))
        return None
    rows = db.rows("SELECT version_num FROM alembic_version")
    if not rows:
        raise StoreError(t("db.no_version", db=db.shown))
    return str(rows[0]["version_num"])


def upgrade(db: Database) -> tuple[str | None, str]:
    """Bring the schema to the newest revision, in one transaction; returns (before, after)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, text

    config = Config()
    config.set_main_option("script_location", "kpi.store:migrations")
    with _migration(db) as conn:
        if conn.dialect.name != "sqlite":
            # Two first commands at once must not both create the tables.
            conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        tables = set(inspect(conn).get_table_names())
        before = (
            conn.scalar(text("SELECT version_num FROM alembic_version"))
            if "alembic_version" in tables
            else None
        )
        if before is not None and before not in KNOWN_VERSIONS:
            raise StoreError(t("db.newer_schema", db=db.shown, version=before))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, SCHEMA_VERSION


@contextmanager
def _migration(db: Database) -> Iterator[Connection]:
    """A SQLAlchemy connection in one transaction (on SQLite holding the write lock)."""
    from sqlalchemy.exc import DBAPIError

    engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
    except DBAPIError as exc:
        raise db._error(exc) from None


def _configure_sqlite(engine: Engine) -> None:
    from sqlalchemy import event

    if getattr(engine, "_kpi_configured", False):
        return
    engine._kpi_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        dbapi_conn.execute("PRAGMA busy_timeout = 60000")
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # a migration is a write: take the lock first


def guard_out(db: Database, target: Path) -> None:
    """Refuse to write ``target`` if it is the database in use, a file of it, or any database."""
    resolved = _resolved(target)
    if db.path is not None:
        ours = _resolved(db.path)
        for own in (ours, Path(f"{ours}-wal"), Path(f"{ours}-shm"), Path(f"{ours}-journal")):
            if resolved == own or _same_file(target, own):
                raise InputError(t("out.is_database", path=target))
    if target.is_file():
        try:
            with target.open("rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError:
            return
        if head == SQLITE_MAGIC:
            raise InputError(t("out.is_a_database", path=target))


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except OSError:
        return path.absolute()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def backup(db: Database, target: Path) -> None:
    """A consistent copy of a SQLite database, taken while others go on writing.

    SQLite's online backup copies page by page and restarts if a writer changes a page it
    has copied, so the copy is always one committed state. The copy is written beside the
    target and renamed into place, so a failed backup never leaves half a file.
    """
    if not db.is_sqlite:
        raise InputError(t("db.backup_not_sqlite"))
    guard_out(db, target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _backup_error(target, exc) from None
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        # Made here, so that the copy gets the modes the umask gives any new file (SQLite would
        # make it 0644) and a folder that cannot be written says so in plain words.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        copy = sqlite3.connect(partial)
        try:
            db.connection().backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        for leftover in (partial, Path(f"{partial}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise _backup_error(target, exc) from None


def _backup_error(target: Path, exc: BaseException) -> StoreError:
    """Why a backup could not be written, in words: a full disk, a folder one may not write."""
    number = getattr(exc, "errno", None)
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    problem = getattr(exc, "strerror", None) or str(exc)
    if number in (errno.ENOSPC, errno.EDQUOT) or name == "SQLITE_FULL":
        return StoreError(t("db.backup_disk_full", path=target))
    if number in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(t("db.backup_folder", path=target, folder=target.parent, problem=problem))
    return StoreError(t("db.backup_failed", path=target, problem=problem))


def counts(db: Database) -> dict[str, int]:
    """Rows per table, for `kpi db check` and for checking that an upgrade lost nothing."""
    return {name: db.rows(f"SELECT count(*) AS n FROM {name}")[0]["n"] for name in TABLES}


def check(db: Database) -> list[str]:
    """Everything wrong with the database, one line each; empty when all is well."""
    problems: list[str] = []
    if db.is_sqlite:
        for row in db.rows("PRAGMA integrity_check"):
            if row[0] != "ok":
                problems.append(t("check.integrity", problem=row[0]))
        for row in db.rows("PRAGMA foreign_key_check"):
            problems.append(t("check.foreign_key", table=row[0], rowid=row[1]))
    version = schema_version(db)
    if version != SCHEMA_VERSION:
        problems.append(t("check.schema", version=version, head=SCHEMA_VERSION))
    problems.extend(_records_that_do_not_fit(db))
    orphan_voids = db.rows(
        "SELECT v.update_id FROM voids v LEFT JOIN updates u ON u.id = v.update_id "
        "WHERE u.id IS NULL"
    )
    problems.extend(t("check.orphan_void", id=r["update_id"]) for r in orphan_voids)
    return problems


__all__ = ["SCHEMA_VERSION", "backup", "check", "counts", "guard_out", "prepare", "safe_url"]


# What each kind of record may be recorded against.
_FITS = {"indicator": {"add", "set"}, "task": {"percent", "done"}}


def _records_that_do_not_fit(db: Database) -> list[str]:
    """Records pointing nowhere, or not fitting their item (a share on an indicator, a value
    that is not a finite number, a negative one where the plan allows none)."""
    import math

    items = {
        (r["plan_id"], r["code"]): (r["kind"], bool(r["negative"]))
        for r in db.rows("SELECT plan_id, code, kind, negative FROM items")
    }
    milestones = {
        (r["plan_id"], r["code"]): r["item_code"]
        for r in db.rows("SELECT plan_id, code, item_code FROM milestones")
    }
    problems: list[str] = []
    for u in db.rows("SELECT id, plan_id, code, item_code, kind, value FROM updates ORDER BY id"):
        key = (u["plan_id"], u["item_code"])
        value = u["value"]
        if value is not None and not math.isfinite(float(value)):
            problems.append(t("check.not_finite", id=u["id"], code=u["code"], value=value))
        if key not in items:
            problems.append(
                t("check.orphan_update", id=u["id"], code=u["item_code"], plan=u["plan_id"])
            )
            continue
        kind, negative = items[key]
        if u["code"] != u["item_code"]:
            if milestones.get((u["plan_id"], u["code"])) != u["item_code"]:
                problems.append(t("check.orphan_milestone", id=u["id"], code=u["code"]))
            elif u["kind"] != "done":
                problems.append(
                    t("check.milestone_kind", id=u["id"], code=u["code"], kind=u["kind"])
                )
        elif u["kind"] not in _FITS.get(kind, set()):
            problems.append(
                t("check.kind_mismatch", id=u["id"], code=u["code"], kind=u["kind"], item=kind)
            )
        elif value is not None and value < 0 and not negative:
            problems.append(t("check.negative", id=u["id"], code=u["code"], value=value))
    return problems
