"""Progress counted by the database: the SQL twin of ``kpi.core.progress.fold``.

A status of ten thousand items over a million records must not load the records into Python:
the database works out each item's progress on a day from its indexes, the same way ``fold``
does from the records — the newest set, plus what was added after it, the last day anything was
recorded, whether it is done, which milestones are done and the latest note. Each item is a few
steps down an index, never a pass over every record: its newest record up to the day, its newest
that sets the value and what was added after that (``ix_updates_progress``, migration 0003);
whether it is done and its latest note (the partial indexes of migration 0005). Voided records
are left out throughout. A test checks that both agree on random histories and on every item of
the real plan.

On SQLite the counting can go on in the background (``progress_later``) while Python reads the
plan. A thread handed ten thousand rows one by one needs Python's lock for each, and waits for
it while the main thread works (that made the counting four times as long as alone, and the main
thread slower too): so each query's rows come back as one JSON text made inside the database,
counted from the first record to the last without the lock, and are read in the main thread.
Numbers travel as 21 significant digits (``%!.20e``: JSON's own keep 15, and SQLite's ``%.17g``
is not exact), which read back as the same double.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kpi.core.progress import Progress
from kpi.store.engine import Database, Transaction
from kpi.store.rows import day_of

COUNTS = "u.plan_id = :plan AND u.date <= :day AND u.id NOT IN (SELECT update_id FROM voids)"
NEWEST = "ORDER BY u.date DESC, u.id DESC LIMIT 1"


def _of(code: str) -> str:
    return f"u.item_code = {code} AND {COUNTS}"


# For each item: the last day anything was recorded, and the newest record that sets the value
# (a running total, a level, a task's share) …
_LATEST = (
    f"SELECT i.code AS item_code, (SELECT u.date FROM updates u WHERE {_of('i.code')} {NEWEST}) "
    "AS last_date, s.id AS set_id, s.date AS set_date, s.value AS set_value FROM items i "
    f"LEFT JOIN updates s ON s.id = (SELECT u.id FROM updates u WHERE {_of('i.code')} "
    f"AND u.code = i.code AND u.kind IN ('set', 'percent') {NEWEST}) WHERE i.plan_id = :plan"
)
# … then, for the items with any record: what was added after that set, whether the item is
# done, and its latest note.
ITEMS = (
    ("item_code", "last_date", "set_value", "added", "done", "note"),
    f"WITH ls AS MATERIALIZED ({_LATEST}) SELECT ls.item_code, ls.last_date, ls.set_value, "
    f"(SELECT SUM(u.value) FROM updates u WHERE {_of('ls.item_code')} AND u.kind = 'add' "
    "AND u.code = u.item_code AND u.date >= COALESCE(ls.set_date, :origin) "
    "AND (ls.set_id IS NULL OR u.date > ls.set_date OR u.id > ls.set_id)) AS added, "
    f"EXISTS (SELECT 1 FROM updates u WHERE {_of('ls.item_code')} AND u.kind = 'done' "
    "AND u.code = ls.item_code) AS done, "
    f"(SELECT u.note FROM updates u WHERE {_of('ls.item_code')} AND u.note IS NOT NULL "
    f"AND u.note <> '' {NEWEST}) AS note "
    "FROM ls WHERE ls.last_date IS NOT NULL",
)
# The milestones done by the day, and the first day each was.
MILESTONES = (
    ("item_code", "code", "day"),
    f"SELECT u.item_code, u.code, MIN(u.date) AS day FROM updates u WHERE {COUNTS} "
    "AND u.kind = 'done' AND u.code <> u.item_code GROUP BY u.item_code, u.code",
)
NUMBERS = frozenset({"set_value", "added"})  # read back to the last bit
Query = tuple[tuple[str, ...], str]


def progress(db: Database | Transaction, plan_id: str, day: dt.date) -> dict[str, Progress]:
    """Each item's progress on ``day``, worked out by the database (what ``status.fold``
    makes from the records), so that a status never loads a year of records into Python."""
    return _progress(*(_read(q, _fetch(db, q, plan_id, day)) for q in (ITEMS, MILESTONES)))


def progress_on(db: Database, plan_id: str, days: Sequence[dt.date]) -> list[dict[str, Progress]]:
    """``progress`` on several days (see ``progress_later``)."""
    return progress_later(db, plan_id, days)()


def progress_later(
    db: Database, plan_id: str, days: Sequence[dt.date]
) -> Callable[[], list[dict[str, Progress]]]:
    """``progress`` on each of ``days``, begun now and waited for when the result is called.

    On SQLite the days are counted in threads, each with a connection of its own, while the
    caller goes on (it reads the plan, say, then calls for the counts). A server is asked there and
    then, one day after the other, on the one connection.
    """
    if not db.is_sqlite:
        found = [progress(db, plan_id, day) for day in days]
        return lambda: found

    def fetch(day: dt.date) -> list[Any]:
        reader = Database(db.url, path=db.path, read_only=db.read_only)
        try:
            return [_fetch(reader, q, plan_id, day) for q in (ITEMS, MILESTONES)]
        finally:
            reader.close()

    # One core is the main thread's: on two, one thread counts the days one after the other.
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(days), _cores() - 1)))
    each = [pool.submit(fetch, day) for day in days]
    pool.shutdown(wait=False)  # its threads end with their work

    def result() -> list[dict[str, Progress]]:
        out = []
        for f in each:
            items, milestones = f.result()
            out.append(_progress(_read(ITEMS, items), _read(MILESTONES, milestones)))
        return out

    return result


def _cores() -> int:
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _as_json() -> bool:
    return sqlite3.sqlite_version_info >= (3, 38)  # JSON functions built in


def _fetch(db: Database | Transaction, query: Query, plan_id: str, day: dt.date) -> Any:
    """What the database returns for ``query``: its rows, or on SQLite one JSON text of them."""
    columns, sql = query
    params: dict[str, Any] = {"plan": plan_id, "day": day, "origin": dt.date(1, 1, 1)}
    if not db.is_sqlite or not _as_json():
        return db.rows(sql, **params)
    parts = ", ".join(
        f"CASE WHEN {c} IS NULL THEN NULL ELSE printf('%!.20e', {c}) END" if c in NUMBERS else c
        for c in columns
    )
    found = db.rows(f"SELECT json_group_array(json_array({parts})) AS rows FROM ({sql})", **params)
    return found[0]["rows"]


def _read(query: Query, fetched: Any) -> list[Any]:
    """The rows ``_fetch`` returned, addressable by column name."""
    if not isinstance(fetched, str):
        return list(fetched)
    columns = query[0]
    number = [c in NUMBERS for c in columns]
    return [
        {
            c: float(v) if n and v is not None else v
            for c, v, n in zip(columns, row, number, strict=True)
        }
        for row in json.loads(fetched)
    ]


def _progress(per_item: Sequence[Any], milestones: Sequence[Any]) -> dict[str, Progress]:
    done_ms: dict[str, dict[str, dt.date]] = {}
    for r in milestones:
        done_ms.setdefault(r["item_code"], {})[r["code"]] = day_of(r["day"])
    found: dict[str, Progress] = {}
    for r in per_item:
        code, set_value, added = r["item_code"], r["set_value"], r["added"]
        found[code] = Progress(
            value=None
            if set_value is None and added is None
            else (set_value or 0.0) + (added or 0.0),
            done=bool(r["done"]),
            milestones_done=done_ms.get(code, {}),
            last_date=day_of(r["last_date"]),
            latest_note=r["note"] or None,
        )
    return found
