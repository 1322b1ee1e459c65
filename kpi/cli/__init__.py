"""The command line: ``kpi`` and its commands, one module per group of commands.

Importing this package defines nothing and does nothing: ``main`` (the console script) chooses
the language first — from ``--lang`` on the command line, else ``KPI_LANG`` — since the help of
every command and option comes from the message catalogue when the commands are defined; a Tab
after ``kpi show`` and the like is answered before the framework is even loaded
(``kpi.cli.quick``). ``app`` is the Typer application with every command, defined on first use
in the language chosen by then.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]


def main() -> None:
    """The ``kpi`` console script."""
    if os.environ.get("_KPI_COMPLETE"):  # a Tab: the common ones are answered before Typer loads
        from kpi.cli.quick import answer

        if answer():
            sys.exit(0)
    from kpi.locale import set_language

    set_language(language_asked(sys.argv[1:], os.environ.get("KPI_LANG")))
    from kpi.cli.commands import run

    run()


def language_asked(argv: list[str], variable: str | None) -> str | None:
    """``--lang`` as the command line gives it, else the variable's."""
    for n, arg in enumerate(argv):
        if arg == "--lang" and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return variable


def __getattr__(name: str) -> Any:
    if name == "app":
        from kpi.cli.commands import app

        return app
    raise AttributeError(name)


if TYPE_CHECKING:
    app: typer.Typer
