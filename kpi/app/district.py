"""``--plan all``: every plan in use, side by side — the district's view.

Each plan not retired is read as ``kpi --plan ID`` reads it alone: as of the day asked for
(default today) moved into its own period, with the version of the plan in effect then (or its
newest with ``--plan-version latest``), its progress counted by the database. A plan whose
period does not hold the day is named in one notice. The facts and their formats are
``kpi.report.district`` and ``kpi.sheets.district``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from kpi.app.workspace import Workspace, collector_paused
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.plan import Plan, PlanHead
    from kpi.core.records import Update
    from kpi.core.status import PlanStatus
    from kpi.report.district import District
    from kpi.store import Store


def in_use(ws: Workspace) -> list[PlanHead]:
    """The plans not retired, or a word on why there are none."""
    active = [p for p in ws.store().plan_heads() if not p.retired]
    if not active:
        raise InputError(t("district.none"))
    return active


def asked_day(ws: Workspace, given: str | None) -> dt.date:
    """The day asked for (``--as-of``, a date without a year in this year), or today."""
    from kpi.core.values import parse_date

    return parse_date(given, today=ws.today) if given is not None else ws.today


def _say_clamped(ws: Workspace, day: dt.date, moved: Sequence[str]) -> None:
    if moved:
        ws.notify(t("district.clamped", day=day.isoformat(), plans="、".join(moved)))


class PlanReader:
    """One plan's statuses, read through a store of its own thread: each version of the plan
    read once (a week and the week before share one, mostly)."""

    def __init__(self, store: Store, info: PlanHead, latest: bool) -> None:
        self.stored, self.info, self.latest = store.plan(info.id), info, latest
        self.read: dict[int | None, Plan] = {}

    def plan_on(self, day: dt.date) -> Plan:
        if self.latest:
            if -1 not in self.read:
                self.read[-1] = self.stored.load()
            return self.read[-1]
        version, _ = self.stored.version_on(day)
        if version not in self.read:
            self.read[version] = self.stored.on(day)
        return self.read[version]

    def statuses(self, days: list[dt.date]) -> list[PlanStatus]:
        from kpi.core.status import plan_status_from

        found = self.stored.progress_on(days)
        with collector_paused():
            return [
                plan_status_from(self.plan_on(day), progress, day)
                for progress, day in zip(found, days, strict=True)
            ]


T = TypeVar("T")
WORKERS = 2  # plans read at once on SQLite: the database counts while Python lays out


def each_plan(ws: Workspace, work: Callable[[PlanReader], T]) -> list[T]:
    """``work`` for every plan in use, in the order of ``in_use``. On SQLite two plans are read
    at once, each thread with a connection of its own; a server is asked one plan at a time."""
    infos = in_use(ws)
    main = ws.store()
    if not main.is_sqlite or len(infos) < 2:
        return [work(PlanReader(main, info, ws.latest)) for info in infos]
    from concurrent.futures import ThreadPoolExecutor
    from threading import local

    from kpi.store import Store

    mine = local()
    opened: list[Store] = []

    def one(info: PlanHead) -> T:
        if not hasattr(mine, "store"):
            mine.store = Store.open(ws.db, ws.env)
            opened.append(mine.store)
        return work(PlanReader(mine.store, info, ws.latest))

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(one, infos))
    finally:
        for store in opened:
            store.close()


def status(ws: Workspace, given: str | None = None) -> District:
    """Every plan in use as of the day asked for, ranked."""
    from kpi.core.status import clamp_to_period
    from kpi.report.district import district

    day = asked_day(ws, given)

    def read(r: PlanReader) -> tuple[PlanStatus, bool]:
        own = clamp_to_period(r.info, day)
        return r.statuses([own])[0], own != day

    found = each_plan(ws, read)
    _say_clamped(ws, day, [ps.plan.id for ps, moved in found if moved])
    return district(day, found)


def weekly(ws: Workspace, given: str | None = None) -> District:
    """Every plan in use: its weekly summary for the week ending on the day asked for."""
    from kpi.core.status import clamp_to_period
    from kpi.report.district import district_week
    from kpi.report.weekly import WeeklyReport, build_weekly_from, window

    day = asked_day(ws, given)

    def read(r: PlanReader) -> tuple[WeeklyReport, bool]:
        own = clamp_to_period(r.info, day)
        start, week_before = window(own)
        now, before = r.statuses([own, week_before])
        records: list[Update] = r.stored.updates_between(start, own)
        return build_weekly_from(now.plan, now, before, records, own), own != day

    weeks = each_plan(ws, read)
    _say_clamped(ws, day, [rep.plan.id for rep, moved in weeks if moved])
    return district_week(day, weeks)
