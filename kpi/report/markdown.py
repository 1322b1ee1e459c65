"""The weekly summary as Markdown, for a wiki, a chat or a mail client that renders it.

It draws ``layout.page``: every column but the bars, dates in full, lists as bullet points.
Whatever people typed is escaped (``formats.tables.md_cell``), so a note cannot break a table.
"""

from __future__ import annotations

import re

from kpi.formats.tables import md_cell, to_markdown
from kpi.report.layout import Line, Section, page, visible
from kpi.report.weekly import WeeklyReport

HIDDEN = {"bar"}


def to_markdown_report(rep: WeeklyReport) -> str:
    p = page(rep)
    out: list[str] = [f"# {md_cell(p.title)}", ""]
    for line in p.summary:
        out += [md_cell(line), ""]
    for section in p.sections:
        out += _section(section)
    text = "\n".join(part.rstrip("\n") for part in out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def _section(section: Section) -> list[str]:
    out = ["", f"## {section.heading}", ""]
    for line in section.intro:
        out += [md_cell(line), ""]
    if section.table is not None:
        shown = visible(section.table.columns, HIDDEN)
        out.append(
            to_markdown(
                [section.table.columns[n].name for n in shown],
                [[row.cells[n].text for n in shown] for row in section.table.rows],
            )
        )
    for group in section.groups:
        listed = "；".join(group.lines)
        out.append(f"- **{md_cell(group.title)}**（{group.count}）：{md_cell(listed)}")
    out.extend(f"- {md_cell(_plain(line))}" for line in section.lines)
    if section.more:
        out += ["", *(md_cell(line) for line in section.more)]
    if section.blank and section.empty:
        out.append(md_cell(section.empty))
    return out


def _plain(line: Line) -> str:
    return "".join(s if isinstance(s, str) else s[1] for s in line)
