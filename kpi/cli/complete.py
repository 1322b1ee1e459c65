"""Tab completion: the values an argument or option can take, worked out at every key press.

- ITEM: codes that start with what was typed (``3.1.1-`` → its milestones), or, when what was
  typed is not the start of a code, the items and milestones whose title holds it
  (``招`` → ``1.1.5`` 招引企业, …). zsh and fish show each code's title beside it; bash, which
  shows only the words, lists ``code title`` when there is more than one, and the bare code
  when there is one, so that Tab puts the code on the line.
- ``--office``: the plan's offices holding what was typed; ``--area``: area codes with their
  titles; ``--plan``: the plans in the database; ``--light``: the words ``kpi status`` prints.

It runs at every key press, so it never creates or upgrades a database: with no database yet it
offers nothing, and it reads what it needs in one or two queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from typer._completion_classes import ZshComplete as _TyperZsh

from kpi.env import Env
from kpi.errors import KpiError

if TYPE_CHECKING:
    from kpi.core.plan import Plan

Offer = list[tuple[str, str]]


def _asked(ctx: click.Context) -> tuple[str | None, Env, str | None]:
    """The database the command would use, the environment, and the plan asked for."""
    from kpi.cli.settings import database

    env = Env.from_process()
    root = ctx.find_root()
    try:
        db = database(root.params.get("db"), env)
    except KpiError:
        db = None
    return db, env, root.params.get("plan")


def _shell(env: Env) -> str | None:
    asked = env.get("_KPI_COMPLETE") or ""
    return asked.removeprefix("complete_") or None


def complete_item(ctx: click.Context, incomplete: str) -> Offer:
    """ITEM: codes with their titles (see the module's docstring)."""
    from kpi.app.completion import item_names
    from kpi.cli.quick import items_for

    db, env, plan = _asked(ctx)
    return items_for(item_names(db, env, plan), incomplete, _shell(env))


def _plan(ctx: click.Context) -> Plan | None:
    from kpi.app.completion import plan

    return plan(*_asked(ctx))


def complete_office(ctx: click.Context, incomplete: str) -> Offer:
    plan = _plan(ctx)
    if plan is None:
        return []
    offices = list(dict.fromkeys([*plan.offices, *(i.lead_office for i in plan.items)]))
    return [(o, "") for o in offices if incomplete.strip() in o]


def complete_area(ctx: click.Context, incomplete: str) -> Offer:
    plan = _plan(ctx)
    if plan is None:
        return []
    return [(a.code, a.title) for a in plan.areas if a.code.startswith(incomplete.strip())]


def complete_plan(ctx: click.Context, incomplete: str) -> Offer:
    from kpi.app.completion import plans

    db, env, _ = _asked(ctx)
    return [(p, h) for p, h in plans(db, env) if p.startswith(incomplete.strip())]


def complete_light(ctx: click.Context, incomplete: str) -> Offer:
    """The words ``kpi status`` prints for the lights, in the language in use."""
    from kpi.cli.options import shown_words

    return [(w, "") for w in shown_words() if w.startswith(incomplete.strip())]


# -- wiring ---------------------------------------------------------------------------------------

# The parameters completed, by name, wherever a command has them.
COMPLETERS: dict[str, Callable[[click.Context, str], Offer]] = {
    "item": complete_item,
    "office": complete_office,
    "area": complete_area,
    "light": complete_light,
    "plan": complete_plan,
    "plan_id": complete_plan,
}


def attach(command: click.Command) -> None:
    """Complete the parameters of ``COMPLETERS`` under ``command`` with kpi's completers, as
    they are: Typer's own wiring keeps only the values that start with what was typed, and so
    would drop a code found by its title (``招引`` → ``1.1.5``). Also gives zsh a completion
    class that can offer such a value (``ZshComplete``)."""
    for param in command.params:
        completer = COMPLETERS.get(param.name or "")
        if completer is not None:
            param._custom_shell_complete = _unfiltered(completer)
    for sub in getattr(command, "commands", {}).values():
        attach(sub)
    from click.shell_completion import add_completion_class

    add_completion_class(ZshComplete, "zsh")


def _unfiltered(completer: Callable[[click.Context, str], Offer]) -> Callable[..., list[Any]]:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        offer = completer(ctx, incomplete)
        return [CompletionItem(value, help=help or None) for value, help in offer]

    return complete


class ZshComplete(_TyperZsh):
    """Typer's zsh completion, but values found by their title (not starting with what was
    typed) are offered with ``compadd -U``, which lets them replace the word; zsh would drop
    them otherwise."""

    def complete(self) -> str:
        from kpi.cli.quick import zsh_script

        args, incomplete = self.get_completion_args()
        items = self.get_completions(args, incomplete)
        return zsh_script([(i.value, i.help or "") for i in items], incomplete)
