"""The README's two commands stay true: CI runs exactly the test command it shows."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO


def _commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", readme)[:2]


def test_readme_starts_with_the_install_and_test_commands() -> None:
    install, test = _commands()
    assert install.endswith("kpi status")
    assert "pytest" in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()


def test_the_tests_run_the_working_tree() -> None:
    """A test that imported an installed copy of kpi would pass whatever the checkout says."""
    import subprocess
    import sys

    import kpi

    assert Path(kpi.__file__).resolve().is_relative_to(REPO / "kpi")
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import kpi.cli, pathlib; print(pathlib.Path(kpi.__file__).resolve())",
        ],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=60,
    )
    assert Path(child.stdout.strip()).is_relative_to(REPO / "kpi"), child.stdout + child.stderr
