"""Options several commands share: output formats, lights to filter by, the order, the as-of day.

``--light`` takes the words the tool prints, in either language — 红, 黄, 绿, 完成, 无数据, 监测,
逾期, 超额 or red, yellow, green, done, no-data, monitored, overdue, over — as well as the names of
the JSON (``none``, ``monitor``).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated, Any

import click
import typer

from kpi.locale import t


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class Sort(StrEnum):
    code = "code"  # by area and section, in the plan's order
    gap = "gap"  # the worst first


class LightChoice(StrEnum):
    """What ``--light`` filters on: a light, or (overdue, exceeded) a kind of red or done."""

    done = "done"
    green = "green"
    yellow = "yellow"
    red = "red"
    none = "none"
    monitor = "monitor"
    overdue = "overdue"
    exceeded = "exceeded"


# The catalogue keys of the words printed for each choice (both languages are accepted).
LIGHT_KEYS = {
    LightChoice.done: ("light.short.done", "light.done"),
    LightChoice.green: ("light.short.green", "light.green"),
    LightChoice.yellow: ("light.short.yellow", "light.yellow"),
    LightChoice.red: ("light.short.red", "light.red"),
    LightChoice.none: ("light.short.none", "light.none"),
    LightChoice.monitor: ("light.short.monitor", "light.monitor"),
    LightChoice.overdue: ("light.overdue_short",),
    LightChoice.exceeded: ("light.exceeded_short", "light.exceeded"),
}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def light_words() -> dict[str, LightChoice]:
    """Every word ``--light`` takes, folded (NFKC, lower case), with what it chooses."""
    from kpi.locale import CATALOGUES

    words: dict[str, LightChoice] = {}
    for choice, keys in LIGHT_KEYS.items():
        words[choice.value] = choice
        for catalogue in CATALOGUES.values():
            for key in keys:
                words.setdefault(_fold(catalogue[key]), choice)
    return words


def shown_words() -> list[str]:
    """The words to offer, in the language in use: 完成 绿 黄 红 无数据 监测 逾期 超额."""
    return [t(keys[0]) for keys in LIGHT_KEYS.values()]


class LightWord(click.ParamType):
    """A light as the tool prints it, in either language; converts to a ``LightChoice``."""

    name = "light"

    def get_metavar(self, param: click.Parameter) -> str:
        return "[" + "|".join(shown_words()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, LightChoice):
            return value
        choice = light_words().get(_fold(str(value)))
        if choice is None:
            self.fail(t("status.bad_light", value=str(value), words=" ".join(shown_words())))
        return choice


AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help=t("help.as_of")),
]
