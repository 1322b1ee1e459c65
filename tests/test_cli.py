"""The command line as staff use it: every command, its output, its errors and exit codes."""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len

from kpi.cli import app
from kpi.core.plan_file import parse_plan
from tests.conftest import PLAN_FILE, Prepare, Run, loaded

PLAN = parse_plan(PLAN_FILE.read_text(encoding="utf-8"), "targets/2025.yaml")

# -- the first command and the status table -----------------------------------------------------


@pytest.fixture(autouse=True)
def _loaded(prepare: Prepare) -> None:
    """The plan is loaded, so that stderr holds only what each test's command says."""
    prepare("loaded", loaded)


def _from(line: str, column: int) -> str:
    """What ``line`` shows from terminal column ``column`` on."""
    used = 0
    for n, ch in enumerate(line):
        if used >= column:
            return line[n:]
        used += cell_len(ch)
    return ""


def test_status_table_fits_80_columns_and_stays_aligned(run: Run) -> None:
    run("update", "招引企业", "120")
    run("update", "1.1.7", "=3.2")
    out = run("status").stdout
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), max(lines, key=cell_len)
    header = next(line for line in lines if line.startswith("编号") and "状态" in line)
    status_col = cell_len(header[: header.index("状态")])
    completion_end = cell_len(header[: header.index("完成率") + 3])
    rows = [line for line in lines if re.match(r"^\d+\.\d+\.\d+ ", line)]
    assert len(rows) == len(PLAN.items)
    words = ("完成", "超额", "绿", "黄", "红", "逾期", "无数据", "监测")
    for row in rows:
        # The light word starts where its header does, in every area's table.
        assert _from(row, status_col).startswith(words), row
        assert _from(row, status_col - 1).startswith(" "), row
    row = next(r for r in rows if r.startswith("1.1.5"))
    assert "234" in row and "234*" in row and "120" in row and "51.3%" in row and "+1.1" in row
    # Right-aligned numbers end under their header.
    assert cell_len(row[: row.index("51.3%") + 5]) == completion_end


def test_status_shows_lights_as_words_without_colour_codes_in_a_pipe(run: Run) -> None:
    run("update", "招引企业", "120")
    out = run("status").stdout
    assert "\x1b[" not in out
    assert "绿" in out and "无数据" in out and "逾期" in out


def test_status_totals_per_area_and_overall(run: Run) -> None:
    out = run("status").stdout
    totals = out[out.index("汇总") :]
    assert "项数 完成 绿 黄 红 无数据 监测 待更新 完成度" in totals
    n = len(PLAN.items)
    assert re.search(rf"全部\s+{n}\s+0\s+0\s+0\s+\d+\s+\d+\s+\d+\s+{n}\s+0\.0%", totals), totals


def test_status_json_contract(run: Run) -> None:
    result = run("status", "--format", "json", today="2025-01-05")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) >= 60
    required = {
        "code", "title", "area", "section", "kind", "unit", "baseline", "target", "actual",
        "remaining", "completion", "expected", "gap_points", "status", "overdue", "lead_office",
        "deadline", "last_update", "stale",
    }  # fmt: skip
    for record in records:
        assert required <= record.keys()
        assert set(record["baseline"]) >= {"value", "year", "source"}
        assert set(record["target"]) >= {"value", "basis"}
        assert record["status"] == ("monitor" if record["target"]["kind"] == "monitor" else "none")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["deadline"])
        if record["baseline"]["value"] is not None:
            assert record["baseline"]["source"]
    enterprises = next(r for r in records if r["code"] == "1.1.5")
    assert enterprises["baseline"] == {
        "value": 234,
        "year": 2024,
        "source": "全年招引企业234家(完成进度117%)",
        "completion": 1.17,
        "implied_target": 200.0,
        "excerpt": True,
        "also": [],
    }
    assert enterprises["target"]["basis"] == "assumed"
    assert enterprises["target"]["kind"] == "at_least"
    assert enterprises["expected"] == pytest.approx(5 / 365, abs=1e-6)


def test_status_json_after_updates(run: Run) -> None:
    run("update", "1.1.5", "117")
    records = {r["code"]: r for r in json.loads(run("status", "-f", "json").stdout)}
    r = records["1.1.5"]
    assert r["actual"] == 117
    assert r["completion"] == pytest.approx(0.5)
    assert r["remaining"] == 117
    assert r["status"] == "green"
    assert r["last_update"] == "2025-07-02"
    assert r["stale"] is False
    assert r["gap_points"] == pytest.approx(-0.14, abs=0.01)


def test_status_csv_and_markdown(run: Run) -> None:
    csv_out = run("status", "--format", "csv").stdout
    header, first = csv_out.splitlines()[:2]
    assert header.startswith("code,title,area.code,section.code,kind,unit,lead_office")
    assert first.startswith("1.1.1,")
    md = run("status", "--format", "md").stdout
    assert md.startswith("## 新江湾城街道2025年主要工作安排")
    assert "| 1.1.5 | 招引企业(家) | 经济发展办 | 234 | 234\\* |" in md


def test_status_filters(run: Run) -> None:
    run("update", "招引企业", "120")
    records = json.loads(run("status", "-f", "json", "--area", "3").stdout)
    assert records and {r["area"]["code"] for r in records} == {"3"}
    records = json.loads(run("status", "-f", "json", "--office", "经济发展办").stdout)
    assert records and {r["lead_office"] for r in records} == {"经济发展办"}
    records = json.loads(run("status", "-f", "json", "--light", "green").stdout)
    assert [r["code"] for r in records] == ["1.1.5"]
    stale = json.loads(run("status", "-f", "json", "--stale").stdout)
    assert "1.1.5" not in {r["code"] for r in stale} and len(stale) == len(PLAN.items) - 1
    table = run("status", "--light", "green").stdout
    assert "1.1.5" in table and "1.1.7" not in table


def test_status_filter_errors(run: Run) -> None:
    result = run("status", "--area", "9")
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误：没有领域“9”；可选：1 2 3 4 5 6"
    result = run("status", "--office", "不存在办")
    assert result.exit_code == 2 and "没有单位“不存在办”" in result.stderr
    result = run("status", "--light", "purple")
    assert result.exit_code == 2


def test_status_as_of_a_past_date_ignores_later_updates(run: Run) -> None:
    run("update", "1.1.5", "50", "--date", "2025-03-01")
    run("update", "1.1.5", "70", "--date", "2025-06-01")
    early = {
        r["code"]: r
        for r in json.loads(run("status", "-f", "json", "--as-of", "2025-04-01").stdout)
    }
    late = {r["code"]: r for r in json.loads(run("status", "-f", "json").stdout)}
    assert early["1.1.5"]["actual"] == 50 and late["1.1.5"]["actual"] == 120


def test_today_outside_the_period_is_moved_to_its_end_and_said(run: Run) -> None:
    result = run("status", "-f", "json", today="2026-11-28")
    assert result.exit_code == 0
    assert (
        "今天 2026-11-28 不在计划 xjw-2025 的计划期（2025-01-01 至 2025-12-31）内，按 2025-12-31 计算。"
        in result.stderr
    )
    assert json.loads(result.stdout)[0]["as_of"] == "2025-12-31"


# -- recording ----------------------------------------------------------------------------------


def test_update_adds_to_a_count_and_says_before_and_after(run: Run) -> None:
    first = run("update", "招引企业", "100", "--note", "上半年签约")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "已记录 #1 1.1.5 招引企业（2025-07-02）：+100 家，累计 0 → 100 家",
        "  完成率 42.7%，序时进度 50.1%，序时差 −7.4：绿 达进度",
    ]
    second = run("update", "1.1.5", "+5")
    assert "+5 家，累计 100 → 105 家" in second.stdout
    third = run("update", "1.1.5", "=120")
    assert "=120 家，累计 105 → 120 家" in third.stdout


def test_update_records_who_and_note(run: Run) -> None:
    run("update", "1.1.5", "10", "--by", "张三", "--note", "新签约5家")
    [record] = json.loads(run("history", "-f", "json").stdout)
    assert record["by"] == "张三" and record["os_user"] and record["note"] == "新签约5家"
    assert record["kind"] == "add" and record["value"] == 10 and record["date"] == "2025-07-02"


def test_update_a_task_by_percentage_and_mark_milestones_done(run: Run) -> None:
    result = run("update", "3.1.3", "60%")
    assert result.exit_code == 0, result.output
    assert "进度 0.0% → 60.0%" in result.stdout
    result = run("done", "3.1.1-1", "--date", "2025-03-20")
    assert result.exit_code == 0, result.output
    assert "新建社区事务受理服务中心 ›" in result.stdout
    shown = json.loads(run("show", "3.1.1", "-f", "json").stdout)
    assert shown["milestones"][0]["done"] == "2025-03-20"


def test_done_marks_a_task_finished(run: Run) -> None:
    result = run("done", "3.1.3", "--note", "十助服务全面开展")
    assert result.exit_code == 0, result.output
    assert "进度 0.0% → 100.0%" in result.stdout and "完成" in result.stdout
    again = run("done", "3.1.3")
    assert again.exit_code == 2
    assert "3.1.3 已记录为完成" in again.stderr


def test_an_update_that_leaves_an_item_red_needs_a_reason(run: Run) -> None:
    result = run("update", "1.1.5", "10")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "错误：1.1.5 记录后为红灯（序时差 −45.9）；请用 --note 说明滞后原因"
    )
    assert json.loads(run("history", "-f", "json").stdout) == []
    ok = run("update", "1.1.5", "10", "--note", "重点项目推迟签约")
    assert ok.exit_code == 0 and "红 滞后" in ok.stdout


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "“abc”不是数字；请写如 5、+5（增加）或 =120（累计）的数值"),
        ("nan", "“nan”不是有限数字；请填写实际数值"),
        ("inf", "“inf”不是有限数字；请填写实际数值"),
        ("1e999", "“1e999”不是有限数字；请填写实际数值"),
        ("641.42万", "“641.42万”带了数量单位；请按指标单位（家）直接写数字，如 641.42"),
        ("=-5", "“=-5”是负数；记录不能为负，更正请用 kpi void 作废原记录后重新填报"),
    ],
)
def test_bad_values_are_refused_before_anything_is_written(
    run: Run, value: str, message: str
) -> None:
    result = run("update", "1.1.5", value)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：{message}"
    assert "Traceback" not in result.output
    assert json.loads(run("history", "-f", "json").stdout) == []


def test_negative_number_is_refused(run: Run) -> None:
    result = run("update", "1.1.5", "--", "-5")
    assert result.exit_code == 2
    assert "是负数" in result.stderr


def test_values_as_people_write_them_are_read(run: Run) -> None:
    assert "+1120 人次，累计 0 → 1120 人次" in run("update", "3.2.3", "1,120").stdout
    assert "+6 家，累计 0 → 6 家" in run("update", "1.1.5", "６", "-m", "x").stdout
    assert "+641.42 万元，累计 0 → 641.42 万元" in run("update", "3.2.5", "６４１.４２万元").stdout
    assert "=300 名，累计 0 → 300 名" in run("update", "3.1.4", "300").stdout  # a level replaces


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2025-02-30", "日期“2025-02-30”不存在；请写真实日期，如 2025-03-31"),
        ("3/1/2025", "无法识别日期“3/1/2025”；请写 YYYY-MM-DD，如 2025-03-31"),
        (
            "2024-12-31",
            "日期 2024-12-31 不在 2025 年计划期（2025-01-01 至 2025-12-31）内；请用 --date 写计划期内的日期",
        ),
        ("2025-08-01", "日期 2025-08-01 晚于今天 2025-07-02；请用 --date 写已发生的日期"),
    ],
)
def test_bad_dates_are_refused(run: Run, date: str, message: str) -> None:
    result = run("update", "3.1.3", "50%", "--date", date)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：{message}"


def test_unambiguous_date_forms_are_accepted(run: Run) -> None:
    for date in ("2025/3/1", "2025年3月2日", "3月3日"):
        assert run("update", "3.1.3", "50%", "--date", date).exit_code == 0
    dates = [r["date"] for r in json.loads(run("history", "-f", "json").stdout)]
    assert dates == ["2025-03-01", "2025-03-02", "2025-03-03"]


def test_recording_outside_the_period_names_it(run: Run) -> None:
    result = run("update", "3.1.3", "50%", today="2026-11-28")
    assert result.exit_code == 2
    assert "日期 2026-11-28 不在 2025 年计划期" in result.stderr
    late = run("update", "3.1.3", "95%", "--date", "2025-12-20", today="2026-11-28")
    assert late.exit_code == 0, late.output


def test_wrong_kind_of_record_is_explained(run: Run) -> None:
    result = run("update", "3.1.1-1", "50%")
    assert (
        result.exit_code == 2 and "3.1.1-1 是节点；完成节点请用 kpi done 3.1.1-1" in result.stderr
    )
    result = run("done", "1.1.5")
    assert result.exit_code == 2 and "1.1.5 是指标" in result.stderr
    result = run("update", "3.1.3", "+5")
    assert result.exit_code == 2 and "3.1.3 是任务" in result.stderr
    result = run("update", "3.1.3", "120%")
    assert result.exit_code == 2 and "超出 0–100%" in result.stderr


# -- finding items ------------------------------------------------------------------------------


def test_item_by_code_or_title_fragment(run: Run) -> None:
    assert run("show", "招引企业").stdout == run("show", "1.1.5").stdout


def test_ambiguous_fragment_lists_the_matches(run: Run) -> None:
    result = run("show", "服务中心")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert re.fullmatch(r"错误：“服务中心”匹配到 \d+ 项，请改用编号", lines[0])
    assert any("3.1.1" in line and "新建社区事务受理服务中心" in line for line in lines[1:])


def test_no_match_suggests_the_nearest(run: Run) -> None:
    result = run("show", "招商企业")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：没有找到“招商企业”。是否要找：")
    assert "招引企业" in result.stderr


# -- show and history ---------------------------------------------------------------------------


def test_show_tells_everything_about_one_item(run: Run) -> None:
    run("update", "1.1.5", "60", "--date", "2025-03-31", "--note", "一季度")
    run("update", "1.1.5", "57", "--date", "2025-06-30")
    out = run("show", "1.1.5").stdout
    for expected in (
        "1.1.5 招引企业(家)",
        "抓好抖音、B站、耐克等链主企业",
        "234 家（2024年），完成进度 117.0% → 当年目标约 200 家",
        "“全年招引企业234家(完成进度117%)”",
        "234 家 —",
        "暂定:与2024年实际持平",
        "完成值",
        "117 家",
        "还差",
        "50.0%",
        "序时进度",
        "年末预计",
        "按月走势",
        "一季度",
        "经济发展办（配合：营商办）（街道安排）",
    ):
        assert expected in out, expected


def test_show_json_includes_the_history(run: Run) -> None:
    run("update", "1.1.5", "60")
    record = json.loads(run("show", "1.1.5", "-f", "json").stdout)
    assert record["code"] == "1.1.5" and len(record["history"]) == 1
    assert record["history"][0]["value"] == 60


def test_history_filters_and_marks_voided_records(run: Run) -> None:
    run("update", "1.1.5", "10", "--by", "张三", "--date", "2025-03-01", "--note", "x")
    run("update", "3.1.3", "50%", "--by", "李四", "--date", "2025-05-01")
    run("void", "1", "--reason", "填错")
    records = json.loads(run("history", "-f", "json").stdout)
    assert [r["voided"] for r in records] == [True, False]
    assert records[0]["void_reason"] == "填错"
    assert [r["id"] for r in json.loads(run("history", "--by", "李四", "-f", "json").stdout)] == [2]
    assert [
        r["id"] for r in json.loads(run("history", "--since", "2025-04-01", "-f", "json").stdout)
    ] == [2]
    assert [r["id"] for r in json.loads(run("history", "招引企业", "-f", "json").stdout)] == [1]
    table = run("history").stdout
    assert "［已作废：填错］" in table and "50.0%" in table


# -- corrections --------------------------------------------------------------------------------


def test_undo_voids_your_last_record_after_confirmation(run: Run) -> None:
    run("update", "1.1.5", "100")
    run("update", "1.1.5", "20")
    refused = run("undo")
    assert refused.exit_code == 2 and "需要确认" in refused.stderr
    result = run("undo", "--yes")
    assert result.exit_code == 0
    assert result.stdout.strip() == "已作废 #2 1.1.5 2025-07-02 +20 家（记录保留在历史中）"
    assert json.loads(run("status", "-f", "json").stdout)[4]["actual"] == 100
    run("undo", "--yes")
    nothing = run("undo", "--yes")
    assert nothing.exit_code == 2 and "没有可撤销的记录" in nothing.stderr


def test_void_any_record_once_with_a_reason(run: Run) -> None:
    run("update", "1.1.5", "100")
    assert run("void", "1", "--reason", "重复填报").exit_code == 0
    again = run("void", "1", "--reason", "再次")
    assert again.exit_code == 2
    assert again.stderr.strip() == "错误：记录 #1 已作废过；用 kpi history 查看"
    missing = run("void", "99", "--reason", "x")
    assert missing.exit_code == 2 and "没有编号为 #99 的记录" in missing.stderr
    assert run("void", "1").exit_code == 2  # --reason is required


def test_a_correction_is_a_void_plus_a_new_record(run: Run) -> None:
    run("update", "1.1.5", "100")
    run("void", "1", "--reason", "应为110")
    run("update", "1.1.5", "110")
    record = json.loads(run("show", "1.1.5", "-f", "json").stdout)
    assert record["actual"] == 110 and len(record["history"]) == 2


# -- the command line itself --------------------------------------------------------------------


def test_every_command_has_help() -> None:
    from typer.main import get_command
    from typer.testing import CliRunner

    group = get_command(app)
    runner = CliRunner(mix_stderr=False)
    for name in group.commands:  # type: ignore[attr-defined]
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"用法：kpi {name}")


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("status", "--no-such-option").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_english(run: Run) -> None:
    result = run("--lang", "en", "status")
    assert "as of 2025-07-02" in result.stdout and "Totals" in result.stdout
    bad = run("--lang", "en", "update", "1.1.5", "abc")
    assert bad.stderr.startswith("Error: “abc” is not a number")


def test_database_from_option_and_environment(run: Run, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert run("--db", str(tmp_path / "a.sqlite"), "update", "1.1.5", "100").exit_code == 0
    assert (tmp_path / "a.sqlite").exists()
    monkeypatch.setenv("KPI_DB", str(tmp_path / "b.sqlite"))
    assert run("status").exit_code == 0
    assert (tmp_path / "b.sqlite").exists()
    assert json.loads(run("history", "-f", "json").stdout) == []  # b.sqlite, not a.sqlite
    monkeypatch.delenv("KPI_DB")
    assert json.loads(run("history", "-f", "json").stdout) == []  # db/kpi.sqlite


def _complete(words: str, cword: int, lines: bool = False) -> list[str]:
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("kpi")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kpi"]
    env = {
        **os.environ,
        "_KPI_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines() if lines else done.stdout.split()


def _complete_lines(words: str, cword: int) -> list[str]:
    return [line for line in "\n".join(_complete(words, cword, lines=True)).splitlines() if line]


def test_tab_completes_commands_and_item_codes() -> None:
    assert _complete("kpi upd", 1) == ["update"]
    # Several: bash lists each code with its title; one: the code alone, for Tab to insert.
    codes = [line.split()[0] for line in _complete_lines("kpi show 3.1.1-", 2)]
    assert codes == ["3.1.1-1", "3.1.1-2", "3.1.1-3", "3.1.1-4"]
    codes = [line.split()[0] for line in _complete_lines("kpi done 3.1.6-", 2)]
    assert codes == ["3.1.6-1", "3.1.6-2", "3.1.6-3"]
    assert _complete("kpi done 3.1.6-2", 2) == ["3.1.6-2"]


def test_completion_never_creates_a_database(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KPI_DB", str(tmp_path / "none" / "kpi.sqlite"))
    assert _complete("kpi show 3.1", 2) == []
    assert not (tmp_path / "none").exists()


def test_show_prints_the_whole_report_text_in_80_columns(run: Run) -> None:
    out = run("show", "3.1.1").stdout
    flat = "".join(line.strip("│ ").split("  ")[-1] for line in out.splitlines())
    assert "打造市民满意的综合办事大厅" in flat and "…" not in out
