"""`kpi status` and `kpi show`: where everything, or one item, stands as of a date."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.app import app, complete_item, state
from kpi.errors import InputError
from kpi.messages import t

if TYPE_CHECKING:
    from kpi.status import ItemStatus, PlanStatus


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


AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help=t("help.as_of")),
]


@app.command(help=t("help.status"))
def status(
    ctx: typer.Context,
    as_of: AsOf = None,
    area: Annotated[list[str] | None, typer.Option("--area", "-a", help=t("help.area"))] = None,
    office: Annotated[str | None, typer.Option("--office", "-o", help=t("help.office"))] = None,
    light: Annotated[
        list[LightChoice] | None,
        typer.Option("--light", "-l", help=t("help.light")),
    ] = None,
    stale: Annotated[bool, typer.Option("--stale", help=t("help.stale"))] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=t("help.format"))] = Format.table,
) -> None:
    """The plan by area and section: baseline, target, actual, completion, gap, light."""
    from kpi import formats

    st = state(ctx)
    plan = st.plan()
    day = st.as_of(as_of)
    ps = st.status(day)
    shown = list(ps.items)
    if area:
        known = {a.code for a in plan.areas}
        for code in area:
            if code not in known:
                raise InputError(t("status.bad_area", area=code, areas=" ".join(sorted(known))))
        shown = [s for s in shown if s.item.area_code in area]
    if office:
        matches = [o for o in plan.offices if office in o]
        if not matches:
            raise InputError(t("status.bad_office", office=office, offices="、".join(plan.offices)))
        exact = office if office in plan.offices else None
        shown = [
            s
            for s in shown
            if (s.item.lead_office == exact if exact else office in s.item.lead_office)
        ]
    if light:
        wanted = {x.value for x in light}
        shown = [s for s in shown if s.light.value in wanted]
    if stale:
        shown = [s for s in shown if s.stale]

    if fmt == Format.json:
        typer.echo(formats.to_json(formats.status_records(ps, shown)))
        return
    if fmt == Format.csv:
        typer.echo(formats.to_csv(formats.status_records(ps, shown)), nl=False)
        return
    if fmt == Format.md:
        typer.echo(_markdown(ps, shown), nl=False)
        return

    from kpi import render

    out = st.out
    out.print(render.status_heading(ps))
    if not shown:
        out.print(t("status.no_match"))
    for table in render.status_tables(ps, shown, out.width):
        out.print(table)
    area_codes = (
        sorted({s.item.area_code for s in shown}) if (area or office or light or stale) else None
    )
    out.print(render.totals_table(ps, area_codes))
    out.print(render.legend(plan))


def _markdown(ps: PlanStatus, shown: list[ItemStatus]) -> str:
    from kpi import formats, render

    header = [
        t("col.code"),
        t("col.title"),
        t("col.office"),
        t("col.baseline"),
        t("col.target"),
        t("col.actual"),
        t("col.completion"),
        t("col.gap"),
        t("col.status"),
    ]
    rows = []
    for s in shown:
        item = s.item
        rows.append(
            [
                item.code,
                render.title_with_unit(item),
                item.lead_office,
                render.num(item.baseline.value) if item.baseline else "—",
                render.target_text(item),
                render.num(s.actual) if item.is_indicator else render.pct(s.actual),
                render.pct(s.completion),
                render.points(s.gap_points),
                render.light_text(s).plain,
            ]
        )
    title = render.status_heading(ps).plain
    return f"## {formats.md_cell(title)}\n\n" + formats.to_markdown(header, rows)


@app.command(help=t("help.show"))
def show(
    ctx: typer.Context,
    item: Annotated[
        str,
        typer.Argument(
            help=t("help.show_item"),
            autocompletion=complete_item,
        ),
    ],
    as_of: AsOf = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help=t("help.table_or_json"))
    ] = Format.table,
) -> None:
    """Everything about one item: the report's text, baseline and source, target, progress, history."""
    from kpi.plan import Milestone
    from kpi.status import item_status

    st = state(ctx)
    plan, found = st.find(item)
    target = plan.item(found.item_code) if isinstance(found, Milestone) else found
    day = st.as_of(as_of, plan)
    history = st.updates(target.code)
    s = item_status(plan, target, history, day)
    if fmt == Format.json:
        from kpi import formats

        record = formats.status_record(plan, s)
        record["history"] = [formats.update_record(u) for u in history]
        typer.echo(formats.to_json(record))
        return
    if fmt != Format.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    from kpi import render

    st.out.print(render.item_view(plan, s, history))
