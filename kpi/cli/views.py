"""Rich tables and panels from plain data: what staff see in a terminal.

Lights are always words as well as colours (完成/绿/黄/红/无数据), so they survive mail, print, a
pipe and colour-blind readers. Units go with the title so the number columns stay narrow and the
table fits 80 columns with Chinese text; Rich measures wide characters, so columns stay aligned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kpi.core.plan import Item, Plan
from kpi.core.records import Update
from kpi.core.status import ItemStatus, Light
from kpi.formats.facts import item_facts
from kpi.formats.words import (
    LIGHT_STYLE,
    describe,
    light_word,
    num,
    pct,
    title_with_unit,
)
from kpi.locale import t


def light_text(s: ItemStatus | Light) -> Text:
    light = s if isinstance(s, Light) else s.light
    return Text(light_word(s), style=LIGHT_STYLE[light])


def item_view(
    plan: Plan,
    s: ItemStatus,
    history: Sequence[Update],
    changes: Sequence[str] = (),
    width: int = 80,
) -> RenderableType:
    item = s.item
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1, overflow="fold")  # Chinese has no spaces to wrap at: fold
    for fact in item_facts(plan, s):
        if fact.kind == "quote":
            facts.add_row(fact.label, Text(fact.text, style="italic"))
        elif fact.kind == "light":
            facts.add_row(fact.label, light_text(s))
        else:
            facts.add_row(fact.label, fact.text)
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
    if changes:
        parts.append(Text(t("show.versions"), style="bold"))
        parts.extend(Text("  " + line) for line in changes)
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
            note = _void_words(u) + (" " + note if note else "")
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


def _void_words(u: Update) -> str:
    """［已作废：reason］ and who voided it, when: the audit trail of a record, in its row."""
    words = t("history.voided", reason=u.void_reason or "")
    if u.voided_by:
        when = u.voided_at.astimezone().strftime("%Y-%m-%d %H:%M") if u.voided_at else ""
        key = "history.undone_by" if u.void_kind == "undo" else "history.voided_by"
        words += " " + t(key, who=u.voided_by, when=when)
    return words


def version_lines(versions: Sequence[Any], code: str) -> list[str]:
    """How the item changed from one plan version to the next: ``目标 234 → 300``, from when."""
    lines = []
    for v in versions:
        changed = v.changes.get("changed", {}).get(code)
        added = code in v.changes.get("added", ()) and v.version > 1
        retired = code in v.changes.get("retired", ())
        if not (changed or added or retired):
            continue
        words = [
            t("show.field_change", field=_field_name(f), before=_shown(b), after=_shown(a))
            for f, (b, a) in sorted((changed or {}).items())
            if not f.startswith("_")
        ]
        if added:
            words.append(t("load.added"))
        if retired:
            words.append(t("load.retired"))
        when = v.loaded_at.astimezone().strftime("%Y-%m-%d %H:%M") if v.loaded_at else ""
        lines.append(
            t(
                "show.version_line",
                effective=v.effective.isoformat(),
                version=v.version,
                by=v.by,
                when=when,
                changes="；".join(words),
            )
        )
    return lines


_FIELD_NAMES = {
    "target": "show.target",
    "baseline": "show.baseline",
    "title": "col.title",
    "lead_office": "show.office",
    "deadline": "show.deadline",
    "text": "show.text",
}


def _field_name(field: str) -> str:
    key = _FIELD_NAMES.get(field)
    return t(key) if key else field


def _shown(value: Any) -> str:
    """A stored field's value in words: a target or baseline by its figure."""
    if isinstance(value, dict):
        if value.get("kind") == "monitor":
            return t("target.monitor_short")
        if value.get("kind") == "range":
            return f"{num(value.get('low'))}–{num(value.get('high'))}"
        figure = value.get("value")
        return num(figure) if isinstance(figure, int | float) else "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return "—" if value is None else str(value)
