"""Shared fixtures: every test runs in its own folder with its own database and a fixed clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from kpi.cli import app
from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.locale import set_language

REPO = Path(__file__).resolve().parent.parent
PLAN_FILE = REPO / "targets" / "2025.yaml"
# The congress report the plan comes from lies beside the repository in CI and in development;
# a fresh clone has no copy, and the tests that need it skip.
REPORT = Path(
    os.environ.get("KPI_REPORT", REPO.parent / "shared" / "seeds" / "000_86de21a0d6aee1c9.txt")
)

MID_YEAR = "2025-07-02"  # 183 of 365 days: 序时进度 50.1%

# Hypothesis: in CI the same examples on every run, so that a red run can be replayed and a green
# one is not luck; nothing saved between runs, no deadline on a busy machine. (Hypothesis's own
# "ci" profile, written out so that it holds on every version pyproject.toml allows, with the
# CI variable .ci/run is run with.) scripts/mutate.py asks for fewer examples still.
_CI = {"derandomize": True, "database": None, "deadline": None, "print_blob": True}
settings.register_profile("ci", suppress_health_check=[HealthCheck.too_slow], **_CI)
settings.register_profile("mutants", max_examples=30, **_CI)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The engine the suite runs on: SQLite files by default; a PostgreSQL server when this names one,
# e.g. postgresql+psycopg://kpi:kpi@127.0.0.1/kpi_test (.ci/run runs the suite on both).
TEST_DB_URL = os.environ.get("KPI_TEST_DB_URL")
sqlite_only = pytest.mark.skipif(TEST_DB_URL is not None, reason="a SQLite file feature")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh working folder holding a copy of the plan; no colour, 80 columns, Chinese."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "targets").mkdir()
    shutil.copy(PLAN_FILE, tmp_path / "targets" / "2025.yaml")
    for var in ("KPI_DB", "KPI_LANG", "KPI_TODAY", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))  # no user's settings file
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("KPI_DEBUG", "1")  # unexpected errors surface in tests, never hidden
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture(autouse=True)
def _database(_isolated: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """On PostgreSQL, every test gets a schema of its own, dropped afterwards."""
    if not TEST_DB_URL:
        yield
        return
    import uuid

    from sqlalchemy import text

    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = _server()
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in TEST_DB_URL else "?"
    monkeypatch.setenv("KPI_DB", f"{TEST_DB_URL}{separator}options=-csearch_path%3D{schema}")
    yield
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


_engine = None


def _server():  # type: ignore[no-untyped-def]
    global _engine
    if _engine is None:
        from sqlalchemy import create_engine

        _engine = create_engine(TEST_DB_URL)
    return _engine


@pytest.fixture(scope="session")
def plan() -> Plan:
    return parse_plan(PLAN_FILE.read_text(encoding="utf-8"), "targets/2025.yaml")


@pytest.fixture(scope="session")
def report_text() -> str:
    if not REPORT.exists():
        pytest.skip("the congress report is not beside this checkout")
    return REPORT.read_text(encoding="utf-8")


Run = Callable[..., Result]


Build = Callable[[Run], None]


@pytest.fixture(scope="session")
def _made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The databases fixtures have built this session, by name (SQLite only)."""
    return {"": tmp_path_factory.mktemp("made")}


Prepare = Callable[[str, Build], None]


@pytest.fixture
def prepare(run: Run, _made: dict[str, Path]) -> Prepare:
    """``prepare("name", build)``: this test's database as ``build(run)`` leaves it.

    On SQLite the first test to ask builds it for real, with the command line, and each later
    test gets a copy of that file: the same rows, ids and plan, in a millisecond instead of
    replaying the commands. On PostgreSQL (one schema per test) every test builds its own."""

    def make(name: str, build: Build) -> None:
        target = Path("db") / "kpi.sqlite"
        if TEST_DB_URL:
            build(run)
            return
        if name in _made:
            target.parent.mkdir(exist_ok=True)
            for suffix in ("", "-wal"):  # the write-ahead log holds what is not checkpointed
                kept = Path(f"{_made[name]}{suffix}")
                if kept.exists():
                    shutil.copyfile(kept, f"{target}{suffix}")
            return
        build(run)
        kept = _made[""] / f"{name}.sqlite"
        for suffix in ("", "-wal"):
            if Path(f"{target}{suffix}").exists():
                shutil.copyfile(f"{target}{suffix}", f"{kept}{suffix}")
        _made[name] = kept

    return make


def loaded(run: Run) -> None:
    """A build: the real plan loaded."""
    assert run("load").exit_code == 0


@pytest.fixture
def run() -> Run:
    """``run("status", "--format", "json", today="2025-07-02", input="…")`` → the CLI's result."""
    runner = CliRunner(mix_stderr=False)

    def invoke(*args: str, today: str = MID_YEAR, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), env={"KPI_TODAY": today}, input=input)

    return invoke
