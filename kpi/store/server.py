"""A PostgreSQL server reached through psycopg itself, as SQLite is through ``sqlite3``.

SQLAlchemy costs more to import and to set up than a record takes to write (a ``kpi update`` on a
server spent a third of its time there, and sixteen at once wait on the processor for it), so the
everyday reads and writes speak to psycopg directly; SQLAlchemy makes and upgrades the schema
(``maintenance``) and reaches any other server. Only ``postgresql+psycopg://`` URLs come here.

The URL is read as SQLAlchemy reads it (``user:password@host:port/dbname?option=value``, each
part percent-decoded; a password is everything from the user name's ``:`` to the last ``@``), and
the SQL keeps its ``:name`` parameters: they are turned into psycopg's ``%(name)s`` once per
statement (a ``::`` cast and PL/pgSQL's ``:=`` are left alone; a literal ``%`` is doubled).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

if TYPE_CHECKING:
    import psycopg

_URL = re.compile(
    r"^postgres(?:ql)?\+psycopg://"
    r"(?:(?P<user>[^:/?#@]*)(?::(?P<password>.*))?@)?"
    r"(?P<host>\[[^\]]*\]|[^:/?]*)(?::(?P<port>[^/?]*))?"
    r"(?:/(?P<dbname>[^?]*))?(?:\?(?P<query>.*))?$",
    re.I | re.S,
)
_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


def is_psycopg(url: str) -> bool:
    return _URL.match(url) is not None


def connection_options(url: str) -> dict[str, Any]:
    """libpq's connection options for ``url``; ValueError when it cannot be one."""
    found = _URL.match(url)
    if found is None:
        raise ValueError("not a postgresql+psycopg URL")
    options: dict[str, Any] = {}
    for name in ("user", "password", "dbname"):
        if found[name]:
            options[name] = unquote(found[name])
    host = unquote(found["host"] or "").strip("[]")
    if host:
        options["host"] = host
    if found["port"]:
        options["port"] = int(found["port"])  # "abc": invalid literal for int() with base 10
    for key, value in parse_qsl(found["query"] or "", keep_blank_values=True):
        options[key] = value
    return options


def connect(options: dict[str, Any]) -> psycopg.Connection[Any]:
    """A connection in autocommit (each read its own statement; a write opens a transaction),
    its rows addressable by column name."""
    import psycopg
    from psycopg.rows import dict_row

    return psycopg.connect(autocommit=True, row_factory=dict_row, **options)  # type: ignore[arg-type]


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """``sql`` with ``:name`` parameters as psycopg's ``%(name)s``."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def rows(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> list[Any]:
    with conn.cursor() as cur:
        cur.execute(pyformat(sql), params)
        return cur.fetchall() if cur.description is not None else []


def execute(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> None:
    if params:
        conn.execute(pyformat(sql), params)
    else:  # a statement as written: a function's body may hold a %
        conn.execute(sql)  # type: ignore[arg-type]


def executemany(conn: psycopg.Connection[Any], sql: str, many: list[dict[str, Any]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(pyformat(sql), many)
