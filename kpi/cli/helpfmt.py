"""Help screens in the chosen language, laid out by terminal width: every word shown, none cut.

click lays help out by counting characters, so a line of Chinese (two columns a character) runs
past the edge, and its short help of each command is cut with ``...``. This formatter measures
columns (``kpi.core.text.width``), breaks lines only where ``kpi.cli.wrap`` allows, keeps the
line breaks of the examples that end every command's help, and puts click's and Typer's own
labels (Usage, Options, Arguments, Commands, "Show this message and exit.", ``[default: …]``) in
the language chosen. ``adopt`` fits a command tree with it: plain (not Rich) help, each command's
full short help, its examples (``EXAMPLES``), and this module's context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import click
import typer

from kpi.cli.wrap import wrap
from kpi.core.text import width as width_of
from kpi.locale import t

# click's and Typer's own words, and the catalogue key that says them in the chosen language.
LABELS = {
    "Options": "help.label_options",
    "Arguments": "help.label_arguments",
    "Commands": "help.label_commands",
    "Show this message and exit.": "help.label_help",
    "Install completion for the current shell.": "help.label_install_completion",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "help.label_show_completion"
    ),
}
_EXTRAS = re.compile(r"\\?\[((?:env var|default|required)[^\[\]]*)\]$")
_METAVARS = {
    "[OPTIONS]": "help.metavar_options",
    "COMMAND": "help.metavar_command",
    "[ARGS]...": "help.metavar_args",
    "TEXT": "help.metavar_text",
    "INTEGER": "help.metavar_integer",
    "PATH": "help.metavar_path",
}
_WORD = re.compile(r"\[OPTIONS\]|\[ARGS\]\.\.\.|\b(?:COMMAND|TEXT|INTEGER|PATH)\b")

# Each command's examples, by its path: the last thing its help shows.
EXAMPLES = {
    "kpi": "examples.kpi",
    "kpi status": "examples.status",
    "kpi show": "examples.show",
    "kpi update": "examples.update",
    "kpi done": "examples.done",
    "kpi undo": "examples.undo",
    "kpi void": "examples.void",
    "kpi history": "examples.history",
    "kpi report": "examples.report",
    "kpi report weekly": "examples.weekly",
    "kpi load": "examples.load",
    "kpi import": "examples.import",
    "kpi export": "examples.export",
    "kpi rollover": "examples.rollover",
    "kpi db": "examples.db",
    "kpi db upgrade": "examples.db_upgrade",
    "kpi db backup": "examples.db_backup",
    "kpi db check": "examples.db_check",
    "kpi plans": "examples.plans",
    "kpi plans retire": "examples.plans_retire",
    "kpi access": "examples.access",
    "kpi access init": "examples.access_init",
    "kpi access grant": "examples.access_grant",
    "kpi access revoke": "examples.access_revoke",
    "kpi access list": "examples.access_list",
    "kpi audit": "examples.audit",
}


def label(text: str) -> str:
    key = LABELS.get(text)
    return t(key) if key else text


def metavars(text: str) -> str:
    """``[OPTIONS] COMMAND [ARGS]...``, ``TEXT`` … in the chosen language."""
    return _WORD.sub(lambda m: t(_METAVARS[m.group()]), text)


def _extras(text: str) -> str:
    """Typer's ``[env var: KPI_DB; default: table; required]`` in the chosen language."""

    def say(m: re.Match[str]) -> str:
        parts = []
        for part in m.group(1).split("; "):
            name, _, value = part.partition(": ")
            if name == "env var":
                parts.append(t("help.label_env_var", name=value))
            elif name == "default":
                parts.append(t("help.label_default", value=value))
            elif name == "required":
                parts.append(t("help.label_required"))
            else:
                parts.append(part)
        return t("help.label_extras", extras=t("help.label_extras_sep").join(parts))

    return _EXTRAS.sub(say, text)


class HelpFormatter(click.HelpFormatter):
    """click's formatter, measuring columns and speaking the chosen language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = t("help.label_usage") if prefix is None else prefix
        text = f"{prog} {metavars(args)}".rstrip()
        indent = " " * self.current_indent
        lines = wrap(text, max(20, self.width - self.current_indent - width_of(head)))
        self.write(f"{indent}{head}{lines[0]}\n")
        pad = " " * (self.current_indent + width_of(head))
        for line in lines[1:]:
            self.write(f"{pad}{line}\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{label(heading)}{t('help.label_colon')}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        room = max(20, self.width - self.current_indent)
        for paragraph in text.split("\n"):
            if not paragraph.strip():
                self.write("\n")
                continue
            lead = len(paragraph) - len(paragraph.lstrip(" "))
            hang = " " * lead
            for n, line in enumerate(wrap(paragraph.strip(), room - lead - (2 if lead else 0))):
                more = "  " if n and lead else ""
                self.write(f"{indent}{hang}{more}{line}\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = [(metavars(term), _extras(label(help_text))) for term, help_text in rows]
        first = min(max((width_of(term) for term, _ in rows), default=0), col_max)
        indent = " " * self.current_indent
        room = max(20, self.width - self.current_indent - first - col_spacing)
        for term, help_text in rows:
            lines = wrap(help_text, room) if help_text else []
            if width_of(term) > first:
                self.write(f"{indent}{term}\n")
                head = ""
            else:
                head = term + " " * (first - width_of(term) + col_spacing)
                if not lines:
                    self.write(f"{indent}{term}\n")
                    continue
            pad = " " * (first + col_spacing)
            for n, line in enumerate(lines):
                self.write(f"{indent}{head if n == 0 and head else pad}{line}\n")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        self.write_paragraph()
        self.write_heading(name)
        self.indent()
        try:
            yield
        finally:
            self.dedent()


class Context(typer.Context):
    formatter_class = HelpFormatter


def adopt(command: click.Command, path: str = "kpi") -> None:
    """Fit ``command`` and every command under it with plain help in the chosen language, each
    command's whole short help, its examples, and ``Context``."""
    command.context_class = Context
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    if command.help and not command.short_help:
        command.short_help = command.help.strip().split("\n\n")[0]
    key = EXAMPLES.get(path)
    if key and not command.epilog:
        # The blank first line keeps the examples' indent through click's inspect.cleandoc.
        command.epilog = "\n" + t(key)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            adopt(sub, f"{path} {name}")
