"""The light an item gets, by the kind of its target: pure functions of numbers and days.

- ``at_least`` (reach a figure, or a growth over the baseline): by the gap to 序时进度, in points
  (or as a ratio) as the plan's rules say — green within ``yellow`` points, yellow within ``red``,
  red beyond; red whenever the deadline has passed undone (逾期); done when reached.
- ``at_most`` (a ceiling): for a count that adds up, red as soon as the total passes the ceiling,
  yellow when the pace would pass it by the deadline, green otherwise, done only when the
  deadline has passed within it; for a level, red above the ceiling.
- ``range``: a level inside the range is green, outside red; a count is red past the top, yellow
  when its pace would end outside the range; done when the deadline has passed inside it.
- ``monitor``: never judged.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from kpi.core.plan import Item, Rules


class Light(StrEnum):
    DONE = "done"
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"
    MONITOR = "monitor"  # a monitored figure (监测指标): shown, never judged


def finished(completion: float | None) -> bool:
    """Reached its target, or done (a float's last digit does not keep it unfinished)."""
    return completion is not None and completion >= 1 - 1e-9


def by_gap(rules: Rules, completion: float, expected: float) -> Light:
    """Green, yellow or red for an item in progress, by the plan's rules."""
    if finished(completion):
        return Light.DONE
    if rules.mode == "ratio":
        if expected <= 0:
            return Light.GREEN
        behind = round((1 - completion / expected) * 100, 6)
    else:
        behind = round((expected - completion) * 100, 6)
    if behind <= rules.yellow:
        return Light.GREEN
    if behind <= rules.red:
        return Light.YELLOW
    return Light.RED


def pace(actual: float, expected: float) -> float | None:
    """Where a total is heading by the deadline at its pace so far (None with nothing expected)."""
    return actual / expected if expected > 0 else None


def for_ceiling(item: Item, actual: float, expected: float, ended: bool) -> Light:
    """An ``at_most`` target: never past the ceiling."""
    assert item.target is not None and item.target.value is not None
    ceiling = item.target.value
    if actual > ceiling + 1e-9:
        return Light.RED
    if ended:
        return Light.DONE
    if item.accumulate != "level":
        heading = pace(actual, expected)
        if heading is not None and heading > ceiling + 1e-9:
            return Light.YELLOW
    return Light.GREEN


def for_range(item: Item, actual: float, expected: float, ended: bool) -> Light:
    """A ``range`` target: end within ``low``..``high``."""
    assert item.target is not None and item.target.low is not None and item.target.high is not None
    low, high = item.target.low, item.target.high
    inside = low - 1e-9 <= actual <= high + 1e-9
    if item.accumulate == "level" or ended:
        if not inside:
            return Light.RED
        return Light.DONE if ended else Light.GREEN
    if actual > high + 1e-9:
        return Light.RED
    heading = pace(actual, expected)
    if heading is not None and not low - 1e-9 <= heading <= high + 1e-9:
        return Light.YELLOW
    return Light.GREEN


def ended(item: Item, day: dt.date) -> bool:
    """The item's time is up on ``day``: its deadline is behind it."""
    return day >= item.deadline
