"""Syncing a plan from its targets file: matched by code, each load that changes it a version.

New codes are added, changed ones updated, codes gone from the file retired (hidden, their history
kept), never deleted; a dry run says the same without writing. A load that changes anything is a
new version (``versions``), in effect from a day. A plan of the old, year-keyed schema
(``legacy``) is taken over by the first targets file whose period is its own, under the file's
id, with every record. What records depend on cannot change under them: an item's kind, unit or
accumulation is never changed while it has records (retire the code and add a new one).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

from kpi.core.plan import Plan
from kpi.core.status import clamp_to_period
from kpi.errors import InputError
from kpi.locale import t
from kpi.store import versions
from kpi.store.engine import Database, Transaction
from kpi.store.rows import PARTS, plan_head, rows_from_plan
from kpi.store.versions import SyncResult

# What a record's meaning depends on: changed under records, old records would be misread.
_FIXED = ("kind", "unit", "accumulate")


def sync_plan(
    db: Database,
    plan: Plan,
    *,
    file: str,
    sha256: str,
    by: str,
    now: dt.datetime,
    effective: dt.date | None,
    dry_run: bool,
) -> SyncResult:
    """Bring the stored plan in line with ``plan``, matched by code; retire what is gone; keep
    the result as a new version in effect from ``effective`` (today if not given)."""
    rows = rows_from_plan(plan)
    head = plan_head(plan)
    with db.write() as tx:
        stored_id = _stored_id(tx, plan)
        adopted = stored_id if stored_id not in (None, plan.id) else None
        if adopted and not dry_run:
            _rename(tx, adopted, plan.id)
            stored_id = plan.id
        result = SyncResult(adopted=adopted)
        diff: dict[str, dict[str, Any]] = {}
        stored = (
            tx.rows("SELECT * FROM plans WHERE id = :plan", plan=stored_id) if stored_id else []
        )
        if not stored:
            if not dry_run:
                _insert(tx, "plans", [{**head, "retired": False, "legacy": False}])
        else:
            before = {k: v for k, v in _stored_form(dict(stored[0])).items() if k in head}
            after = _stored_form(head) | ({"id": before["id"]} if dry_run else {})
            if before != after:
                result.changed.append(plan.id)
                diff[plan.id] = _fields(before, after)
                if not dry_run:
                    _update(tx, "plans", [head], key="id")
        for name in PARTS:
            _sync_table(tx, name, stored_id, plan.id, rows[name], result, diff, dry_run)
        _refuse_meaning_changes(tx, stored_id, diff)
        if result.nothing:
            return result
        day = _effective(tx, plan, effective or now.date())
        if dry_run:
            return _with(result, effective=day)
        number = versions.add(
            tx,
            plan,
            head,
            rows,
            effective=day,
            file=file,
            sha256=sha256,
            by=by,
            now=now,
            result=result,
            diff=diff,
        )
    return _with(result, version=number, effective=day)


def _with(result: SyncResult, **changes: Any) -> SyncResult:
    from dataclasses import replace

    return replace(result, **changes)


def _effective(tx: Transaction, plan: Plan, day: dt.date) -> dt.date:
    """The day a load takes effect, inside the plan's period; a plan's first load, its start."""
    known = tx.scalar("SELECT count(*) FROM plan_versions WHERE plan_id = :plan", plan=plan.id)
    if not known:
        return plan.start
    return clamp_to_period(plan, day)


def _stored_id(tx: Transaction, plan: Plan) -> str | None:
    """The id the plan is stored under: its own, or that of an old-schema plan of its period."""
    if tx.rows("SELECT id FROM plans WHERE id = :plan", plan=plan.id):
        return plan.id
    legacy = tx.rows(
        'SELECT id FROM plans WHERE legacy = :yes AND start = :start AND "end" = :end',
        yes=True,
        start=plan.start,
        end=plan.end,
    )
    return str(legacy[0]["id"]) if len(legacy) == 1 else None


def _rename(tx: Transaction, old: str, new: str) -> None:
    """An old-schema plan taken over under its file's id, with every part and record."""
    columns = (
        '"organisation", "year", "title", "source", "start", "end", "rules", "offices", "retired"'
    )
    tx.execute(
        f"INSERT INTO plans (id, legacy, {columns}) SELECT :new, :no, {columns} FROM plans "
        "WHERE id = :old",
        new=new,
        old=old,
        no=False,
    )
    for table in (*PARTS, "updates", "plan_versions", "grant_events"):
        tx.execute(f"UPDATE {table} SET plan_id = :new WHERE plan_id = :old", new=new, old=old)
    tx.execute("DELETE FROM plans WHERE id = :old", old=old)


def _sync_table(
    tx: Transaction,
    table: str,
    stored_id: str | None,
    plan_id: str,
    new_rows: list[dict[str, Any]],
    result: SyncResult,
    diff: dict[str, dict[str, Any]],
    dry_run: bool,
) -> None:
    old: dict[str, dict[str, Any]] = {}
    if stored_id is not None:
        old = {
            r["code"]: _stored_form({**dict(r), "plan_id": plan_id})
            for r in tx.rows(f"SELECT * FROM {table} WHERE plan_id = :plan", plan=stored_id)
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
        after = _stored_form(row)
        # A shift in position (an item added or removed above it) is not a change to report.
        if {**before, "position": None} != {**after, "position": None}:
            result.changed.append(code)
            diff[code] = _fields(before, after) | ({"_table": table} if table != "items" else {})
        else:
            unchanged += 1
        if before != after:
            to_update.append(row)
    retired = [code for code, before in old.items() if not before["retired"]]
    result.retired.extend(retired)
    if not dry_run:
        # One statement for many rows (executemany): a 10,000-item plan loads in one pass.
        _insert(tx, table, to_insert)
        _update(tx, table, to_update, key="code", scope="plan_id")
        tx.executemany(
            f"UPDATE {table} SET retired = :yes WHERE plan_id = :plan AND code = :code",
            [{"yes": True, "plan": plan_id, "code": code} for code in retired],
        )
    object.__setattr__(result, "unchanged", result.unchanged + unchanged)


def _fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Each field that changed, as [before, after]."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if k not in ("position", "plan_id") and before.get(k) != after.get(k)
    }


def _refuse_meaning_changes(
    tx: Transaction, stored_id: str | None, diff: dict[str, dict[str, Any]]
) -> None:
    """Refuse a change of kind, unit or accumulation of an item that has records."""
    if stored_id is None:
        return
    touched = {code: [f for f in _FIXED if f in fields] for code, fields in diff.items()}
    touched = {
        code: fields for code, fields in touched.items() if fields and "_table" not in diff[code]
    }
    if not touched:
        return
    problems = []
    for code, fields in touched.items():
        n = tx.scalar(
            "SELECT count(*) FROM updates WHERE plan_id = :plan AND item_code = :code",
            plan=stored_id,
            code=code,
        )
        if n:
            shown = "、".join(f"{f} {diff[code][f][0]} → {diff[code][f][1]}" for f in fields)
            problems.append(t("load.meaning_changed", code=code, fields=shown, n=n))
    if problems:
        raise InputError(problems[0], details=problems[1:])


def _insert(tx: Transaction, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    names = list(rows[0])
    columns = ", ".join(f'"{n}"' for n in names)
    values = ", ".join(f":{n}" for n in names)
    tx.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({values})", [_written(r) for r in rows]
    )


def _update(
    tx: Transaction, table: str, rows: list[dict[str, Any]], *, key: str, scope: str | None = None
) -> None:
    if not rows:
        return
    keys = {key} | ({scope} if scope else set())
    names = [n for n in rows[0] if n not in keys]
    sets = ", ".join(f'"{n}" = :{n}' for n in names)
    where = " AND ".join(f'"{k}" = :{k}' for k in sorted(keys))
    tx.executemany(f"UPDATE {table} SET {sets} WHERE {where}", [_written(r) for r in rows])


def _written(row: dict[str, Any]) -> dict[str, Any]:
    """A row as it is written: lists and mappings as JSON text."""
    return {
        k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
        for k, v in row.items()
    }


def _stored_form(row: dict[str, Any]) -> dict[str, Any]:
    """A row in one form whatever the engine handed back, so that stored and new rows compare."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = int(value)
        if isinstance(value, list):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[key] = value
    return out
