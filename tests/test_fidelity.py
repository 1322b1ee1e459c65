"""The targets file is faithful to the congress report it comes from.

Titles, item texts and sources are copied verbatim, whole sentences unless marked as excerpts; the
six areas and twenty sections are the report's part-二 structure and every sentence of part 二 has
an item; the 2024 figures are the report's own, each with its unit; what the report does not say
(2025 targets, lead and other offices, deadlines, milestones) is marked as the office's
assumption; figures that follow events are monitored, not judged. The tests that compare with the
report read it beside the checkout and skip without it.

They read the file with ``yaml.safe_load``, not with the tool's parser, so that they hold the file
to the report whatever the parser accepts; the last test checks that the parser reads it.
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

# What ends a sentence in the report (it writes ; and ! half-width).
SENTENCE_END = "。；;！!？?"
# Sentences of part 二 that head the sentences after them, as the section's heading does: they are
# not items of their own (3.3 提升文化品质 has three; the work under each is an item).
SUBHEADINGS = {
    "进一步擦亮新城四季文化品牌。",
    "进一步打造品质文化体验地。",
    "进一步完善文体生活圈。",
}
# The audit found these judged the wrong way (more is not better, or the number follows demand).
AUDIT_MONITORED = {"3.2.4", "3.2.5", "5.1.2", "5.1.3", "5.2.3"}
# Codes retired by the audit; a code is never used again for other work.
RETIRED = {"3.1.7", "3.3.1", "3.3.2", "4.1.8"}
TARGET_KINDS = {"at_least", "at_most", "range", "monitor"}
ACCUMULATIONS = {"sum", "ytd", "level"}

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


def _item(raw: Raw, code: str) -> Raw:
    return next(i for i in _items(raw) if i["code"] == code)


def _sources(item: Raw) -> list[tuple[str, Raw]]:
    """(label, mapping holding `source`) for the baseline, its `also` figures and a stated target."""
    out: list[tuple[str, Raw]] = []
    baseline = item.get("baseline")
    if baseline:
        out.append(("baseline", baseline))
        out += [(f"baseline.also[{n}]", also) for n, also in enumerate(baseline.get("also", []))]
    target = item.get("target") or {}
    if target.get("basis") == "stated":
        out.append(("target", target))
    return out


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _review(report: str) -> str:
    """Part 一, the 2024 review: where the baselines come from."""
    return report.split(PART_1, 1)[1].split(PART_2, 1)[0]


def _part_two(report: str) -> str:
    return report.split(PART_2, 1)[1]


def _arrangement(report: str) -> list[tuple[str, list[str]]]:
    """Part 二 as (area title, [section paragraphs]) from its “(一)…” headings."""
    areas: list[tuple[str, list[str]]] = []
    for para in _paragraphs(_part_two(report)):
        heading = AREA_HEADING.match(para)
        if heading:
            areas.append((heading["title"], []))
        elif areas:
            areas[-1][1].append(para)
    return areas


def _heading(paragraph: str) -> str:
    """A section paragraph opens with its heading, up to the first 。"""
    return paragraph.split("。", 1)[0]


def _sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, each with the mark that ends it."""
    return re.findall(rf"[^{SENTENCE_END}]+[{SENTENCE_END}]?", paragraph)


def is_whole_sentence(words: str, report: str) -> bool:
    """Whether ``words`` occur in the report as a whole sentence.

    The rule: at some place where they occur, they begin at the start of a line or just after a
    mark that ends a sentence (。；;！!？?), and they end with such a mark or are followed in the
    report by one, by the end of a line or by the end of the text.
    """
    start = report.find(words)
    while start >= 0:
        end = start + len(words)
        begins = start == 0 or report[start - 1] in SENTENCE_END + "\n"
        ends = words[-1] in SENTENCE_END or end == len(report) or report[end] in SENTENCE_END + "\n"
        if begins and ends:
            return True
        start = report.find(words, start + 1)
    return False


def _indicator_with_baseline(raw: Raw, value: float) -> Raw:
    found = [
        i
        for i in _indicators(raw)
        if i.get("baseline") and i["baseline"]["value"] == pytest.approx(value)
    ]
    assert len(found) == 1, f"one indicator should have the 2024 baseline {value}: {found}"
    return found[0]


def _header(text: str) -> str:
    """The comment block at the top of the file."""
    return text.split("\nplan:", 1)[0]


# -- the plan's head and structure ---------------------------------------------------------------


def test_plan_names_itself_and_its_organisation(raw: Raw) -> None:
    head = raw["plan"]
    assert head["id"] == "xjw-2025"
    assert re.fullmatch(r"[A-Za-z0-9-]{1,32}", head["id"])
    assert head["organisation"] == "新江湾城街道"
    assert head["organisation"] in head["title"]
    assert head.get("year", head["start"].year) == head["start"].year


def test_six_areas_and_twenty_sections(raw: Raw) -> None:
    assert len(raw["areas"]) == 6
    assert len(_sections(raw)) == 20


def test_codes_are_unique_and_nested(raw: Raw) -> None:
    codes: list[str] = []
    for area in raw["areas"]:
        codes.append(area["code"])
        for section in area["sections"]:
            assert section["code"].startswith(area["code"] + "."), section["code"]
            codes.append(section["code"])
            for item in section["items"]:
                assert isinstance(item["code"], str)  # codes are quoted in the file
                assert item["code"].startswith(section["code"] + "."), item["code"]
                codes.append(item["code"])
                for milestone in item.get("milestones", []):
                    assert milestone["code"].startswith(item["code"] + "-"), milestone["code"]
                    codes.append(milestone["code"])
    assert len(codes) == len(set(codes))
    assert RETIRED.isdisjoint(codes)


def test_offices_are_the_plans_offices(raw: Raw) -> None:
    offices = set(raw["offices"])
    wrong = [i["code"] for i in _items(raw) if i["lead_office"] not in offices]
    wrong += [i["code"] for i in _items(raw) if not set(i.get("other_offices", [])) <= offices]
    assert wrong == []


def test_item_titles_are_distinct(raw: Raw) -> None:
    titles = [i["title"] for i in _items(raw)]
    assert len(titles) == len(set(titles))


def test_at_least_sixty_items(raw: Raw) -> None:
    assert len(_items(raw)) >= 60


# -- verbatim from the report --------------------------------------------------------------------


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
        if item["text"] not in report_text:
            missing.append(f"{item['code']} text: {item['text']}")
        for label, holder in _sources(item):
            if holder["source"] not in report_text:
                missing.append(f"{item['code']} {label}.source: {holder['source']}")
    assert missing == []


def test_item_texts_are_whole_sentences_of_their_own_section(raw: Raw, report_text: str) -> None:
    """An item's text is a sentence of its section's paragraph in part 二, not of another one."""
    paragraphs = {_heading(p): p for _, paras in _arrangement(report_text) for p in paras}
    misplaced = [
        i["code"]
        for s in _sections(raw)
        for i in s["items"]
        if i["text"] not in _sentences(paragraphs.get(s["title"], ""))
    ]
    assert misplaced == []


def test_sources_are_whole_sentences_unless_marked_excerpts(raw: Raw, report_text: str) -> None:
    """Without ``excerpt: true`` a source is a whole sentence; with it, it is not one."""
    wrong = []
    for item in _items(raw):
        for label, holder in _sources(item):
            whole = is_whole_sentence(holder["source"], report_text)
            if whole == bool(holder.get("excerpt", False)):
                wrong.append(f"{item['code']} {label} (excerpt: {holder.get('excerpt', False)})")
    assert wrong == []


def test_the_whole_sentence_rule() -> None:
    report = "一年来,我们做了工作:\n全年招引企业234家,区级税收7.75亿元。开展活动23场;服务1120人次\n"
    assert is_whole_sentence("全年招引企业234家,区级税收7.75亿元。", report)
    assert is_whole_sentence("开展活动23场;", report)
    assert is_whole_sentence("开展活动23场", report)  # followed by ;
    assert is_whole_sentence("服务1120人次", report)  # followed by the line's end
    assert not is_whole_sentence("全年招引企业234家", report)  # followed by ,
    assert not is_whole_sentence("区级税收7.75亿元。", report)  # preceded by ,
    assert not is_whole_sentence("招引企业234家,区级税收7.75亿元。", report)


def test_every_sentence_of_part_two_has_an_item(raw: Raw, report_text: str) -> None:
    """Each sentence of a section paragraph, bar its heading and sub-headings, is an item's text."""
    texts = {s["title"]: {i["text"] for i in s["items"]} for s in _sections(raw)}
    uncovered = [
        sentence
        for _, paras in _arrangement(report_text)
        for para in paras
        for sentence in _sentences(para)[1:]
        if sentence not in SUBHEADINGS and sentence not in texts[_heading(para)]
    ]
    assert uncovered == []


# -- baselines: the 2024 figures -----------------------------------------------------------------


def test_baselines_come_from_the_2024_review(raw: Raw, report_text: str) -> None:
    review = _review(report_text)
    baselines = [(i["code"], i["baseline"]) for i in _indicators(raw) if i.get("baseline")]
    outside = [code for code, b in baselines if b["source"] not in review]
    outside += [
        code for code, b in baselines for also in b.get("also", []) if also["source"] not in review
    ]
    assert outside == []
    assert {b["year"] for _, b in baselines} == {2024}


def test_every_figure_is_written_in_its_source(raw: Raw) -> None:
    """A baseline's value (and growth, completion) is written in its own sentence: none invented."""

    def written(number: float) -> str:
        return f"{number:g}"

    wrong = []
    for item in _indicators(raw):
        baseline = item.get("baseline")
        if not baseline:
            continue
        if written(baseline["value"]) not in baseline["source"]:
            wrong.append(f"{item['code']} value")
        for also in baseline.get("also", []):
            if written(also["value"]) not in also["source"]:
                wrong.append(f"{item['code']} also {also['value']}")
        if (
            "growth" in baseline
            and written(baseline["growth"] * 100) + "%" not in baseline["source"]
        ):
            wrong.append(f"{item['code']} growth")
        if (
            "completion" in baseline
            and written(baseline["completion"] * 100) + "%" not in baseline["source"]
        ):
            wrong.append(f"{item['code']} completion")
    assert wrong == []


# (2024 value, unit, the figure as the report writes it): every baseline in the file
FIGURES = [
    pytest.param(10, "家", "10家", id="service-packages-10"),
    pytest.param(234, "家", "234家", id="enterprises-234"),
    pytest.param(7.75, "亿元", "7.75亿元", id="district-tax-7.75"),
    pytest.param(21, "个", "21个", id="15-minute-circle-21"),
    pytest.param(303, "名", "303名", id="elderly-living-alone-303"),
    pytest.param(5, "家", "5家", id="doorstep-elderly-stations-5"),
    pytest.param(23, "场", "23场", id="job-events-23"),
    pytest.param(1120, "人次", "1120人次", id="job-seekers-1120"),
    pytest.param(6271, "人次", "6271人次", id="assistance-6271"),
    pytest.param(641.42, "万元", "641.42万元", id="assistance-funds-641.42"),
    pytest.param(100, "场", "100余场", id="neighbourhood-events-100"),
    pytest.param(3000, "人次", "3000余人次", id="neighbourhood-residents-3000"),
    pytest.param(70, "个", "70个", id="party-service-70"),
    pytest.param(80, "场", "80余场", id="party-events-80"),
    pytest.param(49, "个", "49个", id="self-governance-49"),
    pytest.param(972, "件", "972件", id="labour-disputes-972"),
    pytest.param(1064.13, "万元", "1064.13万元", id="wage-arrears-1064.13"),
    pytest.param(1235, "家次", "1235家次", id="safety-inspections-1235"),
    pytest.param(980, "条", "980条", id="hazards-980"),
    pytest.param(687, "家次", "687家次", id="gas-checks-687"),
    # a full sweep of 55 estates and 28 buildings in 2024; in 2025 sweeps add up, in 个次
    pytest.param(55, "个次", "55个居民小区", id="ebike-estates-55"),
    pytest.param(28, "个次", "28个商务楼宇和商业广场", id="ebike-buildings-28"),
    pytest.param(11, "部", "11部", id="laws-consulted-11"),
    pytest.param(460, "条", "460条", id="legislative-suggestions-460"),
    pytest.param(14, "个", "14个", id="deliberation-projects-14"),
    pytest.param(387, "份", "387份", id="integrity-pledges-387"),
]


@pytest.mark.parametrize(("value", "unit", "figure"), FIGURES)
def test_2024_figure_is_an_indicator_baseline(
    raw: Raw, report_text: str, value: float, unit: str, figure: str
) -> None:
    item = _indicator_with_baseline(raw, value)
    assert (item["baseline"]["year"], item["unit"]) == (2024, unit)
    assert figure in item["baseline"]["source"]
    assert figure in _review(report_text)


def test_no_baseline_outside_the_list(raw: Raw) -> None:
    listed = sorted(p.values[0] for p in FIGURES)
    assert sorted(i["baseline"]["value"] for i in _indicators(raw) if i.get("baseline")) == listed


# 2024 figures that are not indicators: the header says which and why.
LEFT_OUT = [
    "20余项",
    "2个项目",
    "“三星”",
    "5名干部",
    "4家企业",
    "39场活动",
    "1处社区食堂",
    "2.4万平方米",
]


@pytest.mark.parametrize("figure", LEFT_OUT)
def test_2024_figures_left_out_are_listed_in_the_header(
    raw: Raw, report_text: str, figure: str
) -> None:
    assert figure in _review(report_text)
    assert figure in _header(PLAN_FILE.read_text(encoding="utf-8"))
    assert not any(figure in i["baseline"]["source"] for i in _indicators(raw) if "baseline" in i)


def test_enterprises_baseline_implies_a_2024_target_of_200(raw: Raw) -> None:
    baseline = _indicator_with_baseline(raw, 234)["baseline"]
    assert baseline["completion"] == pytest.approx(1.17)
    assert "117%" in baseline["source"]
    assert baseline["value"] / baseline["completion"] == pytest.approx(200)


def test_tax_baseline_states_its_growth(raw: Raw) -> None:
    baseline = _indicator_with_baseline(raw, 7.75)["baseline"]
    assert baseline["growth"] == pytest.approx(0.088)
    assert "8.8%" in baseline["source"]


# -- targets and accumulation --------------------------------------------------------------------


def _target_shape_problem(target: Raw) -> str | None:
    kind = target.get("kind", "at_least")
    given = {k for k in ("value", "growth", "min", "max") if k in target}
    if kind not in TARGET_KINDS:
        return f"kind {kind}"
    if kind == "monitor":
        return f"a monitored figure has {sorted(given)}" if given else None
    if kind == "range":
        ok = given == {"min", "max"} and target["min"] <= target["max"]
        return None if ok else f"range needs min ≤ max, has {sorted(given)}"
    if given not in ({"value"}, {"growth"}):
        return f"{kind} needs value or growth, has {sorted(given)}"
    if "growth" in target and not (
        target["growth"] == "positive" or isinstance(target["growth"], int | float)
    ):
        return f"growth {target['growth']}"
    if "about" in target and "growth" not in target:
        return "about goes with growth"
    return None


def test_targets_have_a_kind_and_its_fields(raw: Raw) -> None:
    wrong = []
    for item in _indicators(raw):
        problem = _target_shape_problem(item["target"])
        if problem:
            wrong.append(f"{item['code']}: {problem}")
    assert wrong == []


def test_targets_are_the_offices_unless_the_report_states_them(raw: Raw, report_text: str) -> None:
    """The report states no 2025 figure: judged targets are the office's, marked 暂定; monitored
    figures say so. A stated target would quote a sentence of part 二."""
    indicators = _indicators(raw)
    assert indicators
    wrong = []
    for item in indicators:
        target = item["target"]
        note = str(target.get("note", ""))
        if target["basis"] == "stated":
            if target["source"] not in _part_two(report_text):
                wrong.append(item["code"])
        elif target["basis"] != "assumed":
            wrong.append(item["code"])
        elif target.get("kind") == "monitor":
            if not note.startswith("监测指标"):
                wrong.append(item["code"])
        elif not note.startswith("暂定"):
            wrong.append(item["code"])
    assert wrong == []


def test_monitored_figures_are_the_audits_or_say_why(raw: Raw) -> None:
    """Figures that follow events are monitored; any other monitored figure says why in its note."""
    monitored = {i["code"]: i for i in _indicators(raw) if i["target"].get("kind") == "monitor"}
    not_monitored = [
        code
        for code in AUDIT_MONITORED
        if code not in monitored and "不作监测" not in str(_item(raw, code)["target"].get("note"))
    ]
    assert not_monitored == []
    unexplained = [
        code
        for code, item in monitored.items()
        if code not in AUDIT_MONITORED
        and len(str(item["target"].get("note", "")).split(":", 1)[-1]) < 10
    ]
    assert unexplained == []
    assert all("direction" not in item for item in monitored.values())  # nothing to be better at


def test_accumulation_is_how_each_figure_is_reported(raw: Raw) -> None:
    kinds = {i["code"]: i.get("accumulate", "sum") for i in _indicators(raw)}
    assert set(kinds.values()) <= ACCUMULATIONS
    assert kinds["1.1.2"] == "level"  # firms with a service package: a standing count
    assert kinds["1.1.7"] == "ytd"  # district tax as the district reports it, year to date
    assert kinds["5.2.6"] == kinds["5.2.7"] == "sum"  # sweeps add up
    down = [i["code"] for i in _indicators(raw) if i.get("direction") == "down"]
    assert all(kinds[code] == "level" for code in down)


def test_indicators_on_a_heading_say_the_plan_does_not_name_them(raw: Raw) -> None:
    """An indicator whose work no 2025 sentence names hangs on its section's heading, and says so."""
    wrong = [
        i["code"]
        for s in _sections(raw)
        for i in s["items"]
        if i["kind"] == "indicator"
        and i["text"] == s["title"] + "。"
        and "2025年安排未" not in str(i["target"].get("note"))
    ]
    assert wrong == []


def test_checkpoints_are_in_order(raw: Raw) -> None:
    for item in _indicators(raw):
        points = item.get("checkpoints", [])
        dates = [p["date"] for p in points]
        shares = [p["share"] for p in points]
        assert dates == sorted(set(dates)), item["code"]
        assert shares == sorted(shares) and all(0 <= s <= 1 for s in shares), item["code"]


# -- items the audit split -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param(("适老化改造", "家庭照护床位", "认知障碍筛查"), id="three-实事项目"),
        pytest.param(("统战", "三新妇联"), id="united-front-and-women"),
        pytest.param(("消防安全", "食品安全"), id="fire-and-food-safety"),
    ],
)
def test_work_the_report_lists_together_is_tracked_separately(
    raw: Raw, parts: tuple[str, ...]
) -> None:
    """Each is the title of exactly one item, and no item's title takes two of them."""
    titles = [i["title"] for i in _items(raw)]
    assert [sum(part in t for t in titles) for part in parts] == [1] * len(parts)
    assert all(sum(part in t for part in parts) <= 1 for t in titles)


# -- what the office decided ---------------------------------------------------------------------


def test_offices_deadlines_and_milestones_are_marked_assigned(raw: Raw) -> None:
    """The report names no office, deadline or milestone: all are the office's reading."""
    items = _items(raw)
    unmarked = [i["code"] for i in items if not {"lead_office", "deadline"} <= set(i["assigned"])]
    unmarked += [
        i["code"] for i in items if "other_offices" in i and "other_offices" not in i["assigned"]
    ]
    for item in items:
        for m in item.get("milestones", []):
            if "date" not in m["assigned"] or ("share" in m and "share" not in m["assigned"]):
                unmarked.append(m["code"])
    assert unmarked == []
    assert "milestone" in _header(PLAN_FILE.read_text(encoding="utf-8"))


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


# -- the tool's parser ---------------------------------------------------------------------------


def test_the_tools_parser_reads_the_same_plan(raw: Raw) -> None:
    """The tool's parser accepts the file and sees the same items, in the same order."""
    plan = parse_plan(PLAN_FILE.read_text(encoding="utf-8"), "targets/2025.yaml")
    assert [i.code for i in plan.items] == [i["code"] for i in _items(raw)]
    assert [i.kind for i in plan.items] == [i["kind"] for i in _items(raw)]
    indicators = [i for i in plan.items if i.is_indicator]
    assert [i.accumulate for i in indicators] == [
        i.get("accumulate", "sum") for i in _indicators(raw)
    ]
    assert all({"lead_office", "deadline"} <= set(i.assigned) for i in plan.items)
