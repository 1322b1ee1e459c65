"""The weekly progress summary: what happened in a week, as facts that every format shows.

Leaders never type commands; they read what cron writes every Monday. Everything here is computed
from the plan and the history as of one date, so any past week can be reproduced exactly:

- the week is the ISO week of the as-of date; "this week" is the seven days ending on it, so a
  Monday-morning run reports the whole week just gone;
- changes since last week compare each item's light as of the date with its light seven days
  earlier;
- the 催办 list groups items nobody has updated for ``stale_days`` by their lead office.

``layout`` lays these facts out as sections of tables and lists; ``text``, ``markdown`` and
``html`` draw those, ``data`` writes the facts as JSON. No terminal and no database here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kpi.core.plan import Item, Milestone, Plan
from kpi.core.records import Update
from kpi.core.status import SEVERITY, ItemStatus, Light, PlanStatus, Rollup, plan_status
from kpi.formats.words import describe, pct
from kpi.locale import t

WINDOW_DAYS = 7
LOOKAHEAD_DAYS = 14
# Rows per list that a person reads (text, Markdown, HTML): an office's summary never reaches it;
# a district's (thousands of late items, tens of thousands of records a week) would be unreadable
# and slow to lay out. JSON always holds everything.
READING_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Record:
    """One update of the week, in words."""

    update: Update
    item: Item
    milestone: Milestone | None


@dataclass(frozen=True, slots=True)
class Due:
    milestone: Milestone
    item: Item
    days: int  # until its date (negative: days overdue)


@dataclass(frozen=True, slots=True)
class Change:
    status: ItemStatus
    before: Light

    @property
    def better(self) -> bool:
        return SEVERITY.index(self.status.light) > SEVERITY.index(self.before)


@dataclass(frozen=True, slots=True)
class StaleItem:
    status: ItemStatus
    days: int | None  # since the last record; None when nothing was ever recorded


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    plan: Plan
    as_of: dt.date
    year: int
    week: int
    window_start: dt.date
    status: PlanStatus
    records: tuple[Record, ...]
    attention: tuple[ItemStatus, ...]  # red then yellow, furthest behind first
    due: tuple[Due, ...]  # milestones due in the next two weeks
    overdue: tuple[Due, ...]
    stale: dict[str, tuple[StaleItem, ...]]  # lead office → its items to update
    changes: tuple[Change, ...]
    omitted: dict[str, int] = field(default_factory=dict)  # list → rows left out for reading
    trends: dict[str, Trend] = field(default_factory=dict)  # item → its trend, for the charts

    @property
    def overall(self) -> Rollup:
        assert self.status.overall is not None
        return self.status.overall

    @property
    def areas(self) -> list[Rollup]:
        return [self.status.areas[a.code] for a in self.plan.areas]

    def count(self, light: Light) -> int:
        return self.overall.counts.get(light, 0)

    @property
    def records_total(self) -> int:
        """The week's records, those left out for reading too."""
        return len(self.records) + self.omitted.get("records", 0)


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The seven days a summary as of ``as_of`` covers, and the day a week before it."""
    return as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of - dt.timedelta(days=WINDOW_DAYS)


def build_weekly(plan: Plan, updates: Sequence[Update], as_of: dt.date) -> WeeklyReport:
    """The summary of the week ending ``as_of``, from the plan and every record."""
    start, week_before = window(as_of)
    return build_weekly_from(
        plan,
        plan_status(plan, updates, as_of),
        plan_status(plan, updates, week_before),
        [u for u in updates if start <= u.date <= as_of],
        as_of,
    )


def build_weekly_from(
    plan: Plan,
    now: PlanStatus,
    before: PlanStatus,
    week: Sequence[Update],
    as_of: dt.date,
    more_records: int = 0,
) -> WeeklyReport:
    """The summary from the statuses on ``as_of`` and a week before, and the week's records
    (all of them, or the first for reading and ``more_records`` the number left out)."""
    window_start, _ = window(as_of)
    year, week_no, _ = as_of.isocalendar()
    records = tuple(
        Record(u, plan.item(u.item_code), plan.milestone(u.code))
        for u in sorted(week, key=lambda u: (u.date, u.id))
        if not u.voided and window_start <= u.date <= as_of and plan.has(u.item_code)
    )
    attention = tuple(
        sorted(
            (s for s in now.items if s.light in (Light.RED, Light.YELLOW)),
            key=lambda s: (
                s.light != Light.RED,
                s.gap_points if s.gap_points is not None else -1e9,
            ),
        )
    )
    due: list[Due] = []
    overdue: list[Due] = []
    for s in now.items:
        for m in s.item.milestones:
            if m.code in s.milestones_done or s.light == Light.DONE:
                continue
            days = (m.date - as_of).days
            if 0 <= days <= LOOKAHEAD_DAYS:
                due.append(Due(m, s.item, days))
            elif days < 0:
                overdue.append(Due(m, s.item, days))
    due.sort(key=lambda d: (d.milestone.date, d.milestone.code))
    overdue.sort(key=lambda d: (d.milestone.date, d.milestone.code))

    stale: dict[str, list[StaleItem]] = {}
    for s in now.items:
        if s.stale:
            since = (as_of - s.last_update).days if s.last_update else None
            stale.setdefault(s.item.lead_office, []).append(StaleItem(s, since))
    ordered_offices = sorted(stale, key=lambda office: (-len(stale[office]), office))

    previous = {s.item.code: s.light for s in before.items}
    changes = tuple(
        Change(s, previous[s.item.code])
        for s in now.items
        if s.item.code in previous and previous[s.item.code] != s.light
    )
    return WeeklyReport(
        plan=plan,
        as_of=as_of,
        year=year,
        week=week_no,
        window_start=window_start,
        status=now,
        records=records,
        attention=attention,
        due=tuple(due),
        overdue=tuple(overdue),
        stale={office: tuple(stale[office]) for office in ordered_offices},
        changes=changes,
        omitted={"records": more_records} if more_records else {},
    )


def for_reading(rep: WeeklyReport, limit: int | None = None) -> WeeklyReport:
    """The report with each list cut to ``limit`` rows (the most urgent first), saying how many
    were left out; unchanged when every list is short (or when it was cut already)."""
    limit = READING_LIMIT if limit is None else limit
    omitted = dict(rep.omitted)

    def cut(name: str, rows: tuple[Any, ...], keep: int = limit) -> tuple[Any, ...]:
        if len(rows) > keep:
            omitted[name] = omitted.get(name, 0) + len(rows) - keep
        return rows[:keep]

    per_office = max(1, limit // max(1, len(rep.stale)))
    return replace(
        rep,
        records=cut("records", rep.records),
        attention=cut("attention", rep.attention),
        overdue=cut("overdue", rep.overdue),
        due=cut("due", rep.due),
        stale={
            office: cut(f"stale:{office}", rows, per_office) for office, rows in rep.stale.items()
        },
        changes=cut("changes", rep.changes),
        omitted=omitted,
    )


def more(rep: WeeklyReport, name: str) -> str | None:
    """The line saying how many rows of a list were left out, if any were."""
    n = rep.omitted.get(name, 0)
    return t("report.more", n=n) if n else None


# -- shared words -------------------------------------------------------------------------------


def record_words(r: Record) -> str:
    return describe(r.update, r.item.unit)


def record_title(r: Record) -> str:
    return f"{r.item.title} › {r.milestone.title}" if r.milestone else r.item.title


def heading(rep: WeeklyReport) -> str:
    return t(
        "report.title",
        title=rep.plan.title,
        year=rep.year,
        week=rep.week,
        as_of=rep.as_of.isoformat(),
    )


def summary_line(rep: WeeklyReport) -> str:
    o = rep.overall
    monitored = t("report.summary_monitored", n=o.monitored) if o.monitored else ""
    return monitored.join(_summary_parts(rep))


def _summary_parts(rep: WeeklyReport) -> tuple[str, str]:
    """The summary split where the count of monitored figures goes (after the lights)."""
    o = rep.overall
    text = t(
        "report.summary",
        elapsed=pct(rep.status.elapsed),
        work=pct(o.mean_completion),
        total=o.total,
        done=rep.count(Light.DONE),
        green=rep.count(Light.GREEN),
        yellow=rep.count(Light.YELLOW),
        red=rep.count(Light.RED),
        none=rep.count(Light.NONE),
        stale=o.stale,
    )
    mark = text.rfind("；")
    return (text[:mark], text[mark:]) if mark >= 0 else (text, "")


def window_line(rep: WeeklyReport) -> str:
    return t(
        "report.window",
        start=rep.window_start.isoformat(),
        end=rep.as_of.isoformat(),
        n=rep.records_total,
    )


def stale_since(item: StaleItem) -> str:
    if item.days is None:
        return t("report.never")
    return t("report.days_ago", days=item.days)


def due_when(d: Due) -> str:
    if d.days < 0:
        return t("report.overdue_by", days=-d.days)
    return t("report.due_in", days=d.days)


# -- trends, for the charts ----------------------------------------------------------------------

# Red items drawn with their trend in the HTML summary, furthest behind first: a picture each for
# an office's few; for a district's hundreds the table lists them all and the rest go unpictured.
TREND_LIMIT = 24


@dataclass(frozen=True, slots=True)
class Trend:
    """An item's completion over its plan's period against 序时进度, as a chart draws it.

    ``done`` is a step line: the completion at the end of the period's first day, of each day a
    record counted, and of the as-of day (None until anything counts), each holding until the
    next; ``expected`` is 序时进度 as a line through its corners, from 0 on the day before the
    period to the period's end. Both come from ``kpi.core.status``, so a chart can never
    disagree with the status beside it."""

    item: Item
    start: dt.date
    end: dt.date
    as_of: dt.date
    done: tuple[tuple[dt.date, float | None], ...]
    expected: tuple[tuple[dt.date, float], ...]

    @property
    def origin(self) -> dt.date:
        """The day before the period: where 序时进度 starts at 0."""
        return self.start - dt.timedelta(days=1)


def item_trend(plan: Plan, item: Item, updates: Sequence[Update], as_of: dt.date) -> Trend:
    """The trend of ``item`` up to ``as_of`` from its records (others and voided ones ignored)."""
    from kpi.core.status import clamp_to_period, expected_share, trend

    as_of = clamp_to_period(plan, as_of)
    dates = {u.date for u in updates if u.item_code == item.code and not u.voided}
    days = sorted({plan.start, as_of, *(d for d in dates if plan.start < d < as_of)})
    origin = plan.start - dt.timedelta(days=1)
    corners = {origin, plan.end, as_of, min(item.deadline, plan.end)}
    corners.update(c.date for c in item.checkpoints)
    corners.update(m.date for m in item.milestones)
    expected = sorted(d for d in corners if origin <= d <= plan.end)
    return Trend(
        item=item,
        start=plan.start,
        end=plan.end,
        as_of=as_of,
        done=tuple(zip(days, trend(plan, item, updates, days), strict=True)),
        expected=tuple((d, expected_share(plan, item, d)) for d in expected),
    )


def charted(rep: WeeklyReport) -> tuple[ItemStatus, ...]:
    """The red items whose trend the HTML summary draws, furthest behind first."""
    return tuple(s for s in rep.attention if s.light == Light.RED)[:TREND_LIMIT]


def with_trends(rep: WeeklyReport, histories: Mapping[str, Sequence[Update]]) -> WeeklyReport:
    """The report with the trends of the items in ``histories`` (item code → its records)."""
    trends = {
        code: item_trend(rep.plan, rep.plan.item(code), updates, rep.as_of)
        for code, updates in histories.items()
        if rep.plan.has(code) and rep.plan.milestone(code) is None
    }
    return replace(rep, trends={**rep.trends, **trends})
