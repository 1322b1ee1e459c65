"""A plain grid for the terminal: cells of styled text, measured once, padded with spaces.

A table library lays out a table well but spends about a millisecond a row doing it, and a
district's status has ten thousand rows; this grid costs a few microseconds a cell. Each cell is
one or more lines, each line a few pieces of text with a style; columns are left- or
right-aligned with a gap before each. A line of a cell may be wider than its column when the
cells to its right are empty on that line: it runs on into their room (``room``), so a long
title's second line can use the space under numbers that have no second line. Styles become ANSI
codes around the text only (``kpi.report.grid.styled``), never around padding, and no line ends
in spaces, so piped output has no trailing padding and, without colour, no codes at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpi.core.text import width as width_of
from kpi.report.grid import styled

Piece = tuple[str, str | None]  # text and a style such as "bold red"


@dataclass(slots=True)
class Line:
    pieces: list[Piece]
    width: int

    @classmethod
    def of(cls, text: str, style: str | None = None) -> Line:
        return cls([(text, style)] if text else [], width_of(text))

    def add(self, text: str, style: str | None = None) -> Line:
        self.pieces.append((text, style))
        self.width += width_of(text)
        return self

    def paint(self, color: bool) -> str:
        return "".join(styled(text, style, color) for text, style in self.pieces)


Cell = list[Line]  # its lines, top to bottom; [] is an empty cell
EMPTY: Cell = []


@dataclass(slots=True)
class Column:
    header: str
    right: bool = False
    gap: int = 2  # spaces before the column (none before the first)
    width: int = 0


def fit(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> None:
    """Give each column the width of its header or its widest cell line, whichever is wider."""
    for n, col in enumerate(columns):
        col.width = max([width_of(col.header), *(line.width for r in rows for line in r[n])])


def total(columns: Sequence[Column]) -> int:
    return sum(c.width for c in columns) + sum(c.gap for c in columns[1:])


def room(columns: Sequence[Column], cells: Sequence[Cell], n: int, k: int) -> int:
    """How wide line ``k`` of cell ``n`` may be: its column, and the columns after it that are
    empty on that line (with their gaps), up to the first that is not."""
    space = columns[n].width
    for m in range(n + 1, len(columns)):
        if len(cells[m]) > k:
            break
        space += columns[m].gap + columns[m].width
    return space


def header(columns: Sequence[Column], color: bool, style: str | None = "bold") -> str:
    return render(columns, [[Line.of(c.header, style)] for c in columns], color)[0]


def rule(columns: Sequence[Column], limit: int) -> str:
    return "─" * min(limit, total(columns))


def render(columns: Sequence[Column], cells: Sequence[Cell], color: bool) -> list[str]:
    """The row's lines: each column's line padded to its width, no spaces at the end."""
    out = []
    for k in range(max((len(c) for c in cells), default=0)):
        text: list[str] = []
        owed = 0  # spaces still to write before the next text
        over = 0  # how far the last text ran into the columns after it
        for n, col in enumerate(columns):
            gap = col.gap if n else 0
            cell = cells[n]
            if len(cell) <= k or not cell[k].width:
                if over:
                    over -= gap + col.width
                    if over < 0:
                        owed, over = -over, 0
                else:
                    owed += gap + col.width
                continue
            line = cell[k]
            pad = max(0, col.width - line.width)
            lead = owed + gap + (pad if col.right else 0)
            if over:  # a line that ran over leaves what is left of its gap, at least one space
                lead = max(1, gap - over)
            text.append(" " * lead + line.paint(color))
            owed = 0 if col.right else pad
            over = max(0, line.width - col.width)
        out.append("".join(text))
    return out
