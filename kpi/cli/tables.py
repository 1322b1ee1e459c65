"""The plan in a terminal: the status tables by area and section, their totals, the plans.

Lights are always words as well as colours (完成/绿/黄/红/无数据), so they survive mail, print, a
pipe and colour-blind readers. Units go with the title so the number columns stay narrow and the
table fits 80 columns with Chinese text; Rich measures wide characters, so columns stay aligned.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from kpi.core.plan import Plan, PlanInfo
from kpi.core.status import ItemStatus, Light, PlanStatus, Rollup
from kpi.formats.words import (
    COUNT_ORDER,
    LIGHT_STYLE,
    cell_word,
    num,
    pct,
    points,
    short_word,
    target_text,
    title_with_unit,
)
from kpi.locale import t


def counts_text(r: Rollup) -> Text:
    text = Text()
    for light in COUNT_ORDER:
        n = r.counts.get(light, 0)
        if n:
            if text:
                text.append(" ")
            text.append(f"{short_word(light)}{n}", style=LIGHT_STYLE[light])
    return text


WIDE = 110  # from this width on, the lead office gets a column of its own


def short_light(s: ItemStatus) -> Text:
    """One word for a table cell: 完成, 超额, 绿, 黄, 红, 逾期, 无数据."""
    return Text(cell_word(s), style=LIGHT_STYLE[s.light])


def _cells(s: ItemStatus) -> dict[str, str]:
    item = s.item
    return {
        "col.baseline": num(item.baseline.value) if item.baseline else "",
        "col.target": target_text(item) if item.target else "",
        "col.actual": num(s.actual) if item.is_indicator and s.actual is not None else "",
        "col.completion": pct(s.completion),
        "col.gap": points(s.gap_points),
    }


def _column_widths(shown: Sequence[ItemStatus]) -> dict[str, int]:
    """The same widths in every area's table, so the columns line up down the page."""
    from rich.cells import cell_len

    widths = {
        key: cell_len(t(key))
        for key in (
            "col.baseline",
            "col.target",
            "col.actual",
            "col.completion",
            "col.gap",
            "col.status",
        )
    }
    widths["office"] = min(12, max((cell_len(s.item.lead_office) for s in shown), default=4))
    for s in shown:
        for key, text in _cells(s).items():
            widths[key] = max(widths[key], cell_len(text))
        if s.remaining:
            left = t("col.left_short", n=num(s.remaining))
            widths["col.actual"] = max(widths["col.actual"], cell_len(left))
        widths["col.status"] = max(widths["col.status"], short_light(s).cell_len)
    return widths


def status_tables(
    ps: PlanStatus, shown: Sequence[ItemStatus], width: int = 80
) -> list[RenderableType]:
    """One table per area, a bold row per section, a row per item.

    Below ``WIDE`` columns the lead office goes under the title, so that the title keeps room to
    be read in 80 columns; wider, it has its own column.
    """
    wide = width >= WIDE
    widths = _column_widths(shown)
    wanted = {s.item.code for s in shown}
    by_code = {s.item.code: s for s in shown}
    out: list[RenderableType] = []
    for area in ps.plan.areas:
        if not any(c in wanted for sec in area.sections for c in sec.item_codes):
            continue
        table = Table(
            title=Text(f"{area.code} {area.title}", style="bold"),
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
            show_edge=False,
        )
        table.add_column(t("col.code"), no_wrap=True)
        table.add_column(t("col.title"), ratio=1, min_width=12, overflow="fold")
        if wide:
            table.add_column(t("col.office"), max_width=12, min_width=widths["office"])
        for key in ("col.baseline", "col.target", "col.actual", "col.completion", "col.gap"):
            table.add_column(t(key), justify="right", no_wrap=True, min_width=widths[key])
        if wide:
            table.add_column(t("col.left"), justify="right", no_wrap=True)
        table.add_column(t("col.status"), no_wrap=True, min_width=widths["col.status"])
        blanks = [""] * (7 if wide else 5)
        for sec in area.sections:
            rows = [by_code[c] for c in sec.item_codes if c in wanted]
            if not rows:
                continue
            heading = Text(sec.title, style="bold")
            heading.append("  ").append_text(counts_text(ps.sections[sec.code]))
            table.add_row(Text(sec.code, style="bold"), heading, *blanks, end_section=False)
            for s in rows:
                item = s.item
                name = Text(title_with_unit(item))
                if not wide:
                    name.append("\n" + item.lead_office, style="dim")
                if s.stale:
                    name.append(("  " if wide else " · ") + t("col.stale"), style="yellow")
                cells: list[RenderableType] = [item.code, name]
                if wide:
                    cells.append(item.lead_office)
                values = _cells(s)
                if item.is_indicator and s.remaining is not None and s.actual is not None:
                    if wide:
                        values["col.left"] = num(s.remaining) if s.remaining > 0 else ""
                    elif s.remaining > 0:
                        values["col.actual"] += "\n" + t("col.left_short", n=num(s.remaining))
                elif wide:
                    values["col.left"] = ""
                cells += [*values.values(), short_light(s)]
                table.add_row(*cells)
        out.append(table)
    return out


def totals_table(ps: PlanStatus, area_codes: Sequence[str] | None = None) -> Table:
    table = Table(
        title=Text(t("status.totals"), style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        show_edge=False,
    )
    table.add_column(t("col.code"), no_wrap=True)
    table.add_column(t("col.area"), ratio=1, min_width=16, overflow="fold")
    table.add_column(t("col.items"), justify="right")
    assert ps.overall is not None
    # Monitored figures are counted apart, never among the lights: a column only if any.
    order = [*COUNT_ORDER, *([Light.MONITOR] if ps.overall.monitored else [])]
    for light in order:
        table.add_column(Text(short_word(light)), justify="right")
    table.add_column(t("col.stale"), justify="right")
    table.add_column(t("col.mean"), justify="right")
    rollups = [
        ps.areas[a.code] for a in ps.plan.areas if area_codes is None or a.code in area_codes
    ]
    for r in [*rollups, ps.overall]:
        is_total = r is ps.overall
        table.add_row(
            "" if is_total else r.code,
            Text(t("status.overall") if is_total else r.title, style="bold" if is_total else ""),
            str(r.total),
            *[str(r.counts.get(light, 0)) for light in order],
            str(r.stale),
            pct(r.mean_completion),
            end_section=not is_total and r is rollups[-1],
        )
    return table


def status_heading(ps: PlanStatus) -> Text:
    return Text(
        t(
            "status.heading",
            title=ps.plan.title,
            as_of=ps.as_of.isoformat(),
            elapsed=pct(ps.elapsed),
        ),
        style="bold",
    )


def legend(plan: Plan) -> Text:
    r = plan.rules
    return Text(
        t("status.legend", yellow=f"{r.yellow:g}", red=f"{r.red:g}", stale=r.stale_days),
        style="dim",
    )


# -- one item ---------------------------------------------------------------------------------


def plans_table(infos: Sequence[PlanInfo]) -> Table:
    """Every plan: id, organisation, title, period, items, records, last record, version."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
    table.add_column(t("col.plan"), no_wrap=True)
    table.add_column(t("col.organisation"), overflow="fold")
    table.add_column(t("col.title"), ratio=1, overflow="fold")
    table.add_column(t("col.period"), no_wrap=True)
    table.add_column(t("col.items"), justify="right")
    table.add_column(t("col.records"), justify="right")
    table.add_column(t("col.last_record"), no_wrap=True)
    table.add_column(t("col.version"), justify="right")
    for p in infos:
        style = "dim" if p.retired else ""
        table.add_row(
            p.id + (t("plans.retired_mark") if p.retired else ""),
            p.organisation,
            p.title,
            f"{p.start:%Y-%m-%d}～{p.end:%m-%d}",
            str(p.items),
            str(p.records),
            p.last_record.isoformat() if p.last_record else "—",
            f"v{p.version}" + (f" {p.effective:%m-%d}" if p.effective else "")
            if p.version
            else "—",
            style=style,
        )
    return table
