"""`kpi status` and `kpi show`: where everything, or one item, stands as of a date."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.complete import complete_area, complete_item, complete_light, complete_office
from kpi.cli.options import AsOf, Format, LightChoice, LightWord, Sort
from kpi.cli.root import app, state
from kpi.errors import InputError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.app.views import ItemView
    from kpi.cli.context import State
    from kpi.core.status import ItemStatus, PlanStatus


@app.command(help=t("help.status"))
def status(
    ctx: typer.Context,
    as_of: AsOf = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", "-a", help=t("help.area"), autocompletion=complete_area),
    ] = None,
    office: Annotated[
        str | None,
        typer.Option("--office", "-o", help=t("help.office"), autocompletion=complete_office),
    ] = None,
    light: Annotated[
        list[LightChoice] | None,
        typer.Option(
            "--light",
            "-l",
            help=t("help.light_words"),
            click_type=LightWord(),
            autocompletion=complete_light,
        ),
    ] = None,
    stale: Annotated[bool, typer.Option("--stale", help=t("help.stale"))] = False,
    sort: Annotated[Sort, typer.Option("--sort", "-s", help=t("help.sort"))] = Sort.code,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=t("help.format"))] = Format.table,
) -> None:
    """The plan by area and section: baseline, target, actual, completion, gap, light."""
    from kpi.app import views
    from kpi.formats.records import status_records, to_json
    from kpi.formats.tables import to_csv

    st = state(ctx)
    filters = views.Filters(
        areas=tuple(area or ()),
        office=office,
        lights=tuple(choice.value for choice in light or ()),
        stale=stale,
    )
    if st.workspace.everything:
        from kpi.cli import district

        return district.status(st, as_of, fmt, filtered=bool(filters))
    view = views.status(st.workspace, as_of, filters)
    ps, shown = view.status, view.shown
    if sort == Sort.gap and fmt != Format.table:
        from kpi.cli.tables import worst_first

        shown = worst_first(shown)

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
    from kpi.cli.wrap import wrap
    from kpi.report.grid import styled

    out = st.out
    width = out.width
    color = out.is_terminal and not out.no_color
    lines = [styled(x, "bold", color) for x in wrap(tables.status_heading(ps), width)]
    if not shown:
        lines.append(t("status.no_match"))
    else:
        lines += tables.status_lines(ps, shown, width=width, color=color, sort=sort.value)
    area_codes = sorted({s.item.area_code for s in shown}) if filters else None
    lines += ["", *tables.totals_lines(ps, area_codes, width=width, color=color)]
    lines += [styled(x, "dim", color) for x in tables.legend_lines(view.plan, width)]
    # Written as it is: laid out already, and a district's table is twenty thousand lines.
    typer.echo("\n".join(lines), color=color)


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
    title = status_heading(ps)
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
    from kpi.app import views

    st = state(ctx)
    if out is not None and fmt != ShowFormat.html:
        raise InputError(t("show.out_needs_html"))
    if fmt in (ShowFormat.csv, ShowFormat.md):
        raise InputError(t("show.bad_format", fmt=fmt.value))
    view = views.item(st.workspace, item, as_of, versions=fmt == ShowFormat.table)
    if fmt == ShowFormat.json:
        from kpi.formats.records import status_record, to_json, update_record

        record = status_record(view.plan, view.status)
        record["history"] = [update_record(u) for u in view.history]
        typer.echo(to_json(record))
        return
    if fmt == ShowFormat.html:
        _html_page(st, view, out)
        return
    from kpi.cli.views import item_view, version_lines

    changes = version_lines(view.versions, view.item.code)
    st.out.print(item_view(view.plan, view.status, view.history, changes, st.out.width))


def _html_page(st: State, view: ItemView, out: str | None) -> None:
    """The item as one HTML page, to ``out`` or to standard output."""
    from kpi.report.item_html import item_page

    page = item_page(view.plan, view.status, view.history)
    if out is None:
        typer.echo(page, nl=False)
        return
    from kpi.app.files import out_path, write_atomically

    year, week, _ = view.as_of.isocalendar()
    fields = {"year": str(year), "week": f"{week:02d}", "date": view.as_of.isoformat()}
    path = out_path(out, fields)
    st.workspace.store().guard_out(path)
    write_atomically(path, page)
    st.note(t("report.written", path=path))
