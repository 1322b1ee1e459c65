"""The status rules: pure functions of (plan, updates, date).

Nothing here reads a database or a clock. Given the plan, every update ever recorded and a date d,
``plan_status`` says where each item stands on d using only the updates dated on or before d that
have not been voided, so any past week can be recomputed and compared.

The rules, as offices use them (SPEC.md):

- 序时进度 ``expected``: the share of the item's period elapsed by d (its deadline may end it early),
  or, where the plan gives checkpoints or milestones, the share those set for d, interpolated. A
  level (a rate, a standing count) is expected in whole at any time, unless checkpoints say not.
- completion ``c``: actual ÷ target; for a lower-is-better indicator, the way travelled from the
  baseline toward the target. Over 100% is kept and shown (超额完成), never capped. Ceilings,
  ranges and monitored figures have no share done: they are within, or not.
- the light: by the kind of target (``lights``): for a figure to reach, the gap (c − expected) in
  percentage points by the plan's rules, and red whenever a milestone or the deadline has passed
  undone (逾期); a monitored figure is never judged.
- stale: nothing recorded for ``stale_days`` while something is expected; forecast: where the
  item ends the period at its pace (a sum or year-to-date total), its latest value (a level), or
  its value as it is (done), once a tenth of the period has passed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from kpi.core import lights
from kpi.core.expected import elapsed_share, expected_share
from kpi.core.lights import Light, finished
from kpi.core.plan import Item, Milestone, Plan, PlanHead
from kpi.core.progress import Progress, fold, valid_until
from kpi.core.records import Update

__all__ = ["SEVERITY", "Light", "elapsed_share", "expected_share", "finished"]

# From worst to best: a roll-up shows the worst light among its items. An item nobody has
# reported on is worse than one on track: leaders cannot know it is. A monitored figure is never
# judged, so it never makes a roll-up look worse (nor better).
SEVERITY = (Light.RED, Light.YELLOW, Light.NONE, Light.GREEN, Light.DONE)
_RANK = {light: n for n, light in enumerate(SEVERITY)} | {Light.MONITOR: 3}


def rank(light: Light) -> int:
    """0 for red … 4 for done: higher is better."""
    return _RANK[light]


def worse(a: Light, b: Light) -> Light:
    return a if _RANK[a] <= _RANK[b] else b


@dataclass(frozen=True, slots=True)
class ItemStatus:
    item: Item
    as_of: dt.date
    actual: float | None  # indicator: the value; task: the completion share
    completion: float | None
    remaining: float | None  # indicator: in its unit; task: share left
    expected: float
    gap_points: float | None
    light: Light
    overdue: bool
    overdue_milestones: tuple[Milestone, ...]
    milestones_done: dict[str, dt.date]
    last_update: dt.date | None
    stale: bool
    forecast: float | None  # indicator: year-end value; task: year-end completion share
    latest_note: str | None

    @property
    def exceeded(self) -> bool:
        return self.completion is not None and self.completion > 1 + 1e-9

    @property
    def judged(self) -> bool:
        return self.light != Light.MONITOR


@dataclass(frozen=True, slots=True)
class Rollup:
    """Counts per light over a group of items, the share done and the worst light."""

    code: str
    title: str
    counts: dict[Light, int]
    total: int
    worst: Light
    mean_completion: float | None
    stale: int

    @property
    def monitored(self) -> int:
        """Monitored figures among the items: counted apart, never behind."""
        return self.counts.get(Light.MONITOR, 0)

    @property
    def done_share(self) -> float:
        return self.counts.get(Light.DONE, 0) / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class PlanStatus:
    plan: Plan
    as_of: dt.date
    elapsed: float
    items: tuple[ItemStatus, ...]
    sections: dict[str, Rollup] = field(default_factory=dict)
    areas: dict[str, Rollup] = field(default_factory=dict)
    overall: Rollup | None = None


# --------------------------------------------------------------------------------------------


def already_done(s: ItemStatus, code: str) -> bool:
    """Whether ``code`` (the item, or one of its milestones) is done in status ``s``."""
    if code != s.item.code:
        return code in s.milestones_done
    return finished(s.completion)


def light_for(plan: Plan, completion: float, expected: float) -> Light:
    """Green, yellow or red for an item in progress, by the plan's rules."""
    return lights.by_gap(plan.rules, completion, expected)


def completion_of(item: Item, actual: float) -> float | None:
    """Actual against target; lower-is-better from baseline toward target; None for a target
    with no share done (a ceiling, a range, a monitored figure)."""
    if not item.is_indicator:
        return actual
    tg = item.target
    assert tg is not None
    if tg.kind != "at_least" or tg.value is None:
        return None
    if item.direction == "down":
        assert item.baseline is not None
        return (item.baseline.value - actual) / (item.baseline.value - tg.value)
    if tg.positive:
        # Any growth will do: the baseline itself is not yet growth.
        base = tg.value
        if base == 0:
            return 1.0 if actual > 0 else 0.0
        share = actual / base
        return share if actual > base * (1 + 1e-9) or share < 1 else 1 - 1e-6
    if tg.value == 0:
        return 1.0 if actual >= 0 else 0.0
    return actual / tg.value


def item_status(plan: Plan, item: Item, updates: Sequence[Update], day: dt.date) -> ItemStatus:
    """Where ``item`` stands on ``day``; ``updates`` may hold anything, only the valid ones count."""
    return status_of(plan, item, fold(item, valid_until(updates, item.code, day)), day)


def status_of(plan: Plan, item: Item, progress: Progress, day: dt.date) -> ItemStatus:
    """Where ``item`` stands on ``day``, given its progress up to that day."""
    value, done, milestones_done = progress.value, progress.done, progress.milestones_done
    expected = expected_share(plan, item, day)

    completion: float | None = None
    actual: float | None = value
    if item.is_indicator:
        if value is not None:
            completion = completion_of(item, value)
    else:
        reached = max((m.share for m in item.milestones if m.code in milestones_done), default=None)
        if done:
            completion = 1.0
        elif value is not None or reached is not None:
            completion = max(value or 0.0, reached or 0.0)
        actual = completion

    kind = item.target_kind if item.is_indicator else "at_least"
    if kind == "at_least":
        light, done_now, overdue_ms, overdue = _reach(
            plan, item, completion, milestones_done, expected, day
        )
    else:
        overdue_ms, overdue = (), False
        light = _keep(item, kind, actual, expected, day)
        done_now = light == Light.DONE

    gap = None if completion is None else round((completion - expected) * 100, 6)
    remaining = _remaining(item, actual, completion)
    last = progress.last_date
    since = last or (plan.start - dt.timedelta(days=1))
    # Stale is for what someone should have reported: nothing is due of an item before its
    # first checkpoint or milestone, and nothing is asked of what is done.
    due = expected > 0 or kind != "at_least"
    stale = not done_now and due and (day - since).days >= plan.rules.stale_days
    return ItemStatus(
        item=item,
        as_of=day,
        actual=actual,
        completion=completion,
        remaining=remaining,
        expected=expected,
        gap_points=gap,
        light=light,
        overdue=overdue,
        overdue_milestones=overdue_ms,
        milestones_done=milestones_done,
        last_update=last,
        stale=stale,
        forecast=_forecast(plan, item, actual, completion, expected, done_now, day),
        latest_note=progress.latest_note,
    )


def _reach(
    plan: Plan,
    item: Item,
    completion: float | None,
    milestones_done: dict[str, dt.date],
    expected: float,
    day: dt.date,
) -> tuple[Light, bool, tuple[Milestone, ...], bool]:
    """A figure to reach or a task to finish: (light, done, overdue milestones, overdue)."""
    done_now = finished(completion)
    overdue_ms = tuple(
        m
        for m in item.milestones
        if m.date < day and m.code not in milestones_done and not done_now
    )
    late = item.deadline < day and not done_now
    # "Positive growth" is met or not when its time is up: 20.0 against 20 is not growth.
    if item.target is not None and item.target.positive and item.deadline <= day and not done_now:
        late = True
    overdue = bool(overdue_ms) or late
    if done_now:
        light = Light.DONE
    elif overdue:
        light = Light.RED
    elif completion is None:
        light = Light.NONE
    else:
        light = light_for(plan, completion, expected)
    return light, done_now, overdue_ms, overdue


def _keep(item: Item, kind: str, actual: float | None, expected: float, day: dt.date) -> Light:
    """A ceiling, a range or a monitored figure: within, or not; or never judged."""
    if kind == "monitor":
        return Light.MONITOR
    if actual is None:
        return Light.NONE
    ended = lights.ended(item, day)
    if kind == "at_most":
        return lights.for_ceiling(item, actual, expected, ended)
    return lights.for_range(item, actual, expected, ended)


def _remaining(item: Item, actual: float | None, completion: float | None) -> float | None:
    if item.is_indicator:
        assert item.target is not None
        if item.target.kind != "at_least" or item.target.value is None:
            return None
        if actual is None:
            base = item.baseline.value if item.direction == "down" and item.baseline else 0.0
            actual = base
        if item.direction == "down":
            return max(actual - item.target.value, 0.0)
        return max(item.target.value - actual, 0.0)
    return max(1.0 - (completion or 0.0), 0.0)


def _forecast(
    plan: Plan,
    item: Item,
    actual: float | None,
    completion: float | None,
    expected: float,
    finished: bool,
    day: dt.date,
) -> float | None:
    """Where the item ends its period: a total at its pace so far, a level as it stands, what is
    done as it is; None before a tenth of the period has passed."""
    if actual is None:
        return None
    if finished:
        return actual  # a finished winter class is not extrapolated to forty
    if elapsed_share(plan.start, plan.end, day) < 0.1:
        return None
    if item.is_indicator and item.accumulate == "level":
        return actual
    if expected <= 0:
        return None
    if not item.is_indicator:
        return min(actual / expected, 1.0)  # a task cannot end the year more than done
    return actual / expected


def rollup(code: str, title: str, statuses: Sequence[ItemStatus]) -> Rollup:
    counts = Counter(s.light for s in statuses)
    judged = [s for s in statuses if s.judged]
    worst = Light.DONE
    for s in judged:
        worst = worse(worst, s.light)
    # The share done is of work with a share: figures to reach and tasks. Each counts between
    # nothing and all of it (going backwards is not less than nothing done, and exceeding one
    # target does not make up for another); work not yet reported counts as not done, since a
    # mean over reported items alone would flatter.
    measured = [s for s in judged if _has_share(s.item)]
    known = [min(max(s.completion, 0.0), 1.0) for s in measured if s.completion is not None]
    mean = sum(known) / len(measured) if measured else None
    return Rollup(
        code=code,
        title=title,
        counts={light: counts.get(light, 0) for light in (*SEVERITY, Light.MONITOR)},
        total=len(statuses),
        worst=worst if judged else Light.NONE,
        mean_completion=mean,
        stale=sum(1 for s in statuses if s.stale),
    )


def _has_share(item: Item) -> bool:
    return not item.is_indicator or item.target_kind == "at_least"


def plan_status(plan: Plan, updates: Sequence[Update], day: dt.date) -> PlanStatus:
    """Every item's status on ``day`` and the roll-ups per section, per area and overall."""
    by_item: dict[str, list[Update]] = {}
    for u in updates:
        by_item.setdefault(u.item_code, []).append(u)
    progress = {
        i.code: fold(i, valid_until(by_item.get(i.code, ()), i.code, day)) for i in plan.items
    }
    return plan_status_from(plan, progress, day)


def plan_status_from(plan: Plan, progress: dict[str, Progress], day: dt.date) -> PlanStatus:
    """As ``plan_status``, from each item's progress (an item missing from it has none yet)."""
    none = Progress()
    statuses = tuple(status_of(plan, i, progress.get(i.code, none), day) for i in plan.items)
    by_code = {s.item.code: s for s in statuses}
    sections: dict[str, Rollup] = {}
    areas: dict[str, Rollup] = {}
    for area in plan.areas:
        in_area: list[ItemStatus] = []
        for section in area.sections:
            group = [by_code[c] for c in section.item_codes if c in by_code]
            sections[section.code] = rollup(section.code, section.title, group)
            in_area.extend(group)
        areas[area.code] = rollup(area.code, area.title, in_area)
    return PlanStatus(
        plan=plan,
        as_of=day,
        elapsed=elapsed_share(plan.start, plan.end, day),
        items=statuses,
        sections=sections,
        areas=areas,
        overall=rollup("", plan.title, statuses),
    )


def clamp_to_period(plan: Plan | PlanHead, day: dt.date) -> dt.date:
    """The nearest day of the plan's period: a 2025 plan read in 2026 is read as of 2025-12-31."""
    return min(max(day, plan.start), plan.end)


def trend(
    plan: Plan, item: Item, updates: Sequence[Update], days: Sequence[dt.date]
) -> list[float | None]:
    """The item's completion at the end of each of ``days`` (None before anything counts),
    folded exactly as its status is: a trend can never disagree with the status beside it."""
    valid = valid_until(updates, item.code, max(days, default=plan.start))
    return [
        status_of(plan, item, fold(item, [u for u in valid if u.date <= d]), d).completion
        for d in days
    ]


def statuses_over(
    plan: Plan, item: Item, updates: Sequence[Update], days: Sequence[dt.date]
) -> list[ItemStatus]:
    """The item's whole status at the end of each of ``days``, for a chart of any kind of target."""
    valid = valid_until(updates, item.code, max(days, default=plan.start))
    return [status_of(plan, item, fold(item, [u for u in valid if u.date <= d]), d) for d in days]
