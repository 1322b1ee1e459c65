"""Plans known by their id, each versioned; targets of every kind; voids that say undo; rights.

- ``plans`` is keyed by ``id`` (``xjw-2025``) and says whose plan it is (``organisation``); every
  part of a plan and every record belongs to one plan by that id, so that two plans of one year,
  or of twelve sub-districts, live side by side. A plan of the old schema keeps its records under
  the id of its year (``2025``), marked ``legacy``: the first load of a targets file for the same
  period takes it over under the file's own id.
- An item's baseline and target are kept whole (JSON text), so that a target may be a ceiling, a
  range, a growth rate or a monitored figure; ``negative`` says whether values may go below zero.
- ``loads`` becomes ``plan_versions``: each load that changed a plan, who, when, the file's hash,
  what changed, the day it takes effect, and the plan as it left it (``snapshot``), so that a past
  week is always computed with the plan in effect then.
- ``voids`` says whether a record was voided or undone; ``grant_events`` keeps every grant and
  revocation of a right (nothing is ever erased).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PARTS = ("areas", "sections", "items", "milestones")


def _part(name: str, *columns: sa.Column) -> None:
    op.create_table(
        f"{name}_new",
        sa.Column("plan_id", sa.String(), sa.ForeignKey("plans_new.id"), primary_key=True),
        sa.Column("code", sa.String(), primary_key=True),
        *columns,
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )


def _create() -> None:
    op.create_table(
        "plans_new",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("organisation", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("offices", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("legacy", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    _part("areas", sa.Column("title", sa.String(), nullable=False))
    _part(
        "sections",
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
    )
    _part(
        "items",
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("section_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("lead_office", sa.String(), nullable=False),
        sa.Column("other_offices", sa.Text(), nullable=False),
        sa.Column("lead", sa.String(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("assigned", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("accumulate", sa.String(), nullable=False),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.Column("baseline", sa.Text(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("checkpoints", sa.Text(), nullable=False),
    )
    _part(
        "milestones",
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("assigned", sa.Text(), nullable=False),
    )
    op.create_table(
        "updates_new",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(), sa.ForeignKey("plans_new.id"), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(), nullable=False, server_default="cli"),
    )
    op.create_table(
        "voids_new",
        sa.Column(
            "update_id",
            sa.Integer(),
            sa.ForeignKey("updates_new.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("kind", sa.String(), nullable=False, server_default="void"),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_versions",
        sa.Column("plan_id", sa.String(), sa.ForeignKey("plans_new.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=True),
    )
    op.create_table(
        "grant_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(), nullable=False),  # grant | revoke
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),  # staff | supervisor | admin | reader
        sa.Column("office", sa.String(), nullable=True),
        sa.Column("plan_id", sa.String(), nullable=True),  # NULL: every plan
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _text(value: Any) -> str:
    return json.dumps(_json(value), ensure_ascii=False)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _copy(conn: sa.Connection) -> None:
    """The old rows under the new keys; every record stays with its plan."""
    plans = list(conn.execute(sa.text("SELECT * FROM plans")).mappings())
    for p in plans:
        conn.execute(
            sa.text(
                'INSERT INTO plans_new (id, organisation, year, title, source, start, "end", '
                "rules, offices, retired, legacy) VALUES (:id, '', :year, :title, :source, "
                ":start, :end, :rules, :offices, :no, :yes)"
            ),
            {
                "id": str(p["year"]),
                "year": p["year"],
                "title": p["title"],
                "source": p["source"],
                "start": p["start"],
                "end": p["end"],
                "rules": _text(p["rules"]),
                "offices": _text(p["offices"]),
                "no": False,
                "yes": True,
            },
        )
    for name in ("areas", "sections"):
        extra = ", area_code" if name == "sections" else ""
        conn.execute(
            sa.text(
                f"INSERT INTO {name}_new (plan_id, code{extra}, title, position, retired) "
                f"SELECT CAST(plan_year AS VARCHAR), code{extra}, title, position, retired FROM {name}"
            )
        )
    items = list(conn.execute(sa.text("SELECT * FROM items")).mappings())
    rows = [_item(i) for i in items]
    if rows:
        names = list(rows[0])
        conn.execute(
            sa.text(
                "INSERT INTO items_new ({}) VALUES ({})".format(
                    ", ".join(f'"{n}"' for n in names), ", ".join(f":{n}" for n in names)
                )
            ),
            rows,
        )
    milestones = list(conn.execute(sa.text("SELECT * FROM milestones")).mappings())
    if milestones:
        conn.execute(
            sa.text(
                "INSERT INTO milestones_new (plan_id, code, item_code, title, date, share, "
                "assigned, position, retired) VALUES (:plan_id, :code, :item_code, :title, :date, "
                ":share, :assigned, :position, :retired)"
            ),
            [
                {**dict(m), "plan_id": str(m["plan_year"]), "assigned": _text(m["assigned"])}
                for m in milestones
            ],
        )
    conn.execute(
        sa.text(
            'INSERT INTO updates_new (id, plan_id, code, item_code, date, kind, value, note, "by", '
            "os_user, recorded_at, origin) SELECT id, CAST(plan_year AS VARCHAR), code, item_code, "
            'date, kind, value, note, "by", os_user, recorded_at, origin FROM updates'
        )
    )
    conn.execute(
        sa.text(
            'INSERT INTO voids_new (update_id, kind, reason, "by", os_user, voided_at) '
            "SELECT update_id, 'void', reason, \"by\", os_user, voided_at FROM voids"
        )
    )
    _versions(conn, plans, items, milestones)


def _item(i: Any) -> dict[str, Any]:
    baseline = None
    if i["baseline_value"] is not None:
        baseline = {
            "value": i["baseline_value"],
            "year": i["baseline_year"],
            "source": i["baseline_source"],
            "completion": i["baseline_completion"],
            "growth": i["baseline_growth"],
        }
    target = None
    if i["target_value"] is not None:
        target = {
            "kind": "at_least",
            "value": i["target_value"],
            "basis": i["target_basis"],
            "source": i["target_source"],
            "note": i["target_note"],
        }
    return {
        "plan_id": str(i["plan_year"]),
        "code": i["code"],
        "area_code": i["area_code"],
        "section_code": i["section_code"],
        "kind": i["kind"],
        "title": i["title"],
        "text": i["text"],
        "lead_office": i["lead_office"],
        "other_offices": _text(i["other_offices"]),
        "lead": i["lead"],
        "deadline": i["deadline"],
        "assigned": _text(i["assigned"]),
        "unit": i["unit"],
        "direction": i["direction"],
        "accumulate": i["accumulate"],
        "negative": False,
        "baseline": json.dumps(baseline, ensure_ascii=False) if baseline else None,
        "target": json.dumps(target, ensure_ascii=False) if target else None,
        "checkpoints": _text(i["checkpoints"]),
        "position": i["position"],
        "retired": i["retired"],
    }


def _versions(
    conn: sa.Connection, plans: list[Any], items: list[Any], milestones: list[Any]
) -> None:
    """Each old load becomes a version in effect from the plan's start; the newest holds the
    plan as the tables have it (older ones are never in effect: a newer one covers their days)."""
    loads = list(conn.execute(sa.text("SELECT * FROM loads ORDER BY id")).mappings())
    for p in plans:
        mine = [load for load in loads if load["plan_year"] == p["year"]]
        if not mine:
            mine = [
                {  # type: ignore[list-item]
                    "file": "",
                    "sha256": "",
                    "by": "",
                    "loaded_at": dt.datetime.now(dt.UTC),
                    "added": 0,
                    "changed": 0,
                    "retired": 0,
                    "unchanged": 0,
                }
            ]
        snapshot = _snapshot(conn, str(p["year"]))
        for n, load in enumerate(mine, start=1):
            conn.execute(
                sa.text(
                    'INSERT INTO plan_versions (plan_id, version, effective, file, sha256, "by", '
                    "loaded_at, added, changed, retired, unchanged, changes, snapshot) VALUES "
                    "(:plan, :n, :effective, :file, :sha, :by, :at, :added, :changed, :retired, "
                    ":unchanged, '{}', :snapshot)"
                ),
                {
                    "plan": str(p["year"]),
                    "n": n,
                    "effective": p["start"],
                    "file": load["file"],
                    "sha": load["sha256"],
                    "by": load["by"],
                    "at": load["loaded_at"],
                    "added": load["added"],
                    "changed": load["changed"],
                    "retired": load["retired"],
                    "unchanged": load["unchanged"],
                    "snapshot": snapshot if n == len(mine) else None,
                },
            )


def _snapshot(conn: sa.Connection, plan_id: str) -> str:
    """The plan as the new tables hold it, as JSON: what a version keeps."""
    out: dict[str, Any] = {}
    head = (
        conn.execute(sa.text("SELECT * FROM plans_new WHERE id = :p"), {"p": plan_id})
        .mappings()
        .one()
    )
    out["head"] = {k: _iso(v) if k in ("start", "end") else v for k, v in dict(head).items()}
    for name in PARTS:
        rows = conn.execute(
            sa.text(f"SELECT * FROM {name}_new WHERE plan_id = :p ORDER BY position"),
            {"p": plan_id},
        ).mappings()
        out[name] = [
            {k: _iso(v) if isinstance(v, dt.date) else v for k, v in dict(r).items()} for r in rows
        ]
    return json.dumps(out, ensure_ascii=False, default=str)


def _swap() -> None:
    for name in ("voids", "updates", *reversed(PARTS), "loads", "plans"):
        op.drop_table(name)
    for name in ("plans", *PARTS, "updates", "voids"):
        op.rename_table(f"{name}_new", name)
    columns = ["plan_id", "item_code", "date", "id", "kind", "code", "value"]
    op.create_index("ix_updates_progress", "updates", columns)
    op.create_index("ix_updates_date", "updates", ["plan_id", "date"])
    op.create_index("ix_updates_os_user", "updates", ["os_user", "id"])
    op.create_index("ix_grant_events_role", "grant_events", ["role", "id"])


def upgrade() -> None:
    _create()
    _copy(op.get_bind())
    _swap()


def downgrade() -> None:
    raise RuntimeError("plans by id cannot be folded back into plans by year: restore a backup")
