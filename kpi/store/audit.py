"""The audit trail: every record, void, undo, plan load and grant, with who did it and when.

It is read from the append-only tables — ``updates``, ``voids``, ``plan_versions`` and
``grant_events`` — that kpi never changes; on a PostgreSQL server set up by `kpi access init`
no role but the tables' owner can change them either, and their times are the server's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from kpi.store.engine import Database
from kpi.store.rows import day_of, moment_of

Action = Literal["record", "void", "undo", "load", "grant", "revoke"]
_ORDER = {"load": 0, "grant": 1, "revoke": 1, "record": 2, "void": 3, "undo": 3}  # in one second


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One step: when, by which account, what, on which plan, and its particulars."""

    at: dt.datetime | None
    actor: str
    action: Action
    plan_id: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> tuple[float, int, int]:
        when = self.at.timestamp() if self.at is not None else float("-inf")
        return (when, _ORDER[self.action], int(self.detail.get("id") or 0))


def trail(
    db: Database,
    *,
    since: dt.datetime | None = None,
    who: str | None = None,
    plan_id: str | None = None,
) -> list[AuditEvent]:
    """Every step from ``since`` on, by ``who`` (the account, or who a record names as its
    reporter), on ``plan_id`` (grants on every plan included), oldest first."""
    found = [
        *_records(db, since, who, plan_id),
        *_voids(db, since, who, plan_id),
        *_loads(db, since, who, plan_id),
        *_grants(db, since, who, plan_id),
    ]
    return sorted(found, key=lambda e: e.order)


def _where(
    time: str, actor: str, plan: str, since: Any, who: Any, plan_id: Any, *, also: str = ""
) -> tuple[str, dict[str, Any]]:
    parts, params = [], {}
    if since is not None:
        parts.append(f"{time} >= :since")
        params["since"] = since
    if who is not None:
        parts.append(f"({actor} = :who{also})")
        params["who"] = who
    if plan_id is not None:
        parts.append(
            f"({plan} = :plan OR {plan} IS NULL)" if plan == "g.plan_id" else f"{plan} = :plan"
        )
        params["plan"] = plan_id
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _records(db: Database, since: Any, who: Any, plan_id: Any) -> list[AuditEvent]:
    where, params = _where(
        "u.recorded_at", "u.os_user", "u.plan_id", since, who, plan_id, also=' OR u."by" = :who'
    )
    rows = db.rows(
        'SELECT u.id, u.plan_id, u.code, u.item_code, u.date, u.kind, u.value, u.note, u."by", '
        "u.os_user, u.recorded_at, u.origin, i.unit FROM updates u LEFT JOIN items i "
        f"ON i.plan_id = u.plan_id AND i.code = u.item_code{where}",
        **params,
    )
    return [
        AuditEvent(
            at=moment_of(r["recorded_at"]),
            actor=r["os_user"],
            action="record",
            plan_id=r["plan_id"],
            detail={
                "id": r["id"],
                "code": r["code"],
                "item_code": r["item_code"],
                "date": day_of(r["date"]).isoformat(),
                "kind": r["kind"],
                "value": r["value"],
                "unit": r["unit"],
                "note": r["note"],
                "by": r["by"],
                "origin": r["origin"],
            },
        )
        for r in rows
    ]


def _voids(db: Database, since: Any, who: Any, plan_id: Any) -> list[AuditEvent]:
    where, params = _where(
        "v.voided_at", "v.os_user", "u.plan_id", since, who, plan_id, also=' OR v."by" = :who'
    )
    rows = db.rows(
        'SELECT v.update_id, v.kind, v.reason, v."by", v.os_user, v.voided_at, u.plan_id, '
        f"u.code, u.date FROM voids v JOIN updates u ON u.id = v.update_id{where}",
        **params,
    )
    return [
        AuditEvent(
            at=moment_of(r["voided_at"]),
            actor=r["os_user"],
            action="undo" if r["kind"] == "undo" else "void",
            plan_id=r["plan_id"],
            detail={
                "id": r["update_id"],
                "code": r["code"],
                "date": day_of(r["date"]).isoformat(),
                "reason": r["reason"],
                "by": r["by"],
            },
        )
        for r in rows
    ]


def _loads(db: Database, since: Any, who: Any, plan_id: Any) -> list[AuditEvent]:
    where, params = _where("p.loaded_at", 'p."by"', "p.plan_id", since, who, plan_id)
    rows = db.rows(
        'SELECT p.plan_id, p.version, p.effective, p.file, p.sha256, p."by", p.loaded_at, '
        f"p.added, p.changed, p.retired, p.unchanged FROM plan_versions p{where}",
        **params,
    )
    return [
        AuditEvent(
            at=moment_of(r["loaded_at"]),
            actor=r["by"],
            action="load",
            plan_id=r["plan_id"],
            detail={
                "version": int(r["version"]),
                "effective": day_of(r["effective"]).isoformat(),
                "file": r["file"],
                "sha256": r["sha256"],
                "added": r["added"],
                "changed": r["changed"],
                "retired": r["retired"],
                "unchanged": r["unchanged"],
            },
        )
        for r in rows
    ]


def _grants(db: Database, since: Any, who: Any, plan_id: Any) -> list[AuditEvent]:
    where, params = _where(
        "g.at", 'g."by"', "g.plan_id", since, who, plan_id, also=" OR g.role = :who"
    )
    rows = db.rows(
        f'SELECT g.id, g.action, g.role, g.level, g.office, g.plan_id, g."by", g.at '
        f"FROM grant_events g{where}",
        **params,
    )
    return [
        AuditEvent(
            at=moment_of(r["at"]),
            actor=r["by"],
            action="revoke" if r["action"] == "revoke" else "grant",
            plan_id=r["plan_id"],
            detail={"id": r["id"], "role": r["role"], "level": r["level"], "office": r["office"]},
        )
        for r in rows
    ]
