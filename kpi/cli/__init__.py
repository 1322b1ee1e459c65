"""The command line: ``kpi`` and its commands, one module per group of commands."""

from kpi.cli import db_cmd, io_cmd, plan_cmd, record_cmd, report_cmd, status_cmd  # noqa: F401  (they register their commands)
from kpi.cli.app import app, main

__all__ = ["app", "main"]
