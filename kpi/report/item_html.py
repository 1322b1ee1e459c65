"""One item as a self-contained HTML page (``kpi show ITEM --format html``): its facts, its trend
as the weekly summary draws it, its milestones and every record, with the summary's styles (a
table on a wide screen and on paper, cards on a phone). No scripts, nothing fetched; everything
typed is escaped. The facts are those ``kpi show`` prints, in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpi.core.plan import Plan
from kpi.core.records import Update
from kpi.core.status import ItemStatus, Light
from kpi.formats.facts import Fact, item_facts
from kpi.formats.words import describe, light_word, pct, points, title_with_unit
from kpi.locale import t
from kpi.report import svg
from kpi.report.html import _e, document, light_label, words
from kpi.report.weekly import item_trend


def _facts(plan: Plan, s: ItemStatus) -> list[tuple[str, str]]:
    """(label, words) as ``kpi show`` says them; the words are escaped HTML."""

    def shown(f: Fact) -> str:
        if f.kind == "quote":
            return f"<em>{_e(f.text)}</em>"
        if f.kind == "light":
            return light_label(s.light, f.text)
        return words(f.text)

    return [(f.label, shown(f)) for f in item_facts(plan, s)]


def _milestones(s: ItemStatus) -> str:
    head = "".join(
        f"<th{' class=n' if key == 'col.share' else ''}>{_e(t(key))}</th>"
        for key in ("col.code", "col.title", "col.date", "col.share", "col.status")
    )
    rows = []
    for m in s.item.milestones:
        if m.code in s.milestones_done:
            state = light_label(
                Light.DONE, t("show.ms_done", date=s.milestones_done[m.code].isoformat())
            )
        elif m in s.overdue_milestones:
            state = light_label(Light.RED, t("show.ms_overdue"))
        else:
            state = f'<span class="muted">{_e(t("show.ms_pending"))}</span>'
        rows.append(
            f'<tr><td class="code">{_e(m.code)}</td><td class="t">{_e(m.title)}</td>'
            f'<td class="k nw" data-label="{_e(t("col.date"))}">{_e(m.date.isoformat())}</td>'
            f'<td class="n k" data-label="{_e(t("col.share"))}">{_e(pct(m.share))}</td>'
            f'<td class="l">{state}</td></tr>'
        )
    return (
        f'<h2>{_e(t("show.milestones"))}</h2><div class="scroll"><table class="cards">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _history(history: Sequence[Update], unit: str | None) -> str:
    keys = ("col.date", "col.code", "col.record", "col.note", "col.by")
    head = "<th>#</th>" + "".join(f"<th>{_e(t(key))}</th>" for key in keys)
    rows = []
    for u in history:
        note = u.note or ""
        if u.voided:
            note = t("history.voided", reason=u.void_reason or "") + (" " + note if note else "")
        by = u.by if u.by == u.os_user else f"{u.by}({u.os_user})"
        record = _e(describe(u, unit))
        if u.voided:
            record = f"<s>{record}</s>"
        style = ' class="muted"' if u.voided else ""
        rows.append(
            f'<tr{style}><td class="code">#{u.id}</td><td class="code">{_e(u.date.isoformat())}</td>'
            f'<td class="code">{_e(u.code)}</td>'
            f'<td class="t">{record}</td>'
            f'<td class="k" data-label="{_e(t("col.note"))}">{_e(note)}</td>'
            f'<td class="k" data-label="{_e(t("col.by"))}">{_e(by)}</td></tr>'
        )
    if not rows:
        rows.append(f'<tr><td colspan="6">{_e(t("history.empty"))}</td></tr>')
    return (
        f'<h2>{_e(t("show.history"))}</h2><div class="scroll"><table class="cards">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def item_page(plan: Plan, s: ItemStatus, history: Sequence[Update]) -> str:
    """The page of one item on the day of its status ``s``, with its records ``history``."""
    item = s.item
    title = t(
        "page.item_title", code=item.code, title=title_with_unit(item), as_of=s.as_of.isoformat()
    )
    summary = t(
        "html.trend_facts",
        done=pct(s.completion),
        expected=pct(s.expected),
        gap=points(s.gap_points),
        office=item.lead_office,
    )
    facts = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in _facts(plan, s))
    parts = [
        f"<h1>{words(title)}</h1>",
        f'<p class="summary">{light_label(s.light, light_word(s))} {_e(summary)}</p>',
        f'<table class="facts"><tbody>{facts}</tbody></table>',
    ]
    if any(not u.voided and u.date <= s.as_of for u in history):
        trend = item_trend(plan, item, history, s.as_of)
        parts += [
            f"<h2>{_e(t('chart.trend_title'))}</h2>",
            svg.trend_chart(trend, s.light),
            f'<p class="chart-legend">{_e(t("chart.trend_legend"))}</p>',
        ]
    if item.milestones:
        parts.append(_milestones(s))
    parts.append(_history(history, item.unit))
    return document(title, "\n".join(parts))
