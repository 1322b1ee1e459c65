"""Rich tables and panels from plain data: what staff see in a terminal.

Lights are always words as well as colours (完成/绿/黄/红/无数据), so they survive mail, print, a
pipe and colour-blind readers. Units go with the title so the number columns stay narrow and the
table fits 80 columns with Chinese text; Rich measures wide characters, so columns stay aligned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kpi.core.plan import Item, Plan
from kpi.core.records import Update
from kpi.core.status import ItemStatus, Light, PlanStatus, Rollup
from kpi.formats.words import (
    COUNT_ORDER,
    LIGHT_STYLE,
    cell_word,
    describe,
    light_word,
    num,
    pct,
    points,
    short_word,
    target_text,
    title_with_unit,
)
from kpi.locale import t


def light_text(s: ItemStatus | Light) -> Text:
    light = s if isinstance(s, Light) else s.light
    return Text(light_word(s), style=LIGHT_STYLE[light])


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
    for light in COUNT_ORDER:
        table.add_column(Text(short_word(light)), justify="right")
    table.add_column(t("col.stale"), justify="right")
    table.add_column(t("col.mean"), justify="right")
    rollups = [
        ps.areas[a.code] for a in ps.plan.areas if area_codes is None or a.code in area_codes
    ]
    assert ps.overall is not None
    for r in [*rollups, ps.overall]:
        is_total = r is ps.overall
        table.add_row(
            "" if is_total else r.code,
            Text(t("status.overall") if is_total else r.title, style="bold" if is_total else ""),
            str(r.total),
            *[str(r.counts.get(light, 0)) for light in COUNT_ORDER],
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


def item_view(
    plan: Plan, s: ItemStatus, history: Sequence[Update], width: int = 80
) -> RenderableType:
    item = s.item
    area = next(a for a in plan.areas if a.code == item.area_code)
    section = next(x for x in area.sections if x.code == item.section_code)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1, overflow="fold")  # Chinese has no spaces to wrap at: fold

    def row(label: str, value: RenderableType | str) -> None:
        facts.add_row(t(label), value)

    row("show.where", f"{area.code} {area.title} › {section.code} {section.title}")
    row("show.text", item.text)
    offices = item.lead_office + (
        t("show.others", names="、".join(item.other_offices)) if item.other_offices else ""
    )
    if "lead_office" in item.assigned:
        offices += t("show.assigned")
    row("show.office", offices)
    deadline = item.deadline.isoformat() + (
        t("show.assigned") if "deadline" in item.assigned else ""
    )
    row("show.deadline", deadline)
    unit = item.unit or ""
    if item.is_indicator:
        b = item.baseline
        if b:
            line = t("show.baseline_value", value=num(b.value), unit=unit, year=b.year)
            if b.implied_target:
                line += t(
                    "show.implied_target",
                    completion=pct(b.completion),
                    target=num(b.implied_target),
                    unit=unit,
                )
            if b.implied_prior is not None:
                line += t(
                    "show.implied_prior",
                    growth=pct(b.growth),
                    prior=num(b.implied_prior),
                    unit=unit,
                )
            row("show.baseline", line)
            row("show.source", Text(f"“{b.source}”", style="italic"))
        tg = item.target
        assert tg is not None
        basis = tg.note or (t("show.provisional") if tg.provisional else t("show.stated"))
        row("show.target", f"{num(tg.value)} {unit} — {basis}")
        row("show.actual", f"{num(s.actual)} {unit}" if s.actual is not None else t("light.none"))
        row("show.remaining", f"{num(s.remaining)} {unit}")
    else:
        row("show.actual", pct(s.completion) if s.completion is not None else t("light.none"))
    row("show.completion", pct(s.completion))
    row(
        "show.expected",
        t("show.expected_value", expected=pct(s.expected), gap=points(s.gap_points)),
    )
    row("show.status", light_text(s))
    if s.forecast is not None:
        forecast = f"{num(s.forecast)} {unit}" if item.is_indicator else pct(s.forecast)
        row("show.forecast", forecast)
    row(
        "show.last_update",
        (s.last_update.isoformat() if s.last_update else "—")
        + (t("show.stale") if s.stale else ""),
    )
    parts: list[RenderableType] = [facts]
    chart = item_chart(plan, item, history, s.as_of, width - 4)  # inside the panel's edges
    if chart:
        parts.append(Text(t("show.trend"), style="bold"))
        parts.append(Text("\n".join(chart), no_wrap=True, overflow="ignore"))
    if item.milestones:
        ms = Table(
            box=box.SIMPLE_HEAD,
            title=Text(t("show.milestones"), style="bold"),
            title_justify="left",
        )
        ms.add_column(t("col.code"), no_wrap=True)
        ms.add_column(t("col.title"), ratio=1, overflow="fold")
        ms.add_column(t("col.date"), no_wrap=True)
        ms.add_column(t("col.share"), justify="right")
        ms.add_column(t("col.status"), no_wrap=True)
        for m in item.milestones:
            if m.code in s.milestones_done:
                state = Text(
                    t("show.ms_done", date=s.milestones_done[m.code].isoformat()), style="blue"
                )
            elif m in s.overdue_milestones:
                state = Text(t("show.ms_overdue"), style="bold red")
            else:
                state = Text(t("show.ms_pending"), style="dim")
            ms.add_row(m.code, m.title, m.date.isoformat(), pct(m.share), state)
        parts.append(ms)
    parts.append(history_table(history, title=t("show.history")))
    return Panel(
        Group(*parts),
        title=Text(f"{item.code} {title_with_unit(item)}", style="bold"),
        title_align="left",
    )


def month_ends(start: dt.date, as_of: dt.date) -> list[dt.date]:
    """The last day of each month from ``start`` up to ``as_of`` (which ends the last one)."""
    days = []
    month = dt.date(start.year, start.month, 1)
    while month <= as_of:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days.append(min(nxt - dt.timedelta(days=1), as_of))
        month = nxt
    return days


def item_chart(
    plan: Plan, item: Item, history: Sequence[Update], as_of: dt.date, width: int
) -> list[str]:
    """Month-end completion against 序时进度 as a chart of characters (``formats.chart``), from
    ``trend`` and ``expected_share`` as the status is; nothing until a record counts."""
    from kpi.core.status import expected_share, trend
    from kpi.formats.chart import month_labels, progress_chart, unit_scale

    if not any(not u.voided and u.date <= as_of for u in history):
        return []
    days = month_ends(plan.start, as_of)
    names = month_labels()
    return progress_chart(
        [names[d.month - 1] for d in days],
        trend(plan, item, history, days),
        [expected_share(plan, item, d) for d in days],
        scale=unit_scale(item),
        width=width,
    )


def history_table(
    history: Sequence[Update], *, title: str | None = None, units: dict[str, str] | None = None
) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        title=Text(title, style="bold") if title else None,
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(t("col.date"), no_wrap=True)
    table.add_column(t("col.code"), no_wrap=True)
    table.add_column(t("col.record"), no_wrap=True)
    table.add_column(t("col.note"), ratio=1, overflow="fold")
    table.add_column(t("col.by"), no_wrap=True)
    if not history:
        table.add_row("", "", "", t("history.empty"), "", "")
    for u in history:
        style = "dim strike" if u.voided else ""
        note = u.note or ""
        if u.voided:
            note = t("history.voided", reason=u.void_reason or "") + (" " + note if note else "")
        table.add_row(
            str(u.id),
            u.date.isoformat(),
            u.code,
            Text(describe(u, (units or {}).get(u.item_code)), style=style),
            note,
            u.by if u.by == u.os_user else f"{u.by}({u.os_user})",
            style="dim" if u.voided else "",
        )
    return table
