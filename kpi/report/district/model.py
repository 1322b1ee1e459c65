"""The district's view as facts: one row per plan, ranked, with its red items and its week.

Each plan is read as of its own day — the day asked for, moved into the plan's period if it lies
outside — and with the version of the plan in effect then, as ``kpi status`` reads it alone; so a
plan's row says exactly what its own status and weekly summary say.

The row of a plan: its items and how many are done, green, yellow, red and without data
(monitored figures apart: never judged), the share of its work done (``Rollup.mean_completion``:
figures to reach and tasks, each between nothing and all of it, work not reported counting as not
done), the gap to 序时进度 (that share minus the time elapsed of its period, in points) and its
stale items. The ranking (``RANKING``): worst first, by that gap (furthest behind first), then by
more red items, then by plan id; a plan with no work that has a share (only ceilings, ranges and
monitored figures) has no gap and comes last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kpi.core import lights
from kpi.core.status import ItemStatus, Light, PlanStatus, Rollup
from kpi.formats.words import COUNT_ORDER
from kpi.report.weekly import WeeklyReport, window

RANKING = ("gap_points", "red", "id")  # worst first: furthest behind, more red, then by id


def red_items(statuses: Sequence[ItemStatus]) -> tuple[ItemStatus, ...]:
    """The red items, furthest behind first (no share done at all, overdue, before any gap)."""
    return tuple(
        sorted(
            (s for s in statuses if s.light == Light.RED),
            key=lambda s: (s.gap_points if s.gap_points is not None else -1e9, s.item.code),
        )
    )


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One plan as the district sees it, as of its own day."""

    status: PlanStatus
    clamped: bool = False  # the day asked for lay outside its period
    week: WeeklyReport | None = None  # its weekly summary, in the district's weekly report
    rank: int = 0  # 1 for the worst, once ranked

    @property
    def id(self) -> str:
        return self.status.plan.id

    @property
    def organisation(self) -> str:
        return self.status.plan.organisation

    @property
    def title(self) -> str:
        return self.status.plan.title

    @property
    def as_of(self) -> dt.date:
        return self.status.as_of

    @property
    def overall(self) -> Rollup:
        assert self.status.overall is not None
        return self.status.overall

    @property
    def items(self) -> int:
        return self.overall.total

    def count(self, light: Light) -> int:
        return self.overall.counts.get(light, 0)

    @property
    def counts(self) -> dict[Light, int]:
        """Done, green, yellow, red and no data, in that order (monitored figures apart)."""
        return {light: self.count(light) for light in COUNT_ORDER}

    @property
    def monitored(self) -> int:
        return self.overall.monitored

    @property
    def completion(self) -> float | None:
        return self.overall.mean_completion

    @property
    def elapsed(self) -> float:
        return self.status.elapsed

    @property
    def gap_points(self) -> float | None:
        """The share of work done minus the time elapsed, in percentage points."""
        if self.completion is None:
            return None
        return round((self.completion - self.elapsed) * 100, 6)

    @property
    def stale(self) -> int:
        return self.overall.stale

    @property
    def worst(self) -> Light:
        return self.overall.worst

    @property
    def light(self) -> Light:
        """The plan as a whole by its gap, under its own rules (no data: no share to judge)."""
        if self.completion is None:
            return Light.NONE
        return lights.by_gap(self.status.plan.rules, self.completion, self.elapsed)

    @property
    def red(self) -> tuple[ItemStatus, ...]:
        return red_items(self.status.items)

    # -- its week (zero without one) ------------------------------------------------------

    @property
    def records(self) -> int:
        return self.week.records_total if self.week else 0

    @property
    def better(self) -> int:
        return sum(1 for c in self.week.changes if c.better) if self.week else 0

    @property
    def worse(self) -> int:
        return sum(1 for c in self.week.changes if not c.better) if self.week else 0

    @property
    def to_chase(self) -> dict[str, int]:
        """Stale items per lead office (the 催办 list's counts), most first."""
        return (
            {office: len(items) for office, items in self.week.stale.items()} if self.week else {}
        )


def rank_key(row: PlanRow) -> tuple[bool, float, int, str]:
    gap = row.gap_points
    return (gap is None, gap if gap is not None else 0.0, -row.count(Light.RED), row.id)


def ranked(rows: Sequence[PlanRow]) -> tuple[PlanRow, ...]:
    """The rows worst first (``RANKING``), each with its rank."""
    from dataclasses import replace

    ordered = sorted(rows, key=rank_key)
    return tuple(replace(row, rank=n) for n, row in enumerate(ordered, start=1))


@dataclass(frozen=True, slots=True)
class District:
    """Every plan in use side by side, as of ``as_of`` (each plan clamped into its period)."""

    as_of: dt.date
    rows: tuple[PlanRow, ...]  # ranked
    weekly: bool = False

    @property
    def year(self) -> int:
        return self.as_of.isocalendar()[0]

    @property
    def week(self) -> int:
        return self.as_of.isocalendar()[1]

    @property
    def window_start(self) -> dt.date:
        return window(self.as_of)[0]

    @property
    def clamped(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.clamped)

    def total(self, light: Light) -> int:
        return sum(r.count(light) for r in self.rows)

    @property
    def items(self) -> int:
        return sum(r.items for r in self.rows)

    @property
    def monitored(self) -> int:
        return sum(r.monitored for r in self.rows)

    @property
    def stale(self) -> int:
        return sum(r.stale for r in self.rows)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.rows)


def district(
    as_of: dt.date,
    statuses: Sequence[tuple[PlanStatus, bool]],
) -> District:
    """The district's view from each plan's status (and whether its day was clamped)."""
    return District(as_of, ranked([PlanRow(ps, clamped) for ps, clamped in statuses]))


def district_week(as_of: dt.date, weeks: Sequence[tuple[WeeklyReport, bool]]) -> District:
    """The district's weekly view from each plan's weekly summary (and whether it was clamped)."""
    rows = [PlanRow(rep.status, clamped, rep) for rep, clamped in weeks]
    return District(as_of, ranked(rows), weekly=True)
