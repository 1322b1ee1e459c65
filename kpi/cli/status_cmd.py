"""`kpi status` and `kpi show`: where everything, or one item, stands as of a date."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.app import app, state
from kpi.cli.complete import complete_item
from kpi.cli.options import AsOf, Format, LightChoice
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.cli.context import State
    from kpi.core.plan import Plan
    from kpi.core.records import Update
    from kpi.core.status import ItemStatus, PlanStatus


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
    from kpi.formats.records import status_records, to_json
    from kpi.formats.tables import to_csv

    st = state(ctx)
    from kpi.cli import district

    if st.chosen == district.ALL:
        return district.status(st, as_of, fmt, filtered=bool(area or office or light or stale))
    day = st.as_of(as_of)
    ps = st.status(day)
    plan = ps.plan  # as it was in effect that day
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
        typer.echo(to_json(status_records(ps, shown)))
        return
    if fmt == Format.csv:
        typer.echo(to_csv(status_records(ps, shown)), nl=False)
        return
    if fmt == Format.md:
        typer.echo(_markdown(ps, shown), nl=False)
        return

    from kpi.cli import tables

    out = st.out
    out.print(tables.status_heading(ps))
    if not shown:
        out.print(t("status.no_match"))
    for table in tables.status_tables(ps, shown, out.width):
        out.print(table)
    area_codes = (
        sorted({s.item.area_code for s in shown}) if (area or office or light or stale) else None
    )
    out.print(tables.totals_table(ps, area_codes))
    out.print(tables.legend(plan))


def _markdown(ps: PlanStatus, shown: list[ItemStatus]) -> str:
    from kpi.cli.tables import status_heading
    from kpi.formats.tables import md_cell, to_markdown
    from kpi.formats.words import light_word, num, pct, points, target_text, title_with_unit

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
                title_with_unit(item),
                item.lead_office,
                num(item.baseline.value) if item.baseline else "—",
                target_text(item),
                num(s.actual) if item.is_indicator else pct(s.actual),
                pct(s.completion),
                points(s.gap_points),
                light_word(s),
            ]
        )
    title = status_heading(ps).plain
    return f"## {md_cell(title)}\n\n" + to_markdown(header, rows)


class ShowFormat(StrEnum):
    """``kpi show``'s formats: those of ``Format`` (csv and md refused with a word) and html."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


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
        ShowFormat, typer.Option("--format", "-f", help=t("help.show_format"))
    ] = ShowFormat.table,
    out: Annotated[str | None, typer.Option("--out", "-o", help=t("help.show_out"))] = None,
) -> None:
    """Everything about one item: the report's text, baseline and source, target, progress, history."""
    from kpi.core.plan import Milestone
    from kpi.core.status import item_status

    st = state(ctx)
    plan, found = st.find(item)
    code = found.item_code if isinstance(found, Milestone) else found.code
    day = st.as_of(as_of, plan)
    plan = st.item_on(day, code) or plan  # the item as the plan in effect that day had it
    target = plan.item(code)
    history = st.updates(code)
    s = item_status(plan, target, history, day)
    if out is not None and fmt != ShowFormat.html:
        raise InputError(t("show.out_needs_html"))
    if fmt == ShowFormat.json:
        from kpi.formats.records import status_record, to_json, update_record

        record = status_record(plan, s)
        record["history"] = [update_record(u) for u in history]
        typer.echo(to_json(record))
        return
    if fmt == ShowFormat.html:
        _html_page(st, plan, s, history, out)
        return
    if fmt != ShowFormat.table:
        raise InputError(t("show.bad_format", fmt=fmt.value))
    from kpi.cli.views import item_view, version_lines

    changes = version_lines(st.store().versions(st.plan_id()), code)
    st.out.print(item_view(plan, s, history, changes, st.out.width))


def _html_page(
    st: State, plan: Plan, s: ItemStatus, history: Sequence[Update], out: str | None
) -> None:
    """The item as one HTML page, to ``out`` or to standard output."""
    from kpi.report.item_html import item_page

    page = item_page(plan, s, history)
    if out is None:
        typer.echo(page, nl=False)
        return
    from kpi.cli.files import out_path, write_atomically

    year, week, _ = s.as_of.isocalendar()
    path = out_path(out, {"year": str(year), "week": f"{week:02d}", "date": s.as_of.isoformat()})
    st.store().guard_out(path)
    write_atomically(path, page)
    st.note(t("report.written", path=path))
