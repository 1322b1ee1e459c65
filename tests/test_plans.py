"""Many plans in one database, each versioned: they never touch each other, and the past stays put.

- two plans with the same codes (another sub-district's) keep their records apart;
- a 2026 plan beside the 2025 one leaves everything of 2025 working, late records included;
- a past week's report is byte-identical after a later load changes a target;
- with no choice made and no single answer, kpi says which plans there are and how to choose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PLAN_FILE, Run

REAL = PLAN_FILE.read_text(encoding="utf-8")


def _other_office(text: str = REAL) -> str:
    """Another sub-district's plan of the same year, with the same codes."""
    return (
        text.replace("id: xjw-2025", "id: wjc-2025")
        .replace("organisation: 新江湾城街道", "organisation: 五角场街道")
        .replace("title: 新江湾城街道2025年主要工作安排", "title: 五角场街道2025年主要工作安排")
    )


def _write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def _json(run: Run, *args: str, today: str = "2025-07-02") -> object:
    result = run(*args, "-f", "json", today=today)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_two_plans_with_the_same_codes_keep_their_records_apart(run: Run) -> None:
    assert run("load").exit_code == 0
    assert run("load", _write("wjc.yaml", _other_office())).exit_code == 0
    assert run("--plan", "xjw-2025", "update", "1.1.5", "120").exit_code == 0
    assert run("--plan", "wjc-2025", "update", "1.1.5", "30", "--note", "开局").exit_code == 0
    mine = {r["code"]: r for r in _json(run, "--plan", "xjw-2025", "status")}  # type: ignore[union-attr]
    theirs = {r["code"]: r for r in _json(run, "--plan", "wjc-2025", "status")}  # type: ignore[union-attr]
    assert (mine["1.1.5"]["actual"], theirs["1.1.5"]["actual"]) == (120, 30)
    assert {r["plan"] for r in mine.values()} == {"xjw-2025"}
    history = _json(run, "--plan", "wjc-2025", "history")
    assert [(r["code"], r["value"]) for r in history] == [("1.1.5", 30.0)]  # type: ignore[union-attr]
    plans = _json(run, "plans")
    assert [(p["id"], p["organisation"], p["records"]) for p in plans] == [  # type: ignore[union-attr]
        ("wjc-2025", "五角场街道", 1),
        ("xjw-2025", "新江湾城街道", 1),
    ]
    # Loading one plan again never changes the other's items, records or status.
    changed = _other_office().replace("title: 招引企业", "title: 招引优质企业")
    assert run("load", _write("wjc.yaml", changed)).exit_code == 0
    again = {r["code"]: r for r in _json(run, "--plan", "xjw-2025", "status")}  # type: ignore[union-attr]
    assert again == mine
    assert run("db", "check").exit_code == 0


def test_with_no_single_answer_kpi_says_which_plans_there_are(run: Run) -> None:
    run("load")
    run("load", _write("wjc.yaml", _other_office()))
    result = run("status")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "错误：数据库中有多个计划：wjc-2025、xjw-2025；请用 --plan ID（或环境变量 KPI_PLAN）选择一个"
    )
    assert run("--plan", "nope", "status").stderr.strip() == (
        "错误：没有计划“nope”；已有：wjc-2025、xjw-2025（用 kpi plans 查看）"
    )
    assert run("plans", "retire", "wjc-2025").exit_code == 0
    assert run("status").exit_code == 0  # the only plan in use
    assert run("--plan", "wjc-2025", "status").exit_code == 0  # retired, still readable


def test_a_2026_plan_beside_2025_leaves_2025_fully_usable(run: Run) -> None:
    run("load", today="2025-12-20")
    run("update", "1.1.5", "200", today="2025-12-20")
    next_year = (
        REAL.replace("id: xjw-2025", "id: xjw-2026")
        .replace("year: 2025", "year: 2026")
        .replace("2025年主要工作安排", "2026年主要工作安排")
        .replace("2025-", "2026-")
        .replace("year: 2024", "year: 2025")
    )
    assert run("load", _write("2026.yaml", next_year), today="2026-01-05").exit_code == 0
    # In January the 2026 plan is today's; the 2025 plan is there for whoever asks for it.
    assert _json(run, "status", today="2026-01-05")[0]["plan"] == "xjw-2026"  # type: ignore[index]
    late = run(
        "--plan", "xjw-2025", "update", "1.1.5", "+10", "--date", "2025-12-28", today="2026-01-05"
    )
    assert late.exit_code == 0, late.stderr
    old = {r["code"]: r for r in _json(run, "--plan", "xjw-2025", "status", today="2026-01-05")}  # type: ignore[union-attr]
    assert old["1.1.5"]["actual"] == 210 and old["1.1.5"]["as_of"] == "2025-12-31"
    # --as-of is clamped into the chosen plan's period, never another's.
    clamped = run("--plan", "xjw-2025", "status", "--as-of", "2026-03-01", today="2026-01-05")
    assert "按 2025-12-31 计算" in clamped.stderr
    report = run("--plan", "xjw-2025", "report", "weekly", today="2026-01-05")
    assert report.exit_code == 0 and "2026年第1周" in report.stdout
    export = run("--plan", "xjw-2025", "export", "-f", "json", today="2026-01-05")
    assert json.loads(export.stdout)["as_of"] == "2025-12-31"


def test_a_past_week_never_changes_when_a_target_does(run: Run) -> None:
    run("load", today="2025-05-01")
    for day, value in (("2025-05-10", "60"), ("2025-06-20", "+40")):
        assert run("update", "1.1.5", value, "--date", day, today="2025-06-30").exit_code == 0
    week = ("report", "weekly", "--as-of", "2025-06-22")
    before = {fmt: run(*week, "-f", fmt, today="2025-06-30").stdout for fmt in ("text", "json")}
    # The office raises the target from 234 to 300, from July on.
    raised = REAL.replace(
        "value: 234\n              basis: assumed", "value: 300\n              basis: assumed", 1
    )
    assert raised != REAL
    loaded = run(
        "load", _write("raised.yaml", raised), "--effective", "2025-07-01", today="2025-07-03"
    )
    assert loaded.exit_code == 0, loaded.stderr
    assert "自 2025-07-01 起生效" in loaded.stdout
    after = {fmt: run(*week, "-f", fmt, today="2025-07-03").stdout for fmt in ("text", "json")}
    assert after == before  # byte for byte
    now = {r["code"]: r for r in _json(run, "status", today="2025-07-03")}  # type: ignore[union-attr]
    assert now["1.1.5"]["target"]["value"] == 300
    # Recomputing the past with today's plan, for comparison, is asked for explicitly.
    latest = run("--plan-version", "latest", *week, "-f", "json", today="2025-07-03")
    assert latest.stdout != before["json"]
    # kpi show tells how the item changed, from when and by whom.
    shown = run("show", "1.1.5", today="2025-07-03").stdout
    assert "自 2025-07-01 起（第 2 版" in shown and "目标 234 → 300" in shown


def test_changing_what_records_mean_is_refused_while_records_exist(run: Run) -> None:
    run("load")
    assert run("update", "1.1.5", "120").exit_code == 0
    changed = REAL.replace(
        "unit: 家\n            direction: up\n            accumulate: sum\n            baseline:\n              value: 234",
        "unit: 户\n            direction: up\n            accumulate: sum\n            baseline:\n              value: 234",
        1,
    )
    assert changed != REAL
    result = run("load", _write("unit.yaml", changed))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "错误：1.1.5 已有 1 条记录，不能改 unit 家 → 户：旧记录会被误读；请让旧编号退役（从文件删去），另起新编号"
    )


@pytest.mark.parametrize("bad", ["x y", "all", "-2025", "中文", "a" * 40])
def test_a_plan_id_people_can_type(run: Run, bad: str) -> None:
    result = run("load", _write("bad.yaml", REAL.replace("id: xjw-2025", f'id: "{bad}"', 1)))
    assert result.exit_code == 2 and "plan.id" in result.stderr


def test_kpi_plans_reads_at_80_columns(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each plan takes at most two lines; a title that names its organisation is not told it
    again in a column of its own, and the column says it holds the plan's title."""
    run("load")
    run("load", _write("wjc.yaml", _other_office()))
    monkeypatch.setenv("COLUMNS", "80")
    lines = run("plans").stdout.splitlines()
    assert lines[0].split()[:2] == ["计划", "计划名称"] and "单位" not in lines[0]
    from rich.cells import cell_len

    assert all(cell_len(line) <= 80 for line in lines)
    assert len(lines) == 2 + 2 * 2  # header, rule, two lines a plan
