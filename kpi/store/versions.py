"""Plan versions: every load that changed a plan, and the plan in effect on any day.

A version keeps who loaded what (the file and its hash), when, what changed (field by field), the
day it takes effect, and the plan as it left it (``snapshot``). The plan in effect on a day is the
newest version whose effective day is on or before it: so a load today never changes a past
week's report, and a load with ``--effective`` earlier says the office's word holds from then.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpi.store.engine import Database, Transaction
from kpi.store.rows import day_of, moment_of, plan_from_snapshot, snapshot_of

if TYPE_CHECKING:
    from kpi.core.plan import Plan


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a load changed (or, in a dry run, would change), by code."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    version: int | None = None  # the version the load made (None: nothing changed, or a dry run)
    effective: dt.date | None = None
    adopted: str | None = None  # the id of an old-schema plan this load took over

    @property
    def nothing(self) -> bool:
        return not (self.added or self.changed or self.retired)


@dataclass(frozen=True, slots=True)
class Version:
    plan_id: str
    version: int
    effective: dt.date
    file: str
    sha256: str
    by: str
    loaded_at: dt.datetime | None
    added: int
    changed: int
    retired: int
    changes: dict[str, Any]


def add(
    tx: Transaction,
    plan: Plan,
    head: dict[str, Any],
    rows: dict[str, list[dict[str, Any]]],
    *,
    effective: dt.date,
    file: str,
    sha256: str,
    by: str,
    now: dt.datetime,
    result: SyncResult,
    diff: dict[str, Any],
) -> int:
    """Keep the plan as this load leaves it; returns the new version's number."""
    last = tx.scalar("SELECT max(version) FROM plan_versions WHERE plan_id = :plan", plan=plan.id)
    number = int(last or 0) + 1
    # Rows retired before stay in the snapshot, retired, so that the snapshot is the whole table.
    kept = {
        name: [*rows[name], *_retired(tx, name, plan.id, {r["code"] for r in rows[name]})]
        for name in rows
    }
    changes = {"added": result.added, "retired": result.retired, "changed": diff}
    tx.execute(
        'INSERT INTO plan_versions (plan_id, version, effective, file, sha256, "by", loaded_at, '
        "added, changed, retired, unchanged, changes, snapshot) VALUES (:plan, :n, :effective, "
        ":file, :sha, :by, :at, :added, :changed, :retired, :unchanged, :changes, :snapshot)",
        plan=plan.id,
        n=number,
        effective=effective,
        file=file,
        sha=sha256,
        by=by,
        at=now,
        added=len(result.added),
        changed=len(result.changed),
        retired=len(result.retired),
        unchanged=result.unchanged,
        changes=json.dumps(changes, ensure_ascii=False, default=str),
        snapshot=snapshot_of(head, kept),
    )
    return number


def _retired(tx: Transaction, table: str, plan_id: str, current: set[str]) -> list[dict[str, Any]]:
    rows = tx.rows(
        f"SELECT * FROM {table} WHERE plan_id = :plan AND retired = :yes", plan=plan_id, yes=True
    )
    return [{**dict(r), "retired": True} for r in rows if r["code"] not in current]


def in_effect(db: Database, plan_id: str, day: dt.date) -> tuple[int | None, bool]:
    """The version in effect on ``day`` and whether it is the newest (then the plan's own tables
    hold it); (None, True) for a plan without versions."""
    rows = db.rows(
        "SELECT max(version) AS newest, max(CASE WHEN effective <= :day THEN version END) AS on_day "
        "FROM plan_versions WHERE plan_id = :plan",
        plan=plan_id,
        day=day,
    )
    newest, on_day = (rows[0]["newest"], rows[0]["on_day"]) if rows else (None, None)
    if newest is None:
        return None, True
    if on_day is None:  # before the first version took effect: the first is the plan
        on_day = db.rows(
            "SELECT min(version) AS first FROM plan_versions WHERE plan_id = :plan", plan=plan_id
        )[0]["first"]
    return int(on_day), int(on_day) == int(newest)


def plan_of(db: Database, plan_id: str, version: int) -> Plan | None:
    """The plan as version ``version`` left it, or None if that version kept no snapshot."""
    rows = db.rows(
        "SELECT snapshot FROM plan_versions WHERE plan_id = :plan AND version = :n",
        plan=plan_id,
        n=version,
    )
    if not rows or not rows[0]["snapshot"]:
        return None
    from dataclasses import replace

    # A plan taken over from the old schema kept its old id in the versions before it.
    return replace(plan_from_snapshot(rows[0]["snapshot"]), id=plan_id)


def history(db: Database, plan_id: str) -> list[Version]:
    """Every version of the plan, oldest first."""
    rows = db.rows(
        'SELECT plan_id, version, effective, file, sha256, "by", loaded_at, added, changed, '
        "retired, changes FROM plan_versions WHERE plan_id = :plan ORDER BY version",
        plan=plan_id,
    )
    return [
        Version(
            plan_id=r["plan_id"],
            version=int(r["version"]),
            effective=day_of(r["effective"]),
            file=r["file"],
            sha256=r["sha256"],
            by=r["by"],
            loaded_at=moment_of(r["loaded_at"]),
            added=r["added"],
            changed=r["changed"],
            retired=r["retired"],
            changes=json.loads(r["changes"]) if r["changes"] else {},
        )
        for r in rows
    ]
