"""`kpi rollover`: next year's targets file from this year's plan and records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.core.records import Update
from kpi.rollover import next_year, shift, to_yaml
from tests.conftest import REPO, Prepare, Run

NEW_YEAR = "2026-01-10"  # the 2025 plan is over: its records are all in


@pytest.fixture(autouse=True)
def _recorded(prepare: Prepare) -> None:
    prepare("rollover", _build)


def _build(run: Run) -> None:
    """The 2025 plan, loaded, with records: counts, a level, a void, a milestone, a finished task."""
    assert run("load").exit_code == 0
    for args in (
        ("update", "1.1.5", "100", "--date", "2025-03-31"),
        ("update", "1.1.5", "+30", "--date", "2025-06-30", "--note", "二季度"),
        ("update", "1.1.5", "500", "--date", "2025-06-30", "--note", "录错", "--yes"),
        ("update", "1.1.2", "=6", "--date", "2025-03-31", "--note", "首批"),
        ("update", "1.1.2", "=9", "--date", "2025-06-30"),
        ("done", "3.1.1-1", "--date", "2025-04-28"),
        ("done", "1.4.1", "--date", "2025-05-31"),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    wrong = json.loads(run("history", "1.1.5", "-f", "json").stdout)[-1]["id"]
    assert run("void", str(wrong), "--reason", "录错").exit_code == 0


def read_plan(path: str = "targets/2026.yaml") -> tuple[str, Plan]:
    text = Path(path).read_text(encoding="utf-8")
    return text, parse_plan(text, path)


def test_rollover_writes_a_plan_that_loads(run: Run) -> None:
    result = run("rollover", "2026", today=NEW_YEAR)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    old = parse_plan((REPO / "targets" / "2025.yaml").read_text(encoding="utf-8"))
    carried = sum(1 for i in old.items if i.baseline and i.code not in ("1.1.5", "1.1.2"))
    assert result.stdout.startswith(
        f"已生成 targets/2026.yaml：{len(old.items)} 项；2 个指标以2025年实际为基数，"
        f"{carried} 个无记录的沿用原基数。"
    )
    _, new = read_plan()
    old = parse_plan((REPO / "targets" / "2025.yaml").read_text(encoding="utf-8"))
    assert (new.year, new.start, new.end) == (2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert new.title == "新江湾城街道2026年主要工作安排"
    assert "2025年新江湾城街道社代会报告" in new.source
    assert new.rules == old.rules and new.offices == old.offices
    # The same areas, sections, items and codes, in the same order.
    assert [(a.code, a.title) for a in new.areas] == [(a.code, a.title) for a in old.areas]
    assert [(s.code, s.title, s.item_codes) for s in new.sections()] == [
        (s.code, s.title, s.item_codes) for s in old.sections()
    ]
    for a, b in zip(old.items, new.items, strict=True):
        assert (a.code, a.kind, a.title, a.text, a.lead_office, a.other_offices, a.assigned) == (
            b.code, b.kind, b.title, b.text, b.lead_office, b.other_offices, b.assigned,
        )  # fmt: skip
        assert (a.unit, a.direction, a.accumulate) == (b.unit, b.direction, b.accumulate)
        assert b.deadline == shift(a.deadline, 1)
        assert [(m.code, m.title, shift(m.date, 1), m.share, m.assigned) for m in a.milestones] == [
            (m.code, m.title, m.date, m.share, m.assigned) for m in b.milestones
        ]
    # Then it loads, and 2026 starts with no records.
    loaded = run("load", "targets/2026.yaml", today=NEW_YEAR)
    assert loaded.exit_code == 0, loaded.stderr
    assert "新增" in loaded.stdout
    records = json.loads(run("status", "-f", "json", today="2026-03-01").stdout)
    assert len(records) == 105 and {r["status"] for r in records} == {"none", "monitor"}
    assert {r["deadline"][:4] for r in records} == {"2026"}
    assert run("history", "-f", "json", today="2026-03-01").stdout.strip() == "[]"


def test_baselines_are_the_recorded_actuals(run: Run) -> None:
    assert run("rollover", today=NEW_YEAR).exit_code == 0  # the year defaults to the next one
    _, new = read_plan()
    actual_2025 = {
        r["code"]: r["actual"]
        for r in json.loads(run("status", "-f", "json", "--as-of", "2025-12-31").stdout)
    }
    count = new.item("1.1.5")
    assert count.baseline is not None and count.target is not None
    assert count.baseline.value == actual_2025["1.1.5"] == 130  # the void is not counted
    assert count.baseline.year == 2025
    assert count.baseline.source == "kpi 记录：2025年实际完成值（截至 2025-12-31，2 条记录）"
    assert count.baseline.completion == round(130 / 234, 4)
    assert count.baseline.growth is None
    assert (count.target.value, count.target.basis) == (130, "assumed")
    assert count.target.note == "暂定:与2025年实际持平"
    level = new.item("1.1.2")
    assert level.baseline is not None and level.target is not None
    assert (level.baseline.value, level.target.value) == (9, 9)
    assert level.baseline.source == "kpi 记录：2025年实际完成值（截至 2025-12-31，2 条记录）"
    assert new.item("3.1.4").monitored  # a monitored figure stays monitored
    assert (new.id, new.organisation) == ("xjw-2026", "新江湾城街道")


def test_indicators_without_records_keep_their_baseline_marked(run: Run) -> None:
    assert run("rollover", "2026", today=NEW_YEAR).exit_code == 0
    _, new = read_plan()
    taxes = new.item("1.1.7")
    assert taxes.baseline is not None and taxes.target is not None
    assert (taxes.baseline.value, taxes.baseline.year) == (7.75, 2024)
    assert taxes.baseline.source == "沿用2024年基数：区级税收贡献7.75亿元(同比增长8.8%)"
    assert taxes.baseline.growth == 0.088
    assert (taxes.target.value, taxes.target.basis) == (7.75, "assumed")
    assert taxes.target.note == "暂定:沿用2025年目标(2025年无填报记录)"
    for item in new.items:
        if item.target:
            assert item.target.provisional, item.code


def test_the_file_reads_like_the_2025_one(run: Run) -> None:
    assert run("rollover", "2026", today=NEW_YEAR).exit_code == 0
    text, _ = read_plan()
    lines = text.splitlines()
    assert lines[0].startswith("# 2026年工作安排（草稿）：由 kpi rollover 于 2026-01-10")
    assert (
        "# 改好后：kpi load --dry-run targets/2026.yaml，核对无误再 kpi load targets/2026.yaml。"
        in lines
    )
    assert (
        "plan:\n  id: xjw-2026\n  organisation: 新江湾城街道\n  year: 2026\n"
        "  title: 新江湾城街道2026年主要工作安排\n" in text
    )
    assert "\noffices:\n  - 党政办\n" in text
    assert '\nareas:\n  - code: "1"\n    title: 加快培育新质生产力,塑造高质量发展新优势\n' in text
    assert "            other_offices: [营商办]\n" in text
    # Each item says how it ended 2025.
    assert (
        '          # 2025年：实际 130 家，完成率 55.6%，红 滞后\n          - code: "1.1.5"' in text
    )
    assert '          # 2025年：已完成\n          - code: "1.4.1"' in text
    assert '          # 2025年：无填报记录\n          - code: "1.1.1"' in text
    # The same keys in the same order as the hand-written file.
    old = yaml.safe_load((REPO / "targets" / "2025.yaml").read_text(encoding="utf-8"))
    new = yaml.safe_load(text)
    assert list(new) == list(old) and list(new["plan"]) == list(old["plan"])

    def keys(doc: dict[str, Any]) -> list[list[str]]:
        return [
            [k for k in item if k not in ("lead",)]
            for area in doc["areas"]
            for section in area["sections"]
            for item in section["items"]
        ]

    assert keys(new) == keys(old)


def test_refuses_to_overwrite_without_force(run: Run) -> None:
    Path("targets/2026.yaml").write_text("# 已在编辑\n", encoding="utf-8")
    result = run("rollover", "2026", today=NEW_YEAR)
    assert result.exit_code == 2
    assert "targets/2026.yaml 已存在，未覆盖；确要替换请加 --force" in result.stderr
    assert Path("targets/2026.yaml").read_text(encoding="utf-8") == "# 已在编辑\n"
    assert run("rollover", "2026", "--force", today=NEW_YEAR).exit_code == 0
    read_plan()
    assert run("rollover", "2026", "--out", "drafts/next.yaml", today=NEW_YEAR).exit_code == 0
    read_plan("drafts/next.yaml")


def test_before_the_year_ends_it_says_the_baselines_are_so_far(run: Run) -> None:
    result = run("rollover", "2026")
    assert result.exit_code == 0
    assert "2025年计划期到 2025-12-31 才结束；基数按截至 2025-07-02 的记录计算" in result.stderr
    _, new = read_plan()
    baseline = new.item("1.1.5").baseline
    assert baseline is not None
    assert baseline.source == "kpi 记录：2025年实际完成值（截至 2025-07-02，2 条记录）"


def test_a_year_without_a_plan_before_it_is_refused(run: Run) -> None:
    result = run("rollover", "2030", today=NEW_YEAR)
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "错误：rollover 写的是计划 xjw-2025 下一年（2026）的计划文件，不是 2030 年的"
    )


def test_english(run: Run) -> None:
    result = run("--lang", "en", "rollover", today=NEW_YEAR)
    assert result.exit_code == 0
    assert result.stdout.startswith("Wrote targets/2026.yaml: 105 items;")
    _, new = read_plan()
    baseline = new.item("1.1.5").baseline
    assert baseline is not None
    assert baseline.source == "kpi records: the 2025 actual (as of 2025-12-31, 2 records)"


# -- the pure part, on the small test plan with a lower-is-better indicator -------------------


def _update(n: int, code: str, day: str, kind: str, value: float | None) -> Update:
    return Update(
        id=n, code=code, item_code=code.split("-")[0], date=dt.date.fromisoformat(day),
        kind=kind, value=value,  # type: ignore[arg-type]
    )  # fmt: skip


def test_lower_is_better_and_zero_actuals_still_give_a_valid_plan() -> None:
    small = parse_plan((REPO / "tests" / "data" / "small.yaml").read_text(encoding="utf-8"))
    updates = [
        _update(1, "2.2.1", "2025-06-30", "set", 90),  # complaints down from 100 toward 80
        _update(2, "1.1.2", "2025-06-30", "set", 0),  # nothing yet: no zero target
        _update(3, "2.1.1-1", "2025-03-30", "done", None),
    ]
    result = next_year(small, updates, 2026, dt.date(2025, 12, 31))
    new = parse_plan(to_yaml(result, "test"), "next.yaml")
    down = new.item("2.2.1")
    assert down.baseline is not None and down.target is not None
    assert (down.baseline.value, down.baseline.year) == (90, 2025)
    assert down.baseline.completion == 0.5
    assert down.target.value == 72  # down again by the planned fifth
    assert down.target.note == "暂定:按2025年目标的降幅继续下降"
    zero = new.item("1.1.2")
    assert zero.baseline is not None and zero.target is not None
    assert zero.baseline.value == 0 and zero.baseline.completion is None
    assert (zero.target.value, zero.target.note) == (8, "暂定:沿用2025年目标(2025年实际为0)")
    # Shares the file left to be worked out are written out, and stay the same.
    assert [m.share for m in new.item("2.1.1").milestones] == [0.3333, 0.6667, 1.0]
    assert result.comments["2.1.1"] == "2025年：完成率 33.3%，红 滞后·逾期"


def test_shift_keeps_the_day_or_the_end_of_february() -> None:
    assert shift(dt.date(2025, 5, 20), 1) == dt.date(2026, 5, 20)
    assert shift(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
