"""One item's progress as a chart in plain characters, for ``kpi show`` in a terminal or a pipe.

A bar per month (its completion at the month's end), a tick either side of it at 序时进度, the
target as a dotted row, an axis from 0 to the target (in the item's unit for an indicator that
counts up from nothing, in percent otherwise) and the months under the bars:

     234 ┤┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈ 目标
         │
   175.5 ┤
         │                          ─  ─
     117 ┤                ─  ─ ─  ─ ─██─
         │      ─  ─ ─  ─  ██   ██   ██
    58.5 ┤ ─  ─  ██   ██   ██   ██   ██
         │  ██   ██   ██   ██   ██   ██
       0 └───────────────────────────────────
          1月  2月  3月  4月  5月  6月  7月

Nothing but characters (no colour), every line within the width asked for, Chinese counted two
columns (``kpi.core.text.width``). The values come from the caller, who takes them from
``kpi.core.status.trend`` and ``expected_share``, so the chart says what the status says. A
completion below nothing (an indicator gone the wrong way) is drawn as no bar. No terminal
library here: a list of lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kpi.core.plan import Item
from kpi.core.text import width as columns
from kpi.formats.words import num
from kpi.locale import t

EIGHTHS = " ▁▂▃▄▅▆▇█"
TICK = "─"
TARGET = "┈"
BAR = "█"


def unit_scale(item: Item) -> tuple[float, str] | None:
    """(target, unit) when an axis reads in the item's unit: an indicator counted up from 0
    toward its target. A task, and an indicator going down from a baseline, read in percent."""
    value = item.target.value if item.target is not None else None
    if item.is_indicator and item.direction == "up" and value:  # a target with a value to reach
        return float(value), item.unit or ""
    return None


def axis_label(share: float, scale: tuple[float, str] | None, *, unit: bool = False) -> str:
    """A level of an axis in words: ``50%``, or ``117`` (``117 家`` with ``unit``)."""
    if scale is None:
        return f"{share * 100:.0f}%"
    target, name = scale
    text = num(share * target)
    return f"{text} {name}" if unit and name else text


def month_labels() -> list[str]:
    """The twelve months' short names: 1月 … 12月, Jan … Dec."""
    return t("chart.months").split()


def _per_row(top: float) -> float:
    """The share of the target one row stands for: an eighth, unless the chart would be too
    tall (an item far beyond its target)."""
    per_row = 0.125
    while top / per_row > 16:  # an eighth, a quarter, a half, 1, 2, 4 … of the target a row
        per_row *= 2
    return per_row


def progress_chart(
    labels: Sequence[str],
    done: Sequence[float | None],
    expected: Sequence[float],
    *,
    scale: tuple[float, str] | None = None,
    width: int = 80,
) -> list[str]:
    """The chart as lines: a bar per label (``done``: completion, None before anything counts)
    with ticks at ``expected`` (序时进度), the target dotted, an axis, the labels, a legend."""
    top = max(1.0, *(v for v in done if v is not None)) if done else 1.0
    per_row = _per_row(math.ceil(top * 4) / 4)
    rows = math.ceil(top / per_row - 1e-9)
    target_row = max(0, round(1 / per_row) - 1)
    labelled = per_row * 2  # every other row says its level
    levels = {b: (b + 1) * per_row for b in range(rows)}
    axis = {
        b: axis_label(level, scale)
        for b, level in levels.items()
        if abs(level / labelled - round(level / labelled)) < 1e-9
    }
    zero = axis_label(0.0, scale)
    lw = max(columns(zero), *(columns(x) for x in axis.values()))
    target_words = t("chart.target_short")
    room = width - lw - 2 - columns(target_words) - 1

    # A bar two columns wide between its ticks and a gap; narrower, then only the latest months.
    cw = 5 if len(labels) * 5 <= room else 3
    keep = max(1, room // cw)
    labels, done, expected = labels[-keep:], done[-keep:], expected[-keep:]
    n = len(labels)
    bar_w = 2 if cw == 5 else 1

    lines = []
    for b in reversed(range(rows)):
        fill = TARGET if b == target_row else " "
        cells = []
        for v, e in zip(done, expected, strict=True):
            bar = fill * bar_w
            if v is not None and v > 0:
                level = min(v / per_row, rows)
                if level >= b + 1:
                    bar = BAR * bar_w
                elif level > b:
                    eighth = int((level - b) * 8)
                    if eighth == 0 and b == 0:
                        eighth = 1  # something done shows, however little
                    if eighth:
                        bar = EIGHTHS[eighth] * bar_w
            tick = TICK if round(e / per_row) - 1 == b else fill
            cells.append(tick + bar + tick + (fill if cw == 5 else ""))
        edge = "┤" if b in axis else "│"
        words = axis.get(b, "")
        line = " " * (lw - columns(words)) + f"{words} {edge}" + "".join(cells)
        if b == target_row:
            line += " " + target_words
        lines.append(line.rstrip())
    lines.append(" " * (lw - columns(zero)) + f"{zero} └" + "─" * (n * cw))
    # The labels under their bars, as many as fit with a space between, the latest always.
    placed: list[tuple[int, str]] = []
    for k in reversed(range(n)):
        label = labels[k]
        at = lw + 2 + k * cw + (1 if cw == 5 and columns(label) <= 3 else 0)
        if not placed or at + columns(label) < placed[-1][0]:
            placed.append((at, label))
    under = ""
    for at, label in reversed(placed):
        under += " " * (at - columns(under)) + label
    lines.append(under)
    lines.extend(_legend(scale, width))
    return lines


def _legend(scale: tuple[float, str] | None, width: int) -> list[str]:
    parts = [
        f"{BAR * 2} {t('chart.done_monthly')}",
        f"{TICK} {t('chart.expected')}",
        f"{TARGET} {t('chart.target', value=axis_label(1.0, scale, unit=True))}",
    ]
    lines: list[str] = []
    for part in parts:
        if lines and columns(lines[-1]) + 2 + columns(part) <= width:
            lines[-1] += "  " + part
        else:
            lines.append(part)
    return lines
