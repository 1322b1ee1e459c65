"""Records in the database: reading them, adding them, voiding them. Nothing is ever edited.

A new record's checks against what is stored — the row already recorded, the milestone already
done, your last record — run inside the write transaction that stores it (``Database.write``
holds the lock), so that two people doing the same at the same moment cannot both pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from kpi.core.records import Update
from kpi.errors import InputError
from kpi.locale import t
from kpi.store.engine import Database, Transaction
from kpi.store.rows import update_from_row, update_row

BULK_ROWS = 50_000  # an import this large rebuilds the record indexes instead of updating them

SELECT = (
    "SELECT u.*, v.reason AS void_reason, v.kind AS void_kind, v.by AS voided_by, "
    "v.voided_at AS voided_at FROM updates u "
    "LEFT JOIN voids v ON v.update_id = u.id WHERE u.plan_id = :plan"
)
_COLUMNS = (
    "plan_id",
    "code",
    "item_code",
    "date",
    "kind",
    "value",
    "note",
    "by",
    "os_user",
    "recorded_at",
    "origin",
)
INSERT = "INSERT INTO updates ({}) VALUES ({})".format(
    ", ".join(f'"{c}"' for c in _COLUMNS), ", ".join(f":{c}" for c in _COLUMNS)
)

# A check run inside the write transaction, with the item's stored records: it raises to refuse.
Check = Callable[[Sequence[Update]], None]


def updates(
    db: Database | Transaction, plan_id: str, *, item_code: str | None = None
) -> list[Update]:
    """Every update of the plan year (or of one item), voided ones marked, oldest first."""
    if item_code is None:
        rows = db.rows(f"{SELECT} ORDER BY u.date, u.id", plan=plan_id)
    else:
        rows = db.rows(
            f"{SELECT} AND u.item_code = :item ORDER BY u.date, u.id", plan=plan_id, item=item_code
        )
    return [update_from_row(row) for row in rows]


def updates_between(db: Database, plan_id: str, start: dt.date, end: dt.date) -> list[Update]:
    """The records dated from ``start`` to ``end``, oldest first."""
    rows = db.rows(
        f"{SELECT} AND u.date >= :start AND u.date <= :end ORDER BY u.date, u.id",
        plan=plan_id,
        start=start,
        end=end,
    )
    return [update_from_row(row) for row in rows]


def get_update(db: Database | Transaction, plan_id: str, update_id: int) -> Update | None:
    if not 0 < update_id < 2**63:  # no such record could exist
        return None
    rows = db.rows(f"{SELECT} AND u.id = :id", plan=plan_id, id=update_id)
    return update_from_row(rows[0]) if rows else None


def last_update_by(db: Database | Transaction, plan_id: str, os_user: str) -> Update | None:
    """The newest update this account recorded and has not voided."""
    rows = db.rows(
        f"{SELECT} AND u.os_user = :user AND v.update_id IS NULL ORDER BY u.id DESC LIMIT 1",
        plan=plan_id,
        user=os_user,
    )
    return update_from_row(rows[0]) if rows else None


def add_update(
    db: Database, plan_id: str, new: Update, now: dt.datetime, check: Check | None = None
) -> Update:
    """Record one update, after ``check`` (given the item's stored records) lets it through."""
    from dataclasses import replace

    with db.write() as tx:
        if check is not None:
            check(updates(tx, plan_id, item_code=new.item_code))
        found = tx.rows(INSERT + " RETURNING id", **update_row(plan_id, new, now))
        key = int(found[0]["id"])
    return replace(new, id=key, recorded_at=now)


def add_updates(
    db: Database,
    plan_id: str,
    new: Sequence[Update],
    now: dt.datetime,
    check: Callable[[Sequence[Update]], Sequence[Update]] | None = None,
) -> list[Update]:
    """Several updates (an import) in one transaction: all are written, or none.

    ``check`` is given every stored record of the plan inside the transaction and returns the
    updates to write (those not recorded already), or raises to refuse them all."""
    with db.write() as tx:
        if check is not None:
            new = check(updates(tx, plan_id))
        if not new:
            return []
        rows = [update_row(plan_id, u, now) for u in new]
        if tx.is_sqlite and len(rows) >= BULK_ROWS:
            # Many rows at once: the indexes are dropped and built again after, in the same
            # transaction (a sorted build beats a million one-by-one index updates, 2×).
            indexes = [
                r[0]
                for r in tx.rows(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = 'updates' AND sql IS NOT NULL"
                )
            ]
            for sql in indexes:
                tx.execute(f"DROP INDEX {sql.split()[2]}")
            tx.executemany(INSERT, rows)
            for sql in indexes:
                tx.execute(sql)
        else:
            tx.executemany(INSERT, rows)
    return list(new)


def void(
    db: Database,
    plan_id: str,
    update_id: int,
    *,
    reason: str,
    by: str,
    os_user: str,
    now: dt.datetime,
    check: Callable[[Update], None] | None = None,
) -> Update:
    """Void a record (it stays, marked); ``check`` may refuse, given the record as stored."""
    with db.write() as tx:
        record = get_update(tx, plan_id, update_id)
        if record is None:
            raise InputError(t("record.no_such_record", id=update_id))
        if record.voided:
            raise InputError(t("void.already", id=update_id))
        if check is not None:
            check(record)
        tx.execute(
            'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
            "VALUES (:id, 'void', :reason, :by, :user, :now)",
            id=update_id,
            reason=reason,
            by=by,
            user=os_user,
            now=now,
        )
    return record


def undo(
    db: Database,
    plan_id: str,
    update_id: int | None,
    *,
    account: str,
    reason: str,
    now: dt.datetime,
) -> Update:
    """Void ``account``'s last record, which must still be ``update_id`` when the lock is held
    (None: whichever it is then): two undos at once void two records, never one twice."""
    with db.write() as tx:
        last = last_update_by(tx, plan_id, account)
        if last is None and update_id is None:
            raise InputError(t("record.nothing_to_undo", user=account))
        if last is None or (update_id is not None and last.id != update_id):
            raise InputError(t("record.undo_changed", id=update_id))
        tx.execute(
            'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
            "VALUES (:id, 'undo', :reason, :by, :user, :now)",
            id=last.id,
            reason=reason,
            by=account,
            user=account,
            now=now,
        )
    return last
