"""Targets as plans write them: each kind worked out by hand, then held by properties.

The plan below is another office's (a town's economic and safety plan), written as such plans
are: GDP to grow about 5.5% over 2024, any growth of tax revenue, a ceiling on accidents (and
零发生 for fires), an unemployment rate kept under 5%, a satisfaction rate within 95–100%, a
growth rate recorded as a level that may go below zero, and a monitored count. Every light here
was worked out by hand from the rules in SPEC.md and docs/plan-format.md.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.core.records import Update, parse_record_value
from kpi.core.status import Light, item_status, plan_status
from kpi.errors import InputError, PlanError
from kpi.formats.words import target_text, target_words

D = dt.date
START, MID, END = D(2025, 1, 1), D(2025, 7, 2), D(2025, 12, 31)
HALF = 183 / 365

TOWN = """\
plan:
  id: town-2025
  organisation: 测试镇
  title: 测试镇2025年经济和安全目标
  source: 测试镇政府工作报告
  start: 2025-01-01
  end: 2025-12-31
offices: [经济办, 安全办, 服务办]
areas:
  - code: "1"
    title: 经济
    sections:
      - code: "1.1"
        title: 增长
        items:
          - code: "1.1.1"
            kind: indicator
            title: 地区生产总值
            text: 地区生产总值增长5.5%左右。
            lead_office: 经济办
            unit: 亿元
            accumulate: ytd
            baseline: {value: 411, year: 2024, source: 地区生产总值411亿元。}
            target: {growth: 0.055, about: true, basis: stated, source: 地区生产总值增长5.5%左右。}
          - code: "1.1.2"
            kind: indicator
            title: 税收收入
            text: 税收收入实现正增长。
            lead_office: 经济办
            unit: 亿元
            accumulate: ytd
            baseline: {value: 20, year: 2024, source: 税收收入20亿元。}
            target: {growth: positive, basis: stated, source: 税收收入实现正增长。}
          - code: "1.1.3"
            kind: indicator
            title: 工业增速
            text: 规上工业产值增长5.5%。
            lead_office: 经济办
            unit: "%"
            accumulate: level
            negative: true
            baseline: {value: -2.1, year: 2024, source: 规上工业产值下降2.1%。}
            target: {value: 5.5, basis: stated, source: 规上工业产值增长5.5%。}
  - code: "2"
    title: 安全与民生
    sections:
      - code: "2.1"
        title: 安全
        items:
          - code: "2.1.1"
            kind: indicator
            title: 生产安全事故
            text: 生产安全事故不超过3起。
            lead_office: 安全办
            unit: 起
            target: {kind: at_most, value: 3, basis: stated, source: 生产安全事故不超过3起。}
          - code: "2.1.2"
            kind: indicator
            title: 亡人火灾
            text: 亡人火灾零发生。
            lead_office: 安全办
            unit: 起
            target: {kind: at_most, value: 0, basis: stated, source: 亡人火灾零发生。}
          - code: "2.1.3"
            kind: indicator
            title: 城镇调查失业率
            text: 城镇调查失业率控制在5%以内。
            lead_office: 服务办
            unit: "%"
            accumulate: level
            target: {kind: at_most, value: 5, basis: stated, source: 城镇调查失业率控制在5%以内。}
      - code: "2.2"
        title: 民生
        items:
          - code: "2.2.1"
            kind: indicator
            title: 群众满意度
            text: 群众满意度保持在95%以上。
            lead_office: 服务办
            unit: "%"
            accumulate: level
            target: {kind: range, min: 95, max: 100, basis: assumed, note: 暂定：保持在95%以上}
          - code: "2.2.2"
            kind: indicator
            title: 救助人次
            text: 做好困难群众救助。
            lead_office: 服务办
            unit: 人次
            target: {kind: monitor, basis: assumed, note: 监测：需求驱动，不设目标}
"""

_ids = itertools.count(1)


@pytest.fixture(scope="module")
def town() -> Plan:
    return parse_plan(TOWN, "town.yaml")


def rec(code: str, day: dt.date, kind: str, value: float | None = None) -> Update:
    return Update(next(_ids), code, code, day, kind, value)  # type: ignore[arg-type]


def status(plan: Plan, code: str, records: list[Update], day: dt.date = MID):  # type: ignore[no-untyped-def]
    return item_status(plan, plan.item(code), records, day)


# -- growth: the value is derived from the baseline, and says so --------------------------------


def test_a_growth_target_is_derived_from_its_baseline_and_shown_with_its_derivation(
    town: Plan,
) -> None:
    gdp = town.item("1.1.1").target
    assert gdp is not None and gdp.derived and gdp.growth == 0.055 and gdp.about
    assert gdp.value == pytest.approx(411 * 1.055)  # 433.605: worked out, not the report's
    assert target_text(town.item("1.1.1")) == "≈+5.5%"
    assert target_words(town.item("1.1.1")) == (
        "433.6 亿元（由基数 411 × 1.055 算得，即增长 5.5%左右）"
    )


@pytest.mark.parametrize(
    ("ytd", "light"),
    [
        (200, Light.GREEN),  # 46.1% at 50.1% of the year: 4 points behind
        (150, Light.YELLOW),  # 34.6%: 15.5 points behind
        (80, Light.RED),  # 18.5%: 31.7 points behind
        (434, Light.DONE),
    ],
)
def test_a_year_to_date_growth_target_by_the_time_gone(
    town: Plan, ytd: float, light: Light
) -> None:
    s = status(town, "1.1.1", [rec("1.1.1", D(2025, 6, 30), "set", ytd)])
    assert s.light is light
    assert s.expected == pytest.approx(HALF)
    assert s.completion == pytest.approx(ytd / (411 * 1.055))


def test_a_year_to_date_total_is_set_by_a_bare_number_and_forecast_at_its_pace(town: Plan) -> None:
    assert parse_record_value(town.item("1.1.1"), "200") == ("set", 200.0)
    s = status(town, "1.1.1", [rec("1.1.1", D(2025, 6, 30), "set", 200)])
    assert s.forecast == pytest.approx(200 / HALF)  # not −856, not 200


def test_positive_growth_means_more_than_the_baseline(town: Plan) -> None:
    at_base = status(town, "1.1.2", [rec("1.1.2", D(2025, 12, 31), "set", 20)], END)
    assert at_base.light is Light.RED  # the year is over and it did not grow
    above = status(town, "1.1.2", [rec("1.1.2", D(2025, 12, 31), "set", 20.1)], END)
    assert above.light is Light.DONE
    mid = status(town, "1.1.2", [rec("1.1.2", D(2025, 6, 30), "set", 10.5)])
    assert mid.light is Light.GREEN and mid.completion == pytest.approx(10.5 / 20)


def test_a_rate_recorded_as_a_level_is_judged_against_the_whole_target(town: Plan) -> None:
    """3.0% against 5.5% at mid-year is not green: a rate does not grow with the calendar."""
    s = status(town, "1.1.3", [rec("1.1.3", D(2025, 6, 30), "set", 3.0)])
    assert s.expected == 1.0 and s.light is Light.RED
    assert s.completion == pytest.approx(3.0 / 5.5)
    assert s.forecast == 3.0  # a level ends where it stands


def test_a_level_that_may_go_below_zero(town: Plan) -> None:
    assert parse_record_value(town.item("1.1.3"), "-1.5") == ("set", -1.5)
    assert parse_record_value(town.item("1.1.3"), "=-1.5") == ("set", -1.5)
    with pytest.raises(InputError):
        parse_record_value(town.item("2.1.3"), "-1.5")  # a rate that cannot be negative
    s = status(town, "1.1.3", [rec("1.1.3", D(2025, 6, 30), "set", -1.5)])
    assert s.light is Light.RED and s.completion == pytest.approx(-1.5 / 5.5)


# -- ceilings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "day", "light"),
    [
        (1, MID, Light.GREEN),  # 1 by mid-year: on pace for 2
        (2, MID, Light.YELLOW),  # on pace for 4: would pass 3 by the end
        (3, MID, Light.YELLOW),
        (4, MID, Light.RED),  # past the ceiling: red at once
        (3, END, Light.DONE),  # the year ended within it
        (4, END, Light.RED),
        (0, D(2025, 1, 10), Light.GREEN),
    ],
)
def test_a_ceiling_on_a_count(town: Plan, total: float, day: dt.date, light: Light) -> None:
    records = [rec("2.1.1", D(2025, 1, 5), "set", total)]
    s = status(town, "2.1.1", records, day)
    assert s.light is light
    assert s.completion is None and s.gap_points is None and s.remaining is None
    assert s.overdue is False


def test_zero_occurrences(town: Plan) -> None:
    assert status(town, "2.1.2", [rec("2.1.2", D(2025, 3, 1), "set", 0)]).light is Light.GREEN
    assert status(town, "2.1.2", [rec("2.1.2", D(2025, 3, 1), "add", 1)]).light is Light.RED
    assert status(town, "2.1.2", [rec("2.1.2", D(2025, 3, 1), "set", 0)], END).light is Light.DONE
    assert status(town, "2.1.2", []).light is Light.NONE  # not reported is not zero


@pytest.mark.parametrize(
    ("rate", "day", "light"),
    [
        (4.8, MID, Light.GREEN),
        (5.0, MID, Light.GREEN),
        (5.2, MID, Light.RED),
        (4.8, END, Light.DONE),
    ],
)
def test_a_ceiling_on_a_level(town: Plan, rate: float, day: dt.date, light: Light) -> None:
    assert status(town, "2.1.3", [rec("2.1.3", D(2025, 6, 1), "set", rate)], day).light is light


# -- ranges and monitored figures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "day", "light"),
    [
        (97, MID, Light.GREEN),
        (95, MID, Light.GREEN),
        (93, MID, Light.RED),
        (97, END, Light.DONE),
        (93, END, Light.RED),
    ],
)
def test_a_range(town: Plan, rate: float, day: dt.date, light: Light) -> None:
    assert status(town, "2.2.1", [rec("2.2.1", D(2025, 6, 1), "set", rate)], day).light is light
    assert target_text(town.item("2.2.1")) == "95–100*"


def test_a_monitored_figure_is_recorded_and_shown_never_judged(town: Plan) -> None:
    records = [rec("2.2.2", D(2025, 2, 1), "add", 40), rec("2.2.2", D(2025, 5, 1), "add", 999)]
    s = status(town, "2.2.2", records)
    assert (s.light, s.actual, s.completion, s.gap_points) == (Light.MONITOR, 1039, None, None)
    assert s.stale is True  # it can still be stale: someone should report it
    ps = plan_status(town, records, MID)
    assert ps.overall is not None and ps.overall.monitored == 1
    area = ps.areas["2"]
    assert area.worst is not Light.MONITOR


def test_the_share_done_counts_only_work_with_a_share(town: Plan) -> None:
    """Ceilings, ranges and monitored figures have no share done: the mean leaves them out."""
    records = [rec("1.1.1", D(2025, 6, 30), "set", 433.605), rec("2.1.1", D(2025, 6, 1), "set", 1)]
    ps = plan_status(town, records, MID)
    assert ps.overall is not None
    # 1.1.1 done (1.0), 1.1.2 and 1.1.3 not reported (0): three items with a share
    assert ps.overall.mean_completion == pytest.approx(1 / 3)


# -- the file refuses what cannot be judged -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "target: {growth: 0.055, about: true,",
            "target: {value: 1, growth: 0.055, about: true,",
            "1.1.1 的目标（kind: at_least）须写 value 或 growth 之一，且只写一个",
        ),
        (
            "target: {kind: range, min: 95, max: 100,",
            "target: {kind: range, min: 95,",
            "2.2.1 的目标是 kind: range，须同时写 min 和 max",
        ),
        (
            "target: {kind: range, min: 95, max: 100,",
            "target: {kind: range, min: 100, max: 95,",
            "2.2.1 的 min（100）应小于 max（95）",
        ),
        (
            "target: {kind: monitor, basis: assumed,",
            "target: {kind: monitor, value: 3, basis: assumed,",
            "2.2.2 的目标是 kind: monitor，不能写 value",
        ),
        (
            "target: {kind: at_most, value: 3,",
            "target: {kind: at_most, growth: positive,",
            "2.1.1：growth: positive 只用于“正增长”目标（at_least），不能作上限",
        ),
    ],
)
def test_a_target_that_cannot_be_judged_is_refused(old: str, new: str, message: str) -> None:
    assert old in TOWN
    with pytest.raises(PlanError) as refused:
        parse_plan(TOWN.replace(old, new, 1), "town.yaml")
    assert refused.value.message.endswith(message), refused.value.message


def test_a_checkpoint_may_expect_nothing_yet() -> None:
    """A seasonal task with nothing due before July: share 0 is allowed, and it is not stale."""
    text = TOWN.replace(
        "            target: {kind: monitor, basis: assumed, note: 监测：需求驱动，不设目标}\n",
        "            target: {value: 40, basis: assumed, note: 暂定}\n"
        "            checkpoints: [{date: 2025-06-30, share: 0}, {date: 2025-12-31, share: 1}]\n",
    )
    plan = parse_plan(text, "town.yaml")
    s = item_status(plan, plan.item("2.2.2"), [], D(2025, 6, 20))
    assert s.expected == 0.0 and s.stale is False and s.light is Light.NONE


# -- properties ---------------------------------------------------------------------------------

DAYS = st.dates(START, END)
VALUES = st.floats(0, 1000, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(total=VALUES, day=DAYS)
def test_a_ceiling_is_red_exactly_when_passed_and_done_only_at_its_end(
    town: Plan, total: float, day: dt.date
) -> None:
    for code in ("2.1.1", "2.1.3"):
        s = status(town, code, [rec(code, START, "set", total)], day)
        ceiling = town.item(code).target.value  # type: ignore[union-attr]
        assert (s.light is Light.RED) == (total > ceiling + 1e-9)
        if s.light is Light.DONE:
            assert day >= END
        if code == "2.1.3":
            assert s.light is not Light.YELLOW  # a level is within or not


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(0, 120, allow_nan=False), day=DAYS)
def test_a_level_range_is_green_or_done_exactly_inside(
    town: Plan, rate: float, day: dt.date
) -> None:
    s = status(town, "2.2.1", [rec("2.2.1", START, "set", rate)], day)
    inside = 95 - 1e-9 <= rate <= 100 + 1e-9
    assert (s.light in (Light.GREEN, Light.DONE)) == inside


@settings(max_examples=100, deadline=None)
@given(values=st.lists(VALUES, max_size=5), day=DAYS)
def test_a_monitored_figure_is_never_judged(town: Plan, values: list[float], day: dt.date) -> None:
    records = [rec("2.2.2", START + dt.timedelta(days=n), "add", v) for n, v in enumerate(values)]
    ps = plan_status(town, records, day)
    s = next(x for x in ps.items if x.item.code == "2.2.2")
    assert s.light is Light.MONITOR and not s.overdue
    assert ps.areas["2"].worst is not Light.MONITOR


@settings(max_examples=100, deadline=None)
@given(a=DAYS, b=DAYS)
def test_what_is_expected_grows_with_time_for_totals_and_is_whole_for_levels(
    town: Plan, a: dt.date, b: dt.date
) -> None:
    early, late = min(a, b), max(a, b)
    gdp = [status(town, "1.1.1", [], d).expected for d in (early, late)]
    assert gdp[0] <= gdp[1]
    assert status(town, "1.1.3", [], early).expected == 1.0
