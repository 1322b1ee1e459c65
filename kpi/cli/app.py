"""The Typer application, its global options, and the one place errors become exit codes.

Commands live in the modules beside this one and register themselves on ``app``. Each command asks
``State`` for what it needs (the database, the plan, the date), calls the core, and renders. Errors
the user can act on (``KpiError``) become one line on stderr and the documented exit code; anything
else becomes one line too, unless ``--debug`` (or ``KPI_DEBUG=1``) asks for the traceback.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from kpi.errors import Exit, InputError, KpiError
from kpi.messages import set_language, t

if TYPE_CHECKING:
    from kpi.plan import Item, Milestone, Plan
    from kpi.status import PlanStatus, Update
    from kpi.store import Store


class _Group(TyperGroup):
    """Maps errors to one line and an exit code, for every command, in tests as in use."""

    ORDER = ("status", "show", "update", "done", "undo", "void", "history", "report", "load")

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Daily commands first, in the order staff use them; then the rest as registered."""
        names = super().list_commands(ctx)
        return [n for n in self.ORDER if n in names] + [n for n in names if n not in self.ORDER]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KpiError as exc:
            state = ctx.obj if isinstance(ctx.obj, State) else None
            if state and state.debug:
                raise
            _report(exc.message, exc.details)
            raise typer.Exit(int(exc.exit_code)) from None
        except (typer.Exit, typer.Abort, click.ClickException, click.exceptions.Exit):
            raise
        except KeyboardInterrupt:
            _report(t("cli.interrupted"))
            raise typer.Exit(130) from None
        except Exception as exc:
            state = ctx.obj if isinstance(ctx.obj, State) else None
            if (state and state.debug) or os.environ.get("KPI_DEBUG"):
                raise
            _report(
                t(
                    "cli.unexpected",
                    kind=type(exc).__name__,
                    problem=str(exc).splitlines()[0] if str(exc) else "",
                )
            )
            raise typer.Exit(int(Exit.FAILURE)) from None


def _report(message: str, details: list[str] | None = None) -> None:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(t("cli.error_prefix") + message, markup=False)
    for line in details or []:
        err.print("  " + line, markup=False)


app = typer.Typer(
    cls=_Group,
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    """What every command shares: where the database is, the language, debug, and the clock."""

    db: str | None = None
    debug: bool = False
    today: dt.date = field(default_factory=dt.date.today)
    _store: Store | None = None
    _plan: Plan | None = None
    _year: int | None = None

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

            self._store = Store.open(self.db)
        return self._store

    def plan(self) -> Plan:
        """The current plan; an empty database first loads ``targets/<year>.yaml`` and says so."""
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
            path = default_plan_file(2025)
            plan = parse_plan_file(path)
            result = store.sync_plan(
                plan, file=str(path), sha256=_sha256(path), by=user(), dry_run=False
            )
            self.note(
                t("load.auto", path=display_path(path), n=len(plan.items), added=len(result.added))
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
        from kpi.status import plan_status_from

        plan = self.plan()
        found = self.store().progress_on(plan.year, days)
        return [
            plan_status_from(plan, progress, day) for progress, day in zip(found, days, strict=True)
        ]

    def updates(self, item_code: str | None = None) -> list[Update]:
        return self.store().updates(self.year(), item_code=item_code)

    def as_of(self, given: str | None, plan: Plan | None = None) -> dt.date:
        """The date to compute status for: given, or today — moved into the plan's period if needed."""
        from kpi.status import clamp_to_period
        from kpi.values import parse_date

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


def complete_item(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Tab completion of ITEM: the codes that start with what was typed, with their titles.

    It runs at every key press, so it never creates or upgrades a database: with no database
    yet, it offers nothing.
    """
    from kpi.store import DEFAULT_DB, Store

    db = ctx.find_root().params.get("db") or os.environ.get("KPI_DB") or str(DEFAULT_DB)
    if "://" not in db and not Path(db).expanduser().is_file():
        return []
    try:
        store = Store.open(db)
        try:
            years = store.plan_years()
            if not years:
                return []
            today = dt.date.today().year
            names = store.names(max([y for y in years if y <= today] or years))
        finally:
            store.close()
    except KpiError:
        return []
    return [(code, title) for code, title in names if code.startswith(incomplete)]


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def user() -> str:
    """The OS user, recorded beside any --by name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def default_plan_file(year: int) -> Path:
    """``targets/<year>.yaml`` under the working directory, else the copy shipped with the tool."""
    local = Path("targets") / f"{year}.yaml"
    if local.exists():
        return local
    shipped = Path(__file__).resolve().parent.parent / "data" / f"{year}.yaml"
    if shipped.exists():
        return shipped
    raise InputError(t("plan.file_missing", path=local, year=year))


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_plan_file(path: Path) -> Plan:
    from kpi.errors import PlanError
    from kpi.plan import parse_plan

    where = display_path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)  # never more: /dev/zero is not a plan
    except FileNotFoundError:
        raise InputError(t("plan.file_missing", path=path, year="<year>")) from None
    except OSError as exc:
        raise InputError(t("plan.file_unreadable", path=path, problem=exc.strerror)) from None
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError(t("plan.too_big", where=where, limit=MAX_PLAN_BYTES // 2**20))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanError(t("plan.binary", where=where))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("gbk")
        except UnicodeDecodeError:
            raise PlanError(t("plan.not_yaml_text", where=where)) from None
        raise PlanError(t("plan.gbk", where=where)) from None
    if "\x00" in text:
        raise PlanError(t("plan.not_yaml_text", where=where))
    return parse_plan(text, display_path(path))


# A 10,000-item plan is about 6 MB; anything much larger is not a plan, and parsing it would
# take seconds and gigabytes before saying so.
MAX_PLAN_BYTES = 16 * 2**20


def _sha256(path: Path) -> str:
    import hashlib  # only a load needs it: not at every command's start

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lang_callback(value: str | None) -> str | None:
    set_language(value)
    return value


@app.callback(help=t("help.app"))
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="KPI_DB", help=t("help.db")),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="KPI_LANG",
            help=t("help.lang"),
            callback=_lang_callback,
            is_eager=True,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help=t("help.debug"))] = False,
) -> None:
    """kpi — 新江湾城街道年度工作安排进度跟踪 (track the annual work plan against last year)."""
    st = State(db=db, debug=debug)
    today = os.environ.get("KPI_TODAY")  # a fixed "today" for tests and for reproducing a day
    if today:
        st.today = dt.date.fromisoformat(today)
    ctx.obj = st
    ctx.call_on_close(st.close)


def main() -> None:
    """The ``kpi`` console script (the language was chosen when ``kpi.cli`` was imported)."""
    try:
        app()
    except BrokenPipeError:  # `kpi status | head` closes the pipe early: not an error
        sys.stderr.close()
        sys.exit(0)
