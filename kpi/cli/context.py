"""What every command of one run shares: the environment, the database, the plan, the day.

``State`` is made by the global options (``app.main_options``) and handed to each command. It opens
the database on first use, loads the bundled plan into an empty one (and says so), works out the
day to read the plan as of, and counts statuses with the database's help.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from kpi.env import Env
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.plan import Item, Milestone, Plan
    from kpi.core.records import Update
    from kpi.core.status import PlanStatus
    from kpi.store import Store


@dataclass
class State:
    """One run: its environment, where the database is, and what has been read so far."""

    env: Env = field(default_factory=Env)
    db: str | None = None
    debug: bool = False
    _store: Store | None = None
    _plan: Plan | None = None
    _year: int | None = None

    @property
    def today(self) -> dt.date:
        return self.env.today

    @property
    def user(self) -> str:
        return self.env.user

    @property
    def out(self) -> Console:
        return Console(highlight=False)

    @property
    def err(self) -> Console:
        return Console(stderr=True, highlight=False, soft_wrap=True)

    def note(self, message: str) -> None:
        """One line on stderr, beside (never inside) the data on stdout."""
        self.err.print(message, markup=False, style="dim")

    def store(self) -> Store:
        if self._store is None:
            from kpi.store import Store

            self._store = Store.open(self.db, self.env)
        return self._store

    def plan(self) -> Plan:
        """The current plan; an empty database first loads the bundled plan and says so."""
        if self._plan is None:
            self._plan = self.store().load_plan(self.year())
        return self._plan

    def find(self, query: str) -> tuple[Plan, Item | Milestone]:
        """The item or milestone ``query`` names, with a plan holding at least its item: only
        that item when the database can tell which it is (a quick look at one of ten thousand),
        the whole plan otherwise, so that several matches are listed and none are suggested."""
        if self._plan is None and query.strip():
            code = self.store().item_of(self.year(), query)
            if code is not None:
                part = self.store().load_plan(self.year(), item=code)
                return part, part.find(query)
        plan = self.plan()
        return plan, plan.find(query)

    def year(self) -> int:
        """The year of the current plan: the latest not after today's year."""
        if self._year is not None:
            return self._year
        store = self.store()
        years = store.plan_years()
        if not years:
            from kpi.core.plan_file import file_sha256, read_plan_file

            path = default_plan_file(self.env)
            plan = read_plan_file(path, display_path(path, self.env))
            result = store.sync_plan(
                plan, file=str(path), sha256=file_sha256(path), by=self.user, dry_run=False
            )
            self.note(
                t(
                    "load.auto",
                    path=display_path(path, self.env),
                    n=len(plan.items),
                    added=len(result.added),
                )
            )
            years = [plan.year]
        current = [y for y in years if y <= self.today.year]
        self._year = current[-1] if current else years[0]
        return self._year

    def status(self, day: dt.date) -> PlanStatus:
        """Every item's status on ``day``, the database doing the counting."""
        return self.statuses([day])[0]

    def statuses(self, days: list[dt.date]) -> list[PlanStatus]:
        """Every item's status on each of ``days`` (worked out side by side)."""
        from kpi.core.status import plan_status_from

        plan = self.plan()
        found = self.store().progress_on(plan.year, days)
        return [
            plan_status_from(plan, progress, day) for progress, day in zip(found, days, strict=True)
        ]

    def updates(self, item_code: str | None = None) -> list[Update]:
        return self.store().updates(self.year(), item_code=item_code)

    def as_of(self, given: str | None, plan: Plan | None = None) -> dt.date:
        """The day to compute status for: given, or today — moved into the plan's period if needed."""
        from kpi.core.status import clamp_to_period
        from kpi.core.values import parse_date

        plan = plan or self.plan()
        day = (
            parse_date(given, today=self.today, default_year=plan.year)
            if given is not None
            else self.today
        )
        clamped = clamp_to_period(plan, day)
        if clamped != day:
            self.note(
                t("date.clamped", day=day.isoformat(), year=plan.year, used=clamped.isoformat())
            )
        return clamped

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


_YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")


def default_plan_file(env: Env) -> Path:
    """The targets file a first command loads: of ``targets/<year>.yaml`` under the working
    directory (else the copy shipped with the tool), this year's, else the latest before it."""
    shipped = Path(__file__).resolve().parent.parent / "data"
    source_tree = Path(__file__).resolve().parents[2] / "targets"  # an editable install
    for folder in (env.cwd / "targets", shipped, source_tree):
        years = {
            int(m[1]): p
            for p in (folder.iterdir() if folder.is_dir() else ())
            if (m := _YEAR_FILE.match(p.name))
        }
        if years:
            past = [y for y in years if y <= env.today.year]
            return years[max(past) if past else min(years)]
    raise InputError(t("plan.file_missing", path=env.cwd / "targets", year=env.today.year))


def display_path(path: Path, env: Env | None = None) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    base = env.cwd if env is not None else Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
