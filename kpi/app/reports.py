"""The weekly summary: the facts of a week (``kpi.report.weekly``), gathered from the database.

The database counts the two days the summary compares (the day and a week before) in the
background while the week's records are read: all of them for JSON, which keeps everything;
for a page, the records it lists and how many more there are. A page that draws the red items'
trends gets their records too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpi.app.workspace import Workspace

if TYPE_CHECKING:
    from kpi.report.weekly import WeeklyReport


def weekly(
    ws: Workspace, as_of: str | None = None, *, every_record: bool = False, trends: bool = False
) -> WeeklyReport:
    """The summary of the week ending on the day asked for (default today, moved into the
    plan's period). ``every_record``: the week's records all read (JSON), else the ones a page
    lists and a count of the rest; ``trends``: the records of each item it draws a chart for."""
    from kpi.report.weekly import READING_LIMIT, build_weekly_from, window

    day = ws.as_of(as_of)
    start, week_before = window(day)
    stored = ws.plan_store()
    statuses = ws.counting([day, week_before])  # the database counts in the background …
    if every_record:  # … while the week is read: all of it,
        week, more = stored.updates_between(start, day), 0
        now, before = statuses()
    else:  # or, for a page, the records it lists and how many more there are
        listed = stored.valid_between(start, day)
        now, before = statuses()
        ids = [i for i, item in listed if now.plan.has(item)]
        week = stored.updates_with_ids(ids[:READING_LIMIT])
        more = len(ids) - len(week)
    rep = build_weekly_from(now.plan, now, before, week, day, more)
    return with_trends(ws, rep) if trends else rep


def with_trends(ws: Workspace, rep: WeeklyReport) -> WeeklyReport:
    """The report with the records of each red item it draws, for its trend chart."""
    from kpi.report import weekly

    stored = ws.plan_store()
    charted = weekly.charted(rep)
    return weekly.with_trends(
        rep, {s.item.code: stored.updates(item_code=s.item.code) for s in charted}
    )
