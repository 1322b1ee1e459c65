"""Commands staff type twenty times a day stay light: what they import.

SQLAlchemy, SQLModel, pydantic, Alembic, PyYAML and openpyxl cost more to import than a status
takes to show or a record takes to write (bench/ measures it); reading and recording on SQLite
must not import them, on a PostgreSQL server neither (psycopg is reached directly). Cheap and stable:
each command runs once in a child process that lists the modules it ended with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import MID_YEAR, Run

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "yaml", "openpyxl")

_PROBE = """
import json, sys
sys.argv = ["kpi", *sys.argv[1:]]
from kpi.cli import main
try:
    main()
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print("\\nMODULES " + json.dumps(heavy), file=sys.stderr)
"""


def _modules(*args: str) -> list[str]:
    env = {**os.environ, "KPI_TODAY": MID_YEAR, "HEAVY": json.dumps(HEAVY)}
    env.pop("KPI_DEBUG", None)
    probe = _PROBE.replace("json.loads(HEAVY)", "json.loads(__import__('os').environ['HEAVY'])")
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True, timeout=60
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return json.loads(line.removeprefix("MODULES "))


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("status",),
        ("status", "--format", "json"),
        ("show", "招引企业"),
        ("history",),
        ("report", "weekly"),
        ("report", "weekly", "--format", "html"),
        ("update", "1.1.5", "+1", "--note", "x"),
        ("done", "3.1.1-1"),
        ("undo", "--yes"),
    ],
    ids=" ".join,
)
def test_reading_and_recording_import_nothing_heavy(run: Run, args: tuple[str, ...]) -> None:
    run("load")  # the database exists: the read and write paths are what is measured
    run("update", "1.1.5", "+1")
    assert _modules(*args) == []


def test_loading_a_plan_may_import_what_it_needs(run: Run) -> None:
    assert "yaml" in _modules("load", "--dry-run")
