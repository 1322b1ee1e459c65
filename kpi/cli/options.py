"""Options several commands share: output formats, lights to filter by, the as-of day."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kpi.locale import t


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class LightChoice(StrEnum):
    done = "done"
    green = "green"
    yellow = "yellow"
    red = "red"
    none = "none"
    monitor = "monitor"


AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help=t("help.as_of")),
]
