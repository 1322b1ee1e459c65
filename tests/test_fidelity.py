"""The targets file is faithful to the congress report it comes from.

Titles, item texts and sources are copied verbatim; the six areas and twenty sections are the
report's part-二 structure; the 2024 figures are the report's own, each with its unit; and what
the report does not say (2025 targets, lead offices, deadlines, milestone dates) is marked as the
office's assumption. These tests read the report beside the checkout and skip without it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from kpi.core.plan import Item, Plan

PLAN_FILE = Path(__file__).resolve().parent.parent / "targets" / "2025.yaml"
PART_1 = "一、2024年工作回顾"
PART_2 = "二、2025年主要工作安排"
AREA_HEADING = re.compile(r"^[（(][一二三四五六七八九十]+[)）](?P<title>.+)$")


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _review(report: str) -> str:
    """Part 一, the 2024 review: where the baselines come from."""
    return report.split(PART_1, 1)[1].split(PART_2, 1)[0]


def _arrangement(report: str) -> list[tuple[str, list[str]]]:
    """Part 二 as (area title, [section paragraphs]) from its “(一)…” headings."""
    areas: list[tuple[str, list[str]]] = []
    for para in _paragraphs(report.split(PART_2, 1)[1]):
        heading = AREA_HEADING.match(para)
        if heading:
            areas.append((heading["title"], []))
        elif areas:
            areas[-1][1].append(para)
    return areas


def _heading(paragraph: str) -> str:
    """A section paragraph opens with its heading, up to the first 。"""
    return paragraph.split("。", 1)[0]


def _indicator_with_baseline(plan: Plan, value: float) -> Item:
    found = [
        i
        for i in plan.items
        if i.is_indicator and i.baseline and i.baseline.value == pytest.approx(value)
    ]
    assert len(found) == 1, f"one indicator should have the 2024 baseline {value}: {found}"
    return found[0]


def test_six_areas_and_twenty_sections(plan: Plan) -> None:
    assert len(plan.areas) == 6
    assert len(list(plan.sections())) == 20


def test_areas_and_sections_are_the_reports_part_two(plan: Plan, report_text: str) -> None:
    arrangement = _arrangement(report_text)
    assert [a.title for a in plan.areas] == [title for title, _ in arrangement]
    assert [[s.title for s in a.sections] for a in plan.areas] == [
        [_heading(p) for p in paras] for _, paras in arrangement
    ]


def test_titles_texts_and_sources_are_verbatim(plan: Plan, report_text: str) -> None:
    missing = [a.title for a in plan.areas if a.title not in report_text]
    missing += [s.title for s in plan.sections() if s.title not in report_text]
    for item in plan.items:
        for label, words in (
            ("text", item.text),
            ("baseline.source", item.baseline.source if item.baseline else None),
            (
                "target.source",
                item.target.source if item.target and item.target.basis == "stated" else None,
            ),
        ):
            if words is not None and words not in report_text:
                missing.append(f"{item.code} {label}: {words}")
    assert missing == []


def test_item_texts_come_from_their_own_section(plan: Plan, report_text: str) -> None:
    """An item's text is a sentence of its section's paragraph in part 二, not of another one."""
    paragraphs = {_heading(p): p for _, paras in _arrangement(report_text) for p in paras}
    titles = {s.code: s.title for s in plan.sections()}
    misplaced = [
        i.code for i in plan.items if i.text not in paragraphs.get(titles[i.section_code], "")
    ]
    assert misplaced == []


def test_baselines_come_from_the_2024_review(plan: Plan, report_text: str) -> None:
    review = _review(report_text)
    outside = [i.code for i in plan.items if i.baseline and i.baseline.source not in review]
    assert outside == []
    assert {i.baseline.year for i in plan.items if i.baseline} == {2024}


# (2024 value, unit, the figure as the report writes it)
FIGURES = [
    pytest.param(234, "家", "234家", id="enterprises-234"),
    pytest.param(7.75, "亿元", "7.75亿元", id="district-tax-7.75"),
    pytest.param(21, "个", "21个", id="15-minute-circle-21"),
    pytest.param(23, "场", "23场", id="job-events-23"),
    pytest.param(1120, "人次", "1120人次", id="job-seekers-1120"),
    pytest.param(6271, "人次", "6271人次", id="assistance-6271"),
    pytest.param(641.42, "万元", "641.42万元", id="assistance-funds-641.42"),
    pytest.param(
        303,
        "名",
        "303名",
        id="elderly-living-alone-303",
    ),
    pytest.param(972, "件", "972件", id="labour-disputes-972"),
    pytest.param(1064.13, "万元", "1064.13万元", id="wage-arrears-1064.13"),
    pytest.param(39, "场", "39场", id="culture-events-39"),
    pytest.param(1235, "家次", "1235家次", id="safety-inspections-1235"),
    pytest.param(980, "条", "980条", id="hazards-980"),
    pytest.param(687, "家次", "687家次", id="gas-checks-687"),
    pytest.param(49, "个", "49个", id="self-governance-49"),
    pytest.param(70, "个", "70个", id="party-service-70"),
    pytest.param(460, "条", "460条", id="legislative-suggestions-460"),
]


@pytest.mark.parametrize(("value", "unit", "figure"), FIGURES)
def test_2024_figure_is_an_indicator_baseline(
    plan: Plan, report_text: str, value: float, unit: str, figure: str
) -> None:
    item = _indicator_with_baseline(plan, value)
    assert item.baseline is not None
    assert (item.baseline.year, item.unit) == (2024, unit)
    assert figure in item.baseline.source
    assert figure in _review(report_text)


def test_enterprises_baseline_implies_a_2024_target_of_200(plan: Plan) -> None:
    item = _indicator_with_baseline(plan, 234)
    assert item.baseline is not None
    assert item.baseline.completion == pytest.approx(1.17)
    assert "117%" in item.baseline.source
    assert item.baseline.implied_target == pytest.approx(200)


def test_tax_baseline_states_its_growth(plan: Plan) -> None:
    item = _indicator_with_baseline(plan, 7.75)
    assert item.baseline is not None
    assert item.baseline.growth == pytest.approx(0.088)
    assert "8.8%" in item.baseline.source


def test_every_indicator_target_is_provisional(plan: Plan) -> None:
    """The report states no 2025 figure, so every target is the office's, marked 暂定."""
    indicators = [i for i in plan.items if i.is_indicator]
    assert indicators
    wrong = [
        i.code
        for i in indicators
        if not (
            i.target
            and i.target.basis == "assumed"
            and i.target.provisional
            and (i.target.note or "").startswith("暂定")
        )
    ]
    assert wrong == []


def test_offices_deadlines_and_milestone_dates_are_marked_assigned(plan: Plan) -> None:
    """The report names no lead office, deadline or milestone date: all are the office's reading."""
    unmarked = [i.code for i in plan.items if not {"lead_office", "deadline"} <= set(i.assigned)]
    unmarked += [m.code for i in plan.items for m in i.milestones if "date" not in m.assigned]
    assert unmarked == []


def test_the_raw_file_marks_the_same(plan: Plan) -> None:
    """The raw YAML agrees: every item writes lead_office and deadline and lists them as assigned."""
    raw = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    items = [i for a in raw["areas"] for s in a["sections"] for i in s["items"]]
    assert len(items) == len(plan.items)
    assert all({"lead_office", "deadline"} <= set(i["assigned"]) for i in items)
    assert all(isinstance(i["code"], str) for i in items)  # codes are quoted in the file


def test_at_least_sixty_items(plan: Plan) -> None:
    assert len(plan.items) >= 60


def test_milestones_are_in_date_order_within_2025(plan: Plan) -> None:
    tasks = [i for i in plan.items if i.milestones]
    assert tasks
    for item in tasks:
        dates = [m.date for m in item.milestones]
        assert dates == sorted(dates), item.code
        assert all(dt.date(2025, 1, 1) <= d <= dt.date(2025, 12, 31) for d in dates), item.code
        assert dates[-1] <= item.deadline, item.code
        shares = [m.share for m in item.milestones]
        assert shares == sorted(shares) and 0 < shares[0] <= shares[-1] <= 1, item.code
