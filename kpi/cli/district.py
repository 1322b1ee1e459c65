"""`--plan all`: `kpi status`, `kpi report weekly` and `kpi export` for every plan in use.

Each plan not retired is read as ``kpi --plan ID`` reads it alone: as of the day asked for
(``--as-of``, default today) moved into its own period, with the version of the plan in effect
then (or its newest with ``--plan-version latest``), its progress counted by the database. A
plan whose period does not hold the day is named in one line on stderr. The facts and their
formats are ``kpi.report.district`` and ``kpi.sheets.district``; this module gathers and writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from kpi.cli.context import ALL
from kpi.errors import Exit, InputError
from kpi.locale import t

__all__ = ["ALL", "export", "status", "weekly"]

if TYPE_CHECKING:
    from kpi.cli.context import State
    from kpi.core.plan import Plan, PlanHead
    from kpi.core.records import Update
    from kpi.core.status import PlanStatus
    from kpi.report.district import District
    from kpi.store import Store


# -- gathering ----------------------------------------------------------------------------------


def in_use(st: State) -> list[PlanHead]:
    """The plans not retired, or a word on why there are none."""
    infos = st.store().plan_heads()
    active = [p for p in infos if not p.retired]
    if not active:
        raise InputError(t("district.none"))
    return active


def asked_day(st: State, given: str | None) -> dt.date:
    """The day asked for (``--as-of``, a date without a year in this year), or today."""
    from kpi.core.values import parse_date

    return parse_date(given, today=st.today) if given is not None else st.today


def _clamped(info: PlanHead, day: dt.date) -> dt.date:
    return min(max(day, info.start), info.end)


def _say_clamped(st: State, day: dt.date, moved: Sequence[str]) -> None:
    if moved:
        st.note(t("district.clamped", day=day.isoformat(), plans="、".join(moved)))


class _Reader:
    """One plan's statuses, read through a store of its own thread: each version of the plan
    read once (a week and the week before share one, mostly)."""

    def __init__(self, store: Store, info: PlanHead, latest: bool) -> None:
        self.store, self.info, self.latest = store, info, latest
        self.read: dict[int | None, Plan] = {}
        self.versions: list[tuple[int, dt.date]] | None = None

    def version_on(self, day: dt.date) -> int | None:
        """The version in effect on ``day``, as ``Store.plan_on`` finds it: the newest whose
        effective day is on or before it, else the first; None for a plan without versions."""
        if self.versions is None:
            self.versions = [(v.version, v.effective) for v in self.store.versions(self.info.id)]
        if not self.versions:
            return None
        on = [n for n, effective in self.versions if effective <= day]
        return max(on) if on else min(n for n, _ in self.versions)

    def plan_on(self, day: dt.date) -> Plan:
        key = -1 if self.latest else self.version_on(day)
        if key not in self.read:
            pid = self.info.id
            self.read[key] = (
                self.store.load_plan(pid) if self.latest else self.store.plan_on(pid, day)
            )
        return self.read[key]

    def statuses(self, days: list[dt.date]) -> list[PlanStatus]:
        from kpi.core.status import plan_status_from

        found = self.store.progress_on(self.info.id, days)
        return [
            plan_status_from(self.plan_on(day), progress, day)
            for progress, day in zip(found, days, strict=True)
        ]


T = TypeVar("T")
WORKERS = 2  # plans read at once on SQLite: the database counts while Python lays out


def each_plan(st: State, work: Callable[[_Reader], T]) -> list[T]:
    """``work`` for every plan in use, in the order of ``in_use``. On SQLite two plans are read
    at once, each thread with a connection of its own; a server is asked one plan at a time."""
    infos = in_use(st)
    latest = st.plan_version == "latest"
    main = st.store()
    if not main.is_sqlite or len(infos) < 2:
        return [work(_Reader(main, info, latest)) for info in infos]
    from concurrent.futures import ThreadPoolExecutor
    from threading import local

    from kpi.store import Store

    mine = local()
    opened: list[Store] = []

    def one(info: PlanHead) -> T:
        if not hasattr(mine, "store"):
            mine.store = Store.open(st.db, st.env)
            opened.append(mine.store)
        return work(_Reader(mine.store, info, latest))

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(one, infos))
    finally:
        for store in opened:
            store.close()


def gather(st: State, given: str | None) -> District:
    """Every plan in use as of the day asked for, ranked."""
    from kpi.report.district import district

    day = asked_day(st, given)

    def read(r: _Reader) -> tuple[PlanStatus, bool]:
        own = _clamped(r.info, day)
        return r.statuses([own])[0], own != day

    found = each_plan(st, read)
    _say_clamped(st, day, [ps.plan.id for ps, moved in found if moved])
    return district(day, found)


def gather_week(st: State, given: str | None) -> District:
    """Every plan in use: its weekly summary for the week ending on the day asked for."""
    from kpi.report.district import district_week
    from kpi.report.weekly import WeeklyReport, build_weekly_from, window

    day = asked_day(st, given)

    def read(r: _Reader) -> tuple[WeeklyReport, bool]:
        own = _clamped(r.info, day)
        start, week_before = window(own)
        now, before = r.statuses([own, week_before])
        records: list[Update] = r.store.updates_between(r.info.id, start, own)
        return build_weekly_from(now.plan, now, before, records, own), own != day

    weeks = each_plan(st, read)
    _say_clamped(st, day, [rep.plan.id for rep, moved in weeks if moved])
    return district_week(day, weeks)


# -- kpi --plan all status --------------------------------------------------------------------------


def status(st: State, as_of: str | None, fmt: str, *, filtered: bool = False) -> None:
    """Every plan's row, ranked, and its red items: a table, JSON, CSV or Markdown."""
    if filtered:
        raise InputError(t("district.no_filters"))
    d = gather(st, as_of)
    if fmt == "json":
        from kpi.report.district.data import status_json

        typer.echo(status_json(d))
        return
    if fmt == "csv":
        from kpi.report.district.data import status_csv

        typer.echo(status_csv(d), nl=False)
        return
    from kpi.report.district.layout import status_page
    from kpi.report.district.render import to_markdown, to_text

    if fmt == "md":
        typer.echo(to_markdown(status_page(d)), nl=False)
        return
    console = st.out
    color = console.is_terminal and not console.no_color
    typer.echo(to_text(status_page(d), width=console.width, color=color), nl=False, color=color)


# -- kpi --plan all report weekly ------------------------------------------------------------------


def render_week(d: District, fmt: str, *, width: int = 80, color: bool = False) -> str:
    if fmt == "json":
        from kpi.report.district.data import weekly_json

        return weekly_json(d) + "\n"
    from kpi.report.district.layout import weekly_page
    from kpi.report.district.render import to_html, to_markdown, to_text

    if fmt == "md":
        return to_markdown(weekly_page(d))
    if fmt == "html":
        return to_html(weekly_page(d))
    return to_text(weekly_page(d), width=width, color=color)


def weekly(
    st: State,
    as_of: str | None,
    fmt: str,
    out: str | None,
    fail_on: str | None,
    mail_to: Sequence[str] | None = None,
) -> None:
    """The district's weekly summary, to standard output or ``--out``; exit 3 on ``--fail-on``."""
    from kpi.core.status import Light

    message = None
    if mail_to:
        from kpi.report import mail

        message = mail.prepare(st.env, mail_to)  # addresses and server checked before anything
    d = gather_week(st, as_of)
    if out:
        from kpi.cli.files import out_path, write_atomically

        fields = {"year": str(d.year), "week": f"{d.week:02d}", "date": d.as_of.isoformat()}
        path = out_path(out, fields)
        st.store().guard_out(path)
        write_atomically(path, render_week(d, fmt))
        st.note(t("report.written", path=path))
    else:
        console = st.out
        color = fmt == "text" and console.is_terminal and not console.no_color
        text = render_week(d, fmt, width=console.width, color=color)
        typer.echo(text, nl=False, color=color)
    if message is not None:
        from kpi.report import mail
        from kpi.report.district.layout import title

        mail.send(message.build(title(d), render_week(d, "text"), render_week(d, "html")), message)
        st.note(t("report.mailed", to=", ".join(message.to)))
    if fail_on:
        from kpi.formats.words import short_word

        lights = [Light.RED] if fail_on == "red" else [Light.RED, Light.YELLOW]
        n = sum(d.total(light) for light in lights)
        if n:
            words = "、".join(short_word(light) for light in lights)
            st.err.print(t("report.fail_on", n=n, light=words, light_key=fail_on), markup=False)
            raise typer.Exit(int(Exit.CONDITION))


# -- kpi --plan all export ---------------------------------------------------------------------------


def export(st: State, fmt: str | None, out: Path | None, as_of: str | None) -> None:
    """One workbook: a summary sheet and each plan's 台账."""
    from kpi.cli.context import display_path
    from kpi.cli.files import write_atomically
    from kpi.sheets.district import workbook_bytes

    suffix = out.suffix.lower().lstrip(".") if out else ""
    chosen = fmt or (suffix if suffix in ("csv", "json") else "xlsx")
    if chosen != "xlsx":
        raise InputError(t("district.xlsx_only"))
    d = gather(st, as_of)
    path = out or Path(t("district.default_name", as_of=d.as_of.isoformat()))
    st.store().guard_out(path)
    write_atomically(path, workbook_bytes(d))
    shown = display_path(path, st.env)
    st.note(t("district.written", path=shown, plans=len(d.rows), items=d.items))
