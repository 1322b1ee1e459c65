"""The command line: ``kpi`` and its commands, one module per group of commands.

The help of every command and option comes from the message catalogue when the commands are
defined, so the language is chosen first: from ``--lang`` on the command line, else ``KPI_LANG``.
"""

import os
import sys

if os.environ.get("_KPI_COMPLETE"):  # a Tab: the common ones are answered before Typer loads
    from kpi.cli.quick import answer

    if answer():
        sys.exit(0)

from kpi.locale import set_language


def _language_asked(argv: list[str]) -> str | None:
    for n, arg in enumerate(argv):
        if arg == "--lang" and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return os.environ.get("KPI_LANG")


set_language(_language_asked(sys.argv[1:]))

# The commands register themselves on import, after the language is set: hence E402.
from kpi.cli import (  # noqa: E402, F401
    access_cmd,
    audit_cmd,
    db_cmd,
    io_cmd,
    plan_cmd,
    record_cmd,
    report_cmd,
    status_cmd,
)
from kpi.cli.app import app, main  # noqa: E402

__all__ = ["app", "main"]
