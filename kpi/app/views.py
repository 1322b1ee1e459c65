"""Where things stand: the whole plan (``status``), one item (``item``), as of a day.

Each returns the facts a view shows, for the command line (or any other front end) to lay out:
the statuses with the plan in effect that day, the items a filter leaves, and, for one item, its
records and how the plan changed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpi.app.workspace import Workspace
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.plan import Item, Plan
    from kpi.core.records import Update
    from kpi.core.status import ItemStatus, PlanStatus
    from kpi.store.versions import Version

# What ``--light`` may ask for beside the lights themselves.
OVERDUE = "overdue"
EXCEEDED = "exceeded"


@dataclass(frozen=True, slots=True)
class Filters:
    """What a status view is narrowed to: areas (their codes), one office (a name, or a fragment
    of one name), lights (the JSON names, ``overdue`` or ``exceeded``), stale items only."""

    areas: Sequence[str] = ()
    office: str | None = None
    lights: Sequence[str] = ()
    stale: bool = False

    def __bool__(self) -> bool:
        return bool(self.areas or self.office or self.lights or self.stale)


@dataclass(frozen=True, slots=True)
class StatusView:
    """The plan's statuses on a day and the items the filters leave, in plan order."""

    status: PlanStatus
    shown: list[ItemStatus]
    filters: Filters = field(default_factory=Filters)

    @property
    def plan(self) -> Plan:
        return self.status.plan  # as it was in effect that day


def status(ws: Workspace, as_of: str | None = None, filters: Filters | None = None) -> StatusView:
    """``kpi status``: every item's status on the day asked for, and those the filters leave."""
    filters = filters or Filters()
    ps = ws.status(ws.as_of(as_of))
    return StatusView(ps, filtered(ps.plan, list(ps.items), filters), filters)


def filtered(plan: Plan, shown: list[ItemStatus], filters: Filters) -> list[ItemStatus]:
    """The items ``--area``, ``--office``, ``--light`` and ``--stale`` leave."""
    if filters.areas:
        known = {a.code for a in plan.areas}
        for code in filters.areas:
            if code not in known:
                raise InputError(t("status.bad_area", area=code, areas=" ".join(sorted(known))))
        shown = [s for s in shown if s.item.area_code in filters.areas]
    if filters.office:
        office = one_office(plan, shown, filters.office)
        shown = [s for s in shown if s.item.lead_office == office]
    if filters.lights:
        wanted = set(filters.lights)
        shown = [
            s
            for s in shown
            if s.light.value in wanted
            or (OVERDUE in wanted and s.overdue)
            or (EXCEEDED in wanted and s.exceeded)
        ]
    if filters.stale:
        shown = [s for s in shown if s.stale]
    return shown


def one_office(plan: Plan, statuses: Sequence[ItemStatus], typed: str) -> str:
    """The office ``typed`` names: its whole name, or a fragment of exactly one name."""
    name = typed.strip()
    offices = list(dict.fromkeys([*plan.offices, *(s.item.lead_office for s in statuses)]))
    matches = [name] if name in offices else [o for o in offices if name in o]
    if not matches:
        raise InputError(t("status.bad_office", office=name, offices="、".join(plan.offices)))
    if len(matches) > 1:
        raise InputError(t("status.office_ambiguous", office=name, offices="、".join(matches)))
    return matches[0]


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item on a day: the plan in effect then (holding at least the item), its status,
    every record of it, and (when asked for) the plan's versions, to say how they changed it."""

    plan: Plan
    status: ItemStatus
    history: list[Update]
    versions: list[Version]

    @property
    def item(self) -> Item:
        return self.status.item

    @property
    def as_of(self) -> dt.date:
        return self.status.as_of


def item(
    ws: Workspace, query: str, as_of: str | None = None, *, versions: bool = False
) -> ItemView:
    """``kpi show ITEM``: everything about one item (a milestone shows its task)."""
    from kpi.core.plan import Milestone
    from kpi.core.status import item_status

    plan, found = ws.find(query)
    code = found.item_code if isinstance(found, Milestone) else found.code
    day = ws.as_of(as_of, plan)
    plan = ws.item_on(day, code) or plan  # the item as the plan in effect that day had it
    history = ws.updates(code)
    s = item_status(plan, plan.item(code), history, day)
    changes = ws.plan_store().versions() if versions else []
    return ItemView(plan, s, history, changes)
