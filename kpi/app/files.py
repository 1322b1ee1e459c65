"""Files that commands write (``--out``): their names, and writing them whole or not at all.

- ``out_path`` fills ``{year}``, ``{week}`` and ``{date}`` into a template and nothing else: no
  other field, conversion, format spec or index (``{week:>99999999}`` would make a 100 MB name).
- ``write_atomically`` writes beside the target and renames, so that nobody opens half a file;
  the file gets the modes the user's umask gives any new file, and temporary files left by a run
  that was killed are removed by the next one.
- Nothing is ever written over the database in use or any other database (``Store.guard_out``).
"""

from __future__ import annotations

import errno
import os
import string
from pathlib import Path

from kpi.errors import InputError, KpiError
from kpi.locale import t

PLACEHOLDERS = ("year", "week", "date")
MAX_PATH = 4096


def out_path(pattern: str, fields: dict[str, str]) -> Path:
    """``reports/{year}-W{week}.html`` → ``reports/2025-W27.html``."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise InputError(t("report.bad_template", pattern=_short(pattern), problem=exc)) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise InputError(t("report.bad_placeholder", name=_short(shown)))
    path = pattern.format(**{k: fields[k] for k in PLACEHOLDERS})
    if len(path) > MAX_PATH:
        raise InputError(t("report.path_too_long", n=len(path)))
    return Path(path).expanduser()


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(path)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if path.exists():
                # Replacing a file keeps its modes, as an editor saving it would.
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise KpiError(t("out.disk_full", path=path)) from None
        raise InputError(t("report.bad_out", path=path, problem=exc.strerror or exc)) from None


def _remove_leftovers(path: Path) -> None:
    """Temporary files beside ``path`` of runs that are no longer running."""
    prefix = f".{path.name}."
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix) : -len(".tmp")]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            entry.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
