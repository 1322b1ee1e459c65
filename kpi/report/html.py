"""The weekly summary as one self-contained HTML page: inline CSS and SVG, no scripts, no fonts
fetched, no links.

It draws ``layout.page``, bars and charts included (``svg``), and is read on a phone, in a mail,
and printed on A4:

- on a screen wider than 40rem, and on paper, every table is a table; narrower (a phone), each
  row is a card, its code, title and light on the first line, the numbers after, each with its
  column's name, and the 催办 list one item a line under its office;
- printed, rows and charts are never cut across pages, and lights keep their colours.

Progress bars show completion against a mark at 序时进度; lights are words inside coloured
labels, so they survive grey-scale printing and colour-blind readers. Everything people typed
(notes, names) is escaped.
"""

from __future__ import annotations

import re
from html import escape

from kpi.core.status import Light
from kpi.core.text import width as columns
from kpi.formats.words import light_word, pct, points
from kpi.locale import language, t
from kpi.report import svg
from kpi.report.layout import Cell, Column, Figure, Line, Section, Table, page, visible
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
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.summary { background: var(--soft); padding: .6rem .8rem; border-radius: 6px; }
.nw { white-space: nowrap; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .35rem .45rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.code { white-space: nowrap; color: #444; }
td.t { min-width: 9em; }
.light { display: inline-block; padding: 0 .45rem; border-radius: 1rem; color: #fff; font-size: .85rem;
         white-space: nowrap; font-weight: 600; background: var(--none); }
.light.done { background: var(--done); } .light.green { background: var(--green); }
.light.yellow { background: var(--yellow); } .light.red { background: var(--red); }
.light.none { background: var(--none); }
.bar { position: relative; height: .8rem; min-width: 6rem; background: #e8e8e8; border-radius: 3px; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; background: var(--none); }
.bar .fill.done { background: var(--done); } .bar .fill.green { background: var(--green); }
.bar .fill.yellow { background: var(--yellow); } .bar .fill.red { background: var(--red); }
.bar .fill.none { background: var(--none); }
.bar .mark { position: absolute; top: -.2rem; bottom: -.2rem; width: 2px; background: #111; }
.narrow { display: none; }
.note { color: #444; font-size: .88rem; }
ul.stale { padding-left: 1.2rem; } ul.stale li { margin: .2rem 0; }
.muted { color: #666; }
.legend { color: #555; font-size: .82rem; margin-top: 2rem; }
svg.chart { display: block; overflow: visible; margin: .4rem 0 .8rem; }
svg.bars { max-width: 48rem; }
.trends { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: .6rem 1.2rem; }
figure.trend { margin: 0; padding: .5rem .6rem 0; border: 1px solid var(--line); border-radius: 8px; }
figure.trend figcaption { font-weight: 600; }
figure.trend .facts { color: #444; font-size: .85rem; }
figure.trend svg.chart { margin: .2rem 0 .3rem; }
p.chart-legend { color: #555; font-size: .82rem; margin: .4rem 0; }
table.facts th { background: none; width: 6.5em; color: #444; }
table.facts td { overflow-wrap: anywhere; }
@media screen and (max-width: 40rem) {
  body { padding: .6rem; font-size: 14px; }
  .scroll { overflow: visible; }
  table.cards thead { display: none; }
  table.cards, table.cards tbody { display: block; }
  table.cards tr { display: flex; flex-wrap: wrap; align-items: baseline; gap: .1rem .7rem;
                   margin: 0 0 .4rem; padding: .35rem .55rem; border: 1px solid var(--line);
                   border-radius: 8px; }
  table.cards tr::before { content: ""; order: 4; flex: 1 1 100%; height: 0; }
  table.cards tr.total { background: var(--soft); }
  table.cards td { display: block; padding: 0; border: 0; min-width: 0; overflow-wrap: anywhere; }
  table.cards td:empty { display: none; }
  table.cards td.code { order: 1; font-weight: 600; color: #1b1b1b; }
  table.cards td.t { order: 2; flex: 1 1 8em; font-weight: 600; }
  table.cards td.t .note { font-weight: 400; }
  table.cards td.l { order: 3; margin-left: auto; }
  table.cards td.k { order: 5; text-align: left; font-size: .88rem; }
  table.cards td.k::before { content: attr(data-label) "\\a0"; color: #666; white-space: nowrap; }
  table.cards td.b { order: 6; flex: 1 1 100%; display: flex; align-items: center; gap: .6rem; padding: .2rem 0 .1rem; }
  table.cards td.b .bar { flex: 1 1 auto; }
  table.cards.pictured td.b { order: 3; flex: 0 0 auto; margin-left: auto; padding: 0; }
  table.cards.pictured td.b .bar { display: none; }
  .narrow { display: inline-block; }
  ul.stale { padding-left: 0; list-style: none; }
  ul.stale li { margin: 0 0 .6rem; }
  li { overflow-wrap: anywhere; }
  ul.stale .sep { display: none; }
  ul.stale .si { display: block; padding-left: .9rem; font-size: .9rem; }
  .trends { grid-template-columns: 1fr; }
}
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .scroll { overflow: visible; }
  td, li { overflow-wrap: anywhere; }
  tr, li, figure.trend, svg.chart { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .trends { grid-template-columns: 1fr 1fr; }
  .light, .bar, .bar .fill, .bar .mark, th, p.summary, svg, tr.total {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


HIDDEN = {"detail"}
SHORT = 12  # columns: a cell no wider is never broken across lines


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def words(text: str) -> str:
    """Escaped, with each date kept on one line (a phone would break 2025-07-02 at a dash)."""
    return _DATE.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', _e(text))


def light_label(light: Light, words: str, extra: str = "") -> str:
    return f'<span class="light {light.value}{extra}">{_e(words)}</span>'


def bar(completion: float | None, expected: float | None, light: Light) -> str:
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


def document(title: str, body: str) -> str:
    """A whole page around ``body``: the language, the viewport for phones, the styles."""
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + body
        + "\n</body>\n</html>\n"
    )


# -- tables, as tables on a wide screen and on paper, as cards on a phone ------------------------

_CLASS = {"code": "code", "title": "t", "number": "n"}


def _classes(table: Table, shown: list[int]) -> dict[int, str]:
    """Each shown column's classes: the codes before the title head a card, the title follows,
    a column with lights goes at the card's right, anything else after them with its name."""
    title = next((n for n in shown if table.columns[n].kind == "title"), len(table.columns))
    lit = {
        n
        for n in shown
        if table.columns[n].kind == "light"
        or any(r.cells[n].light is not None and r.cells[n].bar is None for r in table.rows)
    }
    classes = {}
    for n in shown:
        kind = table.columns[n].kind
        if kind == "bar":
            names = ["b"]
        elif n in lit:
            names = ["l"]
        elif kind == "title":
            names = ["t"]
        elif kind == "code" and n < title:
            names = ["code"]
        elif kind == "code":
            names = ["k", "nw"]
        else:
            names = [_CLASS.get(kind, ""), "k"]
        classes[n] = " ".join(x for x in names if x)
    return classes


def _cell(column: Column, cell: Cell, cls: str, note: str = "", word: bool = False) -> str:
    attr = f' class="{cls}"' if cls else ""
    if "k" in cls.split():
        attr += f' data-label="{_e(column.name)}"'
    if cell.bar is not None:
        completion, expected = cell.bar
        light = cell.light or Light.NONE
        # A table without a column of lights says the bar's light in words on a phone.
        said = light_label(light, light_word(light), " narrow") if word else ""
        return f"<td{attr}>{bar(completion, expected, light)}{said}</td>"
    if cell.light is not None:
        return f"<td{attr}>{light_label(cell.light, cell.text)}</td>"
    text = cell.day.strftime("%m-%d") if cell.day and column.kind == "code" else cell.text
    if not text and not note:
        return f"<td{attr}></td>"
    if column.kind != "title" and "nw" not in cls.split() and columns(text) <= SHORT:
        # A short word (+30 家, an office) stays whole when a long one squeezes the table.
        attr = attr.replace('class="', 'class="nw ', 1) if cls else ' class="nw"' + attr
    return f"<td{attr}>{_e(text)}{note}</td>"


def _table(table: Table, pictured: bool = False) -> str:
    """The table; ``pictured`` when a chart above draws its bars (a phone then shows none)."""
    shown = visible(table.columns, HIDDEN | {"note"})
    classes = _classes(table, shown)
    lit = any("l" in classes[n].split() for n in shown)
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
                said = f"{table.columns[note].name}：{row.cells[note].text}"
                extra = f'<div class="note">{_e(said)}</div>'
            cells.append(_cell(column, cell, classes[n], extra, word=not lit))
        total = ' class="total" style="font-weight:600"' if row.total else ""
        rows.append(f"<tr{total}>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="cards{" pictured" if pictured else ""}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# -- pictures --------------------------------------------------------------------------------------


def _figure(figure: Figure) -> list[str]:
    parts = []
    if figure.bars:
        parts.append(svg.bar_chart(figure.bars))
    if figure.trends:
        if figure.heading:
            parts.append(f"<h3>{_e(figure.heading)}</h3>")
        charts = []
        for s, trend in figure.trends:
            facts = t(
                "html.trend_facts",
                done=pct(s.completion),
                expected=pct(s.expected),
                gap=points(s.gap_points),
                office=s.item.lead_office,
            )
            charts.append(
                '<figure class="trend">'
                f"<figcaption>{_e(s.item.code)} {_e(s.item.title)} "
                f"{light_label(s.light, light_word(s))}</figcaption>"
                f'<div class="facts">{_e(facts)}</div>'
                f"{svg.trend_chart(trend, s.light)}</figure>"
            )
        parts.append(f'<div class="trends">{"".join(charts)}</div>')
        parts.append(f'<p class="chart-legend">{_e(t("chart.trend_legend"))}</p>')
        if figure.more:
            parts.append(f'<p class="muted">{_e(figure.more)}</p>')
    return parts


# -- the page --------------------------------------------------------------------------------------


def _line(line: Line) -> str:
    return "".join(_e(s) if isinstance(s, str) else light_label(*s) for s in line)


def _stale_item(text: str) -> str:
    return f'<span class="si">{_e(text)}</span>'


def _section(section: Section) -> list[str]:
    parts = [f"<h2>{_e(section.heading)}</h2>"]
    parts.extend(f'<p class="muted">{words(line)}</p>' for line in section.intro)
    figure = section.figure
    if figure is not None and figure.bars:
        parts.extend(_figure(Figure(bars=figure.bars)))
    if section.table is not None:
        parts.append(_table(section.table, pictured=figure is not None and bool(figure.bars)))
    if section.groups:
        sep = '<span class="sep">；</span>'
        items = [
            f"<li><strong>{_e(g.title)}</strong>（{g.count}）：{sep.join(_stale_item(x) for x in g.lines)}</li>"
            for g in section.groups
        ]
        parts.append(f'<ul class="stale">{"".join(items)}</ul>')
    if section.lines:
        parts.append(f"<ul>{''.join(f'<li>{_line(line)}</li>' for line in section.lines)}</ul>")
    parts.extend(f'<p class="muted">{_e(line)}</p>' for line in section.more)
    if section.blank and section.empty:
        parts.append(f"<p>{_e(section.empty)}</p>")
    if figure is not None and figure.trends:
        parts.extend(
            _figure(Figure(trends=figure.trends, heading=figure.heading, more=figure.more))
        )
    return parts


def to_html(rep: WeeklyReport) -> str:
    p = page(rep)
    completion, elapsed, worst = p.overall
    parts = [
        f"<h1>{words(p.title)}</h1>",
        f'<p class="summary">{"<br>".join(words(x) for x in p.summary)}</p>',
        bar(completion, elapsed, worst),
    ]
    for section in p.sections:
        parts.extend(_section(section))
    parts.append(f'<p class="legend">{_e(p.legend)} {_e(t("html.bar_legend"))}</p>')
    return document(p.title, "\n".join(parts))
