"""序时进度: what is expected of an item on a day, as a share of its target.

By default the share of the item's period elapsed by the end of the day (its deadline may end the
period early): 时间过半、任务过半. Where the plan gives checkpoints (an indicator's, a share by a
date) or milestones (a task's), those set the share, interpolated between them. A level (a rate,
a standing count) is expected in whole at any time, unless checkpoints say otherwise.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from kpi.core.plan import Item, Plan


def elapsed_share(start: dt.date, end: dt.date, day: dt.date) -> float:
    """The share of [start, end] elapsed at the end of ``day``: 0 before, 1 on the last day."""
    if day < start:
        return 0.0
    if day >= end:
        return 1.0
    return ((day - start).days + 1) / ((end - start).days + 1)


def _interpolate(points: Sequence[tuple[dt.date, float]], day: dt.date) -> float:
    """Piecewise-linear share through (date, share) points, flat before the first and after the last.

    Points share a date when two milestones fall due the same day: on that day both count.
    """
    if day <= points[0][0]:
        return max(s for d, s in points if d == points[0][0])
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if day == d1:
            return max(s for d, s in points if d == d1)
        if day < d1:
            return s0 + (s1 - s0) * (day - d0).days / (d1 - d0).days
    return points[-1][1]


def expected_share(plan: Plan, item: Item, day: dt.date) -> float:
    """序时进度 of ``item`` on ``day``."""
    origin = plan.start - dt.timedelta(days=1)  # the share is 0 at the start of the first day
    steps: list[tuple[dt.date, float]] = []
    if item.checkpoints:
        steps = [(c.date, c.share) for c in item.checkpoints]
    elif item.milestones:
        steps = [(m.date, m.share) for m in item.milestones]
    if not steps:
        if item.is_indicator and item.accumulate == "level":
            return 1.0  # a rate or a standing count is judged against the whole target
        return elapsed_share(plan.start, item.deadline, day)
    points = [(origin, 0.0), *steps]
    if points[-1][0] < item.deadline and points[-1][1] < 1.0:
        points.append((item.deadline, 1.0))
    return min(1.0, _interpolate(points, day))
