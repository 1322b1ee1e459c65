"""click's own errors — a missing argument, an unknown command or option, a bad value — as one line
in the chosen language, with what to type instead.

click shows them as a usage line, a hint and a boxed ``Error: Missing argument 'VALUE'.``; kpi
promises one line: ``错误：缺少参数 VALUE；用法：kpi update ITEM VALUE``. The message is rebuilt
from the exception's parts (which parameter, which name, what click suggests), never from its
English text, except for the few messages click gives only as text (an unknown command, extra
arguments, the values a choice takes), matched here by their fixed wording.
"""

from __future__ import annotations

import difflib
import re

import click

from kpi.locale import t

_NO_COMMAND = re.compile(r"^No such command '(.*)'\.$")
_EXTRA = re.compile(r"^Got unexpected extra arguments? \((.*)\)$")
_NOT_ONE_OF = re.compile(r"^'(.*)' is not (?:one of )?(.*)\.$", re.S)
_NOT_NUMBER = re.compile(r"^'(.*)' is not a valid (integer|float|integer range|float range)\.$")
_NEEDS_VALUE = re.compile(r"requires (?:an argument|\d+ arguments)\.$")
_NO_VALUE = re.compile(r"does not take a value\.$")
_NO_FILE = re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.$")


def one_line(exc: click.ClickException) -> str:
    """The whole message, ``错误：`` first: what is wrong, and what to type instead."""
    if not isinstance(exc, click.UsageError):
        return t("cli.error_prefix") + exc.format_message()
    ctx = exc.ctx
    problem, hint = _problem(exc)
    if hint is None and ctx is not None:
        hint = usage_hint(ctx)
    text = problem if not hint else t("usage.joined", problem=problem, hint=hint)
    return t("cli.error_prefix") + " ".join(text.split())


def usage_hint(ctx: click.Context) -> str:
    """``用法：kpi update ITEM VALUE``, or for a group ``kpi db --help 列出全部命令``."""
    if isinstance(ctx.command, click.Group):
        return t("usage.see_commands", path=ctx.command_path)
    args = [p.make_metavar() for p in ctx.command.get_params(ctx) if isinstance(p, click.Argument)]
    return t("usage.usage", usage=" ".join([ctx.command_path, *args]))


def _option_hint(ctx: click.Context | None) -> str | None:
    return t("usage.see_options", path=ctx.command_path) if ctx is not None else None


def _name(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _problem(exc: click.UsageError) -> tuple[str, str | None]:
    """What is wrong, and a hint to use in place of the usage line (None: the usage line)."""
    ctx = exc.ctx
    if isinstance(exc, click.MissingParameter):
        name = _name(exc.param, ctx)
        if isinstance(exc.param, click.Option):
            return t("usage.missing_option", name=name), None
        return t("usage.missing_argument", name=name), None
    if isinstance(exc, click.NoSuchOption):
        problem = t("usage.no_such_option", name=exc.option_name)
        if exc.possibilities:
            problem += t("usage.did_you_mean", names=_listed(sorted(exc.possibilities)))
        return problem, _option_hint(ctx)
    if isinstance(exc, click.BadOptionUsage):
        if _NEEDS_VALUE.search(exc.message):
            return t("usage.needs_value", name=exc.option_name), _option_hint(ctx)
        if _NO_VALUE.search(exc.message):
            return t("usage.takes_no_value", name=exc.option_name), _option_hint(ctx)
        return exc.message, _option_hint(ctx)
    if isinstance(exc, click.BadParameter):
        # An option's value: the message says what it may be; an argument's: the usage too.
        return _bad_value(exc), "" if isinstance(exc.param, click.Option) else None
    if m := _NO_COMMAND.match(exc.message):
        return _no_command(m.group(1), ctx), (
            t("usage.see_commands", path=ctx.command_path) if ctx is not None else None
        )
    if m := _EXTRA.match(exc.message):
        return t("usage.extra", args=m.group(1)), None
    if exc.message == "Missing command.":
        return t("usage.missing_command"), None
    return exc.message, None


def _listed(names: list[str]) -> str:
    return t("usage.names_sep").join(names)


def _no_command(name: str, ctx: click.Context | None) -> str:
    problem = t("usage.no_such_command", name=name)
    if ctx is not None and isinstance(ctx.command, click.Group):
        names = ctx.command.list_commands(ctx)
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        close += [n for n in names if n.startswith(name) and n not in close and name]
        if close:
            problem += t("usage.did_you_mean", names=_listed(close[:3]))
    return problem


def _bad_value(exc: click.BadParameter) -> str:
    """A value click refused: for the choices it knows, what may be given instead."""
    from kpi.cli.options import LightWord

    name = _name(exc.param, exc.ctx) if exc.param is not None else str(exc.param_hint or "")
    message = exc.message
    param_type = exc.param.type if exc.param is not None else None
    if isinstance(param_type, LightWord):
        return message  # kpi's own words, whole
    if isinstance(param_type, click.Choice) and (m := _NOT_ONE_OF.match(message)):
        choices = _listed([str(c) for c in param_type.choices])
        return t("usage.not_a_choice", value=m.group(1), name=name, choices=choices)
    if m := _NOT_NUMBER.match(message):
        key = "usage.not_integer" if m.group(2).startswith("integer") else "usage.not_number"
        return t(key, value=m.group(1), name=name)
    if m := _NO_FILE.match(message):
        return t("usage.no_file", path=m.group(1), name=name)
    return t("usage.bad_value", name=name, problem=message)
