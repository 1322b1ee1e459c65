"""Plain-text tables for text that goes to a terminal, a mail or a file: Chinese-width aware, fast.

A table library lays out a table beautifully but spends about a millisecond a row doing it; the
weekly summary of a district (ten thousand items, thousands of them late) would take tens of
seconds. This grid measures each cell once (``kpi.core.text.width``: two columns for a Chinese
character), gives every column its widest cell, and lets one column (the title) take what is left
and wrap, so that the whole table fits the width. Styles, when asked for, are ANSI codes put
around the cell after padding, so they never shift the columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpi.core.text import chop
from kpi.core.text import width as width_of


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
        lines.extend(chop(paragraph, width) if width_of(paragraph) > width else [paragraph])
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
    columns = len(headers)
    # Each row as its lines: per column, the text's lines with their widths, measured once.
    measured = [
        [[(part, width_of(part)) for part in _cell(c).text.split("\n")] for c in row]
        for row in rows
    ]
    styles = [[_cell(c).style for c in row] for row in rows]
    widths = [width_of(h) for h in headers]
    for row_parts in measured:
        for n, parts in enumerate(row_parts):
            widths[n] = max(widths[n], *(w for _, w in parts))
    gap = 2
    room = width - sum(w for n, w in enumerate(widths) if n != flexible) - gap * (columns - 1)
    widths[flexible] = max(8, min(widths[flexible], room))
    at_right = set(right)

    def line(parts: Sequence[tuple[str, int]], row_styles: Sequence[str | None]) -> str:
        out = []
        for n, (text, w) in enumerate(parts):
            pad = " " * (widths[n] - w)
            padded = pad + text if n in at_right else text + pad
            out.append(styled(padded, row_styles[n] if text else None, color))
        return (" " * gap).join(out).rstrip()

    lines = [
        line([(h, width_of(h)) for h in headers], ["bold"] * columns),
        "─" * min(width, sum(widths) + gap * (columns - 1)),
    ]
    blank = ("", 0)
    for row_parts, row_styles in zip(measured, styles, strict=True):
        flex = row_parts[flexible]
        if any(w > widths[flexible] for _, w in flex):
            row_parts = list(row_parts)
            text = "\n".join(part for part, _ in flex)
            row_parts[flexible] = [(part, width_of(part)) for part in wrap(text, widths[flexible])]
        if all(len(parts) == 1 for parts in row_parts):
            lines.append(line([parts[0] for parts in row_parts], row_styles))
            continue
        for k in range(max(len(parts) for parts in row_parts)):
            lines.append(
                line([parts[k] if k < len(parts) else blank for parts in row_parts], row_styles)
            )
    return lines


# Select Graphic Rendition codes of the styles the reports use: the basic ones every pager knows.
_SGR = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "strike": "9",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
}


def styled(text: str, style: str | None, color: bool) -> str:
    """``text`` in ANSI colour when ``color`` is on (``style`` such as ``"bold red"``)."""
    if not (color and style and text):
        return text
    codes = ";".join(_SGR[word] for word in style.split())
    return f"\x1b[{codes}m{text}\x1b[0m"
