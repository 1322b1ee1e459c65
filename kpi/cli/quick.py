"""The key press staff make most — Tab after ``kpi show``, ``update``, ``done`` or ``history`` — answered
without the command framework.

Completion runs a whole ``kpi`` process at every Tab; importing Typer, click and every command
costs more than the answer itself. ``kpi.cli`` asks ``answer`` first: when bash or zsh completes
the ITEM of one of those commands (after at most ``--db``, ``--plan`` or ``--lang`` and their
values), it prints the codes from the database and ends the process; for anything else it
returns False and the framework completes as usual (``kpi.cli.complete``). Both give the same
answer: the codes that start with what was typed, else those whose title holds it (bash: ``code
title`` when there are several, and what was typed with them when they were found by title; zsh:
the title beside each code).
"""

from __future__ import annotations

import shlex
import sys

from kpi.env import Env
from kpi.errors import KpiError

Offer = list[tuple[str, str]]
ITEM_COMMANDS = {"show", "update", "done", "history"}
GLOBAL_OPTIONS = {"--db", "--plan", "-p", "--lang"}


def items_for(names: list[tuple[str, str]], typed: str, shell: str | None) -> Offer:
    """The codes ``typed`` may be the start of, else those whose title holds it."""
    typed = typed.strip()
    found = [(code, title) for code, title in names if code.startswith(typed)]
    if not found and typed:
        from kpi.core.values import normalize

        folded = normalize(typed)
        found = [
            (code, title)
            for code, title in names
            if code.startswith(folded) or typed in title or folded in title
        ]
    if shell == "bash" and len(found) > 1:
        listed = [(f"{code} {title}", "") for code, title in found]
        if not all(code.startswith(typed) for code, _ in found):
            # Found by title: what was typed is offered too, so that bash, which would put the
            # codes' common start (``1.3.``) in its place, keeps it and lists the matches.
            listed.append((typed, ""))
        return listed
    return found


def zsh_script(items: Offer, incomplete: str) -> str:
    """What zsh evaluates: Typer's form when every value starts with what was typed; otherwise
    ``compadd -U``, which lets a code found by its title replace the word."""
    if not items:
        return "_files"
    if all(value.startswith(incomplete) for value, _ in items):
        shown = "\n".join(
            f'"{_zsh_escape(v)}":"{_zsh_escape(h)}"' if h else f'"{_zsh_escape(v)}"'
            for v, h in items
        )
        return f"_arguments '*: :(({shown}))'"
    values = " ".join(_quoted(v) for v, _ in items)
    shown = " ".join(_quoted(f"{v} -- {h}" if h else v) for v, h in items)
    # Several: list them and keep what was typed (not the codes' common start, 1.3.).
    keep = "; compstate[insert]=''; compstate[list]='list force'" if len(items) > 1 else ""
    return (
        f"local -a _kpi_v _kpi_d; _kpi_v=({values}); _kpi_d=({shown}); "
        f"compadd -U -V unsorted -l -d _kpi_d -a _kpi_v{keep}"
    )


def _zsh_escape(s: str) -> str:
    return (
        s.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )


def _quoted(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "'\\''") + "'"


def _words(env: Env, shell: str) -> tuple[list[str], str] | None:
    """The words before the one being completed, and that one, as the shell gave them."""
    try:
        if shell == "bash":
            words = shlex.split(env.get("COMP_WORDS") or "")
            n = int(env.get("COMP_CWORD") or "0")
            return words[1:n], (words[n] if n < len(words) else "")
        line = env.get("_TYPER_COMPLETE_ARGS") or ""
        words = shlex.split(line)[1:]
        if words and not line.endswith(" "):
            return words[:-1], words[-1]
        return words, ""
    except ValueError:  # an open quote: the framework knows what to do
        return None


def answer() -> bool:
    """Print the completion of an ITEM and say True, or say False (not such a key press)."""
    try:
        env = Env.from_process()
    except KpiError:
        return False
    shell = (env.get("_KPI_COMPLETE") or "").removeprefix("complete_")
    if shell not in ("bash", "zsh"):
        return False
    found = _words(env, shell)
    if found is None:
        return False
    args, incomplete = found
    given: dict[str, str] = {}
    while args and args[0] in GLOBAL_OPTIONS and len(args) > 1:
        given[args[0]] = args[1]
        args = args[2:]
    if len(args) != 1 or args[0] not in ITEM_COMMANDS or incomplete.startswith("-"):
        return False
    from kpi.app.completion import item_names
    from kpi.cli.settings import database

    try:
        db = database(given.get("--db"), env)
    except KpiError:
        db = None
    names = item_names(db, env, given.get("--plan") or given.get("-p"))
    items = items_for(names, incomplete, shell)
    if shell == "bash":
        text = "\n".join(value for value, _ in items)
    else:
        text = zsh_script(items, incomplete)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return True
