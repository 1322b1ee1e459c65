"""``kpi`` alone: where the plan stands, on one screen.

The plan and the day; how many items have each light; the worst few (red, then yellow, the widest
gap first) as ``kpi status --sort gap`` shows them; how many are waiting for an update and which
offices most; and what to type next. ``kpi --help`` gives the help.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import typer

from kpi.cli.plain import Line
from kpi.cli.tables import StatusTable, status_heading, worst_first
from kpi.cli.wrap import pack, wrap
from kpi.core.status import Light, PlanStatus
from kpi.formats.words import COUNT_ORDER, LIGHT_STYLE, short_word
from kpi.locale import t
from kpi.report.grid import styled

if TYPE_CHECKING:
    from kpi.cli.context import State

WORST = 6  # items listed
OFFICES = 4  # offices named in the stale line


def show_summary(st: State) -> None:
    from kpi.app import views

    ps = views.status(st.workspace).status
    out = st.out
    color = out.is_terminal and not out.no_color
    typer.echo("\n".join(summary_lines(ps, width=out.width, color=color)), color=color)


def summary_lines(ps: PlanStatus, *, width: int = 80, color: bool = False) -> list[str]:
    assert ps.overall is not None
    r = ps.overall
    lines = [styled(x, "bold", color) for x in wrap(status_heading(ps), width)]
    counts = Line.of(t("summary.total", n=r.total))
    for light in (*COUNT_ORDER, Light.MONITOR):
        n = r.counts.get(light, 0)
        if n or light in COUNT_ORDER:
            counts.add("  " if light != COUNT_ORDER[0] else "")
            counts.add(f"{short_word(light)} {n}", LIGHT_STYLE[light])
    lines.append(counts.paint(color))

    behind = [s for s in worst_first(ps.items) if s.light in (Light.RED, Light.YELLOW)]
    lines.append("")
    if behind:
        heading = t("summary.worst", n=min(WORST, len(behind)), total=len(behind))
        lines.append(styled(heading, "bold", color))
        table = StatusTable(behind[:WORST], width)
        lines += table.header(color)
        for s in behind[:WORST]:
            lines += table.row(s, color)
    else:
        lines.append(t("report.none_attention"))

    stale = [s for s in ps.items if s.stale]
    lines.append("")
    if stale:
        by_office = Counter(s.item.lead_office for s in stale).most_common()
        names = [f"{o} {n}" for o, n in by_office[:OFFICES]]
        if len(by_office) > OFFICES:
            names[-1] += t("summary.more_offices", n=len(by_office) - OFFICES)
        head = t("summary.stale", n=len(stale), days=ps.plan.rules.stale_days, offices="")
        lines += pack([head + names[0], *names[1:]], width, t("summary.office_sep"))
    else:
        lines.append(t("report.none_stale"))
    lines.append("")
    hints = t("summary.next").split(" · ")
    lines += [styled(x.rstrip(), "dim", color) for x in pack(hints, width, " · ")]
    return lines
