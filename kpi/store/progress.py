"""Progress counted by the database: the SQL twin of ``kpi.core.progress.fold``.

A status of ten thousand items over a million records must not load the records into Python:
the database works out each item's progress on a day from a covering index (migration 0003), the
same way ``fold`` does from the records — the newest set, plus what was added after it, the last
day anything was recorded, whether it is done, which milestones are done and the latest note. A
test checks that both agree on random histories and on every item of the real plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kpi.core.progress import Progress
from kpi.store.engine import Database, Transaction
from kpi.store.rows import day_of


def progress_on(db: Database, plan_id: str, days: Sequence[dt.date]) -> list[dict[str, Progress]]:
    """``progress`` on several days; on SQLite each day in a thread with a connection of its
    own: the database does the counting and lets the other threads run meanwhile."""
    if not db.is_sqlite or len(days) < 2:
        return [progress(db, plan_id, day) for day in days]
    from concurrent.futures import ThreadPoolExecutor

    def one(day: dt.date) -> dict[str, Progress]:
        reader = Database(db.url, path=db.path, read_only=db.read_only)
        try:
            return progress(reader, plan_id, day)
        finally:
            reader.close()

    with ThreadPoolExecutor(max_workers=len(days)) as pool:
        return list(pool.map(one, days))


def progress(db: Database | Transaction, plan_id: str, day: dt.date) -> dict[str, Progress]:
    """Each item's progress on ``day``, worked out by the database (what ``status.fold``
    makes from the records), so that a status never loads a year of records into Python.
    """
    params = {"plan": plan_id, "day": day}
    counts = "u.plan_id = :plan AND u.date <= :day AND u.id NOT IN (SELECT update_id FROM voids)"
    # The newest record that sets the value (a running total, a level, a task's share) …
    last_set = (
        "SELECT i.code AS item_code, s.id, s.date, s.value FROM items i JOIN updates s ON s.id = ("
        " SELECT u.id FROM updates u WHERE u.plan_id = i.plan_id AND u.item_code = i.code AND u.code = i.code"
        f" AND u.kind IN ('set', 'percent') AND {counts} ORDER BY u.date DESC, u.id DESC LIMIT 1)"
        " WHERE i.plan_id = :plan"
    )
    # … the last day anything was recorded and whether it is done (one pass over the records,
    # nothing joined to each of them); plus what was added after the newest set, read from the
    # index for each item from that set's day on.
    per_item = db.rows(
        f"WITH ls AS MATERIALIZED ({last_set}), "
        "agg AS (SELECT u.item_code, MAX(u.date) AS last_date, "
        "MAX(CASE WHEN u.kind = 'done' AND u.code = u.item_code THEN 1 ELSE 0 END) AS done "
        f"FROM updates u WHERE {counts} GROUP BY u.item_code) "
        "SELECT agg.item_code, agg.last_date, agg.done, ls.value AS set_value, "
        f"(SELECT SUM(u.value) FROM updates u WHERE {counts} AND u.item_code = agg.item_code "
        "AND u.kind = 'add' AND u.code = u.item_code "
        "AND u.date >= COALESCE(ls.date, :origin) AND (ls.id IS NULL OR u.date > ls.date "
        "OR u.id > ls.id)) AS added "
        "FROM agg LEFT JOIN ls ON ls.item_code = agg.item_code",
        origin=dt.date(1, 1, 1),
        **params,
    )
    milestones = db.rows(
        f"SELECT u.item_code, u.code, MIN(u.date) AS day FROM updates u WHERE {counts} "
        "AND u.kind = 'done' AND u.code <> u.item_code GROUP BY u.item_code, u.code",
        **params,
    )
    notes = db.rows(
        "SELECT i.code AS item_code, (SELECT u.note FROM updates u WHERE u.plan_id = i.plan_id AND u.item_code = i.code"
        f" AND u.note IS NOT NULL AND u.note <> '' AND {counts}"
        " ORDER BY u.date DESC, u.id DESC LIMIT 1) AS note FROM items i WHERE i.plan_id = :plan",
        **params,
    )
    values: dict[str, float | None] = {}
    for r in per_item:
        if r["set_value"] is not None or r["added"] is not None:
            values[r["item_code"]] = (r["set_value"] or 0.0) + (r["added"] or 0.0)
    done_ms: dict[str, dict[str, dt.date]] = {}
    for r in milestones:
        done_ms.setdefault(r["item_code"], {})[r["code"]] = day_of(r["day"])
    latest = {r["item_code"]: r["note"] for r in notes if r["note"]}
    return {
        r["item_code"]: Progress(
            value=values.get(r["item_code"]),
            done=bool(r["done"]),
            milestones_done=done_ms.get(r["item_code"], {}),
            last_date=day_of(r["last_date"]),
            latest_note=latest.get(r["item_code"]),
        )
        for r in per_item
    }
