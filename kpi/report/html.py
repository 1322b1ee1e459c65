"""The weekly summary as one self-contained HTML page: inline CSS, no scripts, no fonts fetched.

It draws ``layout.page``, bars included, and is read on a phone, in a mail, and printed on A4. Progress bars show completion against a mark
at 序时进度; lights are words inside coloured labels, so they survive grey-scale printing and
colour-blind readers. Everything people typed (notes, names) is escaped.
"""

from __future__ import annotations

from html import escape

from kpi.core.status import Light
from kpi.formats.words import pct
from kpi.locale import language, t
from kpi.report.layout import Cell, Column, Line, Section, Table, page, visible
from kpi.report.weekly import WeeklyReport

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


HIDDEN = {"detail"}


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _light(light: Light, words: str) -> str:
    return f'<span class="light {light.value}">{_e(words)}</span>'


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


_CLASS = {"code": "code", "title": "t", "number": "n"}


def _cell(column: Column, cell: Cell, note: str = "") -> str:
    cls = _CLASS.get(column.kind, "")
    attr = f' class="{cls}"' if cls else ""
    if cell.bar is not None:
        completion, expected = cell.bar
        return f"<td>{_bar(completion, expected, cell.light or Light.NONE)}</td>"
    if cell.light is not None:
        return f"<td{attr}>{_light(cell.light, cell.text)}</td>"
    text = cell.day.strftime("%m-%d") if cell.day and column.kind == "code" else cell.text
    return f"<td{attr}>{_e(text)}{note}</td>"


def _table(table: Table) -> str:
    shown = visible(table.columns, HIDDEN | {"note"})
    note = next((n for n, c in enumerate(table.columns) if c.kind == "note"), None)
    head = "".join(
        f'<th class="n">{_e(table.columns[n].name)}</th>'
        if table.columns[n].kind == "number"
        else f"<th>{_e(table.columns[n].name)}</th>"
        for n in shown
    )
    rows = []
    for row in table.rows:
        cells = []
        for n in shown:
            column, cell = table.columns[n], row.cells[n]
            extra = ""
            if column.kind == "title" and note is not None and row.cells[note].text:
                words = f"{table.columns[note].name}：{row.cells[note].text}"
                extra = f'<div class="note">{_e(words)}</div>'
            cells.append(_cell(column, cell, extra))
        style = ' style="font-weight:600"' if row.total else ""
        rows.append(f"<tr{style}>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _line(line: Line) -> str:
    return "".join(_e(s) if isinstance(s, str) else _light(*s) for s in line)


def _section(section: Section) -> list[str]:
    parts = [f"<h2>{_e(section.heading)}</h2>"]
    parts.extend(f'<p class="muted">{_e(line)}</p>' for line in section.intro)
    if section.table is not None:
        parts.append(_table(section.table))
    if section.groups:
        items = [
            f"<li><strong>{_e(g.title)}</strong>（{g.count}）：{'；'.join(_e(x) for x in g.lines)}</li>"
            for g in section.groups
        ]
        parts.append(f'<ul class="stale">{"".join(items)}</ul>')
    if section.lines:
        parts.append(f"<ul>{''.join(f'<li>{_line(line)}</li>' for line in section.lines)}</ul>")
    parts.extend(f'<p class="muted">{_e(line)}</p>' for line in section.more)
    if section.blank and section.empty:
        parts.append(f"<p>{_e(section.empty)}</p>")
    return parts


def to_html(rep: WeeklyReport) -> str:
    p = page(rep)
    completion, elapsed, worst = p.overall
    parts = [
        f"<h1>{_e(p.title)}</h1>",
        f'<p class="summary">{"<br>".join(_e(x) for x in p.summary)}</p>',
        _bar(completion, elapsed, worst),
    ]
    for section in p.sections:
        parts.extend(_section(section))
    parts.append(f'<p class="legend">{_e(p.legend)} {_e(t("html.bar_legend"))}</p>')
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(p.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )
