"""Where the database is, when the command line does not say: the user's own setting.

In order: ``--db``; the ``KPI_DB`` variable; ``db = "…"`` in the user's settings file,
``$XDG_CONFIG_HOME/kpi/config.toml`` (``~/.config/kpi/config.toml`` when the variable is not
set); and last ``db/kpi.sqlite`` under the working directory. So a command run from another
folder finds the office's database instead of silently starting a second one::

    # ~/.config/kpi/config.toml
    db = "/srv/kpi/db/kpi.sqlite"

A relative path in the file is read from the file's folder; ``~`` is the home folder. A file
that cannot be read is an error naming it, never ignored: a wrong database is worse than none.
"""

from __future__ import annotations

from pathlib import Path

from kpi.env import Env
from kpi.errors import InputError


def config_file(env: Env) -> Path | None:
    """The user's settings file (it may not exist), or None when there is no home to hold it."""
    base = env.get("XDG_CONFIG_HOME")
    if base and Path(base).is_absolute():
        return Path(base) / "kpi" / "config.toml"
    home = env.get("HOME")
    return Path(home) / ".config" / "kpi" / "config.toml" if home else None


def configured_db(env: Env) -> str | None:
    """``db`` from the settings file, if the file exists and names one."""
    from kpi.locale import t

    path = config_file(env)
    if path is None or not path.is_file():
        return None
    import tomllib

    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(t("config.unreadable", path=str(path), problem=str(exc))) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(t("config.bad_toml", path=str(path), problem=str(exc))) from None
    db = settings.get("db")
    if db is None:
        return None
    if not isinstance(db, str) or not db.strip():
        raise InputError(t("config.bad_db", path=str(path)))
    db = db.strip()
    if "://" in db:
        return db
    home = env.get("HOME")
    target = Path(home) / db[2:] if db.startswith("~/") and home else Path(db)
    return str(target if target.is_absolute() else path.parent / target)


def database(given: str | None, env: Env) -> str | None:
    """The database a command uses: ``--db`` or ``KPI_DB`` (``given``, as click read them; the
    variable again for callers outside click), else the settings file's, else None (the default
    ``db/kpi.sqlite`` under the working directory)."""
    return given or env.get("KPI_DB") or configured_db(env)
