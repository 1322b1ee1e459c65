"""Plans in the database: loading one for the status rules, and syncing one from a targets file.

A sync matches by code: new codes are added, changed ones updated, codes gone from the file
retired (hidden, their history kept), never deleted; a dry run says the same without writing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from kpi.core.plan import Plan
from kpi.errors import InputError
from kpi.locale import t
from kpi.store.engine import Database, Transaction
from kpi.store.rows import plan_from_rows, plan_head, rows_from_plan

PLAN_PARTS = ("areas", "sections", "items", "milestones")
_CURRENT = "plan_year = :year AND retired = :no"


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


def plan_years(db: Database) -> list[int]:
    return sorted(r["year"] for r in db.rows("SELECT year FROM plans"))


def load_plan(db: Database, year: int, *, item: str | None = None) -> Plan:
    """The plan as stored, without retired items; with ``item``, that item alone (all a
    `kpi show` needs, so it does not read ten thousand items to show one)."""
    heads = db.rows(
        'SELECT year, title, source, start, "end", rules, offices FROM plans WHERE year = :year',
        year=year,
    )
    if not heads:
        raise InputError(t("db.no_plan", year=year))
    parts = [
        db.rows(f"SELECT * FROM {table} WHERE {_CURRENT} ORDER BY position", year=year, no=False)
        for table in ("areas", "sections")
    ]
    only = "" if item is None else " AND {} = :item"
    parts += [
        db.rows(
            f"SELECT * FROM {table} WHERE {_CURRENT}{only.format(column)} ORDER BY position",
            year=year,
            no=False,
            item=item,
        )
        for table, column in (("items", "code"), ("milestones", "item_code"))
    ]
    return plan_from_rows(heads[0], *parts)


def sync_plan(
    db: Database, plan: Plan, *, file: str, sha256: str, by: str, now: dt.datetime, dry_run: bool
) -> SyncResult:
    """Bring the stored plan in line with ``plan``, matched by code; retire what is gone."""
    rows = rows_from_plan(plan)
    result = SyncResult()
    with db.write() as tx:
        head = plan_head(plan)
        stored = tx.rows("SELECT * FROM plans WHERE year = :year", year=plan.year)
        if not stored:
            if not dry_run:
                _insert(tx, "plans", [head])
        elif _stored_form(dict(stored[0])) != _stored_form(head):
            result.changed.append(str(plan.year))
            if not dry_run:
                _update(tx, "plans", [head], key="year")
        for name in PLAN_PARTS:
            _sync_table(tx, name, plan.year, rows[name], result, dry_run)
        if not dry_run and not result.nothing:
            _insert(
                tx,
                "loads",
                [
                    {
                        "plan_year": plan.year,
                        "file": file,
                        "sha256": sha256,
                        "by": by,
                        "loaded_at": now,
                        "added": len(result.added),
                        "changed": len(result.changed),
                        "retired": len(result.retired),
                        "unchanged": result.unchanged,
                    }
                ],
            )
    return result


def _sync_table(
    tx: Transaction,
    table: str,
    year: int,
    new_rows: list[dict[str, Any]],
    result: SyncResult,
    dry_run: bool,
) -> None:
    old = {
        r["code"]: _stored_form(dict(r))
        for r in tx.rows(f"SELECT * FROM {table} WHERE plan_year = :year", year=year)
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
        else:
            unchanged += 1
        if before != after:
            to_update.append(row)
    retired = [code for code, before in old.items() if not before["retired"]]
    result.retired.extend(retired)
    if not dry_run:
        # One statement for many rows (executemany): a 10,000-item plan loads in one pass.
        _insert(tx, table, to_insert)
        _update(tx, table, to_update, key="code", scope="plan_year")
        tx.executemany(
            f"UPDATE {table} SET retired = :yes WHERE plan_year = :year AND code = :code",
            [{"yes": True, "year": year, "code": code} for code in retired],
        )
    object.__setattr__(result, "unchanged", result.unchanged + unchanged)


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


def item_of(db: Database, year: int, text: str) -> str | None:
    """The item that ``text`` names without doubt: its code, a milestone's code, or the one
    title (or else milestone title) containing it; None when none or several do."""
    query = text.strip()
    for table, column in (("items", "code"), ("milestones", "item_code")):
        rows = db.rows(
            f"SELECT {column} AS item FROM {table} WHERE {_CURRENT} AND code = :q",
            year=year,
            no=False,
            q=query,
        )
        if rows:
            return str(rows[0]["item"])
    folded = query.casefold()
    for table, column in (("items", "code"), ("milestones", "item_code")):
        rows = db.rows(
            f"SELECT {column} AS item, title FROM {table} WHERE {_CURRENT}", year=year, no=False
        )
        hits = {r["item"] for r in rows if folded in r["title"].casefold()}
        if hits:
            return hits.pop() if len(hits) == 1 else None
    return None


def names(db: Database, year: int) -> list[tuple[str, str]]:
    """(code, title) of every current item and milestone, in plan order: for Tab completion."""
    rows = [
        *db.rows(
            f"SELECT code, title FROM items WHERE {_CURRENT} ORDER BY position", year=year, no=False
        ),
        *db.rows(
            f"SELECT code, title FROM milestones WHERE {_CURRENT} ORDER BY position",
            year=year,
            no=False,
        ),
    ]
    return [(r["code"], r["title"]) for r in rows]


def retired_codes(db: Database, year: int) -> set[str]:
    rows = db.rows(
        "SELECT code FROM items WHERE plan_year = :year AND retired = :yes", year=year, yes=True
    )
    return {r["code"] for r in rows}
