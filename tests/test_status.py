"""The status rules (SPEC.md, "Status rules") as worked examples with exact values.

Most examples use a small plan built here from the dataclasses, so that every number can be checked
by hand; the worked examples of the issue use the real 2025 plan (fixture ``plan``):
1.1.5 招引企业 (indicator, 234 家), 3.1.1 新建社区事务受理服务中心 (task, milestones 3.1.1-1…4).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import pytest

from kpi.core.plan import Area, Baseline, Checkpoint, Item, Milestone, Plan, Rules, Section, Target
from kpi.core.records import Update, UpdateKind
from kpi.core.status import (
    SEVERITY,
    Light,
    clamp_to_period,
    elapsed_share,
    expected_share,
    item_status,
    light_for,
    plan_status,
    rollup,
)

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
MID = D(2025, 7, 2)  # the end of day 183 of 365
HALF = 183 / 365  # 序时进度 on MID, 0.50137

_ids = itertools.count(1)


def upd(
    code: str,
    day: dt.date,
    kind: UpdateKind,
    value: float | None = None,
    *,
    item: str | None = None,
    voided: bool = False,
    note: str | None = None,
    id: int | None = None,
) -> Update:
    """An update; ``code`` may be a milestone's, then ``item`` names its task."""
    return Update(
        id=next(_ids) if id is None else id,
        code=code,
        item_code=item or code,
        date=day,
        kind=kind,
        value=value,
        voided=voided,
        note=note,
    )


def indicator(
    code: str = "I",
    *,
    target: float = 100.0,
    baseline: float | None = None,
    direction: str = "up",
    accumulate: str = "sum",
    deadline: dt.date = END,
    checkpoints: Sequence[Checkpoint] = (),
    section: str = "A.1",
) -> Item:
    return Item(
        code=code,
        kind="indicator",
        title=f"指标{code}",
        text=f"指标{code}",
        area_code=section.split(".")[0],
        section_code=section,
        lead_office="A",
        deadline=deadline,
        unit="个",
        direction=direction,  # type: ignore[arg-type]
        accumulate=accumulate,  # type: ignore[arg-type]
        baseline=None if baseline is None else Baseline(baseline, 2024, f"2024年{baseline}个"),
        target=Target("assumed", value=target, note="暂定"),
        checkpoints=tuple(checkpoints),
    )


def task(
    code: str = "T",
    *,
    deadline: dt.date = END,
    milestones: Sequence[tuple[dt.date, float]] = (),
    section: str = "A.1",
) -> Item:
    return Item(
        code=code,
        kind="task",
        title=f"任务{code}",
        text=f"任务{code}",
        area_code=section.split(".")[0],
        section_code=section,
        lead_office="A",
        deadline=deadline,
        milestones=tuple(
            Milestone(f"{code}-{n}", code, f"节点{n}", day, share)
            for n, (day, share) in enumerate(milestones, start=1)
        ),
    )


def make_plan(*items: Item, rules: Rules | None = None) -> Plan:
    """A plan holding ``items``; areas and sections follow the items' codes, in order."""
    areas: dict[str, dict[str, list[str]]] = {}
    for i in items:
        areas.setdefault(i.area_code, {}).setdefault(i.section_code, []).append(i.code)
    return Plan(
        id="test-2025",
        organisation="测试街道",
        year=2025,
        title="测试计划",
        source="测试",
        start=START,
        end=END,
        rules=rules or Rules(),
        offices=("A",),
        areas=tuple(
            Area(
                code,
                f"领域{code}",
                tuple(Section(s, code, f"板块{s}", tuple(c)) for s, c in sections.items()),
            )
            for code, sections in areas.items()
        ),
        items=tuple(items),
    )


def status_of(plan: Plan, code: str, updates: Sequence[Update], day: dt.date = MID):
    return item_status(plan, plan.item(code), updates, day)


# --------------------------------------------------------------------------------------------
# 序时进度


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (D(2024, 12, 31), 0.0),  # before the period
        (D(2024, 6, 1), 0.0),
        (D(2025, 1, 1), 1 / 365),  # at the end of the first day
        (D(2025, 1, 2), 2 / 365),
        (D(2025, 7, 2), 183 / 365),  # 时间过半
        (D(2025, 12, 30), 364 / 365),
        (D(2025, 12, 31), 1.0),
        (D(2026, 1, 1), 1.0),  # after the period
        (D(2026, 6, 1), 1.0),
    ],
)
def test_elapsed_share(day: dt.date, share: float) -> None:
    assert elapsed_share(START, END, day) == pytest.approx(share, abs=1e-12)


def test_mid_year_is_just_past_half() -> None:
    assert elapsed_share(START, END, MID) == pytest.approx(0.50137, abs=1e-5)
    assert elapsed_share(START, END, D(2025, 7, 1)) < 0.5 < elapsed_share(START, END, MID)


def test_expected_share_without_checkpoints_is_elapsed_share(plan: Plan) -> None:
    item = plan.item("1.1.5")
    for day in (D(2025, 1, 1), MID, END):
        assert expected_share(plan, item, day) == elapsed_share(START, END, day)


# --------------------------------------------------------------------------------------------
# The worked example: 1.1.5 招引企业, target 234 家, as of 2025-07-02


@pytest.mark.parametrize(
    ("share", "light", "gap"),
    [
        (0.5, Light.GREEN, 50 - 100 * HALF),  # −0.14 points: 达进度
        (0.3, Light.YELLOW, 30 - 100 * HALF),  # −20.1 points: 欠进度
        (0.1, Light.RED, 10 - 100 * HALF),  # −40.1 points
        (1.0, Light.DONE, 100 - 100 * HALF),
    ],
)
def test_enterprises_at_mid_year(plan: Plan, share: float, light: Light, gap: float) -> None:
    item = plan.item("1.1.5")
    assert item.title == "招引企业"
    assert item.target is not None and item.target.value == 234
    actual = 234 * share
    s = status_of(plan, "1.1.5", [upd("1.1.5", D(2025, 6, 30), "add", actual)])
    assert s.light is light
    assert s.actual == pytest.approx(actual)
    assert s.completion == pytest.approx(share)
    assert s.expected == pytest.approx(HALF)
    assert s.gap_points == pytest.approx(gap, abs=1e-6)
    assert s.remaining == pytest.approx(234 - actual)
    assert s.overdue is False
    assert s.exceeded is False


def test_enterprises_exceeded_is_not_capped(plan: Plan) -> None:
    s = status_of(plan, "1.1.5", [upd("1.1.5", D(2025, 6, 30), "add", 234 * 1.2)])
    assert s.light is Light.DONE
    assert s.exceeded is True
    assert s.completion == pytest.approx(1.2)
    assert s.actual == pytest.approx(280.8)
    assert s.remaining == 0
    assert s.stale is False
    assert s.forecast == pytest.approx(280.8)  # done: the figure as it is, not extrapolated


@pytest.mark.parametrize(
    ("share", "points", "light"),
    [
        (0.60, 10, Light.GREEN),  # 超序时进度10个百分点
        (0.35, -15, Light.YELLOW),  # 落后序时进度15个百分点
    ],
)
def test_gap_in_points(plan: Plan, share: float, points: int, light: Light) -> None:
    s = status_of(plan, "1.1.5", [upd("1.1.5", D(2025, 7, 1), "add", 234 * share)])
    assert s.gap_points is not None
    assert round(s.gap_points) == points
    assert s.gap_points == pytest.approx(share * 100 - 100 * HALF, abs=1e-6)
    assert s.light is light


# --------------------------------------------------------------------------------------------
# Thresholds: a small plan whose checkpoint makes 序时进度 exactly 0.5 on 2025-06-30

JUNE30 = D(2025, 6, 30)
HALF_BY_JUNE = (Checkpoint(JUNE30, 0.5),)


def _light(rules: Rules, actual: float) -> tuple[Light, float]:
    plan = make_plan(indicator(checkpoints=HALF_BY_JUNE), rules=rules)
    s = status_of(plan, "I", [upd("I", D(2025, 6, 1), "add", actual)], JUNE30)
    assert s.expected == 0.5
    assert s.gap_points is not None
    return s.light, s.gap_points


@pytest.mark.parametrize(
    ("actual", "light", "gap"),
    [
        (50, Light.GREEN, 0.0),
        (40, Light.GREEN, -10.0),  # exactly 10 points behind: still 达进度
        (39.99, Light.YELLOW, -10.01),
        (30, Light.YELLOW, -20.0),
        (20, Light.YELLOW, -30.0),  # exactly 30 points behind: still yellow
        (19.99, Light.RED, -30.01),
        (0, Light.RED, -50.0),
        (99.99, Light.GREEN, 49.99),
        (100, Light.DONE, 50.0),
    ],
)
def test_point_thresholds(actual: float, light: Light, gap: float) -> None:
    got, points = _light(Rules(), actual)
    assert got is light
    assert points == pytest.approx(gap, abs=1e-9)


@pytest.mark.parametrize(
    ("actual", "light"),
    [
        (50, Light.GREEN),
        (45, Light.GREEN),  # 90% of 序时进度: exactly 10% behind
        (44.995, Light.YELLOW),  # 10.01% behind
        (40, Light.YELLOW),
        (35, Light.YELLOW),  # exactly 30% behind
        (34.995, Light.RED),  # 30.01% behind
        (30, Light.RED),  # 40% behind, though only 20 points
        (100, Light.DONE),
    ],
)
def test_ratio_thresholds(actual: float, light: Light) -> None:
    got, _ = _light(Rules(mode="ratio"), actual)
    assert got is light


@pytest.mark.parametrize(
    ("actual", "points", "ratio"),
    [
        (45, Light.GREEN, Light.GREEN),
        (40, Light.GREEN, Light.YELLOW),  # 10 points, but 20% of what was due
        (30, Light.YELLOW, Light.RED),  # 20 points, but 40% of what was due
    ],
)
def test_modes_differ(actual: float, points: Light, ratio: Light) -> None:
    assert _light(Rules(), actual)[0] is points
    assert _light(Rules(mode="ratio"), actual)[0] is ratio


@pytest.mark.parametrize(
    ("actual", "light"),
    [(45, Light.GREEN), (44.99, Light.YELLOW), (30, Light.YELLOW), (29.99, Light.RED)],
)
def test_thresholds_are_settings_of_the_plan(actual: float, light: Light) -> None:
    assert _light(Rules(yellow=5, red=20), actual)[0] is light


@pytest.mark.parametrize(
    ("completion", "expected", "mode", "light"),
    [
        (0.4, 0.5, "points", Light.GREEN),
        (0.2, 0.5, "points", Light.YELLOW),
        (0.1999, 0.5, "points", Light.RED),
        (0.45, 0.5, "ratio", Light.GREEN),
        (0.35, 0.5, "ratio", Light.YELLOW),
        (0.0, 0.0, "ratio", Light.GREEN),  # nothing due yet
        (1.0, 0.5, "points", Light.DONE),
        (1.5, 0.5, "ratio", Light.DONE),
    ],
)
def test_light_for(completion: float, expected: float, mode: str, light: Light) -> None:
    plan = make_plan(indicator(), rules=Rules(mode=mode))  # type: ignore[arg-type]
    assert light_for(plan, completion, expected) is light


# --------------------------------------------------------------------------------------------
# Accumulation


def test_adds_sum() -> None:
    plan = make_plan(indicator())
    ups = [
        upd("I", D(2025, 2, 1), "add", 10),
        upd("I", D(2025, 3, 1), "add", 5),
        upd("I", D(2025, 4, 1), "add", 2.5),
    ]
    s = status_of(plan, "I", ups)
    assert s.actual == 17.5
    assert s.completion == 0.175
    assert s.remaining == 82.5
    assert s.last_update == D(2025, 4, 1)


def test_set_replaces_the_running_total_and_later_adds_add_to_it() -> None:
    plan = make_plan(indicator())
    ups = [
        upd("I", D(2025, 2, 1), "add", 10),
        upd("I", D(2025, 3, 1), "add", 7),
        upd("I", D(2025, 4, 1), "set", 50),
        upd("I", D(2025, 5, 1), "add", 5),
    ]
    assert status_of(plan, "I", ups, D(2025, 3, 31)).actual == 17
    assert status_of(plan, "I", ups, D(2025, 4, 1)).actual == 50
    assert status_of(plan, "I", ups).actual == 55


def test_same_day_updates_count_in_recording_order() -> None:
    plan = make_plan(indicator())
    day = D(2025, 5, 1)
    ups = [upd("I", day, "add", 5, id=902), upd("I", day, "set", 50, id=901)]
    assert status_of(plan, "I", ups).actual == 55
    ups = [upd("I", day, "add", 5, id=901), upd("I", day, "set", 50, id=902)]
    assert status_of(plan, "I", ups).actual == 50


def test_level_indicator_takes_the_latest_level() -> None:
    plan = make_plan(indicator("L", accumulate="level", baseline=300, target=320))
    ups = [upd("L", D(2025, 3, 1), "set", 310), upd("L", D(2025, 6, 1), "set", 305)]
    s = status_of(plan, "L", ups)
    assert s.actual == 305
    assert s.completion == pytest.approx(305 / 320)
    assert s.remaining == 15
    assert status_of(plan, "L", ups, D(2025, 5, 31)).actual == 310


def test_real_level_indicator(plan: Plan) -> None:
    """1.1.2 服务包: a standing count of firms served, judged against the whole target."""
    item = plan.item("1.1.2")
    assert item.accumulate == "level" and item.target is not None and item.target.value == 10
    ups = [upd("1.1.2", D(2025, 3, 1), "set", 6), upd("1.1.2", D(2025, 6, 1), "set", 9)]
    s = status_of(plan, "1.1.2", ups)
    assert s.actual == 9 and s.expected == 1.0
    assert s.gap_points == pytest.approx(-10) and s.light is Light.GREEN
    assert status_of(plan, "1.1.2", ups[:1]).light is Light.RED  # 6 of 10: 40 points short
    assert (
        status_of(plan, "1.1.2", [*ups, upd("1.1.2", D(2025, 6, 20), "set", 10)]).light
        is Light.DONE
    )


def test_a_monitored_figure_is_shown_but_never_judged(plan: Plan) -> None:
    """5.1.2 调解劳动争议: more is not better; it is watched, never given a light."""
    item = plan.item("5.1.2")
    assert item.monitored
    s = status_of(plan, "5.1.2", [upd("5.1.2", D(2025, 6, 1), "add", 999)])
    assert s.light is Light.MONITOR and s.completion is None and s.gap_points is None
    assert s.actual == 999 and s.remaining is None and s.overdue is False
    assert status_of(plan, "5.1.2", []).light is Light.MONITOR
    assert status_of(plan, "5.1.2", [], END).light is Light.MONITOR  # never late either
    assert status_of(plan, "5.1.2", [upd("5.1.2", D(2025, 5, 1), "add", 1)]).stale is True


def test_voided_updates_are_ignored() -> None:
    plan = make_plan(indicator())
    ups = [
        upd("I", D(2025, 2, 1), "add", 10),
        upd("I", D(2025, 3, 1), "add", 99, voided=True),
        upd("I", D(2025, 4, 1), "set", 80, voided=True),
        upd("I", D(2025, 4, 2), "add", 20),
    ]
    s = status_of(plan, "I", ups)
    assert s.actual == 30
    assert s.last_update == D(2025, 4, 2)


def test_only_voided_updates_mean_no_data() -> None:
    plan = make_plan(indicator())
    s = status_of(plan, "I", [upd("I", D(2025, 2, 1), "add", 10, voided=True)])
    assert s.light is Light.NONE
    assert s.actual is None
    assert s.last_update is None


def test_updates_after_the_date_are_ignored() -> None:
    plan = make_plan(indicator())
    ups = [upd("I", D(2025, 6, 1), "add", 10), upd("I", D(2025, 7, 3), "add", 20)]
    s = status_of(plan, "I", ups, MID)
    assert s.actual == 10
    assert s.last_update == D(2025, 6, 1)
    assert status_of(plan, "I", ups, D(2025, 7, 3)).actual == 30
    assert status_of(plan, "I", ups, D(2025, 5, 31)).actual is None


def test_a_late_report_counts_from_its_date() -> None:
    plan = make_plan(indicator())
    # recorded in July, after the set of 1 May, but dated 1 March
    on_time = upd("I", D(2025, 5, 1), "set", 50, id=1)
    late = Update(
        id=2,
        code="I",
        item_code="I",
        date=D(2025, 3, 1),
        kind="add",
        value=10,
        recorded_at=dt.datetime(2025, 7, 1, 9, 30),
    )
    ups = [on_time, late]
    assert status_of(plan, "I", ups, D(2025, 2, 28)).actual is None
    assert status_of(plan, "I", ups, D(2025, 3, 1)).actual == 10
    assert status_of(plan, "I", ups, D(2025, 4, 30)).last_update == D(2025, 3, 1)
    # the set of 1 May came after it in time and sets the running total
    assert status_of(plan, "I", ups, MID).actual == 50


def test_updates_of_other_items_are_ignored() -> None:
    plan = make_plan(indicator("I"), indicator("J"))
    s = status_of(plan, "I", [upd("J", D(2025, 2, 1), "add", 10)])
    assert s.actual is None


# --------------------------------------------------------------------------------------------
# Lower is better


def _down() -> Plan:
    return make_plan(indicator("D", direction="down", accumulate="level", baseline=100, target=80))


@pytest.mark.parametrize(
    ("actual", "completion", "remaining", "light"),
    [
        # a reduction is a level: judged against the whole target at any time
        (82, 0.9, 2, Light.GREEN),
        (90, 0.5, 10, Light.RED),
        (100, 0.0, 20, Light.RED),
        (86, 0.7, 6, Light.YELLOW),
        (80, 1.0, 0, Light.DONE),
        (75, 1.25, 0, Light.DONE),
        (110, -0.5, 30, Light.RED),  # worse than the baseline
    ],
)
def test_lower_is_better(actual: float, completion: float, remaining: float, light: Light) -> None:
    s = status_of(_down(), "D", [upd("D", D(2025, 6, 1), "set", actual)])
    assert s.actual == actual
    assert s.completion == pytest.approx(completion)
    assert s.remaining == pytest.approx(remaining)
    assert s.light is light


def test_lower_is_better_without_data() -> None:
    s = status_of(_down(), "D", [])
    assert s.completion is None
    assert s.remaining == 20  # from the baseline
    assert s.light is Light.NONE


# --------------------------------------------------------------------------------------------
# Tasks


def test_task_percent() -> None:
    plan = make_plan(task())
    ups = [upd("T", D(2025, 3, 1), "percent", 0.3), upd("T", D(2025, 6, 1), "percent", 0.6)]
    s = status_of(plan, "T", ups)
    assert s.actual == 0.6
    assert s.completion == 0.6
    assert s.remaining == pytest.approx(0.4)
    assert s.light is Light.GREEN
    assert s.gap_points == pytest.approx(60 - 100 * HALF)
    s = status_of(plan, "T", ups, D(2025, 5, 31))
    assert s.completion == 0.3


def test_the_latest_percent_counts_even_if_lower() -> None:
    plan = make_plan(task())
    ups = [upd("T", D(2025, 5, 1), "percent", 0.6), upd("T", D(2025, 6, 1), "percent", 0.4)]
    s = status_of(plan, "T", ups)
    assert s.completion == 0.4
    assert s.light is Light.YELLOW


@pytest.mark.parametrize(
    ("percent", "light"),
    [(0.45, Light.GREEN), (0.3, Light.YELLOW), (0.15, Light.RED), (1.0, Light.DONE)],
)
def test_task_percent_lights(percent: float, light: Light) -> None:
    plan = make_plan(task())
    assert status_of(plan, "T", [upd("T", D(2025, 6, 1), "percent", percent)]).light is light


def test_task_done() -> None:
    plan = make_plan(task())
    ups = [upd("T", D(2025, 3, 1), "percent", 0.1), upd("T", D(2025, 4, 1), "done")]
    s = status_of(plan, "T", ups)
    assert s.light is Light.DONE
    assert s.completion == 1.0
    assert s.remaining == 0
    assert s.overdue is False
    assert s.stale is False
    assert status_of(plan, "T", ups, D(2025, 3, 31)).light is Light.YELLOW


def test_done_without_a_percent() -> None:
    plan = make_plan(task())
    s = status_of(plan, "T", [upd("T", D(2025, 2, 1), "done")], D(2025, 1, 31))
    assert s.light is Light.NONE
    s = status_of(plan, "T", [upd("T", D(2025, 2, 1), "done")], D(2025, 2, 1))
    assert s.light is Light.DONE


def ms(code: str, day: dt.date, item: str = "3.1.1") -> Update:
    return upd(code, day, "done", item=item)


@pytest.mark.parametrize(
    ("done", "completion"),
    [
        (["3.1.1-1"], 0.2),
        (["3.1.1-1", "3.1.1-2"], 0.6),
        (["3.1.1-1", "3.1.1-2", "3.1.1-3"], 0.9),
        (["3.1.1-1", "3.1.1-2", "3.1.1-3", "3.1.1-4"], 1.0),
    ],
)
def test_milestone_completion_is_the_share_of_the_latest_done(
    plan: Plan, done: list[str], completion: float
) -> None:
    ups = [ms(code, D(2025, 4, 1)) for code in done]
    s = status_of(plan, "3.1.1", ups, D(2025, 4, 2))
    assert s.completion == completion
    assert s.actual == completion
    assert s.milestones_done == dict.fromkeys(done, D(2025, 4, 1))
    assert s.overdue is False


def test_milestone_and_percent_take_the_larger(plan: Plan) -> None:
    day = D(2025, 4, 20)
    ups = [ms("3.1.1-1", D(2025, 4, 1)), upd("3.1.1", D(2025, 4, 10), "percent", 0.35)]
    assert status_of(plan, "3.1.1", ups, day).completion == 0.35
    ups = [ms("3.1.1-1", D(2025, 4, 1)), upd("3.1.1", D(2025, 4, 10), "percent", 0.1)]
    assert status_of(plan, "3.1.1", ups, day).completion == 0.2


def test_a_milestone_past_its_date_and_not_done_is_red_and_overdue(plan: Plan) -> None:
    ups = [upd("3.1.1", D(2025, 4, 20), "percent", 0.5)]  # well ahead of 序时进度 0.2
    on_the_day = status_of(plan, "3.1.1", ups, D(2025, 4, 30))
    assert on_the_day.light is Light.GREEN
    assert on_the_day.overdue is False
    assert on_the_day.overdue_milestones == ()
    after = status_of(plan, "3.1.1", ups, D(2025, 5, 1))
    assert after.completion == 0.5
    assert after.light is Light.RED
    assert after.overdue is True
    assert [m.code for m in after.overdue_milestones] == ["3.1.1-1"]


def test_an_overdue_milestone_without_any_report_is_red(plan: Plan) -> None:
    s = status_of(plan, "3.1.1", [], D(2025, 5, 1))
    assert s.completion is None
    assert s.light is Light.RED
    assert s.overdue is True


def test_a_milestone_done_late_ends_the_overdue(plan: Plan) -> None:
    ups = [upd("3.1.1", D(2025, 4, 20), "percent", 0.5), ms("3.1.1-1", D(2025, 5, 10))]
    assert status_of(plan, "3.1.1", ups, D(2025, 5, 9)).overdue is True
    s = status_of(plan, "3.1.1", ups, D(2025, 5, 10))
    assert s.overdue is False
    assert s.light is Light.GREEN
    assert s.milestones_done == {"3.1.1-1": D(2025, 5, 10)}


def test_a_done_task_has_no_overdue_milestones(plan: Plan) -> None:
    s = status_of(plan, "3.1.1", [upd("3.1.1", D(2025, 3, 1), "done")], D(2025, 12, 31))
    assert s.light is Light.DONE
    assert s.overdue is False
    assert s.overdue_milestones == ()


@pytest.mark.parametrize(
    "ups",
    [
        [upd("3.1.1", D(2025, 6, 1), "percent", 1.0)],
        [ms("3.1.1-4", D(2025, 6, 1))],
    ],
    ids=["percent-100", "last-milestone"],
)
def test_a_task_finished_otherwise_is_not_overdue(plan: Plan, ups: list[Update]) -> None:
    """Finished is finished: earlier milestones left unmarked are no longer overdue."""
    s = status_of(plan, "3.1.1", ups, D(2025, 7, 2))
    assert s.light is Light.DONE
    assert s.completion == 1.0
    assert s.overdue is False
    assert s.overdue_milestones == ()


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (D(2024, 12, 31), 0.0),
        (D(2025, 1, 1), 0.2 / 120),  # 3.1.1-1 is due at the end of day 120 with 0.2
        (D(2025, 2, 28), 0.2 * 59 / 120),
        (D(2025, 4, 30), 0.2),
        (D(2025, 7, 2), 0.2 + 0.4 * 63 / 153),  # 63 of the 153 days to 3.1.1-2 (0.6, 9-30)
        (D(2025, 9, 30), 0.6),
        (D(2025, 10, 31), 0.6 + 0.3 * 31 / 61),  # toward 3.1.1-3 (0.9, 11-30)
        (D(2025, 11, 30), 0.9),
        (D(2025, 12, 15), 0.9 + 0.1 * 15 / 31),
        (D(2025, 12, 31), 1.0),
        (D(2026, 1, 31), 1.0),
    ],
)
def test_expected_share_between_milestones(plan: Plan, day: dt.date, share: float) -> None:
    assert expected_share(plan, plan.item("3.1.1"), day) == pytest.approx(share, abs=1e-12)


def test_expected_share_on_mid_year_for_3_1_1_by_hand(plan: Plan) -> None:
    s = status_of(plan, "3.1.1", [ms("3.1.1-1", D(2025, 4, 25))], MID)
    assert s.expected == pytest.approx(0.36471, abs=1e-5)
    assert s.completion == 0.2
    assert s.gap_points == pytest.approx(-16.471, abs=1e-3)
    assert s.light is Light.YELLOW


def test_milestones_end_before_the_deadline_then_rise_to_one() -> None:
    plan = make_plan(task(milestones=[(D(2025, 6, 30), 0.5)]))
    item = plan.item("T")
    assert expected_share(plan, item, D(2025, 6, 30)) == 0.5
    assert expected_share(plan, item, D(2025, 9, 30)) == pytest.approx(0.5 + 0.5 * 92 / 184)
    assert expected_share(plan, item, END) == 1.0


def test_milestones_due_the_same_day_both_count_on_that_day() -> None:
    """plan.py accepts milestones sharing a date; on that day 序时进度 is the later share."""
    plan = make_plan(task(milestones=[(D(2025, 6, 30), 0.5), (D(2025, 6, 30), 0.8)]))
    item = plan.item("T")
    assert expected_share(plan, item, D(2025, 6, 29)) == pytest.approx(0.5 * 180 / 181)
    assert expected_share(plan, item, D(2025, 6, 30)) == 0.8
    assert expected_share(plan, item, D(2025, 7, 1)) == pytest.approx(0.8 + 0.2 / 184)


class TestDeadlineBeforeTheEnd:
    """A task due 2025-06-30 (181 days), without milestones."""

    plan = make_plan(task(deadline=JUNE30))

    def test_expected_runs_to_the_deadline(self) -> None:
        item = self.plan.item("T")
        assert expected_share(self.plan, item, D(2025, 3, 31)) == pytest.approx(90 / 181)
        assert expected_share(self.plan, item, JUNE30) == 1.0
        assert expected_share(self.plan, item, END) == 1.0

    def test_on_the_deadline_it_is_not_yet_overdue(self) -> None:
        s = status_of(self.plan, "T", [upd("T", D(2025, 6, 1), "percent", 0.9)], JUNE30)
        assert s.overdue is False
        assert s.light is Light.GREEN  # exactly 10 points behind

    def test_past_the_deadline_and_not_done_is_overdue_red(self) -> None:
        s = status_of(self.plan, "T", [upd("T", D(2025, 6, 1), "percent", 0.95)], D(2025, 7, 1))
        assert s.overdue is True
        assert s.light is Light.RED
        assert s.overdue_milestones == ()

    def test_past_the_deadline_and_done_is_done(self) -> None:
        ups = [upd("T", D(2025, 6, 20), "done")]
        s = status_of(self.plan, "T", ups, END)
        assert s.overdue is False
        assert s.light is Light.DONE

    def test_no_report_past_the_deadline_is_red(self) -> None:
        s = status_of(self.plan, "T", [], D(2025, 7, 1))
        assert s.light is Light.RED
        assert s.overdue is True


def test_an_indicator_past_its_deadline_short_of_target_is_overdue() -> None:
    plan = make_plan(indicator(deadline=JUNE30))
    ups = [upd("I", D(2025, 6, 1), "add", 95)]
    assert status_of(plan, "I", ups, JUNE30).light is Light.GREEN
    s = status_of(plan, "I", ups, D(2025, 7, 1))
    assert (s.light, s.overdue) == (Light.RED, True)
    ups.append(upd("I", D(2025, 7, 5), "add", 5))
    s = status_of(plan, "I", ups, D(2025, 7, 5))
    assert (s.light, s.overdue) == (Light.DONE, False)


# --------------------------------------------------------------------------------------------
# No data, stale, last update


def test_no_updates() -> None:
    plan = make_plan(indicator())
    s = status_of(plan, "I", [])
    assert s.light is Light.NONE
    assert s.actual is None
    assert s.completion is None
    assert s.gap_points is None
    assert s.last_update is None
    assert s.forecast is None
    assert s.latest_note is None
    assert s.remaining == 100
    assert s.expected == pytest.approx(HALF)
    assert s.overdue is False


def test_task_without_updates() -> None:
    s = status_of(make_plan(task()), "T", [])
    assert (s.light, s.completion, s.actual, s.remaining) == (Light.NONE, None, None, 1.0)


@pytest.mark.parametrize(
    ("day", "stale"),
    [
        (D(2025, 1, 1), False),
        (D(2025, 1, 13), False),
        (D(2025, 1, 14), True),  # 14 days with nothing recorded
        (MID, True),
    ],
)
def test_stale_from_the_period_start(day: dt.date, stale: bool) -> None:
    assert status_of(make_plan(indicator()), "I", [], day).stale is stale


@pytest.mark.parametrize(
    ("day", "stale"),
    [(D(2025, 6, 1), False), (D(2025, 6, 14), False), (D(2025, 6, 15), True)],
)
def test_stale_from_the_last_update(day: dt.date, stale: bool) -> None:
    plan = make_plan(indicator())
    s = status_of(plan, "I", [upd("I", D(2025, 6, 1), "add", 10)], day)
    assert s.stale is stale
    assert s.last_update == D(2025, 6, 1)


def test_stale_days_is_a_setting() -> None:
    plan = make_plan(indicator(), rules=Rules(stale_days=7))
    ups = [upd("I", D(2025, 6, 1), "add", 10)]
    assert status_of(plan, "I", ups, D(2025, 6, 7)).stale is False
    assert status_of(plan, "I", ups, D(2025, 6, 8)).stale is True


def test_done_items_are_never_stale() -> None:
    plan = make_plan(indicator(), task())
    assert status_of(plan, "I", [upd("I", D(2025, 2, 1), "add", 120)], END).stale is False
    assert status_of(plan, "T", [upd("T", D(2025, 2, 1), "done")], END).stale is False


def test_last_update_counts_milestones_and_notes(plan: Plan) -> None:
    ups = [
        upd("3.1.1", D(2025, 3, 1), "percent", 0.1, note="设计招标"),
        ms("3.1.1-1", D(2025, 4, 28)),
        upd("3.1.1", D(2025, 5, 1), "percent", 0.25, voided=True, note="作废"),
    ]
    s = status_of(plan, "3.1.1", ups, D(2025, 5, 11))
    assert s.last_update == D(2025, 4, 28)
    assert s.latest_note == "设计招标"
    assert s.stale is False


# --------------------------------------------------------------------------------------------
# Forecast


def test_no_forecast_before_a_tenth_of_the_period() -> None:
    plan = make_plan(indicator())
    ups = [upd("I", D(2025, 1, 20), "add", 10)]
    assert status_of(plan, "I", ups, D(2025, 2, 5)).forecast is None  # 36/365 < 0.1
    s = status_of(plan, "I", ups, D(2025, 2, 6))  # 37/365
    assert s.forecast == pytest.approx(10 * 365 / 37)


def test_sum_forecast_at_mid_year(plan: Plan) -> None:
    s = status_of(plan, "1.1.5", [upd("1.1.5", D(2025, 6, 30), "add", 117)])
    assert s.forecast == pytest.approx(117 / HALF)
    assert s.forecast == pytest.approx(233.36, abs=0.01)


def test_a_level_forecast_is_its_latest_value() -> None:
    """A rate or a standing count does not grow with time: where it stands is where it ends."""
    plan = make_plan(indicator("L", accumulate="level", baseline=300, target=320))
    s = status_of(plan, "L", [upd("L", D(2025, 6, 30), "set", 310)])
    assert s.forecast == 310
    assert status_of(plan, "L", [upd("L", D(2025, 6, 30), "set", 290)]).forecast == 290


def test_level_forecast_of_the_real_plan(plan: Plan) -> None:
    s = status_of(plan, "1.1.2", [upd("1.1.2", D(2025, 6, 30), "set", 8)])
    assert s.forecast == 8
    s = status_of(plan, "1.1.2", [upd("1.1.2", D(2025, 6, 30), "set", 12)])
    assert s.light is Light.DONE and s.forecast == 12


def test_level_forecast_of_a_lower_is_better_indicator() -> None:
    s = status_of(_down(), "D", [upd("D", D(2025, 6, 30), "set", 95)], END)
    assert s.forecast == 95
    s = status_of(_down(), "D", [upd("D", D(2025, 6, 30), "set", 95)], MID)
    assert s.forecast == 95


def test_task_forecast() -> None:
    plan = make_plan(task())
    s = status_of(plan, "T", [upd("T", D(2025, 6, 1), "percent", 0.4)])
    assert s.forecast == pytest.approx(0.4 / HALF)
    s = status_of(plan, "T", [upd("T", D(2025, 6, 1), "done")])
    assert s.forecast == 1.0


# --------------------------------------------------------------------------------------------
# Checkpoints


def test_checkpoints_override_elapsed_time() -> None:
    plan = make_plan(indicator(checkpoints=[Checkpoint(JUNE30, 0.2)]))
    item = plan.item("I")
    assert expected_share(plan, item, JUNE30) == pytest.approx(0.2)
    assert elapsed_share(START, END, JUNE30) == pytest.approx(181 / 365)
    assert expected_share(plan, item, D(2025, 3, 31)) == pytest.approx(0.2 * 90 / 181)
    # after the last checkpoint, toward the whole target at the deadline
    assert expected_share(plan, item, D(2025, 9, 30)) == pytest.approx(0.2 + 0.8 * 92 / 184)
    assert expected_share(plan, item, END) == 1.0
    # 20% done on 6-30 is on track by the checkpoint, though 30 points behind elapsed time
    s = status_of(plan, "I", [upd("I", D(2025, 6, 1), "add", 20)], JUNE30)
    assert s.light is Light.GREEN
    assert s.gap_points == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (D(2025, 3, 31), 0.25),
        (D(2025, 5, 15), 0.25 + 0.25 * 45 / 91),
        (JUNE30, 0.5),
        (D(2025, 9, 30), 0.75),
        (END, 1.0),
    ],
)
def test_quarterly_checkpoints(day: dt.date, share: float) -> None:
    quarters = [
        Checkpoint(D(2025, 3, 31), 0.25),
        Checkpoint(JUNE30, 0.5),
        Checkpoint(D(2025, 9, 30), 0.75),
        Checkpoint(END, 1.0),
    ]
    plan = make_plan(indicator(checkpoints=quarters))
    assert expected_share(plan, plan.item("I"), day) == pytest.approx(share)


def test_a_flat_checkpoint_start_is_green_for_any_report() -> None:
    plan = make_plan(indicator(checkpoints=[Checkpoint(JUNE30, 0.0)]), rules=Rules(mode="ratio"))
    s = status_of(plan, "I", [upd("I", D(2025, 3, 1), "add", 0)], D(2025, 3, 1))
    assert s.expected == 0.0
    assert s.light is Light.GREEN


# --------------------------------------------------------------------------------------------
# Roll-ups


def _small() -> tuple[Plan, list[Update]]:
    plan = make_plan(
        indicator("I1", section="1.1"),
        indicator("I2", section="1.1"),
        task("T1", section="2.1"),
        task("T2", section="2.1"),
        task("T3", section="2.2"),
    )
    day = D(2025, 6, 30)
    ups = [
        upd("I1", day, "add", 120),  # done, 120%
        upd("I2", day, "add", 10),  # red, 40 points behind
        upd("T1", day, "percent", 0.45),  # green
        # T2: nothing recorded, stale
        upd("T3", day, "percent", 0.3),  # yellow
        upd("ZZ", day, "add", 1),  # not in the plan
    ]
    return plan, ups


def test_plan_status_items() -> None:
    plan, ups = _small()
    ps = plan_status(plan, ups, MID)
    assert ps.as_of == MID
    assert ps.elapsed == pytest.approx(HALF)
    assert [s.item.code for s in ps.items] == ["I1", "I2", "T1", "T2", "T3"]
    assert [s.light for s in ps.items] == [
        Light.DONE,
        Light.RED,
        Light.GREEN,
        Light.NONE,
        Light.YELLOW,
    ]
    for s in ps.items:
        assert s == item_status(plan, s.item, ups, MID)


def test_overall_rollup() -> None:
    plan, ups = _small()
    overall = plan_status(plan, ups, MID).overall
    assert overall is not None
    assert overall.total == 5
    assert overall.counts == {
        Light.RED: 1,
        Light.YELLOW: 1,
        Light.NONE: 1,
        Light.GREEN: 1,
        Light.DONE: 1,
        Light.MONITOR: 0,
    }
    assert overall.worst is Light.RED
    assert overall.done_share == pytest.approx(0.2)
    # unreported T2 counts as 0; I1's 120% counts as 100% so it does not hide the others' gaps
    assert overall.mean_completion == pytest.approx((1.0 + 0.1 + 0.45 + 0 + 0.3) / 5)
    assert overall.stale == 1


def test_section_and_area_rollups() -> None:
    plan, ups = _small()
    ps = plan_status(plan, ups, MID)
    assert set(ps.sections) == {"1.1", "2.1", "2.2"}
    assert set(ps.areas) == {"1", "2"}

    s11 = ps.sections["1.1"]
    assert (s11.total, s11.worst, s11.done_share) == (2, Light.RED, 0.5)
    assert s11.mean_completion == pytest.approx((1.0 + 0.1) / 2)
    assert s11.title == "板块1.1"

    s21 = ps.sections["2.1"]
    assert (s21.total, s21.worst, s21.done_share, s21.stale) == (2, Light.NONE, 0.0, 1)
    assert s21.mean_completion == pytest.approx(0.45 / 2)  # T2 unreported: 0
    assert s21.counts[Light.GREEN] == 1 and s21.counts[Light.NONE] == 1

    s22 = ps.sections["2.2"]
    assert (s22.total, s22.worst) == (1, Light.YELLOW)

    a2 = ps.areas["2"]
    assert a2.total == 3
    assert a2.worst is Light.YELLOW  # yellow is worse than no data
    assert a2.mean_completion == pytest.approx(0.75 / 3)
    assert a2.counts == {
        Light.RED: 0,
        Light.YELLOW: 1,
        Light.NONE: 1,
        Light.GREEN: 1,
        Light.DONE: 0,
        Light.MONITOR: 0,
    }
    assert ps.areas["1"].worst is Light.RED


def test_severity_order() -> None:
    assert SEVERITY == (Light.RED, Light.YELLOW, Light.NONE, Light.GREEN, Light.DONE)


def test_all_done_rollup() -> None:
    plan = make_plan(task("T1"), task("T2"))
    ups = [upd("T1", D(2025, 3, 1), "done"), upd("T2", D(2025, 3, 1), "percent", 1.0)]
    overall = plan_status(plan, ups, MID).overall
    assert overall is not None
    assert (overall.worst, overall.done_share, overall.mean_completion) == (Light.DONE, 1.0, 1.0)


def test_nothing_reported_rollup() -> None:
    plan = make_plan(indicator(), task())
    overall = plan_status(plan, [], MID).overall
    assert overall is not None
    assert overall.worst is Light.NONE
    assert overall.mean_completion == 0.0
    assert overall.done_share == 0.0
    assert overall.counts[Light.NONE] == 2


def test_empty_rollup() -> None:
    r = rollup("x", "空", [])
    assert (r.total, r.worst, r.mean_completion, r.done_share, r.stale) == (
        0,
        Light.NONE,
        None,
        0.0,
        0,
    )
    assert sum(r.counts.values()) == 0


def test_real_plan_with_no_updates(plan: Plan) -> None:
    ps = plan_status(plan, [], MID)
    assert ps.overall is not None
    assert ps.overall.total == len(plan.items)
    assert len(ps.areas) == 6
    assert sum(r.total for r in ps.areas.values()) == len(plan.items)
    assert sum(r.total for r in ps.sections.values()) == len(plan.items)
    assert ps.overall.counts[Light.DONE] == 0
    # tasks with a milestone already past (e.g. 3.1.1-1 on 4-30) are red, monitored figures
    # monitored, the rest grey
    monitored = sum(1 for i in plan.items if i.monitored)
    assert ps.overall.counts[Light.MONITOR] == monitored == ps.overall.monitored > 0
    assert ps.overall.counts[Light.RED] + ps.overall.counts[Light.NONE] + monitored == len(
        plan.items
    )
    assert ps.overall.counts[Light.RED] > 0
    assert ps.overall.worst is Light.RED


@pytest.mark.parametrize(
    ("day", "clamped"),
    [
        (D(2024, 6, 1), START),
        (D(2024, 12, 31), START),
        (START, START),
        (MID, MID),
        (END, END),
        (D(2026, 1, 1), END),
        (D(2026, 3, 1), END),
    ],
)
def test_clamp_to_period(day: dt.date, clamped: dt.date) -> None:
    assert clamp_to_period(make_plan(indicator()), day) == clamped
