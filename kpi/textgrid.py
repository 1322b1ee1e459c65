"""Plain-text tables for text that goes to a mail or a file: Chinese-width aware, fast.

Rich lays out a table beautifully but spends about a millisecond a row doing it; the weekly
summary of a district (ten thousand items, thousands of them late) would take tens of seconds.
This grid measures each cell once with ``rich.cells.cell_len`` (two columns for a Chinese
character), gives every column its widest cell, and lets one column (the title) take what is left
and wrap, so that the whole table fits the width. Styles, when asked for, are ANSI codes put
around the cell after padding, so they never shift the columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
from rich.color import ColorSystem
from rich.style import Style


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    style: str | None = None  # a Rich style, e.g. "bold red"


def _cell(value: Cell | str) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; Chinese text breaks anywhere, as it may."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(chop_cells(paragraph, width) if cell_len(paragraph) > width else [paragraph])
    return lines


def grid(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell | str]],
    *,
    width: int = 80,
    flexible: int = 1,
    right: Sequence[int] = (),
    color: bool = False,
) -> list[str]:
    """The table as lines: a header, a rule, then the rows; column ``flexible`` wraps."""
    cells = [[_cell(c) for c in row] for row in rows]
    columns = len(headers)
    widths = [cell_len(h) for h in headers]
    for row in cells:
        for n, c in enumerate(row):
            widths[n] = max(widths[n], max(cell_len(part) for part in c.text.split("\n")))
    gap = 2
    room = width - sum(w for n, w in enumerate(widths) if n != flexible) - gap * (columns - 1)
    widths[flexible] = max(8, min(widths[flexible], room))

    def line(parts: Sequence[Cell]) -> str:
        out = []
        for n, c in enumerate(parts):
            pad = " " * (widths[n] - cell_len(c.text))
            text = pad + c.text if n in right else c.text + pad
            out.append(styled(text, c.style if c.text else None, color))
        return (" " * gap).join(out).rstrip()

    lines = [
        line([Cell(h, "bold") for h in headers]),
        "─" * min(width, sum(widths) + gap * (columns - 1)),
    ]
    for row in cells:
        split = [
            wrap(c.text, widths[n]) if n == flexible else c.text.split("\n")
            for n, c in enumerate(row)
        ]
        for k in range(max(len(s) for s in split)):
            lines.append(
                line([Cell(s[k] if k < len(s) else "", row[n].style) for n, s in enumerate(split)])
            )
    return lines


def styled(text: str, style: str | None, color: bool) -> str:
    """``text`` in ANSI colour when ``color`` is on; the basic 16 colours every pager knows."""
    if not (color and style and text):
        return text
    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)
