"""Plans in the database: which there are, loading one for the status rules, retiring one, and
finding an item by what people type. Syncing a plan from its file is ``sync``."""

from __future__ import annotations

from typing import Any

from kpi.core.plan import Plan, PlanHead, PlanInfo
from kpi.errors import InputError
from kpi.locale import t
from kpi.store.engine import Database
from kpi.store.rows import day_of, plan_from_rows

_CURRENT = "plan_id = :plan AND retired = :no"


def plan_heads(db: Database) -> list[PlanHead]:
    """Every plan's id, organisation, title, period and whether it is in use; nothing counted."""
    return [
        PlanHead(**_head(h))
        for h in db.rows(
            'SELECT id, organisation, year, title, start, "end", retired FROM plans '
            "ORDER BY start, id"
        )
    ]


def _head(h: Any) -> dict[str, Any]:
    """A plan row's fields as ``PlanHead`` has them."""
    return {
        "id": h["id"],
        "organisation": h["organisation"],
        "year": h["year"],
        "title": h["title"],
        "start": day_of(h["start"]),
        "end": day_of(h["end"]),
        "retired": bool(h["retired"]),
    }


def plan_infos(db: Database) -> list[PlanInfo]:
    """Every plan, with its counts and current version, oldest period first."""
    heads = db.rows(
        'SELECT id, organisation, year, title, start, "end", retired FROM plans ORDER BY start, id'
    )
    items = {
        r["plan_id"]: r["n"]
        for r in db.rows(
            "SELECT plan_id, count(*) AS n FROM items WHERE retired = :no GROUP BY plan_id",
            no=False,
        )
    }
    records = {
        r["plan_id"]: (r["n"], r["last"])
        for r in db.rows(
            "SELECT plan_id, count(*) AS n, max(date) AS last FROM updates GROUP BY plan_id"
        )
    }
    latest = {
        r["plan_id"]: (r["version"], r["effective"])
        for r in db.rows(
            "SELECT v.plan_id, v.version, v.effective FROM plan_versions v WHERE v.version = "
            "(SELECT max(w.version) FROM plan_versions w WHERE w.plan_id = v.plan_id)"
        )
    }
    out = []
    for h in heads:
        n, last = records.get(h["id"], (0, None))
        version, effective = latest.get(h["id"], (None, None))
        out.append(
            PlanInfo(
                **_head(h),
                items=items.get(h["id"], 0),
                records=n,
                last_record=day_of(last) if last else None,
                version=version,
                effective=day_of(effective) if effective else None,
            )
        )
    return out


def load_plan(db: Database, plan_id: str, *, item: str | None = None) -> Plan:
    """The plan as it stands, without retired items; with ``item``, that item alone (all a
    `kpi show` needs, so it does not read ten thousand items to show one)."""
    heads = db.rows("SELECT * FROM plans WHERE id = :plan", plan=plan_id)
    if not heads:
        raise InputError(t("db.no_plan", plan=plan_id))
    parts = [
        db.rows(f"SELECT * FROM {table} WHERE {_CURRENT} ORDER BY position", plan=plan_id, no=False)
        for table in ("areas", "sections")
    ]
    only = "" if item is None else " AND {} = :item"
    parts += [
        db.rows(
            f"SELECT * FROM {table} WHERE {_CURRENT}{only.format(column)} ORDER BY position",
            plan=plan_id,
            no=False,
            item=item,
        )
        for table, column in (("items", "code"), ("milestones", "item_code"))
    ]
    return plan_from_rows(heads[0], *parts)


def retire(db: Database, plan_id: str) -> bool:
    """Hide a plan from use (nothing is deleted); False if it was retired already."""
    with db.write() as tx:
        found = tx.rows("SELECT retired FROM plans WHERE id = :plan", plan=plan_id)
        if not found:
            raise InputError(t("db.no_plan", plan=plan_id))
        if found[0]["retired"]:
            return False
        tx.execute("UPDATE plans SET retired = :yes WHERE id = :plan", yes=True, plan=plan_id)
    return True


def item_of(db: Database, plan_id: str, text: str) -> str | None:
    """The item that ``text`` names without doubt: its code, a milestone's code, or the one
    title (or else milestone title) containing it; None when none or several do."""
    query = text.strip()
    for table, column in (("items", "code"), ("milestones", "item_code")):
        rows = db.rows(
            f"SELECT {column} AS item FROM {table} WHERE {_CURRENT} AND code = :q",
            plan=plan_id,
            no=False,
            q=query,
        )
        if rows:
            return str(rows[0]["item"])
    folded = query.casefold()
    for table, column in (("items", "code"), ("milestones", "item_code")):
        rows = db.rows(
            f"SELECT {column} AS item, title FROM {table} WHERE {_CURRENT}", plan=plan_id, no=False
        )
        hits = {r["item"] for r in rows if folded in r["title"].casefold()}
        if hits:
            return hits.pop() if len(hits) == 1 else None
    return None


def names(db: Database, plan_id: str) -> list[tuple[str, str]]:
    """(code, title) of every current item and milestone, in plan order: for Tab completion."""
    rows = [
        *db.rows(
            f"SELECT code, title FROM items WHERE {_CURRENT} ORDER BY position",
            plan=plan_id,
            no=False,
        ),
        *db.rows(
            f"SELECT code, title FROM milestones WHERE {_CURRENT} ORDER BY position",
            plan=plan_id,
            no=False,
        ),
    ]
    return [(r["code"], r["title"]) for r in rows]


def retired_codes(db: Database, plan_id: str) -> set[str]:
    rows = db.rows(
        "SELECT code FROM items WHERE plan_id = :plan AND retired = :yes", plan=plan_id, yes=True
    )
    return {r["code"] for r in rows}
