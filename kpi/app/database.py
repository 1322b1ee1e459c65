"""``kpi db``: keeping the database safe — upgrading its schema, backing it up, checking it.

These open the database as it is, whatever its schema's version (the other use cases refuse an
older one and say to upgrade).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpi.app.workspace import Workspace
from kpi.errors import KpiError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.store import Store


@contextmanager
def _as_it_is(ws: Workspace) -> Iterator[Store]:
    from kpi.store import Store

    store = Store.open(ws.db, ws.env, check_schema=False)
    try:
        yield store
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class Upgraded:
    """The schema's version before and after (equal: it was up to date), and what it holds."""

    before: str | None
    after: str
    counts: dict[str, int]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade(ws: Workspace) -> Upgraded:
    """Upgrade the schema to this version of kpi, keeping every record."""
    from kpi.store import SCHEMA_VERSION

    with _as_it_is(ws) as store:
        if store.schema_version() == SCHEMA_VERSION:
            return Upgraded(SCHEMA_VERSION, SCHEMA_VERSION, {})
        before, after = store.upgrade()
        return Upgraded(before, after, store.counts())


def backup(ws: Workspace, file: Path) -> int:
    """Copy the database to ``file`` safely while others keep recording; its size in bytes."""
    with _as_it_is(ws) as store:
        store.backup(file)
    return file.stat().st_size


def check(ws: Workspace) -> dict[str, int]:
    """Integrity, records pointing nowhere, voids of missing records, the schema's version:
    what the database holds, or the problems found as the error's details."""
    with _as_it_is(ws) as store:
        problems = store.check()
        counts = store.counts()
    if problems:
        raise KpiError(t("db.check_failed", n=len(problems)), details=problems)
    return counts
