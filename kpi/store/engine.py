"""The connection to the database: where it is, how it is opened, reads, and write transactions.

SQLite (the default, ``db/kpi.sqlite`` under the working directory) is reached through the
standard library's ``sqlite3`` for reads and writes alike: SQLAlchemy and SQLModel cost more to
import than a record takes to write, and they are needed only to create or upgrade the schema
(``maintenance``). A PostgreSQL server is reached through psycopg, as directly (``server``);
any other server through SQLAlchemy. All run the same SQL, with ``:name`` parameters.

A write is one short transaction (``Database.write``): on SQLite it takes the write lock up front
(``BEGIN IMMEDIATE``) and waits its turn for up to a minute instead of failing; on PostgreSQL it
takes a transaction-level advisory lock, to the same end. Everything the write must check against
what is stored (a record already there, a milestone already done) is read inside it, so two
writers at once can never both pass the check. Readers never wait for writers: SQLite's journal
is WAL, and PostgreSQL's reads take no lock.

A SQLite file in a folder this account cannot write is opened read-only (``_open_mode``): reads
work, and a write says the database is read-only.

Messages never show a password: ``safe_url`` masks it wherever a URL is named.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi.errors import InputError, KpiError, StoreError
from kpi.locale import t
from kpi.store.urls import redact, safe_url

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

DEFAULT_DB = Path("db") / "kpi.sqlite"
BUSY_TIMEOUT_MS = 60_000
WRITE_LOCK = 4243  # the advisory lock every write holds on PostgreSQL (4242: a schema upgrade)
SQLITE_MAGIC = b"SQLite format 3\x00"


class Database:
    """One database, opened on first use. ``rows`` reads; ``write`` is one transaction."""

    def __init__(self, url: str, *, path: Path | None = None, read_only: bool = False) -> None:
        self.url = url
        self.path = path
        self.read_only = read_only
        self._conn: sqlite3.Connection | None = None
        self._engine: Engine | None = None
        self._pg: psycopg.Connection[Any] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def shown(self) -> str:
        """How messages name the database: its file, or its URL without the password."""
        return str(self.path) if self.path is not None else safe_url(self.url)

    # -- SQLite ---------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        if self._conn is None:
            assert self.path is not None
            target = f"file:{_quote_path(self.path)}"
            mode = _open_mode(self.path)
            if self.read_only and mode == "rw":
                mode = "ro"
            if mode == "immutable":
                target += "?mode=ro&immutable=1"
            elif mode == "ro":
                target += "?mode=ro"
            try:
                conn = sqlite3.connect(
                    target,
                    uri=True,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            conn.row_factory = sqlite3.Row
            self._conn = conn
        return self._conn

    # -- PostgreSQL, through psycopg ------------------------------------------------------

    def _server(self) -> psycopg.Connection[Any] | None:
        """The psycopg connection to a ``postgresql+psycopg://`` server (None for any other)."""
        from kpi.store import server

        if self._pg is None and self.path is None and server.is_psycopg(self.url):
            try:
                options = server.connection_options(self.url)
            except ValueError as exc:
                problem = redact(_first_line(exc), self.url)
                raise InputError(t("db.bad_url", url=safe_url(self.url), problem=problem)) from None
            import psycopg

            try:
                self._pg = server.connect(options)
            except psycopg.Error as exc:
                raise self._error(exc) from None
        return self._pg

    # -- any other server SQLAlchemy knows; migrations ------------------------------------

    @property
    def engine(self) -> Engine:
        """SQLAlchemy's engine, made on first use: servers, migrations."""
        if self._engine is None:
            from sqlalchemy import create_engine
            from sqlalchemy.exc import ArgumentError, NoSuchModuleError

            try:
                if self.path is None:
                    self._engine = create_engine(self.url)
                else:  # a file name may hold "?" or "#": never parsed as part of a URL
                    from sqlalchemy.engine import URL

                    self._engine = create_engine(URL.create("sqlite", database=str(self.path)))
            except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
                problem = redact(_first_line(exc), self.url)
                raise InputError(t("db.bad_url", url=safe_url(self.url), problem=problem)) from None
        return self._engine

    # -- reading and writing --------------------------------------------------------------

    def rows(self, sql: str, **params: Any) -> list[Any]:
        """Rows of a read-only query with :named parameters, addressable by column name."""
        if self.path is not None:
            try:
                return self.connection().execute(sql, _sqlite_params(params)).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from None
        pg = self._server()
        if pg is not None:
            import psycopg

            from kpi.store import server

            try:
                return server.rows(pg, sql, params)
            except psycopg.Error as exc:
                raise self._error(exc) from None
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn:
                return list(conn.execute(text(sql), params).mappings())
        except DBAPIError as exc:
            raise self._error(exc) from None

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self.path is not None:
            conn = self.connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                yield Transaction(conn, None, None)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)
                raise self._error(exc) from None
            except BaseException:
                _rollback(conn)
                raise
            return
        pg = self._server()
        if pg is not None:
            import psycopg

            from kpi.store import server

            try:
                with pg.transaction():
                    # As SQLite's BEGIN IMMEDIATE: one writer at a time, so that what a write
                    # checks inside its transaction (done already, your last record, the rows
                    # of an import recorded already) cannot change before it commits.
                    server.execute(pg, f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}", {})
                    server.rows(pg, "SELECT pg_advisory_xact_lock(:key)", {"key": WRITE_LOCK})
                    yield Transaction(None, None, pg)
            except psycopg.Error as exc:
                raise self._error(exc) from None
            return
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as sa_conn, sa_conn.begin():
                if sa_conn.dialect.name == "postgresql":  # another driver: the same lock
                    from sqlalchemy import text

                    sa_conn.execute(text(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}"))
                    sa_conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
                yield Transaction(None, sa_conn, None)
        except DBAPIError as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    def _error(self, exc: BaseException) -> KpiError:
        """A database failure as one true line: busy, read-only, full, damaged, refused by the
        server's rights (``kpi.store.refusals``), or what the server said (SQLite's own error code
        where there is one: its words vary)."""
        original = getattr(exc, "orig", None) or exc
        problem = redact(_first_line(original), self.url)
        if getattr(original, "sqlstate", None) in ("42501", "3F000") or (
            "permission denied for database" in problem  # a role kpi's group does not hold
        ):
            from kpi.store.refusals import server_refusal

            return server_refusal(problem)
        lowered = problem.lower()
        code = str(getattr(original, "sqlite_errorname", "") or "")
        if code.startswith("SQLITE_READONLY") or any(
            w in lowered for w in ("readonly", "read-only", "read only")
        ):
            return StoreError(t("db.read_only", db=self.shown))
        if (
            code == "SQLITE_FULL"
            or "disk is full" in lowered
            or "no space left" in lowered
            or (code.startswith("SQLITE_IOERR") and _disk_full(self.path))
        ):
            return StoreError(t("db.disk_full", db=self.shown))
        if (
            code.startswith("SQLITE_BUSY")
            or "database is locked" in lowered
            or "lock timeout" in lowered
        ):
            return StoreError(t("db.busy", db=self.shown, seconds=BUSY_TIMEOUT_MS // 1000))
        if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return StoreError(t("db.damaged", db=self.shown, problem=problem))
        if (
            code.startswith("SQLITE_CANTOPEN")
            or "unable to open" in lowered
            or "connect" in lowered
            or "resolve host" in lowered
        ):
            return StoreError(t("db.cannot_open", url=self.shown, problem=problem))
        return StoreError(t("db.failed", problem=problem))


def _open_mode(path: Path) -> str:
    """How to open a SQLite file for this process: ``rw``, or ``ro`` when it cannot write the
    file or the folder its ``-wal`` and ``-shm`` are made in (a write then says the database is
    read-only), or ``immutable`` when in addition they are missing and cannot be made. Without
    a ``-wal`` every committed record is in the file itself, so it reads right; what another
    account writes while this one command reads, it does not see."""
    folder = path.parent
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if not path.exists():
        return "rw"
    if os.access(folder, os.W_OK | os.X_OK):
        return "rw" if os.access(path, os.W_OK) else "ro"
    if wal.exists() and shm.exists():
        writable = all(os.access(f, os.W_OK) for f in (path, wal, shm))
        return "rw" if writable else "ro"
    return "ro" if wal.exists() else "immutable"


def _disk_full(path: Path | None) -> bool:
    """Whether the file system holding ``path`` has (next to) no room left."""
    if path is None:
        return False
    try:
        found = os.statvfs(path.parent if path.parent.exists() else Path.cwd())
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < 64 * 1024


class Transaction:
    """The statements of one write: ``execute``, ``executemany`` and ``rows`` (reads inside it)."""

    def __init__(
        self,
        conn: sqlite3.Connection | None,
        sa_conn: Connection | None,
        pg: psycopg.Connection[Any] | None,
    ) -> None:
        self._conn = conn
        self._sa = sa_conn
        self._pg = pg

    @property
    def is_sqlite(self) -> bool:
        return self._conn is not None

    def rows(self, sql: str, **params: Any) -> list[Any]:
        if self._conn is not None:
            return self._conn.execute(sql, _sqlite_params(params)).fetchall()
        if self._pg is not None:
            from kpi.store import server

            return server.rows(self._pg, sql, params)
        from sqlalchemy import text

        assert self._sa is not None
        return list(self._sa.execute(text(sql), params).mappings())

    def execute(self, sql: str, **params: Any) -> None:
        if self._conn is not None:
            self._conn.execute(sql, _sqlite_params(params))
            return
        if self._pg is not None:
            from kpi.store import server

            server.execute(self._pg, sql, params)
            return
        from sqlalchemy import text

        assert self._sa is not None
        self._sa.execute(text(sql), params)

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]] | Sequence[tuple]) -> None:  # type: ignore[type-arg]
        """Rows as mappings for ``:name`` parameters; on SQLite also as tuples for ``?`` ones,
        their values as SQLite stores them already (a million rows of an import)."""
        if not rows:
            return
        if self._conn is not None:
            if isinstance(rows[0], tuple):
                self._conn.executemany(sql, rows)
                return
            self._conn.executemany(sql, (_sqlite_params(r) for r in rows))  # type: ignore[arg-type]
            return
        if self._pg is not None:
            from kpi.store import server

            server.executemany(self._pg, sql, [dict(r) for r in rows])  # type: ignore[call-overload]
            return
        from sqlalchemy import text

        assert self._sa is not None
        self._sa.execute(text(sql), [dict(r) for r in rows])

    def scalar(self, sql: str, **params: Any) -> Any:
        """The first column of the first row, or None."""
        found = self.rows(sql, **params)
        if not found:
            return None
        return found[0][0] if self._conn is not None else next(iter(found[0].values()))


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite ends a transaction itself on some errors: then there is none left to roll back.
    with contextlib.suppress(sqlite3.Error):
        conn.execute("ROLLBACK")


def _sqlite_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Values as SQLite stores them: dates as ISO text, times as UTC text, booleans as 0/1."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            value = value.isoformat(sep=" ", timespec="microseconds")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out


def _quote_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()), safe="/")


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
