"""The house keeps its shape: each layer imports only the layers beneath it, and nothing imports
in a circle.

The layers, from the top down (each may import those listed beside it, and itself):

- ``cli``: parses the command line, makes one call of ``app``, renders; maps errors to exit codes;
- ``app``: one call per use case (record, import, load, report, roll over …), over the store;
- ``rollover``, ``sheets``, ``report``, ``formats``: next year's file, spreadsheets, the weekly
  summary, numbers and words — data in, data out;
- ``store``: the only layer that touches a database;
- ``core``: the plan model and the rules, plain Python;
- ``env`` (the world outside), ``locale`` (every message), ``safety`` (characters that could harm
  a terminal) and ``errors``: the ground.

Besides: only ``cli`` imports Typer, click and Rich; only ``store`` a database driver; nothing
reads the process's environment, clock or user but ``kpi/env.py`` and the program's edge;
importing the command line does nothing but define it; no module grows past ~420 lines.

Imports are read from the source with ``ast``, wherever they stand (in a function, under
``TYPE_CHECKING``): relative ones resolved, ``from kpi import store`` read as ``kpi.store``, and
``from kpi.store import access`` as the module ``kpi.store.access``. The last tests plant one
violation of each kind in a copy of the package and check that it is caught.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

KPI = REPO / "kpi"
UI = {"typer", "click", "rich"}
DATABASE = {"sqlite3", "sqlalchemy", "sqlmodel", "alembic", "psycopg"}

GROUND = {"locale", "errors", "safety", "__init__"}  # the package's face: its version
ALLOWED: dict[str, set[str]] = {
    "__main__": {"cli"},
    "cli": {"app", "report", "sheets", "formats", "core", "env"} | GROUND,
    "app": {"rollover", "sheets", "report", "formats", "store", "core", "env"} | GROUND,
    "rollover": {"formats", "core"} | GROUND,
    "sheets": {"report", "formats", "core"} | GROUND,
    "report": {"formats", "core"} | GROUND,
    "formats": {"core"} | GROUND,
    "store": {"core", "env"} | GROUND,
    "core": GROUND,
    "env": {"locale", "errors"},
    "locale": {"safety"},
    "safety": set(),
    "errors": set(),
    "__init__": set(),
}


def _modules(root: Path = KPI) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def _name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path = KPI) -> set[str]:
    """Every module ``path`` imports, by its full name, relative imports resolved; a name
    imported from a package is that package's module when there is one."""
    package = _name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            submodules = {f"{module}.{a.name}" for a in node.names}
            submodules = {m for m in submodules if _exists(m, root)}
            found |= submodules
            if len(submodules) < len(node.names):  # a name defined in the module itself
                found.add(module)
    return found


def _exists(module: str, root: Path) -> bool:
    if not module.startswith(root.name + "."):
        return False
    relative = Path(*module.split(".")[1:])
    return (root / relative).with_suffix(".py").is_file() or (
        root / relative / "__init__.py"
    ).is_file()


def layer_of(module: str) -> str:
    """``kpi.store.access`` → ``store``; ``kpi.errors`` → ``errors``; ``kpi`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def violations(root: Path = KPI) -> list[str]:
    """Every import that breaks the rules above, as ``file: what``."""
    found: list[str] = []
    for path in _modules(root):
        where = path.relative_to(root.parent).as_posix()
        mine = layer_of(_name(path, root))
        if mine not in ALLOWED:
            found.append(f"{where}: the layer {mine!r} is not in the plan of the house")
            continue
        names = imports(path, root)
        top = {n.split(".")[0] for n in names}
        if mine != "cli" and top & UI:
            found.append(f"{where}: imports {sorted(top & UI)} (only the command line may)")
        if mine != "store" and top & DATABASE:
            found.append(f"{where}: touches a database ({sorted(top & DATABASE)})")
        for name in sorted(n for n in names if n == root.name or n.startswith(root.name + ".")):
            theirs = layer_of(name)
            if theirs != mine and theirs not in ALLOWED[mine]:
                found.append(f"{where}: {mine} may not import {name} ({theirs})")
    return found


def cycles(root: Path = KPI) -> list[list[str]]:
    """Modules that import each other in a circle (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {}
    for path in _modules(root):
        me = _name(path, root)
        graph[me] = {n for n in imports(path, root) if _exists(n, root) and n != me}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_each_layer_imports_only_what_lies_beneath_it() -> None:
    assert violations() == []


def test_nothing_imports_in_a_circle() -> None:
    assert cycles() == []


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
        "cli/root.py",  # the program's edge: masks secrets from argv and the environment
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


def test_importing_the_command_line_does_nothing_but_define_it(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    """No database opened, no file written, nothing printed, no Tab answered (even when the
    shell asks for one), no language chosen: a fresh folder stays empty and the output silent."""
    probe = (
        "import kpi.cli, kpi.cli.root, kpi.locale; "
        "assert kpi.locale.language() == 'zh', 'a language was chosen on import'"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "--lang", "en"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder),
            "PYTHONPATH": str(REPO),
            "KPI_LANG": "en",
            "_KPI_COMPLETE": "complete_bash",
            "COMP_WORDS": "kpi show ",
            "COMP_CWORD": "2",
        },
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
    assert list(folder.iterdir()) == []


# -- the test catches what it must -------------------------------------------------------------


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package to plant violations in."""
    target = tmp_path_factory.mktemp("house") / "kpi"
    shutil.copytree(KPI, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _plant(root: Path, relative: str, line: str) -> Path:
    path = root / relative
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("relative", "line", "caught"),
    [
        # an upward arrow, written three ways
        ("core/lights.py", "from kpi.store import Store", "core may not import kpi.store"),
        ("core/lights.py", "from kpi import app", "core may not import kpi.app"),
        ("store/plans.py", "from ..cli import context", "store may not import kpi.cli.context"),
        # a layer skipped: the command line past the application layer, to the store
        ("cli/summary.py", "from kpi.store.records import updates", "cli may not import"),
        # a type-only import counts as much
        (
            "report/text.py",
            "if TYPE_CHECKING:\n    from kpi.app.workspace import Workspace",
            "report may not import kpi.app",
        ),
        # a terminal or a database where they have no place
        ("formats/words.py", "import rich", "imports ['rich']"),
        ("app/views.py", "import sqlite3", "touches a database"),
        # a layer nobody planned
        ("newthing.py", "x = 1", "not in the plan of the house"),
    ],
)
def test_the_layering_test_catches_each_kind(
    copy: Path, relative: str, line: str, caught: str
) -> None:
    path = copy / relative
    before = path.read_text(encoding="utf-8") if path.exists() else None
    if before is None:
        path.write_text("", encoding="utf-8")
    try:
        _plant(copy, relative, line)
        found = violations(copy)
        assert any(caught in v for v in found), found
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_text(before, encoding="utf-8")
    assert violations(copy) == []


def test_the_layering_test_catches_a_circle(copy: Path) -> None:
    path = copy / "core" / "values.py"
    before = path.read_text(encoding="utf-8")
    try:
        _plant(copy, "core/values.py", "def _late() -> None:\n    from kpi.core import status")
        found = cycles(copy)
        assert any("kpi.core.values" in g and "kpi.core.status" in g for g in found), found
    finally:
        path.write_text(before, encoding="utf-8")
    assert cycles(copy) == []
