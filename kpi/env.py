"""The world outside the program, read in one place and handed down: variables, clock, terminal, user.

Nothing else in kpi reads ``os.environ``, the clock or the terminal on its own: the command line
makes one ``Env`` per run (``Env.from_process``) and passes it to what needs it, and tests make
their own (a fixed day, a terminal that is or is not there), as httpie's ``Environment`` does.

- ``today`` is the day commands work with: the real date, or ``KPI_TODAY`` — a setting for tests
  and for replaying a past day. It never changes the time a record is stamped with: ``now()`` is
  always the real clock.
- ``user`` is the account of the process's real uid, from the password database: what
  ``$USER`` or ``$LOGNAME`` say is not asked, since anyone can type them.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kpi.errors import InputError


def real_now() -> dt.datetime:
    """The real time, with the local zone, to the second."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


def account_name() -> str:
    """The account name of the real uid, or the uid itself where there is no such entry."""
    if not hasattr(os, "getuid"):  # not a POSIX system
        return os.environ.get("USERNAME") or "unknown"
    uid = os.getuid()
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return str(uid)


@dataclass(frozen=True)
class Env:
    """One run's environment. ``variables`` are the process's environment variables."""

    variables: Mapping[str, str] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    user: str = "unknown"
    interactive: bool = False  # a person at a terminal can answer a question
    cwd: Path = field(default_factory=Path.cwd)
    clock: Callable[[], dt.datetime] = real_now

    @classmethod
    def from_process(cls) -> Env:
        variables = dict(os.environ)
        return cls(
            variables=variables,
            today=today_from(variables.get("KPI_TODAY")),
            user=account_name(),
            interactive=_isatty(sys.stdin),
            cwd=Path.cwd(),
        )

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.variables.get(name)
        return value if value else default

    def flag(self, name: str) -> bool:
        return (self.variables.get(name) or "").strip().lower() in {"1", "true", "yes", "on"}

    def now(self) -> dt.datetime:
        return self.clock()


def today_from(value: str | None) -> dt.date:
    """``KPI_TODAY`` as a date; unset means the real date."""
    if not value or not value.strip():
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        from kpi.locale import t

        raise InputError(t("env.bad_today", value=value[:40])) from None


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False
