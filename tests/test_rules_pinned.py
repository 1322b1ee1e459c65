"""The core rules pinned by examples worked out by hand, one rule a test.

Each test here fails on a mutant of ``scripts/mutate.py`` that the rest of the suite let live: a
boundary (``<`` or ``<=``), a tolerance (``1e-9``), a default, a word people type. The numbers are
worked out in the comments beside them. The plans are small and built here: a year plan
2025-01-01…2025-12-31 (365 days) unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from kpi.core import lights
from kpi.core.expected import elapsed_share, expected_share
from kpi.core.lights import Light, finished
from kpi.core.plan import (
    Area,
    Baseline,
    Checkpoint,
    Item,
    Milestone,
    Plan,
    Rules,
    Section,
    Target,
)
from kpi.core.progress import Progress, fold, valid_until
from kpi.core.recording import (
    Slip,
    already_done,
    around,
    implausible,
    later_records,
    needs_reason,
    new_update,
    typed_name,
    typed_note,
    typed_reason,
)
from kpi.core.records import Update, UpdateKind, check_record_day, parse_record_value
from kpi.core.status import (
    ItemStatus,
    clamp_to_period,
    completion_of,
    item_status,
    plan_status,
    plan_status_from,
    rank,
    rollup,
    statuses_over,
    trend,
    worse,
)
from kpi.core.values import normalize, parse_date, parse_number, parse_percent
from kpi.errors import InputError

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
MID = D(2025, 7, 2)  # the end of day 183 of 365
HALF = 183 / 365

_ids = itertools.count(1)


def indicator(
    code: str = "I",
    *,
    target: float | None = 100.0,
    kind: str = "at_least",
    low: float | None = None,
    high: float | None = None,
    positive: bool = False,
    baseline: float | None = None,
    direction: str = "up",
    accumulate: str = "sum",
    deadline: dt.date = END,
    checkpoints: tuple[tuple[dt.date, float], ...] = (),
) -> Item:
    """An indicator of section 1.1 counted in 个."""
    return Item(
        code=code,
        kind="indicator",
        title=f"指标{code}",
        text=f"指标{code}",
        area_code="1",
        section_code="1.1",
        lead_office="A",
        deadline=deadline,
        unit="个",
        direction=direction,  # type: ignore[arg-type]
        accumulate=accumulate,  # type: ignore[arg-type]
        baseline=None if baseline is None else Baseline(baseline, 2024, f"2024年{baseline}个"),
        target=Target("stated", kind, target, low=low, high=high, positive=positive),  # type: ignore[arg-type]
        checkpoints=tuple(Checkpoint(d, s) for d, s in checkpoints),
    )


def task(
    code: str = "T", *, deadline: dt.date = END, milestones: tuple[tuple[dt.date, float], ...] = ()
) -> Item:
    """A task of section 1.1; its milestones are T-1, T-2, …"""
    return Item(
        code=code,
        kind="task",
        title=f"任务{code}",
        text=f"任务{code}",
        area_code="1",
        section_code="1.1",
        lead_office="A",
        deadline=deadline,
        milestones=tuple(
            Milestone(f"{code}-{n}", code, f"节点{n}", day, share)
            for n, (day, share) in enumerate(milestones, start=1)
        ),
    )


def plan_of(
    *items: Item, start: dt.date = START, end: dt.date = END, rules: Rules | None = None
) -> Plan:
    """A plan of one area and one section holding ``items``."""
    return Plan(
        id="pin-2025",
        organisation="测试街道",
        year=start.year,
        title="测试计划",
        source="测试",
        start=start,
        end=end,
        rules=rules or Rules(),
        offices=("A",),
        areas=(
            Area("1", "领域1", (Section("1.1", "1", "板块1.1", tuple(i.code for i in items)),)),
        ),
        items=items,
    )


def rec(
    code: str,
    day: dt.date,
    kind: UpdateKind,
    value: float | None = None,
    *,
    item: str | None = None,
    voided: bool = False,
    note: str | None = None,
) -> Update:
    """A stored record; ``code`` may be a milestone's, then ``item`` names its task."""
    return Update(next(_ids), code, item or code, day, kind, value, note, voided=voided)


def status(item: Item, records: list[Update], day: dt.date = MID, **plan: object) -> ItemStatus:
    """``item``'s status on ``day`` in a plan of its own."""
    return item_status(plan_of(item, **plan), item, records, day)  # type: ignore[arg-type]


def refused(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    """The message of the InputError that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# -- numbers as people type them ---------------------------------------------------------------


def test_full_width_digits_and_spaces_are_read_as_ascii() -> None:
    """normalize: NFKC, then trimmed."""
    assert normalize(" ６４１．４２ ") == "641.42"
    assert parse_number("６４１．４２") == 641.42


def test_a_number_below_zero_is_refused_unless_the_item_allows_it() -> None:
    """parse_number: ``negative`` is off by default; with it, ``-1.5`` is −1.5."""
    assert (
        refused(parse_number, "-5")
        == "“-5”是负数；记录不能为负，更正请用 kpi void 作废原记录后重新填报"
    )
    assert parse_number("-1.5", negative=True) == -1.5
    assert parse_number("-12", negative=True) == -12.0
    assert parse_number("-1e3", negative=True) == -1000.0
    assert parse_number("1.5", negative=True) == 1.5


def test_a_lone_minus_is_refused_alike_whether_or_not_negatives_are_allowed() -> None:
    """parse_number: ``-`` alone is no sign before a number."""
    assert refused(parse_number, "-", negative=True) == refused(parse_number, "-")
    assert "是负数" in refused(parse_number, "-", negative=True)


def test_the_message_quotes_what_was_typed() -> None:
    """parse_number: ``shown`` is quoted when given, else the text itself."""
    assert refused(parse_number, "abc").startswith("“abc”不是数字")
    assert refused(parse_number, "abc", shown="+abc").startswith("“+abc”不是数字")


def test_the_unit_of_the_indicator_may_follow_the_number() -> None:
    """parse_number: a trailing unit that is the indicator's own is dropped, and only then."""
    assert parse_number("5个", unit="个") == 5.0
    assert parse_number("5", unit="个") == 5.0
    assert parse_number("12万元", unit="万元") == 12.0
    assert parse_number("６４１.４２万元", unit="万元") == 641.42
    assert refused(parse_number, "个", unit="个").startswith("“个”不是数字")


def test_infinity_and_not_a_number_are_not_finite() -> None:
    """parse_number: nan, inf, +inf, infinity in any case, and overflowing digits."""
    for text in ("nan", "NaN", "inf", "+inf", "Infinity", "1e999", "9" * 400):
        assert refused(parse_number, text).endswith("不是有限数字；请填写实际数值"), text
    assert refused(parse_number, "-inf", negative=True).endswith("不是有限数字；请填写实际数值")


def test_thousands_separators_are_read() -> None:
    """parse_number: 1,120 and 1,120.5 are grouped digits; 1,12 is not."""
    assert parse_number("1,120") == 1120.0
    assert parse_number("1,120.5") == 1120.5
    assert parse_number(".5") == 0.5
    assert refused(parse_number, "1,12").startswith("“1,12”不是数字")


@pytest.mark.parametrize("word", ["万", "亿", "千", "百", "k", "K", "w", "W"])
def test_a_scale_word_after_the_number_is_refused_with_a_hint(word: str) -> None:
    """parse_number: 5万 is not 5, nor 50000: the unit of the indicator is asked for."""
    assert refused(parse_number, f"12{word}", unit="家") == (
        f"“12{word}”带了数量单位；请按指标单位（家）直接写数字，如 641.42"
    )


def test_a_scale_word_is_told_only_after_a_number() -> None:
    """parse_number: the hint needs digits (grouped or not) before the scale word."""
    assert refused(parse_number, "1,120万").startswith("“1,120万”带了数量单位；请按指标单位（?）")
    assert refused(parse_number, "6x万").startswith("“6x万”不是数字")
    assert refused(parse_number, "万").startswith("“万”不是数字")
    assert refused(parse_number, "abc").startswith("“abc”不是数字")


def test_exponents_are_read_and_stay_non_negative() -> None:
    """parse_number: 1e3, 1E3, 1e-3 and 0e5 are numbers (the plain digits' rules hold)."""
    assert parse_number("1e3") == 1000.0
    assert parse_number("1E3") == 1000.0
    assert parse_number("1e-3") == 0.001
    assert parse_number("0e5") == 0.0
    assert refused(parse_number, "e5").startswith("“e5”不是数字")


# -- percentages ---------------------------------------------------------------------------------


def test_a_percentage_is_a_share_from_0_to_100_percent() -> None:
    """parse_percent: 100% is accepted (1.0) and 100.5% refused; 60, 60% and ６０％ are 0.6."""
    assert parse_percent("100%") == 1.0
    assert parse_percent("100") == 1.0
    assert parse_percent("60%") == 0.6
    assert parse_percent("60") == 0.6
    assert parse_percent("６０％") == 0.6
    assert parse_percent("0%") == 0.0
    assert refused(parse_percent, "100.5%") == "“100.5%”超出 0–100%；请写完成百分比，如 60%"
    assert refused(parse_percent, "101%").startswith("“101%”超出 0–100%")


# -- dates ---------------------------------------------------------------------------------------

TODAY = D(2026, 1, 5)  # a day in the year after the plan's: a report on the 2025 plan, late


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("今天", TODAY),
        ("today", TODAY),
        ("Today", TODAY),
        (" 今天 ", TODAY),
        ("昨天", D(2026, 1, 4)),
        ("yesterday", D(2026, 1, 4)),
        ("YESTERDAY", D(2026, 1, 4)),
        ("前天", D(2026, 1, 3)),
    ],
)
def test_today_yesterday_and_the_day_before(text: str, day: dt.date) -> None:
    """parse_date: 今天/today, 昨天/yesterday, 前天 count back from today."""
    assert parse_date(text, today=TODAY, default_year=2025) == day


@pytest.mark.parametrize(
    "text",
    ["2025-03-01", "2025/3/1", "2025.3.1", "20250301", "2025年3月1日", "2025年3月1号", "3月1日"],
)
def test_every_unambiguous_form_of_a_date(text: str) -> None:
    """parse_date: ISO, slashes, dots, eight digits, 年月日, and 月日 in the plan's year."""
    assert parse_date(text, today=TODAY, default_year=2025) == D(2025, 3, 1)


def test_spaces_inside_a_date_are_ignored() -> None:
    """parse_date: 2025年 3月 1日 is 2025年3月1日."""
    assert parse_date("2025年 3月 1日", today=TODAY, default_year=2025) == D(2025, 3, 1)


def test_a_date_without_a_year_takes_the_plans_year_not_todays() -> None:
    """parse_date: 3月1日 typed in January 2026 for the 2025 plan is 2025-03-01; without a plan's
    year, today's."""
    assert parse_date("3月1日", today=TODAY, default_year=2025) == D(2025, 3, 1)
    assert parse_date("3月1日", today=TODAY) == D(2026, 3, 1)


def test_a_date_with_its_year_keeps_it() -> None:
    """parse_date: the year written wins over the plan's."""
    assert parse_date("2024-03-01", today=TODAY, default_year=2025) == D(2024, 3, 1)
    assert parse_date("2024-11-30", today=TODAY, default_year=2025) == D(2024, 11, 30)


def test_impossible_and_ambiguous_dates_are_refused() -> None:
    """parse_date: 2025-02-30 does not exist; 3/1/2025 could be two days."""
    assert refused(parse_date, "2025-02-30", today=TODAY) == (
        "日期“2025-02-30”不存在；请写真实日期，如 2025-03-31"
    )
    assert refused(parse_date, "3/1/2025", today=TODAY) == (
        "无法识别日期“3/1/2025”；请写 YYYY-MM-DD，如 2025-03-31"
    )


# -- 序时进度 ----------------------------------------------------------------------------------------


def test_the_share_of_the_period_elapsed_counts_whole_days() -> None:
    """elapsed_share: 0 before the start, 1/365 at the end of the first day, 1 from the last."""
    assert elapsed_share(START, END, D(2024, 12, 31)) == 0.0
    assert elapsed_share(START, END, START) == 1 / 365
    assert elapsed_share(START, END, MID) == 183 / 365
    assert elapsed_share(START, END, END) == 1.0
    assert elapsed_share(START, END, D(2026, 3, 1)) == 1.0


def test_an_item_without_checkpoints_is_expected_by_the_time_gone_until_its_deadline() -> None:
    """expected_share: the period elapsed, ended early by the deadline; a level in whole."""
    plan = plan_of(early := indicator(deadline=D(2025, 6, 30)))
    assert expected_share(plan, early, D(2025, 3, 31)) == 90 / 181  # 90 of the 181 days to 06-30
    assert expected_share(plan, early, D(2025, 9, 1)) == 1.0
    level = indicator(accumulate="level")
    assert expected_share(plan_of(level), level, START) == 1.0
    assert expected_share(plan_of(level), level, D(2025, 12, 1)) == 1.0


def test_the_share_starts_from_nothing_the_day_before_the_period() -> None:
    """expected_share: from (12-31 of the year before, 0) to the first checkpoint."""
    item = indicator(checkpoints=((D(2025, 1, 10), 0.5), (D(2025, 12, 31), 1.0)))
    plan = plan_of(item)
    assert expected_share(plan, item, START) == 0.5 * 1 / 10  # 1 of the 10 days to 01-10
    assert expected_share(plan, item, D(2025, 1, 4)) == 0.5 * 4 / 10


def test_before_the_first_checkpoint_the_share_rises_from_nothing() -> None:
    """expected_share: interpolated up to the first checkpoint, 0 before the period starts."""
    item = indicator(checkpoints=((D(2025, 3, 31), 0.2), (D(2025, 9, 30), 0.8)))
    plan = plan_of(item)
    assert expected_share(plan, item, D(2025, 2, 14)) == pytest.approx(0.2 * 45 / 90)
    assert expected_share(plan, item, D(2024, 12, 31)) == 0.0
    assert expected_share(plan, item, D(2024, 12, 1)) == 0.0
    assert expected_share(plan, item, D(2025, 3, 31)) == 0.2


def test_two_milestones_due_the_same_day_both_count_that_day() -> None:
    """expected_share: on a day two milestones share, the larger share; after it, on to 1."""
    item = task(milestones=((D(2025, 6, 30), 0.5), (D(2025, 6, 30), 0.75)))
    plan = plan_of(item)
    assert expected_share(plan, item, D(2025, 6, 30)) == 0.75
    assert expected_share(plan, item, D(2025, 9, 30)) == 0.75 + 0.25 * 92 / 184


def test_on_the_deadline_a_last_checkpoint_below_one_is_what_is_expected() -> None:
    """expected_share: a checkpoint on the deadline with 0.8 leaves 0.8 due, not the whole."""
    item = indicator(checkpoints=((D(2025, 6, 30), 0.4), (D(2025, 12, 31), 0.8)))
    plan = plan_of(item)
    assert expected_share(plan, item, D(2025, 12, 31)) == 0.8
    assert expected_share(plan, item, D(2025, 9, 30)) == 0.4 + 0.4 * 92 / 184
    early = indicator(deadline=D(2025, 6, 30), checkpoints=((D(2025, 6, 30), 0.8),))
    assert expected_share(plan_of(early), early, D(2025, 6, 30)) == 0.8
    assert expected_share(plan_of(early), early, D(2025, 8, 1)) == 0.8


def test_after_the_last_checkpoint_the_share_rises_to_the_whole_at_the_deadline() -> None:
    """expected_share: from the last checkpoint before the deadline, on to (deadline, 1)."""
    item = indicator(checkpoints=((D(2025, 6, 30), 0.5),))
    plan = plan_of(item)
    assert expected_share(plan, item, D(2025, 9, 30)) == 0.5 + 0.5 * 92 / 184  # 0.75
    done_early = task(deadline=D(2025, 6, 30), milestones=((D(2025, 3, 31), 0.5),))
    plan = plan_of(done_early)
    assert expected_share(plan, done_early, D(2025, 5, 15)) == 0.5 + 0.5 * 45 / 91
    assert expected_share(plan, done_early, D(2025, 9, 1)) == 1.0


# -- lights --------------------------------------------------------------------------------------


def test_the_light_words_stored_and_printed_in_json() -> None:
    """Light: the values the database, the JSON output and the reports use."""
    assert [light.value for light in Light] == ["done", "green", "yellow", "red", "none", "monitor"]


def test_finished_forgives_the_last_digit_of_a_float() -> None:
    """finished: at least 1 − 1e-9 (ten adds of 0.1 make 0.9999999999999999, and that is done)."""
    assert finished(1.0) is True
    assert finished(sum([0.1] * 10)) is True
    assert finished(1 - 1e-9) is True
    assert finished(1 - 2e-9) is False
    assert finished(0.5) is False
    assert finished(None) is False


def test_points_behind_at_the_thresholds() -> None:
    """by_gap, points: 10 behind is still green, 30 behind still yellow (rounded to 1e-6)."""
    rules = Rules()
    assert lights.by_gap(rules, 0.4, 0.5) is Light.GREEN  # 9.999999999999998 → 10.0
    assert lights.by_gap(rules, 0.399, 0.5) is Light.YELLOW  # 10.1
    assert lights.by_gap(rules, 0.2, 0.5) is Light.YELLOW  # 30.000000000000004 → 30.0
    assert lights.by_gap(rules, 0.199, 0.5) is Light.RED  # 30.1
    assert lights.by_gap(rules, 0.6, 0.5) is Light.GREEN  # ahead
    assert lights.by_gap(rules, 1.0, 0.5) is Light.DONE
    # Rounded to the sixth decimal: 10.0000004 is 10, 10.000004 is not.
    assert lights.by_gap(rules, 0.399999996, 0.5) is Light.GREEN
    assert lights.by_gap(rules, 0.39999996, 0.5) is Light.YELLOW


def test_percent_behind_in_ratio_mode() -> None:
    """by_gap, ratio: behind is 1 − completion ÷ expected, in percent; nothing expected is green."""
    rules = Rules(mode="ratio")
    assert lights.by_gap(rules, 0.45, 0.5) is Light.GREEN  # 0.9 of what is due: 10% behind
    assert lights.by_gap(rules, 0.4495, 0.5) is Light.YELLOW  # 10.1% behind
    assert lights.by_gap(rules, 0.35, 0.5) is Light.YELLOW  # 30% behind
    assert lights.by_gap(rules, 0.3, 0.5) is Light.RED  # 40% behind
    assert lights.by_gap(rules, 0.0, 0.0) is Light.GREEN
    assert lights.by_gap(rules, 0.899999996, 1.0) is Light.GREEN  # 10.0000004 → 10
    assert lights.by_gap(rules, 0.89999996, 1.0) is Light.YELLOW  # 10.000004


def test_the_pace_of_a_total() -> None:
    """pace: actual ÷ expected, None with nothing expected yet."""
    assert lights.pace(1.5, 0.5) == 3.0
    assert lights.pace(5.0, 0.0) is None


CEILING = indicator(kind="at_most", target=3.0)
LEVEL_CEILING = indicator(kind="at_most", target=3.0, accumulate="level")


def test_a_ceiling_is_passed_only_above_it() -> None:
    """for_ceiling: red above the ceiling (within 1e-9 is not above), done at the deadline."""
    assert lights.for_ceiling(CEILING, 3.0, 1.0, False) is Light.GREEN
    assert lights.for_ceiling(CEILING, 3 + 1e-9, 1.0, False) is Light.GREEN
    assert lights.for_ceiling(CEILING, 3.5, 1.0, False) is Light.RED
    tenth = indicator(kind="at_most", target=0.3)
    assert lights.for_ceiling(tenth, 0.1 + 0.2, 1.0, False) is Light.GREEN  # 0.30000000000000004
    assert lights.for_ceiling(CEILING, 2.0, 1.0, True) is Light.DONE
    assert lights.for_ceiling(CEILING, 4.0, 1.0, True) is Light.RED


def test_a_count_heading_past_its_ceiling_is_yellow() -> None:
    """for_ceiling: a count whose pace ends above the ceiling is yellow; a level never is."""
    assert lights.for_ceiling(CEILING, 1.5, 0.5, False) is Light.GREEN  # heading for 3.0
    assert lights.for_ceiling(CEILING, 1.5 + 5e-10, 0.5, False) is Light.GREEN  # 3 + 1e-9
    assert lights.for_ceiling(CEILING, 1.75, 0.5, False) is Light.YELLOW  # heading for 3.5
    assert lights.for_ceiling(CEILING, 0.0, 0.0, False) is Light.GREEN  # no pace yet
    tenth = indicator(kind="at_most", target=0.3)
    assert lights.for_ceiling(tenth, 0.1 + 0.2, 1.0, False) is Light.GREEN
    assert lights.for_ceiling(LEVEL_CEILING, 2.0, 0.5, False) is Light.GREEN


SATISFACTION = indicator(kind="range", target=None, low=95.0, high=100.0, accumulate="level")
COUNT_RANGE = indicator(kind="range", target=None, low=10.0, high=20.0)


def test_a_level_inside_its_range_counts_its_bounds_within_1e_9() -> None:
    """for_range, level: inside low..high (bounds and 1e-9 around them) green, outside red."""
    for actual in (95.0, 100.0, 95 - 1e-9, 100 + 1e-9, 97.0):
        assert lights.for_range(SATISFACTION, actual, 1.0, False) is Light.GREEN, actual
    for actual in (94.5, 94.9, 100.1, 100.5, 90.0):
        assert lights.for_range(SATISFACTION, actual, 1.0, False) is Light.RED, actual
    assert lights.for_range(SATISFACTION, 97.0, 1.0, True) is Light.DONE
    assert lights.for_range(SATISFACTION, 90.0, 1.0, True) is Light.RED
    small = indicator(kind="range", target=None, low=0.3, high=0.6, accumulate="level")
    assert lights.for_range(small, 0.7 - 0.4, 1.0, False) is Light.GREEN  # 0.29999999999999993
    small = indicator(kind="range", target=None, low=0.1, high=0.3, accumulate="level")
    assert lights.for_range(small, 0.1 + 0.2, 1.0, False) is Light.GREEN  # 0.30000000000000004


def test_a_count_in_a_range_is_judged_by_its_pace_until_the_deadline() -> None:
    """for_range, count: red past the top, yellow when its pace ends outside, green inside."""
    assert lights.for_range(COUNT_RANGE, 21.0, 1.0, False) is Light.RED
    assert lights.for_range(COUNT_RANGE, 20 + 1e-9, 1.0, False) is Light.GREEN
    assert lights.for_range(COUNT_RANGE, 10 - 1e-9, 1.0, False) is Light.GREEN
    assert lights.for_range(COUNT_RANGE, 5.0, 0.5, False) is Light.GREEN  # heading for 10
    assert lights.for_range(COUNT_RANGE, 10.0, 0.5, False) is Light.GREEN  # heading for 20
    assert lights.for_range(COUNT_RANGE, 4.0, 0.5, False) is Light.YELLOW  # heading for 8
    assert lights.for_range(COUNT_RANGE, 4.75, 0.5, False) is Light.YELLOW  # heading for 9.5
    assert lights.for_range(COUNT_RANGE, 10.5, 0.5, False) is Light.YELLOW  # heading for 21
    assert lights.for_range(COUNT_RANGE, 0.0, 0.0, False) is Light.GREEN  # no pace yet
    assert lights.for_range(COUNT_RANGE, 15.0, 1.0, True) is Light.DONE
    assert lights.for_range(COUNT_RANGE, 4.0, 1.0, True) is Light.RED
    small = indicator(kind="range", target=None, low=0.1, high=0.3)
    assert lights.for_range(small, 0.1 + 0.2, 1.0, False) is Light.GREEN
    small = indicator(kind="range", target=None, low=0.3, high=0.6)
    assert lights.for_range(small, 0.7 - 0.4, 1.0, False) is Light.GREEN


def test_a_level_below_its_range_is_red_not_merely_heading_there() -> None:
    """for_range: a level is where it stands, at any time."""
    assert lights.for_range(SATISFACTION, 90.0, 0.5, False) is Light.RED


def test_an_item_ends_on_its_deadline() -> None:
    """ended: the deadline's own day counts as ended."""
    item = indicator(deadline=D(2025, 6, 30))
    assert lights.ended(item, D(2025, 6, 30)) is True
    assert lights.ended(item, D(2025, 6, 29)) is False


# -- an item's status ----------------------------------------------------------------------------


def test_statuses_records_and_progress_are_values_that_cannot_change() -> None:
    """Frozen, slotted dataclasses: a record is never edited, a status never altered."""
    item = indicator()
    s = status(item, [rec("I", START, "add", 5)])
    ps = plan_status(plan_of(item), [], MID)
    slip = Slip("jump", 0.0, 300.0, 200.0)
    for value in (s, ps, ps.overall, Progress(), rec("I", START, "add", 1), slip):
        first = dataclasses.fields(value)[0].name  # type: ignore[arg-type]
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, first, None)
        assert not hasattr(value, "__dict__"), type(value)


def test_ranks_from_red_to_done_and_a_monitored_figure_beside_green() -> None:
    """rank and worse: red 0 … done 4; a monitored figure ranks as one on track."""
    assert [rank(light) for light in (Light.RED, Light.YELLOW, Light.NONE)] == [0, 1, 2]
    assert [rank(light) for light in (Light.GREEN, Light.DONE, Light.MONITOR)] == [3, 4, 3]
    assert worse(Light.GREEN, Light.RED) is Light.RED
    assert worse(Light.NONE, Light.DONE) is Light.NONE


def test_exceeded_is_more_than_the_whole_beyond_a_float_s_last_digit() -> None:
    """ItemStatus.exceeded: completion above 1 + 1e-9."""
    item = indicator(target=100.0)
    assert status(item, [rec("I", START, "add", 150)]).exceeded is True
    assert status(item, [rec("I", START, "add", 100)]).exceeded is False
    assert status(item, [rec("I", START, "add", 100 + 1e-8)]).exceeded is False  # 1 + 1e-10
    one = indicator(target=1.0)
    assert status(one, [rec("I", START, "add", 1 + 1e-9)]).exceeded is False
    assert status(one, [rec("I", START, "add", 1 + 2e-9)]).exceeded is True
    assert status(item, []).exceeded is False


def test_a_monitored_figure_is_not_judged() -> None:
    """ItemStatus.judged: false only for a monitored figure."""
    watched = indicator(kind="monitor", target=None)
    s = status(watched, [rec("I", START, "add", 5)])
    assert s.light is Light.MONITOR and s.judged is False
    assert status(indicator(), [rec("I", START, "add", 5)]).judged is True
    assert status(watched, []).light is Light.MONITOR


def test_already_done_asks_the_item_or_its_milestone() -> None:
    """already_done: the item by its completion, a milestone by the milestones done."""
    item = task(milestones=((D(2025, 3, 31), 0.5), (D(2025, 9, 30), 1.0)))
    s = status(item, [rec("T-1", D(2025, 3, 20), "done", item="T")])
    assert already_done(s, "T-1") is True
    assert already_done(s, "T-2") is False
    assert already_done(s, "T") is False
    finished_task = status(item, [rec("T", D(2025, 6, 1), "done")])
    assert already_done(finished_task, "T") is True


def test_completion_of_a_figure_to_reach() -> None:
    """completion_of: actual ÷ target; from the baseline for lower-is-better; none for a ceiling;
    a task's share is its completion."""
    assert completion_of(task(), 0.4) == 0.4
    assert status(indicator(target=200.0), [rec("I", START, "add", 50)]).completion == 0.25
    down = indicator(target=80.0, baseline=100.0, direction="down", accumulate="level")
    assert status(down, [rec("I", START, "set", 95)]).completion == 0.25  # 5 of the 20 to go
    assert status(CEILING, [rec("I", START, "add", 1)]).completion is None


def test_a_target_of_zero_is_reached_by_anything_not_below_it() -> None:
    """completion_of: against 0, done at 0 or more, nothing below."""
    zero = indicator(target=0.0, accumulate="level")
    assert status(zero, [rec("I", START, "set", 0)]).completion == 1.0
    assert status(zero, [rec("I", START, "set", 0.5)]).completion == 1.0
    assert status(zero, [rec("I", START, "set", -1)]).completion == 0.0
    one = indicator(target=1.0, accumulate="level")
    assert status(one, [rec("I", START, "set", 0.5)]).completion == 0.5


def test_positive_growth_is_more_than_the_baseline_by_more_than_a_float_s_last_digit() -> None:
    """completion_of, growth: positive: the baseline itself is 0.999999, any growth counts."""
    grow = indicator(target=20.0, positive=True, baseline=20.0, accumulate="ytd")
    assert status(grow, [rec("I", START, "set", 20)]).completion == 1 - 1e-6
    assert status(grow, [rec("I", START, "set", 20 * (1 + 5e-10))]).completion == 1 - 1e-6
    assert status(grow, [rec("I", START, "set", 20 * (1 + 1e-9))]).completion == 1 - 1e-6
    assert status(grow, [rec("I", START, "set", 30)]).completion == 1.5
    assert status(grow, [rec("I", START, "set", 10)]).completion == 0.5
    assert status(grow, [rec("I", START, "set", 20.1)]).completion == 20.1 / 20
    from_nothing = indicator(target=0.0, positive=True, baseline=0.0, accumulate="ytd")
    assert status(from_nothing, [rec("I", START, "set", 0.5)]).completion == 1.0
    assert status(from_nothing, [rec("I", START, "set", 0)]).completion == 0.0
    from_one = indicator(target=1.0, positive=True, baseline=1.0, accumulate="ytd")
    assert status(from_one, [rec("I", START, "set", 0.5)]).completion == 0.5


def test_positive_growth_not_reached_on_the_deadline_is_overdue() -> None:
    """_reach: on the deadline's own day, no growth is red and overdue."""
    grow = indicator(target=20.0, positive=True, baseline=20.0, accumulate="ytd")
    s = status(grow, [rec("I", START, "set", 20)], END)
    assert s.overdue is True and s.light is Light.RED
    before = status(grow, [rec("I", START, "set", 20)], D(2025, 12, 30))
    assert before.overdue is False


def test_a_task_s_share_is_the_larger_of_its_percent_and_its_milestones_done() -> None:
    """status_of, task: done is 1; else max(latest percent, largest milestone share done)."""
    item = task(milestones=((D(2025, 3, 31), 0.3), (D(2025, 6, 30), 0.6)))
    both = [
        rec("T-1", D(2025, 3, 1), "done", item="T"),
        rec("T-2", D(2025, 3, 2), "done", item="T"),
    ]
    assert status(item, both).completion == 0.6
    assert status(item, [*both, rec("T", D(2025, 3, 3), "percent", 0.5)]).completion == 0.6
    one = [rec("T-1", D(2025, 3, 1), "done", item="T"), rec("T", D(2025, 3, 3), "percent", 0.5)]
    assert status(item, one).completion == 0.5
    plain = task()
    assert status(plain, [rec("T", D(2025, 3, 3), "percent", 0.5)]).completion == 0.5
    assert status(plain, [rec("T", D(2025, 3, 3), "done")]).completion == 1.0
    assert status(plain, []).completion is None


def test_a_ceiling_is_never_overdue_and_what_is_done_is_not_stale() -> None:
    """status_of, a target kept: no overdue; done at the deadline, and then nothing is asked."""
    early = indicator(kind="at_most", target=3.0, deadline=D(2025, 6, 30))
    s = status(early, [rec("I", D(2025, 3, 1), "add", 2)], D(2025, 12, 31))
    assert s.light is Light.DONE and s.overdue is False and s.stale is False
    assert s.forecast == 2.0


def test_the_gap_in_points_is_rounded_to_a_millionth() -> None:
    """status_of: gap_points = (completion − expected) × 100, to 6 decimals."""
    s = status(indicator(target=100.0), [rec("I", START, "add", 50)])
    assert s.gap_points == -0.136986  # (0.5 − 183/365) × 100 = −0.13698630…
    assert status(indicator(), []).gap_points is None


def test_stale_after_fourteen_days_without_a_record() -> None:
    """status_of: stale from the 14th day since the last record (or since 12-31 before it)."""
    item = indicator()
    assert status(item, [], D(2025, 1, 13)).stale is False  # 13 days since 12-31
    assert status(item, [], D(2025, 1, 14)).stale is True
    records = [rec("I", D(2025, 3, 1), "add", 1)]
    assert status(item, records, D(2025, 3, 14)).stale is False
    assert status(item, records, D(2025, 3, 15)).stale is True  # 14 days since 03-01


def test_nothing_is_stale_before_anything_is_due() -> None:
    """status_of: with a first checkpoint of 0, nothing is asked of the item yet."""
    later = indicator(checkpoints=((D(2025, 6, 30), 0.0), (D(2025, 12, 31), 1.0)))
    assert status(later, [], D(2025, 3, 1)).stale is False
    assert status(later, [], D(2025, 8, 1)).stale is True
    kept = indicator(kind="at_most", target=3.0)
    assert status(kept, [], D(2025, 3, 1)).stale is True


def test_a_milestone_or_the_deadline_is_overdue_only_the_day_after() -> None:
    """_reach: overdue from the day after a milestone's date or the deadline, unless done."""
    item = task(deadline=D(2025, 6, 30), milestones=((D(2025, 3, 31), 0.5), (D(2025, 6, 30), 1.0)))
    half = [rec("T", D(2025, 3, 1), "percent", 0.4)]
    on_the_day = status(item, half, D(2025, 3, 31))
    assert on_the_day.overdue is False and on_the_day.overdue_milestones == ()
    after = status(item, half, D(2025, 4, 1))
    assert after.overdue is True and [m.code for m in after.overdue_milestones] == ["T-1"]
    assert after.light is Light.RED
    milestone_done = [*half, rec("T-1", D(2025, 3, 30), "done", item="T")]
    assert status(item, milestone_done, D(2025, 4, 1)).overdue is False
    deadline = status(item, [*milestone_done, rec("T-2", D(2025, 6, 1), "done", item="T")])
    assert deadline.light is Light.DONE and deadline.overdue is False
    plain = task(deadline=D(2025, 6, 30))
    assert status(plain, half, D(2025, 6, 30)).overdue is False
    assert status(plain, half, D(2025, 7, 1)).overdue is True
    assert status(plain, [rec("T", D(2025, 3, 1), "done")], D(2025, 7, 1)).overdue is False


def test_an_item_nobody_reported_on_has_no_light_yet() -> None:
    """_reach and _keep: no record, no light (unless overdue or monitored)."""
    assert status(indicator(), []).light is Light.NONE
    assert status(CEILING, []).light is Light.NONE
    assert status(COUNT_RANGE, []).light is Light.NONE


def test_a_ceiling_and_a_range_are_judged_by_their_own_rules() -> None:
    """_keep: at_most by for_ceiling, range by for_range."""
    assert status(CEILING, [rec("I", START, "add", 4)]).light is Light.RED
    assert status(CEILING, [rec("I", START, "add", 1)]).light is Light.GREEN
    assert status(COUNT_RANGE, [rec("I", START, "add", 21)]).light is Light.RED
    assert status(COUNT_RANGE, [rec("I", START, "add", 7)]).light is Light.GREEN  # heading 14


def test_what_is_left_of_a_figure_to_reach() -> None:
    """_remaining: an up-indicator nobody reported on has its whole target to go, baseline or
    not; a lower-is-better one the way from its baseline; a ceiling or range has none."""
    up = indicator(target=80.0, baseline=50.0, accumulate="level")
    assert status(up, []).remaining == 80.0
    assert status(up, [rec("I", START, "set", 60)]).remaining == 20.0
    assert status(up, [rec("I", START, "set", 90)]).remaining == 0.0
    down = indicator(target=80.0, baseline=100.0, direction="down", accumulate="level")
    assert status(down, []).remaining == 20.0
    assert status(down, [rec("I", START, "set", 95)]).remaining == 15.0
    assert status(down, [rec("I", START, "set", 70)]).remaining == 0.0
    assert status(CEILING, [rec("I", START, "add", 1)]).remaining is None
    assert status(COUNT_RANGE, []).remaining is None


def test_what_is_left_of_a_task() -> None:
    """_remaining, task: 1 − its share, all of it when nothing is reported."""
    assert status(task(), []).remaining == 1.0
    assert status(task(), [rec("T", START, "percent", 0.4)]).remaining == 0.6
    assert status(task(), [rec("T", START, "done")]).remaining == 0.0


# A plan of 100 days, 01-01 to 04-10: a tenth of it is gone at the end of 01-10.
SHORT = {"end": D(2025, 4, 10)}


def test_the_forecast_starts_once_exactly_a_tenth_of_the_period_is_gone() -> None:
    """_forecast: none before a tenth of the period; from day 10 of 100, at its pace."""
    item = indicator(deadline=D(2025, 4, 10))
    records = [rec("I", START, "add", 5)]
    assert status(item, records, D(2025, 1, 9), **SHORT).forecast is None  # 9 of 100 days
    assert status(item, records, D(2025, 1, 10), **SHORT).forecast == 50.0  # 5 ÷ (10/100)
    assert status(item, records, D(2025, 1, 5)).forecast is None


def test_a_task_s_forecast_is_capped_at_done() -> None:
    """_forecast, task: its pace so far, never more than the whole."""
    assert status(task(), [rec("T", START, "percent", 0.8)]).forecast == 1.0  # not 1.596
    assert status(task(), [rec("T", START, "percent", 0.2)]).forecast == 0.2 / HALF
    assert status(indicator(), [rec("I", START, "add", 80)]).forecast == 80 / HALF


def test_no_forecast_while_nothing_is_expected() -> None:
    """_forecast: before the first checkpoint of 0 there is no pace to extrapolate."""
    later = indicator(checkpoints=((D(2025, 6, 30), 0.0), (D(2025, 12, 31), 1.0)))
    assert status(later, [rec("I", START, "add", 5)], D(2025, 3, 1)).forecast is None
    assert status(indicator(), []).forecast is None


def test_a_level_and_a_finished_item_forecast_what_they_are() -> None:
    """_forecast: a level as it stands, a done item as it is."""
    level = indicator(accumulate="level")
    assert status(level, [rec("I", START, "set", 30)]).forecast == 30.0
    paced = indicator(accumulate="level", checkpoints=((D(2025, 3, 31), 0.2), (END, 1.0)))
    s = status(paced, [rec("I", START, "set", 30)])
    assert s.expected < 1 and s.forecast == 30.0  # not 30 ÷ its 序时进度
    done = status(indicator(target=10.0), [rec("I", START, "add", 12)])
    assert done.light is Light.DONE and done.forecast == 12.0
    assert status(task(), [rec("T", START, "done")]).forecast == 1.0


# -- roll-ups ------------------------------------------------------------------------------------


def test_the_share_done_of_a_group_counts_each_item_between_nothing_and_all() -> None:
    """rollup: mean of completions clamped to 0..1 over items with a share; unreported count 0."""
    a, b, c, d = (indicator(code, target=100.0) for code in "ABCD")
    ceiling = indicator("E", kind="at_most", target=3.0)
    plan = plan_of(a, b, c, d, ceiling)
    day = D(2025, 6, 30)
    records = [
        rec("A", day, "add", 150),  # 1.5 counts as 1: done
        rec("B", day, "add", 50),  # 0.5: green
        rec("C", day, "add", 20),  # 0.2: 30.1 points behind, red
        rec("E", day, "add", 1),  # a ceiling has no share: not in the mean; green
    ]
    overall = plan_status(plan, records, MID).overall
    assert overall is not None
    assert overall.mean_completion == pytest.approx((1 + 0.5 + 0.2 + 0) / 4)
    assert overall.total == 5 and overall.stale == 1  # D: nothing in 183 days
    assert overall.counts == {
        Light.RED: 1,
        Light.YELLOW: 0,
        Light.NONE: 1,
        Light.GREEN: 2,
        Light.DONE: 1,
        Light.MONITOR: 0,
    }
    assert overall.worst is Light.RED
    assert overall.done_share == 1 / 5


def test_a_group_of_nothing_or_of_monitored_figures_only() -> None:
    """rollup: no items, no share and no light; monitored figures only: none either."""
    empty = rollup("x", "空", [])
    assert empty.done_share == 0.0 and empty.mean_completion is None
    assert empty.worst is Light.NONE and empty.monitored == 0
    watched = status(indicator(kind="monitor", target=None), [rec("I", START, "add", 1)])
    only = rollup("x", "监测", [watched])
    assert only.worst is Light.NONE and only.monitored == 1 and only.mean_completion is None


def test_a_plan_s_roll_ups_by_section_area_and_overall() -> None:
    """plan_status_from: an item missing from the progress has none; the overall code is ''."""
    t = task()
    plan = plan_of(t)
    ps = plan_status_from(plan, {}, MID)
    assert ps.items[0].light is Light.NONE and ps.items[0].completion is None
    assert ps.overall is not None and ps.overall.code == "" and ps.overall.title == "测试计划"
    assert ps.sections["1.1"].total == 1 and ps.areas["1"].total == 1
    assert ps.elapsed == HALF
    assert Progress().done is False


def test_a_day_outside_the_period_is_read_as_its_nearest_day() -> None:
    """clamp_to_period: before the start → the start, after the end → the end."""
    plan = plan_of(task())
    assert clamp_to_period(plan, D(2024, 11, 1)) == START
    assert clamp_to_period(plan, D(2026, 2, 1)) == END
    assert clamp_to_period(plan, MID) == MID


def test_a_trend_counts_each_record_from_its_own_day() -> None:
    """trend and statuses_over: a record counts at the end of its day, on every day after."""
    item = indicator(target=100.0)
    plan = plan_of(item)
    records = [rec("I", D(2025, 3, 1), "add", 10), rec("I", D(2025, 5, 1), "add", 30)]
    days = [D(2025, 2, 1), D(2025, 3, 1), D(2025, 5, 1), D(2025, 6, 1)]
    assert trend(plan, item, records, days) == [None, 0.1, 0.4, 0.4]
    over = statuses_over(plan, item, records, days)
    assert [s.actual for s in over] == [None, 10.0, 40.0, 40.0]
    assert [s.as_of for s in over] == days


# -- folding records -----------------------------------------------------------------------------


def test_the_records_that_count_on_a_day() -> None:
    """valid_until: the item's own, not voided, dated on or before the day, by (date, id)."""
    mine = rec("I", D(2025, 3, 2), "add", 1)
    same_day = rec("I", D(2025, 3, 5), "add", 2)
    earlier = rec("I", D(2025, 3, 1), "add", 3)
    voided = rec("I", D(2025, 3, 1), "add", 4, voided=True)
    other = rec("J", D(2025, 3, 1), "add", 5)
    later = rec("I", D(2025, 3, 6), "add", 6)
    got = valid_until([mine, same_day, earlier, voided, other, later], "I", D(2025, 3, 5))
    assert got == [earlier, mine, same_day]


def test_sets_replace_adds_add_and_dones_finish() -> None:
    """fold: the value, done, the first day each milestone was done, the last day, the last note."""
    item = task(milestones=((D(2025, 3, 31), 0.5),))
    records = [
        rec("T", D(2025, 2, 1), "percent", 0.2, note="开工"),
        rec("T-1", D(2025, 3, 1), "done", item="T"),
        rec("T-1", D(2025, 3, 5), "done", item="T", note=""),
        rec("T", D(2025, 4, 1), "percent", 0.6),
    ]
    p = fold(item, records)
    assert p == Progress(0.6, False, {"T-1": D(2025, 3, 1)}, D(2025, 4, 1), "开工")
    assert fold(item, [*records, rec("T", D(2025, 5, 1), "done")]).done is True
    counted = indicator()
    adds = [rec("I", D(2025, 1, 1), "add", 5), rec("I", D(2025, 1, 2), "add", 7)]
    assert fold(counted, adds).value == 12.0
    assert fold(counted, [*adds, rec("I", D(2025, 1, 3), "set", 3)]).value == 3.0
    assert fold(counted, []) == Progress()


# -- what a record means and when it may be made ---------------------------------------------------


def test_a_record_is_valid_and_typed_on_the_command_line_unless_said_otherwise() -> None:
    """Update: not voided, origin cli, no reporter nor account until given."""
    u = Update(1, "I", "I", START, "add", 5.0)
    assert (u.voided, u.origin, u.by, u.os_user) == (False, "cli", "", "")
    assert (u.void_reason, u.void_kind, u.voided_by, u.voided_at, u.note) == (None,) * 5


@pytest.mark.parametrize("word", ["done", "DONE", "Done", "完成", "已完成", " 完成 "])
def test_done_in_either_language_finishes_a_task_or_a_milestone(word: str) -> None:
    """parse_record_value: 完成/已完成/done (any case) is a done record."""
    item = task(milestones=((D(2025, 3, 31), 0.5),))
    assert parse_record_value(item, word) == ("done", None)
    assert parse_record_value(item.milestones[0], word) == ("done", None)


def test_a_milestone_takes_nothing_but_done() -> None:
    """parse_record_value, milestone: a share is refused, naming the milestone."""
    milestone = task(milestones=((D(2025, 3, 31), 0.5),)).milestones[0]
    assert (
        refused(parse_record_value, milestone, "60%")
        == "T-1 是节点，只能写“完成”（或 done），不是“60%”"
    )


def test_an_indicator_s_sign_says_add_or_set_and_a_bare_number_follows_its_kind() -> None:
    """parse_record_value, indicator: +n adds, =n sets; bare adds to a sum, sets a ytd or level."""
    count = indicator()
    assert parse_record_value(count, "+15") == ("add", 15.0)
    assert parse_record_value(count, "=15") == ("set", 15.0)
    assert parse_record_value(count, "15") == ("add", 15.0)
    assert parse_record_value(count, "15个") == ("add", 15.0)
    assert parse_record_value(indicator(accumulate="ytd"), "15") == ("set", 15.0)
    assert parse_record_value(indicator(accumulate="level"), "15") == ("set", 15.0)
    assert refused(parse_record_value, count, "+abc").startswith("“+abc”不是数字")


def test_a_task_takes_a_share_and_nothing_signed_or_without_digits() -> None:
    """parse_record_value, task: 60% is 0.6; +5, =5 and words are refused, naming the task."""
    item = task()
    assert parse_record_value(item, "60%") == ("percent", 0.6)
    assert parse_record_value(item, "60") == ("percent", 0.6)
    for text in ("+5", "=5", "abc"):
        assert refused(parse_record_value, item, text) == (
            f"T 是任务，请写完成百分比（如 60%）或“完成”，不是“{text}”"
        )


def test_a_record_s_day_lies_in_the_period_and_not_after_today() -> None:
    """check_record_day: the period's bounds and today are allowed; the messages by where."""
    plan = plan_of(task())
    today = D(2025, 7, 2)
    for day in (START, today):
        assert check_record_day(day, plan, today) == day
    assert refused(check_record_day, D(2025, 7, 3), plan, today) == (
        "日期 2025-07-03 晚于今天 2025-07-02；请用 --date 写已发生的日期"
    )
    assert refused(check_record_day, D(2024, 12, 31), plan, today) == (
        "日期 2024-12-31 不在 2025 年计划期（2025-01-01 至 2025-12-31）内；请用 --date 写计划期内的日期"
    )
    assert refused(check_record_day, D(2025, 7, 3), plan, today, from_file=True) == (
        "日期 2025-07-03 晚于今天 2025-07-02；请写已发生的日期"
    )
    assert refused(check_record_day, D(2024, 12, 31), plan, today, from_file=True) == (
        "日期 2024-12-31 不在 2025 年计划期（2025-01-01 至 2025-12-31）内；请改为计划期内的日期"
    )
    assert check_record_day(END, plan, D(2026, 1, 5)) == END


# -- the rules a new record passes ---------------------------------------------------------------


def test_a_new_record_before_it_is_stored() -> None:
    """new_update: id 0, origin cli, the milestone's task, a trimmed note, the reporter or the
    account that typed it."""
    item = task(milestones=((D(2025, 3, 31), 0.5),))
    u = new_update(item.milestones[0], "done", None, MID, "  按期完成 ", "  张三 ", "zhang")
    assert (u.id, u.code, u.item_code, u.date) == (0, "T-1", "T", MID)
    assert (u.kind, u.value, u.note) == ("done", None, "按期完成")
    assert (u.by, u.os_user, u.origin, u.voided) == ("张三", "zhang", "cli", False)
    plain = new_update(item, "percent", 0.5, MID, None, None, "zhang")
    assert (plain.code, plain.item_code, plain.note, plain.by) == ("T", "T", None, "zhang")
    blank = new_update(item, "percent", 0.5, MID, "   ", "  ", "zhang")
    assert (blank.note, blank.by) == (None, "zhang")


def test_a_note_as_typed_is_trimmed_and_refused_with_a_control_character() -> None:
    """typed_note and typed_reason: trimmed, lines kept, blank is none (a reason: empty); a
    control character is refused, naming the option."""
    assert typed_note(None) is None
    assert typed_note("  进展顺利 \n") == "进展顺利"
    assert typed_note("第一行\n第二行") == "第一行\n第二行"
    assert typed_note("   ") is None
    assert refused(typed_note, "a\x07") == (
        "--note 的第 2 个字符 U+0007 是不可见的控制字符；请删除它（常见于从网页或文档粘贴的文字）"
    )
    assert typed_reason("错填") == "错填"
    assert typed_reason("  ") == ""
    assert refused(typed_reason, "\x1b[31m").startswith("--reason 的第 1 个字符 U+001B")


def test_a_name_is_one_line_and_its_faults_are_placed_as_typed() -> None:
    """typed_name: trimmed, one line; a line break's place counted in what was typed."""
    assert typed_name(None) is None
    assert typed_name("  张三 ") == "张三"
    assert typed_name(" ") is None
    assert (
        refused(typed_name, " 张\n三") == "--by 的第 3 个字符是换行或 Tab（U+000A）；请写在一行内"
    )


def test_a_new_record_names_the_field_a_bad_note_or_name_came_from() -> None:
    """new_update: --note and --by on the command line; an import names its cells."""
    item = task()
    assert refused(new_update, item, "done", None, MID, "a\x07", None, "zhang").startswith(
        "--note "
    )
    assert refused(new_update, item, "done", None, MID, None, "张\t三", "zhang").startswith("--by ")
    cell = refused(new_update, item, "done", None, MID, "a\x07", None, "z", note_field="第3行")
    assert cell.startswith("第3行 的第 2 个字符")
    cell = refused(new_update, item, "done", None, MID, None, "张\t三", "z", by_field="第4行")
    assert cell.startswith("第4行 的第 2 个字符")


def test_a_new_record_is_judged_on_its_own_day_after_the_records_of_that_day() -> None:
    """around: the status on the record's day (clamped to the period), before and after it."""
    item = indicator(target=100.0)
    plan = plan_of(item)
    history = [rec("I", D(2025, 3, 1), "add", 10), rec("I", D(2025, 3, 15), "add", 5)]
    new = new_update(item, "set", 40.0, D(2025, 3, 15), None, None, "zhang")
    before, after = around(plan, item, history, new)
    assert (before.as_of, before.actual) == (D(2025, 3, 15), 15.0)
    assert (after.as_of, after.actual) == (D(2025, 3, 15), 40.0)  # after the add of its day
    late = new_update(item, "add", 1.0, D(2026, 1, 3), None, None, "zhang")
    assert around(plan, item, history, late)[1].as_of == END


def test_the_records_after_a_late_one() -> None:
    """later_records: the item's valid records dated after the new one, by (date, id)."""
    item = indicator()
    new = new_update(item, "add", 1.0, D(2025, 3, 10), None, None, "zhang")
    same_day = rec("I", D(2025, 3, 10), "add", 1)
    second = rec("I", D(2025, 4, 1), "add", 2)
    first = rec("I", D(2025, 3, 20), "add", 3)
    voided = rec("I", D(2025, 3, 20), "add", 4, voided=True)
    other = rec("J", D(2025, 3, 20), "add", 5)
    assert later_records([same_day, second, first, voided, other], new) == [first, second]


def test_a_record_that_leaves_its_item_red_needs_its_reason() -> None:
    """needs_reason: red and no note; a note, or any other light, needs none."""
    item = indicator(target=100.0)
    red = status(item, [rec("I", START, "add", 1)])
    green = status(item, [rec("I", D(2025, 6, 30), "add", 50)])
    assert red.light is Light.RED and green.light is Light.GREEN
    assert needs_reason(red, None) is True
    assert needs_reason(red, "") is True
    assert needs_reason(red, "资金未到位") is False
    assert needs_reason(green, None) is False


def _slip(item: Item, history: list[Update], value: float, kind: UpdateKind = "add") -> Slip | None:
    """What implausible says of a record of ``value`` on 06-30 after ``history``."""
    new = new_update(item, kind, value, D(2025, 6, 30), None, None, "zhang")
    before, after = around(plan_of(item), item, history, new)
    return implausible(before, after)


def test_a_record_moving_a_figure_by_more_than_twice_its_target_is_a_slip() -> None:
    """implausible, jump: |after − before| above 2 × the target (within 1e-9)."""
    count = indicator(target=100.0)
    assert _slip(count, [], 200.0) is None
    assert _slip(count, [], 200 + 1e-9) is None
    assert _slip(count, [], 200.5) == Slip("jump", 0.0, 200.5, 200.0)
    assert _slip(count, [], 250.0) == Slip("jump", 0.0, 250.0, 200.0)
    assert _slip(count, [], 150.0) is None
    assert _slip(count, [rec("I", START, "add", 150)], 10.0) is None  # 150 → 160: a step of 10
    small = indicator(target=0.15)
    assert _slip(small, [], 0.1 + 0.2) is None  # 0.30000000000000004 against 0.3


def test_the_size_a_record_is_measured_against() -> None:
    """_scale: the target, else a range's top, else the baseline; a zero does not count."""
    assert _slip(indicator(target=0.5), [], 1.5) == Slip("jump", 0.0, 1.5, 1.0)
    zero = indicator(target=0.0, baseline=10.0, accumulate="level")
    assert _slip(zero, [], 5.0, "set") is None
    assert _slip(zero, [], 25.0, "set") == Slip("jump", 0.0, 25.0, 20.0)
    assert _slip(COUNT_RANGE, [], 45.0) == Slip("jump", 0.0, 45.0, 40.0)
    assert _slip(COUNT_RANGE, [], 35.0) is None
    assert _slip(indicator(kind="monitor", target=None), [], 1e6) is None  # nothing to measure by


def test_a_year_to_date_total_that_goes_down_is_a_slip() -> None:
    """implausible, down: a ytd total below the one before (float noise aside)."""
    ytd = indicator(target=100.0, accumulate="ytd")
    history = [rec("I", START, "set", 50)]
    assert _slip(ytd, history, 40.0, "set") == Slip("down", 50.0, 40.0)
    assert _slip(ytd, history, 49.5, "set") == Slip("down", 50.0, 49.5)
    assert _slip(ytd, history, 50.0, "set") is None
    assert _slip(ytd, [rec("I", START, "set", 100)], 100 - 1e-9, "set") is None
    assert _slip(ytd, [rec("I", START, "set", 0.1 + 0.2)], 0.3, "set") is None
    assert _slip(ytd, [], 40.0, "set") is None  # the first record has nothing to go down from
    count = indicator(target=100.0)
    assert _slip(count, [rec("I", START, "add", 10)], 5.0) is None


def test_only_an_indicator_with_a_value_can_slip() -> None:
    """implausible: a task never; an indicator nobody has reported on not either."""
    assert _slip(task(), [], 0.5, "percent") is None
    nothing = status(indicator(), [])
    assert implausible(nothing, nothing) is None


# -- the mutation run itself ---------------------------------------------------------------------


def test_every_mutant_listed_as_equivalent_is_still_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """scripts/equivalent-mutants.txt names mutants that scripts/mutate.py makes today: when the
    code changes under one, the list is brought up to date (``scripts/mutate.py --list``)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "mutate.py"
    spec = importlib.util.spec_from_file_location("mutate", path)
    assert spec is not None and spec.loader is not None
    mutate = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "mutate", mutate)
    spec.loader.exec_module(mutate)
    made = {m.key for module in mutate.MODULES for m in mutate.mutants_of(module)}
    listed = mutate.equivalents()
    assert listed and all(reason for reason in listed.values())
    assert sorted(set(listed) - made) == []
