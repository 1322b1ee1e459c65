"""`kpi status` and `kpi show`: where everything, or one item, stands as of a date."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.app import app, state
from kpi.cli.complete import complete_area, complete_item, complete_light, complete_office
from kpi.cli.options import AsOf, Format, LightChoice, LightWord, Sort
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
    from kpi.formats.records import status_records, to_json
    from kpi.formats.tables import to_csv

    st = state(ctx)
    from kpi.cli import district

    if st.chosen == district.ALL:
        return district.status(st, as_of, fmt, filtered=bool(area or office or light or stale))
    day = st.as_of(as_of)
    ps = st.status(day)
    plan = ps.plan  # as it was in effect that day
    shown = _filtered(plan, list(ps.items), area, office, light, stale)
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
    filtered = bool(area or office or light or stale)
    area_codes = sorted({s.item.area_code for s in shown}) if filtered else None
    lines += ["", *tables.totals_lines(ps, area_codes, width=width, color=color)]
    lines += [styled(x, "dim", color) for x in tables.legend_lines(plan, width)]
    # Written as it is: laid out already, and a district's table is twenty thousand lines.
    typer.echo("\n".join(lines), color=color)


def _filtered(
    plan: Plan,
    shown: list[ItemStatus],
    area: list[str] | None,
    office: str | None,
    light: list[LightChoice] | None,
    stale: bool,
) -> list[ItemStatus]:
    """The items ``--area``, ``--office`` (a name or a fragment of one name), ``--light`` and
    ``--stale`` leave."""
    if area:
        known = {a.code for a in plan.areas}
        for code in area:
            if code not in known:
                raise InputError(t("status.bad_area", area=code, areas=" ".join(sorted(known))))
        shown = [s for s in shown if s.item.area_code in area]
    if office:
        name = office.strip()
        offices = list(dict.fromkeys([*plan.offices, *(s.item.lead_office for s in shown)]))
        matches = [o for o in offices if name in o]
        if name in offices:
            matches = [name]
        if not matches:
            raise InputError(t("status.bad_office", office=name, offices="、".join(plan.offices)))
        if len(matches) > 1:
            raise InputError(t("status.office_ambiguous", office=name, offices="、".join(matches)))
        shown = [s for s in shown if s.item.lead_office == matches[0]]
    if light:
        wanted = set(light)
        shown = [
            s
            for s in shown
            if s.light.value in wanted
            or (LightChoice.overdue in wanted and s.overdue)
            or (LightChoice.exceeded in wanted and s.exceeded)
        ]
    if stale:
        shown = [s for s in shown if s.stale]
    return shown


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
