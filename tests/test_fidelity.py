"""The targets file is faithful to the congress report it comes from.

Titles, item texts and sources are copied verbatim; the six areas and twenty sections are the
report's part-二 structure; the 2024 figures are the report's own, each with its unit; and what
the report does not say (2025 targets, lead offices, deadlines, milestone dates) is marked as the
office's assumption. These tests read the report beside the checkout and skip without it.

They read the file with ``yaml.safe_load``, not with the tool's parser, so that they hold the file
to the report whatever the parser accepts; one test at the end checks that the parser reads it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpi.core.plan_file import parse_plan

PLAN_FILE = Path(__file__).resolve().parent.parent / "targets" / "2025.yaml"
PART_1 = "一、2024年工作回顾"
PART_2 = "二、2025年主要工作安排"
AREA_HEADING = re.compile(r"^[（(][一二三四五六七八九十]+[)）](?P<title>.+)$")

Raw = dict[str, Any]


@pytest.fixture(scope="module")
def raw() -> Raw:
    return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


def _sections(raw: Raw) -> list[Raw]:
    return [s for a in raw["areas"] for s in a["sections"]]


def _items(raw: Raw) -> list[Raw]:
    return [i for s in _sections(raw) for i in s["items"]]


def _indicators(raw: Raw) -> list[Raw]:
    return [i for i in _items(raw) if i["kind"] == "indicator"]


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


def _indicator_with_baseline(raw: Raw, value: float) -> Raw:
    found = [
        i
        for i in _indicators(raw)
        if i.get("baseline") and i["baseline"]["value"] == pytest.approx(value)
    ]
    assert len(found) == 1, f"one indicator should have the 2024 baseline {value}: {found}"
    return found[0]


def test_six_areas_and_twenty_sections(raw: Raw) -> None:
    assert len(raw["areas"]) == 6
    assert len(_sections(raw)) == 20


def test_areas_and_sections_are_the_reports_part_two(raw: Raw, report_text: str) -> None:
    arrangement = _arrangement(report_text)
    assert [a["title"] for a in raw["areas"]] == [title for title, _ in arrangement]
    assert [[s["title"] for s in a["sections"]] for a in raw["areas"]] == [
        [_heading(p) for p in paras] for _, paras in arrangement
    ]


def test_titles_texts_and_sources_are_verbatim(raw: Raw, report_text: str) -> None:
    missing = [a["title"] for a in raw["areas"] if a["title"] not in report_text]
    missing += [s["title"] for s in _sections(raw) if s["title"] not in report_text]
    for item in _items(raw):
        target = item.get("target") or {}
        for label, words in (
            ("text", item["text"]),
            ("baseline.source", (item.get("baseline") or {}).get("source")),
            ("target.source", target.get("source") if target.get("basis") == "stated" else None),
        ):
            if words is not None and words not in report_text:
                missing.append(f"{item['code']} {label}: {words}")
    assert missing == []


def test_item_texts_come_from_their_own_section(raw: Raw, report_text: str) -> None:
    """An item's text is a sentence of its section's paragraph in part 二, not of another one."""
    paragraphs = {_heading(p): p for _, paras in _arrangement(report_text) for p in paras}
    misplaced = [
        i["code"]
        for s in _sections(raw)
        for i in s["items"]
        if i["text"] not in paragraphs.get(s["title"], "")
    ]
    assert misplaced == []


def test_baselines_come_from_the_2024_review(raw: Raw, report_text: str) -> None:
    review = _review(report_text)
    baselines = [(i["code"], i["baseline"]) for i in _indicators(raw) if i.get("baseline")]
    assert [code for code, b in baselines if b["source"] not in review] == []
    assert {b["year"] for _, b in baselines} == {2024}


# (2024 value, unit, the figure as the report writes it)
FIGURES = [
    pytest.param(234, "家", "234家", id="enterprises-234"),
    pytest.param(7.75, "亿元", "7.75亿元", id="district-tax-7.75"),
    pytest.param(21, "个", "21个", id="15-minute-circle-21"),
    pytest.param(23, "场", "23场", id="job-events-23"),
    pytest.param(1120, "人次", "1120人次", id="job-seekers-1120"),
    pytest.param(6271, "人次", "6271人次", id="assistance-6271"),
    pytest.param(641.42, "万元", "641.42万元", id="assistance-funds-641.42"),
    pytest.param(303, "名", "303名", id="elderly-living-alone-303"),
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
    raw: Raw, report_text: str, value: float, unit: str, figure: str
) -> None:
    item = _indicator_with_baseline(raw, value)
    assert (item["baseline"]["year"], item["unit"]) == (2024, unit)
    assert figure in item["baseline"]["source"]
    assert figure in _review(report_text)


def test_enterprises_baseline_implies_a_2024_target_of_200(raw: Raw) -> None:
    baseline = _indicator_with_baseline(raw, 234)["baseline"]
    assert baseline["completion"] == pytest.approx(1.17)
    assert "117%" in baseline["source"]
    assert baseline["value"] / baseline["completion"] == pytest.approx(200)


def test_tax_baseline_states_its_growth(raw: Raw) -> None:
    baseline = _indicator_with_baseline(raw, 7.75)["baseline"]
    assert baseline["growth"] == pytest.approx(0.088)
    assert "8.8%" in baseline["source"]


def test_every_indicator_target_is_provisional(raw: Raw) -> None:
    """The report states no 2025 figure, so every target is the office's, marked 暂定."""
    indicators = _indicators(raw)
    assert indicators
    wrong = [
        i["code"]
        for i in indicators
        if not (
            i["target"]["basis"] == "assumed"
            and str(i["target"].get("note", "")).startswith("暂定")
        )
    ]
    assert wrong == []


def test_offices_deadlines_and_milestone_dates_are_marked_assigned(raw: Raw) -> None:
    """The report names no lead office, deadline or milestone date: all are the office's reading."""
    items = _items(raw)
    unmarked = [i["code"] for i in items if not {"lead_office", "deadline"} <= set(i["assigned"])]
    unmarked += [
        m["code"] for i in items for m in i.get("milestones", []) if "date" not in m["assigned"]
    ]
    assert unmarked == []
    assert all(isinstance(i["code"], str) for i in items)  # codes are quoted in the file


def test_at_least_sixty_items(raw: Raw) -> None:
    assert len(_items(raw)) >= 60


def test_milestones_are_in_date_order_within_2025(raw: Raw) -> None:
    tasks = [i for i in _items(raw) if i.get("milestones")]
    assert tasks
    for item in tasks:
        dates = [m["date"] for m in item["milestones"]]
        assert dates == sorted(dates), item["code"]
        assert all(dt.date(2025, 1, 1) <= d <= dt.date(2025, 12, 31) for d in dates), item["code"]
        assert dates[-1] <= item["deadline"], item["code"]
        shares = [m["share"] for m in item["milestones"]]
        assert shares == sorted(shares) and 0 < shares[0] <= shares[-1] <= 1, item["code"]


def test_the_tools_parser_reads_the_same_plan(raw: Raw) -> None:
    """The tool's parser accepts the file and sees the same items, in the same order."""
    plan = parse_plan(PLAN_FILE.read_text(encoding="utf-8"), "targets/2025.yaml")
    assert [i.code for i in plan.items] == [i["code"] for i in _items(raw)]
    assert [i.kind for i in plan.items] == [i["kind"] for i in _items(raw)]
    assert all({"lead_office", "deadline"} <= set(i.assigned) for i in plan.items)
