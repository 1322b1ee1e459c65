"""One run's workspace: the environment, the database, the plan chosen, the day asked for.

Every use case of ``kpi.app`` takes a ``Workspace``. It opens the database on first use, loads the
bundled plan into an empty one (and says which database it made), chooses the plan to work on,
works out the day to read it as of, and counts statuses with the database's help — each day with
the version of the plan in effect on that day. It holds no terminal: what it has to say beside
the data (a database made, a day moved into the plan's period) goes to ``notify``, which the
command line prints on stderr and a scheduled job may log.

Choosing the plan (``--plan ID`` or ``KPI_PLAN``; otherwise): the only plan in use; else the one
whose period holds today, if exactly one does; else the one with the most recent period, if only
one plan has it; otherwise the use case says which plans there are and how to choose.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kpi.env import Env
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.plan import Item, Milestone, Plan, PlanHead, PlanInfo
    from kpi.core.records import Update
    from kpi.core.rights import Rights
    from kpi.core.status import PlanStatus
    from kpi.store import PlanStore, Store

ALL = "all"  # --plan all: every plan side by side (the district's view)
LATEST = "latest"  # --plan-version latest: the past read with the plan as it is now


def _quiet(message: str) -> None:
    """Where notices go when nobody listens."""


@dataclass
class Workspace:
    """One run: its environment, where the database is, and what has been read so far."""

    env: Env = field(default_factory=Env)
    db: str | None = None
    chosen: str | None = None  # --plan or KPI_PLAN
    plan_version: str | None = None  # --plan-version: latest
    notify: Callable[[str], None] = _quiet
    _store: Store | None = None
    _plan: Plan | None = None
    _plan_id: str | None = None
    _plan_store: PlanStore | None = None
    _heads: list[PlanHead] | None = None
    _on_day: dict[dt.date, Plan] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.env.today

    @property
    def latest(self) -> bool:
        return self.plan_version == LATEST

    @property
    def everything(self) -> bool:
        """``--plan all``: the district's view of every plan."""
        return self.chosen == ALL

    @property
    def user(self) -> str:
        """Who is acting: on a server the role logged in (``current_user``), on SQLite the
        account of the real uid."""
        return self.store().account(self.env.user)

    def rights(self) -> Rights:
        """What the one acting may do (``kpi.core.rights``)."""
        return self.store().rights(self.env.user)

    def store(self) -> Store:
        if self._store is None:
            from kpi.store import Store, locate

            new = locate(self.db, self.env)
            fresh = new.path is not None and not new.path.exists()
            new.close()
            self._store = Store.open(self.db, self.env)
            if fresh:
                self.notify(t("db.created", path=self._store.shown))
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = self._plan_store = None

    # -- the plan -------------------------------------------------------------------------

    def plan_id(self) -> str:
        """The plan this run works on (see the module's docstring)."""
        if self._plan_id is None:
            self._plan_id = self._choose()
        return self._plan_id

    def head(self) -> PlanHead:
        """The chosen plan's id, organisation, title and period, without reading its items."""
        plan_id = self.plan_id()
        found = [h for h in self._heads or () if h.id == plan_id]
        if not found:  # the bundled plan, loaded into a new database just now
            self._heads = self.store().plan_heads()
            found = [h for h in self._heads if h.id == plan_id]
        return found[0]

    def _choose(self) -> str:
        infos = self._heads = self.store().plan_heads()
        if self.chosen and self.chosen != ALL:
            if not any(p.id == self.chosen for p in infos):
                raise InputError(t("plan.unknown", plan=self.chosen, plans=_ids(infos)))
            return self.chosen
        if self.chosen == ALL:
            raise InputError(t("plan.all_not_here"))
        active = [p for p in infos if not p.retired]
        if not active:
            if infos:
                raise InputError(t("plan.all_retired", plans=_ids(infos)))
            return self._load_bundled()
        if len(active) == 1:
            return active[0].id
        current = [p for p in active if p.start <= self.today <= p.end]
        if len(current) == 1:
            return current[0].id
        latest = max(p.end for p in active)
        recent = [p for p in active if p.end == latest]
        if len(recent) == 1 and not current:
            return recent[0].id
        raise InputError(t("plan.choose", plans=_ids(current or active)))

    def _load_bundled(self) -> str:
        from kpi.core.plan_file import file_sha256, read_plan_file
        from kpi.core.rights import check_load

        path = default_plan_file(self.env)
        shown = display_path(path, self.env)
        plan = read_plan_file(path, shown)
        check_load(self.rights(), plan.id)
        result = self.store().sync_plan(
            plan, file=shown, sha256=file_sha256(path), by=self.user, dry_run=False
        )
        self.notify(t("load.auto", path=shown, n=len(plan.items), added=len(result.added)))
        return plan.id

    def plans(self) -> list[PlanInfo]:
        return self.store().plans()

    def plan_store(self) -> PlanStore:
        """The store bound to the chosen plan."""
        if self._plan_store is None:
            self._plan_store = self.store().plan(self.plan_id())
        return self._plan_store

    def plan(self) -> Plan:
        """The chosen plan as it stands now (its newest version)."""
        if self._plan is None:
            self._plan = self.plan_store().load()
        return self._plan

    def plan_on(self, day: dt.date) -> Plan:
        """The chosen plan as it was in effect on ``day`` (or as ``--plan-version`` asks)."""
        if self.latest:
            return self.plan()
        if day not in self._on_day:
            _, newest = self.plan_store().version_on(day)
            # The newest version is the plan's own tables: read them once for every day.
            found = self.plan() if newest else self.plan_store().on(day)
            self._on_day[day] = found
        return self._on_day[day]

    def item_on(self, day: dt.date, code: str) -> Plan | None:
        """A plan holding the item ``code`` as the plan in effect on ``day`` had it (None if the
        item was not in that version)."""
        if self.latest:
            part = self.plan_store().load(item=code)
        else:
            part = self.plan_store().on(day, item=code)
        return part if part.has(code) else None

    def find_in_plan(self, query: str) -> Item | Milestone:
        """The item or milestone ``query`` names in the whole plan, a code typed in full-width
        forms (１.１.５) read as the code it plainly is."""
        return self.plan().find(typed_code(query))

    def find(self, query: str) -> tuple[Plan, Item | Milestone]:
        """The item or milestone ``query`` names, with a plan holding at least its item: only
        that item when the database can tell which it is (a quick look at one of ten thousand),
        the whole plan otherwise, so that several matches are listed and none are suggested."""
        query = typed_code(query)
        if self._plan is None and query.strip():
            code = self.plan_store().item_of(query)
            if code is not None:
                part = self.plan_store().load(item=code)
                return part, part.find(query)
        plan = self.plan()
        return plan, plan.find(query)

    # -- statuses -------------------------------------------------------------------------

    def status(self, day: dt.date) -> PlanStatus:
        """Every item's status on ``day``, the database doing the counting."""
        return self.statuses([day])[0]

    def statuses(self, days: list[dt.date]) -> list[PlanStatus]:
        """Every item's status on each of ``days`` (worked out side by side), each day with the
        plan in effect on it."""
        return self.counting(days)()

    def counting(self, days: list[dt.date]) -> Callable[[], list[PlanStatus]]:
        """``statuses``, begun now: the database counts (on SQLite in the background) while the
        caller goes on; the plans are read when the result is called, still while it counts, and
        each day's statuses are worked out as soon as its counts are in."""
        from kpi.core.status import plan_status_from

        counting = self.plan_store().progress_later(days)

        def statuses() -> list[PlanStatus]:
            with collector_paused():
                plans = [self.plan_on(day) for day in days]
                return [
                    plan_status_from(plan, counted(), day)
                    for plan, counted, day in zip(plans, counting, days, strict=True)
                ]

        return statuses

    def updates(self, item_code: str | None = None) -> list[Update]:
        return self.plan_store().updates(item_code=item_code)

    def as_of(self, given: str | None, plan: Plan | PlanHead | None = None) -> dt.date:
        """The day to compute status for: given, or today — moved into the plan's period if
        needed, and said so."""
        from kpi.core.status import clamp_to_period
        from kpi.core.values import parse_date

        plan = plan or self.head()
        day = (
            parse_date(given, today=self.today, default_year=plan.year)
            if given is not None
            else self.today
        )
        clamped = clamp_to_period(plan, day)
        if clamped != day:
            self.notify(
                t(
                    "date.clamped",
                    day=day.isoformat(),
                    plan=plan.id,
                    start=plan.start,
                    end=plan.end,
                    used=clamped.isoformat(),
                )
            )
        return clamped

    def shown_path(self, path: Path) -> str:
        return display_path(path, self.env)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a plan and its statuses are built: tens of
    thousands of objects that live to the end of the run and hold no cycles, which it would
    otherwise scan again and again (a tenth of a district's weekly summary). It runs as usual
    after, and anything else a run does is collected as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _ids(infos: list[PlanHead]) -> str:
    return "、".join(p.id for p in infos)


def typed_code(query: str) -> str:
    """A code typed on a Chinese keyboard (１.１.５) reads as the code it plainly is."""
    from kpi.core.values import normalize

    folded = normalize(query)
    return folded if re.fullmatch(r"[0-9A-Za-z.\-]+", folded) else query


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


def without_secrets(text: str, databases: Iterable[str | None], mail_password: str | None) -> str:
    """``text`` with the passwords of the database addresses and of the mail server masked: for
    what an error shows."""
    from kpi.store.urls import redact

    for url in databases:
        if url:
            text = redact(text, url)
    return text.replace(mail_password, "***") if mail_password else text
