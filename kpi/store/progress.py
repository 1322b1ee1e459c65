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
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kpi.core.progress import Progress
from kpi.store.engine import Database, Transaction
from kpi.store.rows import days_of

VALID = "u.id NOT IN (SELECT update_id FROM voids)"
COUNTS = f"u.plan_id = :plan AND u.date <= :day AND {VALID}"
NEWEST = "ORDER BY u.date DESC, u.id DESC LIMIT 1"


def _of(code: str, *tests: str) -> str:
    """The records of the item ``code`` up to the day that pass ``tests``, voids looked up
    last: walking an item's records back to its newest set, most are not one (a count's never
    are), and asking the voids of each made the counting a fifth slower."""
    return " AND ".join(
        (f"u.item_code = {code}", "u.plan_id = :plan", "u.date <= :day", *tests, VALID)
    )


_SETS = _of("i.code", "u.code = i.code", "u.kind IN ('set', 'percent')")
# For each item: the last day anything was recorded, and the newest record that sets the value
# (a running total, a level, a task's share) …
_LATEST = (
    f"SELECT i.code AS item_code, (SELECT u.date FROM updates u WHERE {_of('i.code')} {NEWEST}) "
    "AS last_date, s.id AS set_id, s.date AS set_date, s.value AS set_value FROM items i "
    "LEFT JOIN updates s ON s.id = (SELECT u.id FROM updates u WHERE "
    f"{_SETS} {NEWEST}) "
    "WHERE i.plan_id = :plan"
)
_ADDED = _of(
    "ls.item_code",
    "u.kind = 'add'",
    "u.code = u.item_code",
    "u.date >= COALESCE(ls.set_date, :origin)",
    "(ls.set_id IS NULL OR u.date > ls.set_date OR u.id > ls.set_id)",
)
_DONE = _of("ls.item_code", "u.kind = 'done'", "u.code = ls.item_code")
_NOTED = _of("ls.item_code", "u.note IS NOT NULL", "u.note <> ''")
# … then, for the items with any record: what was added after that set, whether the item is
# done, and its latest note.
ITEMS = (
    ("item_code", "last_date", "set_value", "added", "done", "note"),
    f"WITH ls AS MATERIALIZED ({_LATEST}) SELECT ls.item_code, ls.last_date, ls.set_value, "
    # An add with no value adds nothing, as ``fold`` has it (``SUM`` alone would make it NULL).
    f"(SELECT CASE WHEN COUNT(*) > 0 THEN COALESCE(SUM(u.value), 0) END FROM updates u "
    f"WHERE {_ADDED}) AS added, "
    f"EXISTS (SELECT 1 FROM updates u WHERE {_DONE}) AS done, "
    f"(SELECT u.note FROM updates u WHERE {_NOTED} {NEWEST}) AS note "
    "FROM ls WHERE ls.last_date IS NOT NULL",
)
# The milestones done by the day, and the first day each was.
MILESTONES = (
    ("item_code", "code", "day"),
    "SELECT u.item_code, u.code, MIN(u.date) AS day FROM updates u WHERE u.plan_id = :plan "
    f"AND u.date <= :day AND u.kind = 'done' AND u.code <> u.item_code AND {VALID} "
    "GROUP BY u.item_code, u.code",
)
NUMBERS = frozenset({"set_value", "added"})  # read back to the last bit
Query = tuple[tuple[str, ...], str]


def progress(db: Database | Transaction, plan_id: str, day: dt.date) -> dict[str, Progress]:
    """Each item's progress on ``day``, worked out by the database (what ``status.fold``
    makes from the records), so that a status never loads a year of records into Python."""
    return _progress(*(_read(q, _fetch(db, q, plan_id, day)) for q in (ITEMS, MILESTONES)))


def progress_on(db: Database, plan_id: str, days: Sequence[dt.date]) -> list[dict[str, Progress]]:
    """``progress`` on several days (see ``progress_later``)."""
    return [counted() for counted in progress_later(db, plan_id, days)]


def progress_later(
    db: Database, plan_id: str, days: Sequence[dt.date]
) -> list[Callable[[], dict[str, Progress]]]:
    """``progress`` on each of ``days``, begun now: for each day, a call that waits for it.

    On SQLite the days are counted in the background, in order, each with a connection of its
    own, while the caller goes on (it reads the plan, say, works out the first day's statuses,
    then calls for the next day's counts). A server is asked there and then, one day after the
    other, on the one connection.
    """
    if not db.is_sqlite:
        return [_done(progress(db, plan_id, day)) for day in days]

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

    def waiting(fetched: Future[list[Any]]) -> Callable[[], dict[str, Progress]]:
        def result() -> dict[str, Progress]:
            items, milestones = fetched.result()
            return _progress(_read(ITEMS, items), _read(MILESTONES, milestones))

        return result

    return [waiting(f) for f in each]


def _done(found: dict[str, Progress]) -> Callable[[], dict[str, Progress]]:
    return lambda: found


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


def _read(query: Query, fetched: Any) -> Sequence[Sequence[Any]]:
    """The rows ``_fetch`` returned, each its values in the query's order of columns."""
    columns = query[0]
    if not isinstance(fetched, str):
        return [[r[c] for c in columns] for r in fetched]
    rows: list[list[Any]] = json.loads(fetched)
    for at in (n for n, c in enumerate(columns) if c in NUMBERS):
        for row in rows:
            if row[at] is not None:
                row[at] = float(row[at])
    return rows


def _progress(per_item: Sequence[Any], milestones: Sequence[Any]) -> dict[str, Progress]:
    """Each item's progress from the rows of ``ITEMS`` and ``MILESTONES``."""
    day = days_of()
    done_ms: dict[str, dict[str, dt.date]] = {}
    for item_code, code, done_on in milestones:
        done_ms.setdefault(item_code, {})[code] = day(done_on)
    found: dict[str, Progress] = {}
    for code, last_date, set_value, added, done, note in per_item:
        found[code] = Progress(
            value=None
            if set_value is None and added is None
            else (set_value or 0.0) + (added or 0.0),
            done=bool(done),
            milestones_done=done_ms.get(code, {}),
            last_date=day(last_date),
            latest_note=note or None,
        )
    return found
