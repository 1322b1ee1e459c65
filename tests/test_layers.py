"""The house keeps its shape: each layer imports only what lies beneath it.

- the core, the formats, the report, the sheets and the rollover import no Typer, click, Rich,
  sqlite3 or SQLAlchemy: they take data and return data;
- only the store touches a database (sqlite3, SQLAlchemy, SQLModel, Alembic, psycopg);
- only the command line imports Typer, click and Rich;
- nothing reads the process's environment, clock or user but ``kpi/env.py`` and the program's
  entry (``kpi/cli/app.py`` masks passwords from ``sys.argv`` and ``os.environ`` at the very end);
- no module grows past ~400 lines (the catalogues aside).

Read from the source with ``ast``: an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

KPI = REPO / "kpi"
UI = {"typer", "click", "rich"}
DATABASE = {"sqlite3", "sqlalchemy", "sqlmodel", "alembic", "psycopg"}


def _modules() -> list[Path]:
    return sorted(p for p in KPI.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def _layer(path: Path) -> str:
    parts = path.relative_to(KPI).parts
    return parts[0] if len(parts) > 1 else path.stem


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_each_layer_imports_only_what_it_may(path: Path) -> None:
    layer = _layer(path)
    imported = _imports(path)
    top = _top(imported)
    if layer != "cli":
        assert not top & UI, f"{layer} must not import {sorted(top & UI)}"
    if layer != "store":
        assert not top & DATABASE, f"{layer} must not touch a database: {sorted(top & DATABASE)}"
        assert not any(n.startswith("kpi.store") for n in imported) or layer == "cli"
    if layer in {"core", "formats", "report", "sheets", "rollover", "locale", "env", "errors"}:
        assert not any(n.startswith("kpi.cli") for n in imported), "the CLI is the top floor"
    if layer == "core":
        above = ("kpi.formats", "kpi.report", "kpi.sheets", "kpi.rollover", "kpi.store")
        assert not any(n.startswith(above) for n in imported), "the core is the ground floor"


_READS_THE_WORLD = (
    ("os", "environ"),
    ("os", "getenv"),
    ("getpass", "getuser"),
    ("date", "today"),
    ("datetime", "now"),
    ("sys", "stdin"),
)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_only_the_environment_reads_the_world(path: Path) -> None:
    if path.name == "env.py" or path.relative_to(KPI).as_posix() in {
        "cli/app.py",  # the program's edge: masks secrets from argv and the environment
        "cli/__init__.py",  # chooses the language before the commands are defined
        "cli/complete.py",  # runs at each key press, outside any command
    }:
        return
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
            owner = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
            if (owner, node.attr) in _READS_THE_WORLD:
                found.append(f"{owner}.{node.attr} (line {node.lineno})")
    assert not found, "read it from kpi.env.Env: " + ", ".join(found)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_is_a_warehouse(path: Path) -> None:
    if path.parent.name == "locale":
        return  # the catalogues: one line per message
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 420, f"{lines} lines: split it by what it does"
