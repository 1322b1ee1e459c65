"""Charts as inline SVG: pure functions from facts to a string, for the HTML pages.

No scripts, no fonts, no links: an ``<svg>`` element with no namespace declaration (HTML needs
none) that a browser, a mail client and a printer draw as it is. Across, everything is placed in
percentages of the chart's width and the text in pixels, so a chart fills a phone's 390 pixels, a
desktop's column or an A4 page, and its words stay the size of the page's words; only the height
is fixed. Lines that a percentage cannot describe (a polyline's points) are drawn as segments.
Every word is escaped; lights are words as well as colours.

- ``bar_chart``: one bar per area, filled to its completion in the colour of its worst light, a
  mark at 序时进度, the light in words before the label and the completion after the bar;
- ``trend_chart``: an item's completion over the period (a step at each record) against the
  序时进度 line (solid up to the as-of day, dashed after), the target as a dashed line across.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from html import escape

from kpi.core.status import Light
from kpi.core.text import chop
from kpi.core.text import width as columns
from kpi.formats.chart import axis_label, month_labels, unit_scale
from kpi.formats.words import pct
from kpi.locale import t
from kpi.report.layout import Bar
from kpi.report.weekly import Trend

COLOURS = {
    Light.DONE: "#1f5fbf",
    Light.GREEN: "#1e7b34",
    Light.YELLOW: "#a86a00",
    Light.RED: "#b3261e",
    Light.NONE: "#6b6b6b",
}
INK = "#1b1b1b"


def colour_of(light: Light) -> str:
    """The light's colour; grey for one this module does not know."""
    return COLOURS.get(light, COLOURS[Light.NONE])


MUTED = "#666"
TRACK = "#e8e8e8"
GRID = "#dedede"
FONT = 13  # px, a little under the page's words


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (``12.5``, ``40``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _svg(height: float, label: str, body: Iterable[str], cls: str) -> str:
    return (
        f'<svg class="{cls}" width="100%" height="{_n(height)}" role="img" '
        f'aria-label="{_e(label)}" font-size="{FONT}">'
        f"<title>{_e(label)}</title>{''.join(body)}</svg>"
    )


def _fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` columns (a Chinese character two), with … where it was cut."""
    if columns(text) <= room:
        return text
    out, used = [], 1
    for ch in text:
        used += columns(ch)
        if used > room:
            break
        out.append(ch)
    return "".join(out) + "…"


# -- bars against 序时进度 -----------------------------------------------------------------------

BAR_END = 80.0  # % of the width the bars take; the completion is written after them
ROW = 46  # px per bar: its words above, the bar below
LINE = 17  # px more for each further line of words
LABEL_ROOM = 52  # columns of words a line above a bar holds: about 340 px, what a phone has


def _label_lines(words: str, label: str) -> list[str]:
    """The label in lines of at most ``LABEL_ROOM`` columns, the first after the light's words;
    two lines at most, … where the rest was left out."""
    first = LABEL_ROOM - columns(words) - 1
    if columns(label) <= first:
        return [label]
    head = chop(label, first)[0]
    return [head, _fit(label[len(head) :], LABEL_ROOM)]


def bar_chart(bars: Sequence[Bar]) -> str:
    """One bar per row: ``words`` (the light, in its colour) and ``label`` above, the bar filled
    to ``completion`` (up to its end) with a black mark at ``expected``, the share after it."""
    body: list[str] = []
    y = 0
    for n, b in enumerate(bars):
        colour = colour_of(b.light)
        weight = ' font-weight="700"' if b.total else ""
        if b.total and n:
            body.append(
                f'<line x1="0" x2="100%" y1="{y + 2}" y2="{y + 2}" stroke="{GRID}" '
                'stroke-width="1"/>'
            )
        lines = _label_lines(b.words, b.label)
        body.append(
            f'<text x="0" y="{y + 17}" fill="{INK}"{weight}>'
            f'<tspan fill="{colour}" font-weight="700">{_e(b.words)}</tspan>'
            f'<tspan dx="6">{_e(lines[0])}</tspan>'
            + "".join(f'<tspan x="0" dy="{LINE}">{_e(line)}</tspan>' for line in lines[1:])
            + "</text>"
        )
        y += LINE * (len(lines) - 1)
        fill = 0.0 if b.completion is None else max(0.0, min(b.completion, 1.0))
        body.append(
            f'<rect x="0" y="{y + 23}" width="{_n(BAR_END)}%" height="14" rx="3" fill="{TRACK}"/>'
        )
        if fill > 0:
            body.append(
                f'<rect class="fill" x="0" y="{y + 23}" width="{_n(fill * BAR_END)}%" '
                f'height="14" rx="3" fill="{colour}"/>'
            )
        if b.expected is not None:
            mark = _n(max(0.0, min(b.expected, 1.0)) * BAR_END)
            body.append(
                f'<line class="expected" x1="{mark}%" x2="{mark}%" y1="{y + 19}" y2="{y + 41}" '
                f'stroke="{INK}" stroke-width="2"/>'
            )
        body.append(
            f'<text x="{_n(BAR_END + 2)}%" y="{y + 35}" fill="{INK}"{weight}>'
            f"{_e(pct(b.completion))}</text>"
        )
        y += ROW
    body.append(_scale(y))
    expected = {b.expected for b in bars if b.expected is not None}
    if len(expected) == 1:  # one 序时进度 for every bar (the plan's elapsed time): say it once
        (share,) = expected
        x = max(0.0, min(share, 1.0)) * BAR_END
        anchor = "start" if x < BAR_END / 2 else "end"
        body.append(
            f'<line x1="{_n(x)}%" x2="{_n(x)}%" y1="{y + 4}" y2="{y + 24}" stroke="{INK}" '
            'stroke-width="2"/>'
            f'<text x="{_n(x)}%" dx="{"5" if anchor == "start" else "-5"}" y="{y + 36}" '
            f'text-anchor="{anchor}" fill="{INK}">{_e(t("chart.expected_at", share=pct(share)))}'
            "</text>"
        )
    label = " ".join(
        t(
            "chart.bar_label",
            label=b.label,
            light=b.words,
            done=pct(b.completion),
            expected=pct(b.expected),
        )
        for b in bars
    )
    return _svg(y + 42, label, body, "chart bars")


def _scale(y: float) -> str:
    """The scale under the bars: 0, 50% and 100% of the way to the bar's end."""
    parts = [
        f'<line x1="0" x2="{_n(BAR_END)}%" y1="{y + 4}" y2="{y + 4}" stroke="{MUTED}" '
        'stroke-width="1"/>'
    ]
    for share, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "middle")):
        x = _n(share * BAR_END)
        parts.append(
            f'<line x1="{x}%" x2="{x}%" y1="{y + 4}" y2="{y + 8}" stroke="{MUTED}"/>'
            f'<text x="{x}%" y="{y + 19}" text-anchor="{anchor}" fill="{MUTED}" '
            f'font-size="{FONT - 1}">{share * 100:.0f}%</text>'
        )
    return "".join(parts)


# -- one item over the period --------------------------------------------------------------------

LEFT = 13.0  # % of the width for the axis's numbers
RIGHT = 16.0  # % on the right, for the as-of values
TOP = 20  # px above the plot (the target's words)
PLOT = 130  # px of plot
HEIGHT = TOP + PLOT + 24  # and the months below


def _span(lo: float, hi: float) -> tuple[float, float]:
    """The axis: from 0 (or below, for an indicator gone the wrong way) to 100% (or above), in
    quarters."""
    return min(0.0, math.floor(lo * 4) / 4), max(1.0, math.ceil(hi * 4) / 4)


def trend_chart(trend: Trend, light: Light) -> str:
    """The completion (a step line in ``light``'s colour) against 序时进度 and the target."""
    item = trend.item
    total = (trend.end - trend.origin).days
    known = [v for _, v in trend.done if v is not None]
    lo, hi = _span(min(known, default=0.0), max(known, default=0.0))
    scale = unit_scale(item)

    def x(day: dt.date) -> float:
        return LEFT + (100 - LEFT - RIGHT) * (day - trend.origin).days / total

    def y(share: float) -> float:
        return TOP + PLOT * (hi - share) / (hi - lo)

    body: list[str] = []
    # A line every 25% (every 50%, 100%, 200% … on a taller axis), words every 50% or line.
    step = 0.25 * 2 ** max(0, math.ceil(math.log2(hi - lo - 1e-9)))
    every = max(0.5, step)
    k = 0
    while lo + k * step <= hi + 1e-9:
        share = lo + k * step
        k += 1
        major = abs(share / every - round(share / every)) < 1e-9
        body.append(
            f'<line x1="{_n(LEFT)}%" x2="{_n(100 - RIGHT)}%" y1="{_n(y(share))}" '
            f'y2="{_n(y(share))}" stroke="{GRID}" stroke-width="1"/>'
        )
        if major:
            body.append(
                f'<text x="{_n(LEFT)}%" dx="-4" y="{_n(y(share) + 4)}" text-anchor="end" '
                f'fill="{MUTED}" font-size="{FONT - 1}">{_e(axis_label(share, scale))}</text>'
            )
    # The target: 100%, a dashed line across with its words above, at the right.
    target = t("chart.target", value=axis_label(1.0, scale, unit=True))
    body.append(
        f'<line class="target" x1="{_n(LEFT)}%" x2="{_n(100 - RIGHT)}%" y1="{_n(y(1.0))}" '
        f'y2="{_n(y(1.0))}" stroke="{INK}" stroke-width="1" stroke-dasharray="5 3"/>'
        f'<text x="{_n(100 - RIGHT)}%" y="{_n(y(1.0) - 5)}" text-anchor="end" fill="{INK}" '
        f'font-size="{FONT - 1}">{_e(target)}</text>'
    )
    body.extend(_months(trend, x))
    # The as-of day.
    today = x(trend.as_of)
    body.append(
        f'<line x1="{_n(today)}%" x2="{_n(today)}%" y1="{TOP}" y2="{TOP + PLOT}" '
        f'stroke="{MUTED}" stroke-width="1" stroke-dasharray="2 2"/>'
    )
    # 序时进度: solid up to the as-of day, dashed after.
    points = [(x(d), y(s)) for d, s in trend.expected]
    for (x0, y0), (x1, y1), (d, _) in zip(points, points[1:], trend.expected[1:], strict=False):
        dash = ' stroke-dasharray="4 3"' if d > trend.as_of else ""
        body.append(
            f'<line class="expected" x1="{_n(x0)}%" y1="{_n(y0)}" x2="{_n(x1)}%" y2="{_n(y1)}" '
            f'stroke="{INK}" stroke-width="1.5"{dash}/>'
        )
    # The completion: flat from each day to the next, a step where a record changed it.
    colour = colour_of(light)
    steps = [(d, v) for d, v in trend.done if v is not None]
    for (d0, v0), (d1, v1) in itertools.pairwise(steps):
        body.append(
            f'<line class="done" x1="{_n(x(d0))}%" y1="{_n(y(v0))}" x2="{_n(x(d1))}%" '
            f'y2="{_n(y(v0))}" stroke="{colour}" stroke-width="3" stroke-linecap="round"/>'
        )
        if v1 != v0:
            body.append(
                f'<line class="done" x1="{_n(x(d1))}%" y1="{_n(y(v0))}" x2="{_n(x(d1))}%" '
                f'y2="{_n(y(v1))}" stroke="{colour}" stroke-width="3" stroke-linecap="round"/>'
            )
    expected_now = _expected_on(trend)
    done_now = trend.done[-1][1] if trend.done else None
    if steps:
        body.append(f'<circle cx="{_n(today)}%" cy="{_n(y(steps[-1][1]))}" r="4" fill="{colour}"/>')
    body.extend(_end_words(today, y, done_now, expected_now, colour))
    label = t(
        "chart.trend_label",
        code=item.code,
        title=item.title,
        done=pct(done_now),
        expected=pct(expected_now),
    )
    return _svg(HEIGHT, label, body, "chart trend")


def _expected_on(trend: Trend) -> float:
    return next((s for d, s in trend.expected if d == trend.as_of), 0.0)


def _months(trend: Trend, x: Callable[[dt.date], float]) -> list[str]:
    """A tick where each month starts, and the name of every third month under its middle."""
    names = month_labels()
    parts = []
    month = dt.date(trend.start.year, trend.start.month, 1)
    n = 0
    bottom = TOP + PLOT
    while month <= trend.end:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        first = max(month, trend.start) - dt.timedelta(days=1)
        last = min(nxt - dt.timedelta(days=1), trend.end)
        parts.append(
            f'<line x1="{_n(x(first))}%" x2="{_n(x(first))}%" y1="{bottom}" '
            f'y2="{bottom + 4}" stroke="{MUTED}"/>'
        )
        if n % 3 == 0:
            middle = (x(first) + x(last)) / 2
            parts.append(
                f'<text x="{_n(middle)}%" y="{bottom + 17}" text-anchor="middle" '
                f'fill="{MUTED}" font-size="{FONT - 1}">{_e(names[month.month - 1])}</text>'
            )
        month, n = nxt, n + 1
    parts.append(
        f'<line x1="{_n(x(trend.end))}%" x2="{_n(x(trend.end))}%" y1="{bottom}" '
        f'y2="{bottom + 4}" stroke="{MUTED}"/>'
    )
    return parts


def _end_words(
    today: float, y: Callable[[float], float], done: float | None, expected: float, colour: str
) -> list[str]:
    """The completion and 序时进度 on the as-of day, right of it, the lower one below."""
    ye = y(expected) + 4
    words = [(ye, pct(expected), INK)]
    if done is not None:
        yd = y(done) + 4
        if abs(yd - ye) < FONT + 1:  # too close: push them apart, the higher one up
            middle = (yd + ye) / 2
            half = (FONT + 1) / 2
            yd, ye = (
                (middle - half, middle + half)
                if done >= expected
                else (middle + half, middle - half)
            )
            words[0] = (ye, words[0][1], words[0][2])
        words.append((yd, pct(done), colour))
    return [
        f'<text x="{_n(today)}%" dx="7" y="{_n(yy)}" fill="{fill}" font-size="{FONT - 1}" '
        f'font-weight="700" stroke="#fff" stroke-width="3" paint-order="stroke">{_e(text)}</text>'
        for yy, text, fill in words
    ]
