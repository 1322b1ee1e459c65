"""What every command of one run shares: the environment, the workspace, the terminal.

``State`` is made by the global options (``app.main_options``) and handed to each command. The
work is the ``Workspace``'s (``kpi.app.workspace``: the database, the plan chosen, the day); the
state adds the terminal — standard output for data, standard error for notices beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rich.console import Console

from kpi.app.workspace import ALL, Workspace, default_plan_file, display_path
from kpi.env import Env

__all__ = ["ALL", "State", "default_plan_file", "display_path"]


@dataclass
class State:
    """One run: its environment, its workspace, where its output goes."""

    env: Env = field(default_factory=Env)
    db: str | None = None
    debug: bool = False
    chosen: str | None = None  # --plan or KPI_PLAN
    plan_version: str | None = None  # --plan-version: latest

    @cached_property
    def workspace(self) -> Workspace:
        return Workspace(
            env=self.env,
            db=self.db,
            chosen=self.chosen,
            plan_version=self.plan_version,
            notify=self.note,
        )

    @property
    def out(self) -> Console:
        # A line of text is never broken by kpi (the terminal wraps it, a pipe keeps it whole);
        # tables lay themselves out to the width.
        return Console(highlight=False, soft_wrap=True)

    @property
    def err(self) -> Console:
        return Console(stderr=True, highlight=False, soft_wrap=True)

    def note(self, message: str) -> None:
        """One line on stderr, beside (never inside) the data on stdout."""
        self.err.print(message, markup=False, style="dim")

    def close(self) -> None:
        if "workspace" in self.__dict__:
            self.workspace.close()
