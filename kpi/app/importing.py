"""``kpi import FILE``: records from a spreadsheet, every row checked first, then all or none.

The file is read as a stream, twice: once to check every row (before the write lock), once to
write the rows in one transaction, which checks again first if anyone recorded or voided
something on the file's items meanwhile. The rights of ``kpi update`` apply to every row. A row
far out of line (``kpi.core.recording.implausible``) is listed by a dry run and needs ``--yes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpi.app.workspace import Workspace
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.sheets.checks import Batch, ItemChange, Outcome
    from kpi.store.records import StoredRecords

LISTED_ITEMS = 300  # items listed after an import; a district's file touches thousands


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did (or, dry, would do): the file as named, the rows' outcome, the items
    it moved (the first ``LISTED_ITEMS``) and how many items it touched."""

    name: str
    outcome: Outcome
    changes: list[ItemChange]
    items: int
    dry_run: bool


def import_file(
    ws: Workspace, file: Path, *, by: str | None = None, dry_run: bool = False, yes: bool = False
) -> Imported:
    """Check every row of ``file``, then (unless ``dry_run``) write them all in one
    transaction, or none."""
    from kpi.core.recording import typed_name
    from kpi.core.rights import check_items
    from kpi.sheets.checks import Batch, changes, check, touched
    from kpi.sheets.read import open_table
    from kpi.sheets.rows import Reader

    plan = ws.plan()
    name = ws.shown_path(file)
    table = open_table(file, name)
    reader = Reader(plan, table, today=ws.today, by=typed_name(by) or ws.user)
    stored = ws.plan_store()
    before = stored.stored_records()
    marks = before.marks()
    outcome = _checked(check(plan, reader, before, ws.today), table.name, slips=dry_run or yes)
    rights = ws.rights()
    check_items(rights, plan, outcome.items)  # the same rights as kpi update, for every row
    if not dry_run and outcome.fresh:
        final = [outcome]

        def inside(stored: StoredRecords) -> Batch:
            # Inside the write transaction: what others recorded meanwhile counts.
            if stored.changed(marks, final[0].items):
                final[0] = _checked(check(plan, reader, stored, ws.today), table.name, slips=yes)
                check_items(rights, plan, final[0].items)
            return Batch(final[0], reader, os_user=ws.user, origin=f"import:{table.name}")

        stored.add_updates(check=inside)
        outcome = final[0]
    listed = changes(plan, outcome, ws.today, limit=LISTED_ITEMS) if outcome.fresh else []
    return Imported(name, outcome, listed, touched(outcome) if outcome.fresh else 0, dry_run)


def _checked(outcome: Outcome, name: str, *, slips: bool) -> Outcome:
    """The check's outcome, or its refusal: the rows' mistakes, no rows at all, or slips
    (unless ``slips`` lets them through)."""
    if outcome.mistakes.count:
        raise outcome.mistakes.refusal()
    if not outcome.rows:
        raise InputError(t("import.no_rows", file=name))
    if outcome.slip_count and not slips:
        lines = [line for _, line in outcome.slips]
        if outcome.slip_count > len(lines):
            lines.append(t("import.more_slips", n=outcome.slip_count - len(lines)))
        raise InputError(
            t("import.slips", file=name, n=outcome.slip_count) + " " + lines[0],
            details=lines[1:],
        )
    return outcome
