"""The weekly summary as one self-contained HTML page: inline CSS, no scripts, no fonts fetched.

It is read on a phone, in a mail, and printed on A4. Progress bars show completion against a mark
at 序时进度; lights are words inside coloured labels, so they survive grey-scale printing and
colour-blind readers. Everything people typed (notes, names) is escaped.
"""

from __future__ import annotations

from html import escape

from kpi.formats import light_word, pct, points
from kpi.messages import language, t
from kpi.report import (
    WeeklyReport,
    _area_row,
    _count_headers,
    due_when,
    for_reading,
    heading,
    more,
    record_title,
    record_words,
    stale_since,
    summary_line,
    window_line,
)
from kpi.status import ItemStatus, Light

CSS = """
:root { --done:#1f5fbf; --green:#1e7b34; --yellow:#a86a00; --red:#b3261e; --none:#6b6b6b;
        --line:#d9d9d9; --soft:#f4f5f7; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1b1b1b; background: #fff;
       font: 15px/1.55 "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
       system-ui, sans-serif; }
h1 { font-size: 1.35rem; margin: 0 0 .4rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem; border-bottom: 2px solid var(--line); }
p.summary { background: var(--soft); padding: .6rem .8rem; border-radius: 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .35rem .45rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.code { white-space: nowrap; color: #444; }
td.t { min-width: 9em; }
.light { display: inline-block; padding: 0 .45rem; border-radius: 1rem; color: #fff; font-size: .85rem;
         white-space: nowrap; font-weight: 600; }
.light.done { background: var(--done); } .light.green { background: var(--green); }
.light.yellow { background: var(--yellow); } .light.red { background: var(--red); }
.light.none { background: var(--none); }
.bar { position: relative; height: .8rem; min-width: 6rem; background: #e8e8e8; border-radius: 3px; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; }
.bar .fill.done { background: var(--done); } .bar .fill.green { background: var(--green); }
.bar .fill.yellow { background: var(--yellow); } .bar .fill.red { background: var(--red); }
.bar .fill.none { background: var(--none); }
.bar .mark { position: absolute; top: -.2rem; bottom: -.2rem; width: 2px; background: #111; }
.note { color: #444; font-size: .88rem; }
ul.stale { padding-left: 1.2rem; } ul.stale li { margin: .2rem 0; }
.muted { color: #666; }
.legend { color: #555; font-size: .82rem; margin-top: 2rem; }
@media (max-width: 40rem) { body { padding: .6rem; font-size: 14px; } th, td { padding: .3rem; } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .scroll { overflow: visible; }
  tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  .light, .bar .fill, .bar .mark, th, p.summary { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _light(s: ItemStatus | Light) -> str:
    light = s if isinstance(s, Light) else s.light
    return f'<span class="light {light.value}">{_e(light_word(s))}</span>'


def _bar(completion: float | None, expected: float | None, light: Light) -> str:
    """A bar filled to the completion (capped at the bar's end) with a mark at 序时进度."""
    fill = 0.0 if completion is None else max(0.0, min(completion, 1.0))
    label = t("html.bar_label", done=pct(completion), expected=pct(expected))
    mark = ""
    if expected is not None:
        mark = f'<div class="mark" style="left:calc({expected * 100:.1f}% - 1px)"></div>'
    return (
        f'<div class="bar" role="img" aria-label="{_e(label)}" title="{_e(label)}">'
        f'<div class="fill {light.value}" style="width:{fill * 100:.1f}%"></div>{mark}</div>'
    )


def _table(headers: list[tuple[str, str]], rows: list[str]) -> str:
    head = "".join(
        f'<th class="{cls}">{_e(h)}</th>' if cls else f"<th>{_e(h)}</th>" for h, cls in headers
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def to_html(rep: WeeklyReport) -> str:
    rep = for_reading(rep)
    parts: list[str] = []
    add = parts.append

    def left_out(*names: str) -> None:
        for name in names:
            line = more(rep, name)
            if line:
                add(f'<p class="muted">{_e(line)}</p>')

    add(f"<h1>{_e(heading(rep))}</h1>")
    add(f'<p class="summary">{"<br>".join(_e(x) for x in summary_line(rep).splitlines())}</p>')
    add(_bar(rep.overall.mean_completion, rep.status.elapsed, rep.overall.worst))

    add(f"<h2>{_e(t('report.by_area'))}</h2>")
    count_headers = [(h, "n") for h in _count_headers()]
    rows = []
    for r in [*rep.areas, rep.overall]:
        is_total = r is rep.overall
        code, title, total, *counts, mean = _area_row(r, t("status.overall") if is_total else None)
        cells = "".join(f'<td class="n">{_e(c)}</td>' for c in counts)
        style = ' style="font-weight:600"' if is_total else ""
        rows.append(
            f"<tr{style}><td class=code>{_e(code)}</td><td class=t>{_e(title)}</td><td class=n>{_e(total)}</td>"
            f"{cells}<td class=n>{_e(mean)}</td>"
            f"<td>{_bar(r.mean_completion, rep.status.elapsed, r.worst)}</td></tr>"
        )
    add(
        _table(
            [
                (t("col.code"), ""),
                (t("col.area"), ""),
                (t("col.items"), "n"),
                *count_headers,
                (t("col.mean"), "n"),
                (t("html.progress"), ""),
            ],
            rows,
        )
    )

    add(f"<h2>{_e(t('report.this_week'))}</h2>")
    add(f'<p class="muted">{_e(window_line(rep))}</p>')
    if rep.records:
        rows = [
            f"<tr><td class=code>{_e(r.update.date.strftime('%m-%d'))}</td><td class=code>{_e(r.update.code)}</td>"
            f"<td class=t>{_e(record_title(r))}</td><td class=n>{_e(record_words(r))}</td><td>{_e(r.update.by)}</td>"
            f'<td class="note">{_e(r.update.note)}</td></tr>'
            for r in rep.records
        ]
        add(
            _table(
                [
                    (t("col.date"), ""),
                    (t("col.code"), ""),
                    (t("col.title"), ""),
                    (t("col.record"), "n"),
                    (t("col.by"), ""),
                    (t("col.note"), ""),
                ],
                rows,
            )
        )
        left_out("records")

    add(f"<h2>{_e(t('report.attention'))}</h2>")
    if rep.attention:
        rows = []
        for s in rep.attention:
            reason = (
                f'<div class="note">{_e(t("col.reason"))}：{_e(s.latest_note)}</div>'
                if s.latest_note
                else ""
            )
            rows.append(
                f"<tr><td class=code>{_e(s.item.code)}</td><td class=t>{_e(s.item.title)}{reason}</td>"
                f"<td>{_e(s.item.lead_office)}</td><td>{_bar(s.completion, s.expected, s.light)}</td>"
                f"<td class=n>{_e(pct(s.completion))}</td><td class=n>{_e(points(s.gap_points))}</td>"
                f"<td>{_light(s)}</td></tr>"
            )
        add(
            _table(
                [
                    (t("col.code"), ""),
                    (t("col.title"), ""),
                    (t("col.office"), ""),
                    (t("html.progress"), ""),
                    (t("col.completion"), "n"),
                    (t("col.gap"), "n"),
                    (t("col.status"), ""),
                ],
                rows,
            )
        )
        left_out("attention")
    else:
        add(f"<p>{_e(t('report.none_attention'))}</p>")

    add(f"<h2>{_e(t('report.milestones'))}</h2>")
    if rep.overdue or rep.due:
        rows = [
            f"<tr><td class=code>{_e(d.milestone.code)}</td><td class=t>{_e(d.item.title)} › {_e(d.milestone.title)}</td>"
            f"<td>{_e(d.item.lead_office)}</td><td class=code>{_e(d.milestone.date.isoformat())}</td>"
            f"<td>{_light(Light.RED) if d.days < 0 else ''} {_e(due_when(d))}</td></tr>"
            for d in [*rep.overdue, *rep.due]
        ]
        add(
            _table(
                [
                    (t("col.code"), ""),
                    (t("col.title"), ""),
                    (t("col.office"), ""),
                    (t("col.date"), ""),
                    (t("col.status"), ""),
                ],
                rows,
            )
        )
        left_out("overdue", "due")
    else:
        add(f"<p>{_e(t('report.none_due'))}</p>")

    add(f"<h2>{_e(t('report.stale', days=rep.plan.rules.stale_days))}</h2>")
    if rep.stale:
        items = []
        for office, stale in rep.stale.items():
            listed = "；".join(
                f"{_e(x.status.item.code)} {_e(x.status.item.title)}（{_e(stale_since(x))}）"
                for x in stale
            )
            more_here = more(rep, f"stale:{office}")
            listed += f"；{_e(more_here)}" if more_here else ""
            total = len(stale) + rep.omitted.get(f"stale:{office}", 0)
            items.append(f"<li><strong>{_e(office)}</strong>（{total}）：{listed}</li>")
        add(f'<ul class="stale">{"".join(items)}</ul>')
    else:
        add(f"<p>{_e(t('report.none_stale'))}</p>")

    add(f"<h2>{_e(t('report.changes'))}</h2>")
    if rep.changes:
        items = [
            f"<li>{_e(c.status.item.code)} {_e(c.status.item.title)}：{_light(c.before)} → {_light(c.status)}"
            f"（{_e(t('report.better') if c.better else t('report.worse'))}）</li>"
            for c in rep.changes
        ]
        add(f"<ul>{''.join(items)}</ul>")
        left_out("changes")
    else:
        add(f"<p>{_e(t('report.no_changes'))}</p>")

    rules = rep.plan.rules
    legend = t(
        "status.legend", yellow=f"{rules.yellow:g}", red=f"{rules.red:g}", stale=rules.stale_days
    )
    add(f'<p class="legend">{_e(legend)} {_e(t("html.bar_legend"))}</p>')
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(heading(rep))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )
