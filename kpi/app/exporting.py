"""``kpi export``: the 台账 — every item's status on a day and every record up to it — for
leaders (an Excel workbook) and other tools (CSV, JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kpi.app.workspace import Workspace
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.records import Update
    from kpi.core.status import PlanStatus


class Steps(Protocol):
    """Where long work says which step it has reached (a progress bar, or nothing)."""

    def step(self, label: str, total: int | None = None) -> None: ...


class _Silent:
    def step(self, label: str, total: int | None = None) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Ledger:
    """The plan's statuses on a day, and every record dated up to it (voided ones too)."""

    status: PlanStatus
    history: list[Update]


LARGE_PLAN = 2_000  # items: an export worth a progress bar (a district's plan)


def ledger(ws: Workspace, as_of: str | None = None, steps: Steps | None = None) -> Ledger:
    """The 台账 as of the day asked for, with the plan in effect then."""
    from kpi.core.status import plan_status

    steps = steps or _Silent()
    day = ws.as_of(as_of)
    plan = ws.plan_on(day)
    steps.step(t("progress.records"))
    updates = ws.updates()
    steps.step(t("progress.statuses", n=len(plan.items)))
    return Ledger(plan_status(plan, updates, day), [u for u in updates if u.date <= day])


def large(ws: Workspace) -> bool:
    """Whether the plan is large enough for an export to show its steps (a district's)."""
    return len(ws.plan().items) >= LARGE_PLAN
