"""The Typer application, its global options, and the one place errors become exit codes.

Commands live in the modules beside this one and register themselves on ``app``. Each command asks
``State`` (``context``) for what it needs (the database, the plan, the date), calls the core, and
renders. Errors the user can act on (``KpiError``) become one line on stderr and the documented
exit code; anything else becomes one line too, unless ``--debug`` (or ``KPI_DEBUG=1``) asks for the
traceback — with any password in it masked.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from kpi.cli import helpfmt
from kpi.cli.complete import attach, complete_plan
from kpi.cli.context import State
from kpi.env import Env
from kpi.errors import Exit, InputError, KpiError
from kpi.locale import set_language, t


class _Group(TyperGroup):
    """Maps errors to one line and an exit code, for every command, in tests as in use: kpi's
    own errors, and click's (a missing argument, an unknown option …) in the chosen language
    (``kpi.cli.usage``). Help is laid out by ``kpi.cli.helpfmt``."""

    ORDER = ("status", "show", "update", "done", "undo", "void", "history", "report", "load")
    context_class = helpfmt.Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        helpfmt.adopt(self)
        attach(self)

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's main, with its errors in one line of the chosen language."""
        from kpi.cli.usage import one_line

        try:
            code = super().main(
                args=args,
                prog_name="kpi",  # as staff type it, also under `python -m kpi` and in tests
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except click.exceptions.Abort:  # Ctrl-C or end of input at a question
            _report(t("cli.interrupted"))
            code = int(Exit.INTERRUPTED)
        except click.ClickException as exc:
            click.echo(one_line(exc), err=True)
            code = exc.exit_code
        code = code if isinstance(code, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Daily commands first, in the order staff use them; then the rest as registered."""
        names = super().list_commands(ctx)
        return [n for n in self.ORDER if n in names] + [n for n in names if n not in self.ORDER]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KpiError as exc:
            if _debug(ctx, also_env=False):
                raise
            _report(exc.message, exc.details, error=exc.error)
            raise typer.Exit(int(exc.exit_code)) from None
        except (typer.Exit, typer.Abort, click.ClickException, click.exceptions.Exit):
            raise
        except KeyboardInterrupt:
            _report(t("cli.interrupted"))
            raise typer.Exit(int(Exit.INTERRUPTED)) from None
        except Exception as exc:
            if _debug(ctx):
                raise
            problem = str(exc).splitlines()[0] if str(exc) else ""
            _report(t("cli.unexpected", kind=type(exc).__name__, problem=_masked(ctx, problem)))
            raise typer.Exit(int(Exit.FAILURE)) from None


def _debug(ctx: click.Context, *, also_env: bool = True) -> bool:
    """``--debug`` shows every traceback; ``KPI_DEBUG=1`` (set by the tests) those of bugs only."""
    state = ctx.obj if isinstance(ctx.obj, State) else None
    if state is None:
        return False
    return state.debug or (also_env and state.env.flag("KPI_DEBUG"))


def _masked(ctx: click.Context, text: str) -> str:
    from kpi.app.workspace import without_secrets

    state = ctx.obj if isinstance(ctx.obj, State) else None
    if state is None:
        return text
    env = state.env
    return without_secrets(text, (state.db, env.get("KPI_DB")), env.get("KPI_SMTP_PASSWORD"))


def _report(message: str, details: list[str] | None = None, *, error: bool = True) -> None:
    click.echo((t("cli.error_prefix") if error else "") + message, err=True)
    for line in details or []:
        click.echo("  " + line, err=True)


app = typer.Typer(
    cls=_Group,
    add_completion=True,
    invoke_without_command=True,  # `kpi` alone: the summary (`kpi --help` for help)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, laid out by kpi.cli.helpfmt
    context_settings={"help_option_names": ["-h", "--help"]},
)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def _lang_callback(value: str | None) -> str | None:
    set_language(value)
    return value


def _version_callback(value: bool) -> None:
    if value:
        from kpi import __version__

        click.echo(t("cli.version", version=__version__))
        raise typer.Exit()


@app.callback(help=t("help.app"))
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="KPI_DB", help=t("help.db_where")),
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
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan", "-p", envvar="KPI_PLAN", help=t("help.plan"), autocompletion=complete_plan
        ),
    ] = None,
    plan_version: Annotated[
        str | None,
        typer.Option("--plan-version", help=t("help.plan_version")),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help=t("help.debug"))] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help=t("help.version"), callback=_version_callback, is_eager=True
        ),
    ] = False,
) -> None:
    """kpi — 新江湾城街道年度工作安排进度跟踪 (track the annual work plan against last year)."""
    # Tests hand in an environment of their own (``obj=Env(...)``); a real run reads its own.
    env = ctx.obj if isinstance(ctx.obj, Env) else Env.from_process()
    if plan_version is not None and plan_version != "latest":
        raise InputError(t("plan.bad_version", value=plan_version))
    chosen = plan.strip() if plan and plan.strip() else None
    from kpi.cli.settings import database

    st = State(env=env, db=database(db, env), debug=debug, chosen=chosen, plan_version=plan_version)
    ctx.obj = st
    ctx.call_on_close(st.close)
    if ctx.invoked_subcommand is None:
        from kpi.cli.summary import show_summary

        show_summary(st)


def run() -> None:
    """The command line, run (``kpi.cli.main`` has chosen the language and defined it)."""
    try:
        app()
    except BrokenPipeError:  # `kpi status | head` closes the pipe early: not an error
        sys.stderr.close()
        sys.exit(0)
    except Exception:  # only under --debug: the traceback, with every password in it masked
        import traceback

        sys.stderr.write(_redact_secrets(traceback.format_exc()))
        sys.exit(int(Exit.FAILURE))


def _redact_secrets(text: str) -> str:
    """``text`` without the passwords of the database URLs and the mail server this run was given."""
    import os

    from kpi.app.workspace import without_secrets

    argv = sys.argv[1:]
    urls = [os.environ.get("KPI_DB", "")]
    urls += [argv[n + 1] for n, a in enumerate(argv[:-1]) if a == "--db"]
    urls += [a.partition("=")[2] for a in argv if a.startswith("--db=")]
    return without_secrets(text, urls, os.environ.get("KPI_SMTP_PASSWORD"))
