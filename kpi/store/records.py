"""Records in the database: reading them, adding them, voiding them. Nothing is ever edited.

Who made a record or a void (its account, ``os_user``) is, on a PostgreSQL server, the role logged
in — ``current_user``, written by the server itself, as its policies require — and on SQLite the
account of the real uid that the command line hands in.

A new record's checks against what is stored — the row already recorded, the milestone already
done, your last record — run inside the write transaction that stores it (``Database.write``
holds the lock), so that two people doing the same at the same moment cannot both pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from kpi.core.records import Update
from kpi.errors import InputError
from kpi.locale import t
from kpi.store.engine import Database, Transaction
from kpi.store.rows import day_of, update_from_row, update_row, updates_from_rows

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
# On a server the account is the role logged in, whatever the caller says.
_ACCOUNT = "CAST(current_user AS VARCHAR)"
_SERVER_INSERT = INSERT.replace(":os_user", _ACCOUNT)
_VOID = (
    'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
    "VALUES (:id, :kind, :reason, :by, :user, :now)"
)


def _insert(tx: Transaction) -> str:
    return INSERT if tx.is_sqlite else _SERVER_INSERT


def _void(tx: Transaction) -> str:
    return _VOID if tx.is_sqlite else _VOID.replace(":user", _ACCOUNT)


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
    return updates_from_rows(rows)


def updates_between(db: Database, plan_id: str, start: dt.date, end: dt.date) -> list[Update]:
    """The records dated from ``start`` to ``end``, oldest first."""
    rows = db.rows(
        f"{SELECT} AND u.date >= :start AND u.date <= :end ORDER BY u.date, u.id",
        plan=plan_id,
        start=start,
        end=end,
    )
    return updates_from_rows(rows)


def valid_between(
    db: Database, plan_id: str, start: dt.date, end: dt.date
) -> list[tuple[int, str]]:
    """(id, item code) of each record dated ``start`` to ``end`` that is not voided, oldest
    first: what a week's list counts, without reading twenty thousand records whole."""
    rows = db.rows(
        "SELECT u.id, u.item_code FROM updates u WHERE u.plan_id = :plan AND u.date >= :start "
        "AND u.date <= :end AND u.id NOT IN (SELECT update_id FROM voids) ORDER BY u.date, u.id",
        plan=plan_id,
        start=start,
        end=end,
    )
    return [(r["id"], r["item_code"]) for r in rows]


def updates_with_ids(db: Database, plan_id: str, ids: Sequence[int]) -> list[Update]:
    """The records of ``ids``, oldest first."""
    if not ids:
        return []
    listed = ", ".join(str(int(i)) for i in ids)  # numbers only: written into the statement
    # Found by id alone (a database without statistics would walk the plan's index instead),
    # the plan checked on each.
    everyone = SELECT.replace("WHERE u.plan_id = :plan", f"WHERE u.id IN ({listed})")
    rows = db.rows(f"{everyone} ORDER BY u.date, u.id")
    return updates_from_rows([r for r in rows if r["plan_id"] == plan_id])


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
        found = tx.rows(_insert(tx) + " RETURNING id", **update_row(plan_id, new, now))
        key = int(found[0]["id"])
    return replace(new, id=key, recorded_at=now)


# A record an import writes: (code, item code, day, kind, value, note, 填报人, account, origin).
NewRecord = tuple[str, str, dt.date, str, float | None, str | None, str, str, str]
# Rows of one executemany: a stream is written in pieces this size (on a server each row is a
# mapping that the driver copies again, so its pieces are smaller).
CHUNK_ROWS = 10_000
SERVER_CHUNK_ROWS = 1_000
_PAIRS = 400  # (item, day) pairs asked for in one query
_VALID = "u.id NOT IN (SELECT update_id FROM voids)"
_POSITIONAL = "INSERT INTO updates ({}) VALUES ({})".format(
    ", ".join(f'"{c}"' for c in _COLUMNS), ", ".join("?" for _ in _COLUMNS)
)


class Batch(Protocol):
    """What an import writes: how many records, and the records, read as they are written."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Update | NewRecord]: ...


class StoredRecords:
    """What an import is checked against, asked of the database in pieces (a plan may hold a
    million records): each item's progress, and the records on given items and days. Read from
    ``Database`` before the write lock, or from a ``Transaction`` inside it."""

    def __init__(self, source: Database | Transaction, plan_id: str) -> None:
        self.source = source
        self.plan_id = plan_id

    def marks(self) -> tuple[int, int]:
        """Where the records stand now: the newest record's id and the number of voids."""
        found = self.source.rows(
            "SELECT (SELECT MAX(id) FROM updates) AS top, (SELECT COUNT(*) FROM voids) AS voids"
        )
        return int(found[0]["top"] or 0), int(found[0]["voids"] or 0)

    def changed(self, marks: tuple[int, int], items: Iterable[str]) -> bool:
        """Whether anything was recorded on ``items``, or voided, since ``marks``."""
        top, voids = self.marks()
        if voids != marks[1]:
            return True
        if top == marks[0]:
            return False
        found = self.source.rows(
            "SELECT DISTINCT item_code FROM updates WHERE id > :top AND plan_id = :plan",
            top=marks[0],
            plan=self.plan_id,
        )
        return not {r["item_code"] for r in found}.isdisjoint(items)

    def state(self, day: dt.date) -> tuple[Any, ...]:
        """Each item's valid records up to ``day``: its progress, its latest set (day, value),
        what was added after it by day, the first and last day of its records (any day), and
        the newest id: what ``kpi.sheets.checks.StoredState`` holds."""
        from kpi.store.progress import progress

        db, plan = self.source, self.plan_id
        if not db.rows("SELECT 1 FROM updates WHERE plan_id = :plan LIMIT 1", plan=plan):
            return ({}, {}, {}, {}, 0)
        params = {"plan": plan, "day": day}
        counts = f"u.plan_id = :plan AND u.date <= :day AND {_VALID}"
        last = (
            "SELECT i.code AS item_code, s.id, s.date, s.value FROM items i JOIN updates s ON s.id = ("
            " SELECT u.id FROM updates u WHERE u.plan_id = i.plan_id AND u.item_code = i.code AND u.code = i.code"
            f" AND u.kind IN ('set', 'percent') AND {counts} ORDER BY u.date DESC, u.id DESC LIMIT 1)"
            " WHERE i.plan_id = :plan"
        )
        sets = {r["item_code"]: (day_of(r["date"]), r["value"]) for r in db.rows(last, **params)}
        adds: dict[str, dict[dt.date, float]] = {}
        for r in db.rows(
            f"WITH ls AS MATERIALIZED ({last}) SELECT u.item_code, u.date, SUM(u.value) AS added "
            f"FROM updates u LEFT JOIN ls ON ls.item_code = u.item_code WHERE {counts} "
            "AND u.kind = 'add' AND u.code = u.item_code AND (ls.id IS NULL OR u.date > ls.date "
            "OR (u.date = ls.date AND u.id > ls.id)) GROUP BY u.item_code, u.date",
            **params,
        ):
            adds.setdefault(r["item_code"], {})[day_of(r["date"])] = float(r["added"] or 0.0)
        days = {
            r["item_code"]: (day_of(r["first"]), day_of(r["last"]))
            for r in db.rows(
                "SELECT u.item_code, MIN(u.date) AS first, MAX(u.date) AS last FROM updates u "
                f"WHERE u.plan_id = :plan AND {_VALID} GROUP BY u.item_code",
                plan=plan,
            )
        }
        top = self.marks()[0]
        return (progress(db, plan, day), sets, adds, days, top)

    def matching(
        self, pairs: Sequence[tuple[str, dt.date]]
    ) -> list[tuple[int, str, dt.date, str, float | None, str | None]]:
        """The valid records on the given (item, day) pairs: (id, code, day, kind, value, note)."""
        out: list[tuple[int, str, dt.date, str, float | None, str | None]] = []
        for start in range(0, len(pairs), _PAIRS):
            part = pairs[start : start + _PAIRS]
            params: dict[str, Any] = {"plan": self.plan_id}
            values = []
            for n, (item, day) in enumerate(part):
                params[f"i{n}"], params[f"d{n}"] = item, day
                values.append(f"(:i{n}, :d{n})")
            rows = self.source.rows(
                f"WITH k (item_code, day) AS (VALUES {', '.join(values)}) "
                "SELECT u.id, u.code, u.date, u.kind, u.value, u.note FROM k JOIN updates u "
                "ON u.plan_id = :plan AND u.item_code = k.item_code AND u.date = k.day "
                f"WHERE {_VALID}",
                **params,
            )
            out += [
                (int(r["id"]), r["code"], day_of(r["date"]), r["kind"], r["value"], r["note"])
                for r in rows
            ]
        return out


def add_updates(
    db: Database,
    plan_id: str,
    new: Batch | Sequence[Update],
    now: dt.datetime,
    check: Callable[[StoredRecords], Batch] | None = None,
) -> int:
    """Several records (an import) in one transaction: all are written, or none; how many.

    ``check`` is run inside the transaction with the stored records as they are then, and
    returns what to write (a stream of known length, read only as it is written), or raises
    to refuse it all."""
    with db.write() as tx:
        if check is not None:
            new = check(StoredRecords(tx, plan_id))
        count = len(new)
        if not count:
            return 0
        indexes: list[str] = []
        if tx.is_sqlite and count >= BULK_ROWS:
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
        written = 0
        sql = _POSITIONAL if tx.is_sqlite else _insert(tx)  # on a server, the account is the role
        size = CHUNK_ROWS if tx.is_sqlite else SERVER_CHUNK_ROWS
        for chunk in _chunks(_rows(tx.is_sqlite, plan_id, new, now), size):
            tx.executemany(sql, chunk)
            written += len(chunk)
        if written != count:  # the file changed under the import: write nothing
            raise InputError(t("import.stream_changed", expected=count, got=written))
        for sql in indexes:
            tx.execute(sql)
    return written


def _rows(
    sqlite: bool, plan_id: str, new: Iterable[Update | NewRecord], now: dt.datetime
) -> Iterator[Any]:
    """Each record as the row it is written as: a tuple for SQLite's ``?``, values as SQLite
    stores them (dates as ISO text); a mapping for a server."""
    from kpi.store.engine import _sqlite_params

    stamp = _sqlite_params({"now": now})["now"] if sqlite else now
    iso: dict[dt.date, str] = {}
    for u in new:
        if isinstance(u, Update):
            u = (u.code, u.item_code, u.date, u.kind, u.value, u.note, u.by, u.os_user, u.origin)
        code, item_code, day, kind, value, note, by, os_user, origin = u
        if sqlite:
            text = iso.get(day)
            if text is None:
                text = iso[day] = day.isoformat()
            yield (plan_id, code, item_code, text, kind, value, note, by, os_user, stamp, origin)
        else:
            yield dict(zip(_COLUMNS, (plan_id, *u[:8], now, origin), strict=True))


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
            _void(tx),
            id=update_id,
            kind="void",
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
            _void(tx),
            id=last.id,
            kind="undo",
            reason=reason,
            by=account,
            user=account,
            now=now,
        )
    return last
