"""Every command, registered on ``app`` as its module is imported (in the language chosen by
then: the help comes from the message catalogue)."""

from kpi.cli import (
    access_cmd,
    audit_cmd,
    db_cmd,
    io_cmd,
    plan_cmd,
    record_cmd,
    report_cmd,
    status_cmd,
)
from kpi.cli.root import app, run

__all__ = [
    "access_cmd",
    "app",
    "audit_cmd",
    "db_cmd",
    "io_cmd",
    "plan_cmd",
    "record_cmd",
    "report_cmd",
    "run",
    "status_cmd",
]
