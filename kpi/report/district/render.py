"""The district's view as text, Markdown and HTML: the pages of ``district.layout``, drawn by the
weekly summary's own renderers section by section, so that both read and print alike.

- text: at a given width, Chinese-width aware (``report.grid``), ANSI colours only when asked;
- Markdown: a heading per plan's red items one level below the page's parts;
- HTML: one self-contained page (the weekly summary's inline CSS, inline SVG, no scripts), a bar
  per plan against its 序时进度, every table a table on a wide screen and on paper, cards on a
  phone.
"""

from __future__ import annotations

import re

from kpi.formats.tables import md_cell
from kpi.report import html, markdown, text
from kpi.report.district.layout import DistrictPage
from kpi.report.grid import styled


def to_text(p: DistrictPage, *, width: int = 80, color: bool = False) -> str:
    lines = [styled(p.title, "bold", color), *p.summary]
    for section, _level in p.sections:
        lines.extend(text._section(section, width, color))
    return "\n".join(lines) + "\n"


def to_markdown(p: DistrictPage) -> str:
    out: list[str] = [f"# {md_cell(p.title)}", ""]
    for line in p.summary:
        out += [md_cell(line), ""]
    for section, level in p.sections:
        parts = markdown._section(section)
        if level > 1:
            parts = [("#" + x) if x.startswith("## ") else x for x in parts]
        out += parts
    joined = "\n".join(part.rstrip("\n") for part in out)
    return re.sub(r"\n{3,}", "\n\n", joined).rstrip() + "\n"


def to_html(p: DistrictPage) -> str:
    parts = [
        f"<h1>{html.words(p.title)}</h1>",
        f'<p class="summary">{"<br>".join(html.words(x) for x in p.summary)}</p>',
    ]
    for section, level in p.sections:
        drawn = html._section(section)
        if level > 1:
            drawn = [re.sub(r"^<h2>(.*)</h2>$", r"<h3>\1</h3>", x) for x in drawn]
        parts.extend(drawn)
    if p.legend:
        parts.append(f'<p class="legend">{html.words(p.legend)}</p>')
    return html.document(p.title, "\n".join(parts))
