"""`kpi import`: records from CSV and Excel files, checked whole, written all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
from pathlib import Path
from typing import Any

import pytest

from kpi.core.records import Update
from kpi.store import Store
from tests.conftest import TEST_DB_URL, Prepare, Run, loaded


def _me() -> str:
    """Who records: on a server the role logged in, on SQLite the real uid's account."""
    if TEST_DB_URL:
        from sqlalchemy.engine import make_url

        return str(make_url(TEST_DB_URL).username)
    return getpass.getuser()


@pytest.fixture(autouse=True)
def _loaded(prepare: Prepare) -> None:
    """The plan is loaded, so that stderr holds only what each test's command says."""
    prepare("loaded", loaded)


def write_csv(
    path: str | Path, rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    target = Path(path)
    target.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return target


def history(run: Run) -> list[dict[str, Any]]:
    result = run("history", "-f", "json")
    assert result.exit_code == 0, result.stderr
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records


def statuses(run: Run) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in json.loads(run("status", "-f", "json").stdout)}


GOOD = [
    ["日期", "数值", "编号", "填报人", "进展情况"],
    ["2025-06-30", "+5", "1.1.5", "王芳", "本周新签约5家"],
    ["2025/6/16", "3", "1.1.5", "", ""],
    ["6月30日", "=3.2", "1.1.7", "李明", "上半年区级税收"],
    ["2025-06-20", "=300", "3.1.4", "", "按最新关爱名册"],
    ["2025-06-01", "60%", "3.1.3", "", ""],
    ["2025-04-28", "完成", "3.1.1-1", "", "设计方案已定稿"],
    ["2025年5月31日", "done", "1.4.1", "", ""],
]


def test_chinese_header_in_any_order_records_every_row(run: Run) -> None:
    write_csv("updates.csv", GOOD)
    result = run("import", "updates.csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "已导入 7 条（updates.csv）"
    assert "  1.1.5 招引企业：2 条，累计 0 → 8 家，红 滞后" in lines
    assert "  1.1.7 区级税收贡献：1 条，累计 0 → 3.2 亿元，绿 达进度" in lines
    assert "  3.1.1 新建社区事务受理服务中心：1 条，进度 0.0% → 20.0%，黄 欠进度" in lines
    assert "  1.4.1 出台高质量发展行动方案：1 条，进度 0.0% → 100.0%，完成" in lines

    records = history(run)
    got = [(r["code"], r["date"], r["kind"], r["value"], r["note"], r["by"]) for r in records]
    me = _me()
    assert sorted(got) == sorted(
        [
            ("1.1.5", "2025-06-30", "add", 5.0, "本周新签约5家", "王芳"),
            ("1.1.5", "2025-06-16", "add", 3.0, None, me),
            ("1.1.7", "2025-06-30", "set", 3.2, "上半年区级税收", "李明"),
            ("3.1.4", "2025-06-20", "set", 300.0, "按最新关爱名册", me),
            ("3.1.3", "2025-06-01", "percent", 0.6, None, me),
            ("3.1.1-1", "2025-04-28", "done", None, "设计方案已定稿", me),
            ("1.4.1", "2025-05-31", "done", None, None, me),
        ]
    )
    assert {r["os_user"] for r in records} == {me}
    assert len({r["recorded_at"] for r in records}) == 1  # one import, one moment

    s = statuses(run)
    assert s["1.1.5"]["actual"] == 8
    assert s["3.1.4"]["actual"] == 300
    assert s["3.1.3"]["completion"] == pytest.approx(0.6)
    assert s["3.1.1"]["milestones"][0]["done"] == "2025-04-28"
    assert s["1.4.1"]["status"] == "done"
    # The store says where each record came from.
    store = Store.open()
    try:
        assert {u.origin for u in store.plan("xjw-2025").updates()} == {"import:updates.csv"}
    finally:
        store.close()


def test_english_header_without_note_and_by_takes_by_from_the_option(run: Run) -> None:
    write_csv("u.csv", [["value", "code", "date"], ["12", "1.1.5", "2025-06-30"]])
    result = run("import", "u.csv", "--by", "张三")
    assert result.exit_code == 0, result.stderr
    [record] = history(run)
    assert (record["code"], record["value"], record["note"]) == ("1.1.5", 12.0, None)
    assert record["by"] == "张三"
    assert record["os_user"] == _me()


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gbk", False)], ids=str
)
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(run: Run, encoding: str, bom: bool) -> None:
    rows = [["编号", "日期", "数值", "进展情况"], ["1.1.5", "2025/7/1", "+2", "签约“数智”企业2家"]]
    write_csv("excel.csv", rows, encoding=encoding, bom=bom)
    result = run("import", "excel.csv")
    assert result.exit_code == 0, result.stderr
    [record] = history(run)
    assert record["note"] == "签约“数智”企业2家"
    assert record["date"] == "2025-07-01"


def test_an_undecodable_file_is_refused(run: Run) -> None:
    Path("u.csv").write_bytes(b"code,date,value\n1.1.5,2025-06-30,\xff\xff\xff\n")
    result = run("import", "u.csv")
    assert result.exit_code == 2
    assert "u.csv 的编码无法识别" in result.stderr


def test_xlsx_with_a_title_row_dates_percentages_and_formulas(run: Run) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["第二季度进展"])  # a title above the header, as offices write them
    ws.append(["编号", "日期", "数值", "进展情况", "填报人"])
    ws.append(["1.1.5", dt.datetime(2025, 6, 30), 5, "本周新签约5家", "王芳"])
    ws.append(["3.1.3", "2025-06-01", 0.6, None, None])
    ws["C4"].number_format = "0%"  # typed as 60% in Excel
    ws.append([])  # a blank row is skipped
    ws.append(
        ["3.1.4", dt.date(2025, 6, 20), "=300", "名册人数", None]
    )  # Excel keeps =300 a formula
    ws.append(["1.1.7", "2025-06-30", 3.2, None, None])
    wb.save("进展.xlsx")
    result = run("import", "进展.xlsx")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("已导入 4 条（进展.xlsx）")
    got = {r["code"]: (r["date"], r["kind"], r["value"], r["by"]) for r in history(run)}
    me = _me()
    assert got == {
        "1.1.5": ("2025-06-30", "add", 5.0, "王芳"),
        "3.1.3": ("2025-06-01", "percent", pytest.approx(0.6), me),
        "3.1.4": ("2025-06-20", "set", 300.0, me),
        "1.1.7": ("2025-06-30", "set", 3.2, me),  # a year-to-date total: a bare number sets it
    }


def test_xlsx_errors_name_the_rows_the_spreadsheet_shows(run: Run) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["进展表"])
    ws.append(["code", "date", "value"])
    ws.append(["1.1.5", "2025-06-30", 5])
    ws.append([])
    ws.append(["1.1.5", "2025-06-30", "abc"])
    wb.save("u.xlsx")
    result = run("import", "u.xlsx")
    assert result.exit_code == 2
    assert "u.xlsx 第5行“value”列：“abc”不是数字" in result.stderr
    assert history(run) == []


def test_one_bad_row_writes_nothing_and_names_row_and_column(run: Run) -> None:
    rows = [["编号", "日期", "数值"], ["1.1.5", "2025-06-30", "5"], ["1.1.7", "2025-06-30", "abc"]]
    write_csv("updates.csv", rows)
    result = run("import", "updates.csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "错误：updates.csv 有 1 处错误，未导入任何记录。 updates.csv 第3行“数值”列：“abc”不是数字；"
    )
    assert history(run) == []


def test_every_error_is_listed_with_its_row_and_column(run: Run) -> None:
    run("done", "3.1.1-1", "--date", "2025-04-28")
    rows = [
        ["编号", "日期", "数值", "进展情况"],
        ["9.9", "2025-13-01", "abc", ""],
        ["1.1.5", "2026-01-01", "-3", ""],
        ["1.1.7", "2025-06-01", "641.42万", ""],
        ["3.1.3", "2025-06-01", "+5", ""],
        ["3.1.1-2", "2025-06-01", "60%", ""],
        ["1.1.5", "", "1e999", ""],
        ["招引企业", "2025-06-01", "5", ""],
        ["1.1.5", "2025-08-01", "nan", ""],
        ["3.1.1-1", "2025-05-01", "完成", ""],
        ["1.1.5", "2025-06-01", "inf", ""],
        ["3.1.3", "2025-02-30", "120%", ""],
        ["1.4.1-1", "2025-03-01", "完成", ""],
        ["1.4.1-1", "2025-03-02", "完成", ""],
        ["1.1.5", "3/1/2025", "5", ""],
        ["", "2025-06-01", "", "只有说明"],
    ]
    write_csv("bad.csv", rows)
    result = run("import", "bad.csv")
    assert result.exit_code == 2
    err = result.stderr
    expected = [
        "bad.csv 第2行“编号”列：没有找到“9.9”",
        "bad.csv 第2行“日期”列：日期“2025-13-01”不存在",
        "bad.csv 第3行“日期”列：日期 2026-01-01 不在 2025 年计划期（2025-01-01 至 2025-12-31）内",
        "bad.csv 第3行“数值”列：“-3”是负数",
        "bad.csv 第4行“数值”列：“641.42万”带了数量单位；请按指标单位（亿元）直接写数字",
        "bad.csv 第5行“数值”列：3.1.3 是任务，请写完成百分比（如 60%）或“完成”，不是“+5”",
        "bad.csv 第6行“数值”列：3.1.1-2 是节点，只能写“完成”（或 done），不是“60%”",
        "bad.csv 第7行“日期”列：不能为空",
        "bad.csv 第7行“数值”列：“1e999”不是有限数字",
        "bad.csv 第8行“编号”列：“招引企业”不是编号；是否指 1.1.5 招引企业？",
        "bad.csv 第9行“日期”列：日期 2025-08-01 晚于今天 2025-07-02",
        "bad.csv 第9行“数值”列：“nan”不是有限数字",
        "bad.csv 第10行“数值”列：3.1.1-1 已记录为完成",
        "bad.csv 第11行“数值”列：“inf”不是有限数字",
        "bad.csv 第12行“日期”列：日期“2025-02-30”不存在",
        "bad.csv 第12行“数值”列：“120%”超出 0–100%",
        "bad.csv 第14行“数值”列：1.4.1-1 已在第13行标记完成",
        "bad.csv 第15行“日期”列：无法识别日期“3/1/2025”",
        "bad.csv 第16行“编号”列：不能为空",
        "bad.csv 第16行“数值”列：不能为空",
    ]
    for line in expected:
        assert line in err, line
    assert f"bad.csv 有 {len(expected)} 处错误，未导入任何记录。" in err
    positions = [err.index(line) for line in expected]
    assert positions == sorted(positions)  # in row order, as the spreadsheet reads
    assert [r["code"] for r in history(run)] == ["3.1.1-1"]  # only the one recorded before


def test_english_messages(run: Run) -> None:
    write_csv("u.csv", [["code", "date", "value"], ["1.1.5", "2025-06-30", "abc"]])
    result = run("--lang", "en", "import", "u.csv")
    assert result.exit_code == 2
    assert "u.csv has 1 error(s); nothing was imported." in result.stderr
    assert "u.csv row 2, column “value”: “abc” is not a number" in result.stderr


def test_dry_run_checks_and_shows_but_writes_nothing(run: Run) -> None:
    write_csv("updates.csv", GOOD)
    result = run("import", "updates.csv", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("试运行 updates.csv（未写入）：将导入 7 条\n")
    assert "  1.1.5 招引企业：2 条，累计 0 → 8 家" in result.stdout
    assert history(run) == []
    write_csv("bad.csv", [["code", "date", "value"], ["1.1.5", "2025-06-30", "x"]])
    assert run("import", "bad.csv", "--dry-run").exit_code == 2


def test_importing_a_file_again_records_nothing_twice(run: Run) -> None:
    write_csv("updates.csv", GOOD)
    assert run("import", "updates.csv").exit_code == 0
    again = run("import", "updates.csv")
    assert again.exit_code == 0
    assert (
        again.stdout.strip()
        == "updates.csv 的 7 条记录都已导入过（与已有记录相同），未写入任何内容。"
    )
    # The office's sheet grows by a row a week: only the new row is recorded.
    write_csv("updates.csv", [*GOOD, ["2025-07-01", "+1", "1.1.5", "", ""]])
    grown = run("import", "updates.csv")
    assert grown.exit_code == 0
    assert grown.stdout.startswith(
        "已导入 1 条（updates.csv）\n  1.1.5 招引企业：1 条，累计 8 → 9 家"
    )
    assert "跳过 7 条：与已有记录相同" in grown.stdout
    assert len(history(run)) == 8
    assert statuses(run)["1.1.5"]["actual"] == 9


def test_two_identical_rows_in_one_file_are_two_records(run: Run) -> None:
    rows = [["code", "date", "value"], ["1.1.5", "2025-06-30", "1"], ["1.1.5", "2025-06-30", "1"]]
    write_csv("u.csv", rows)
    assert run("import", "u.csv").exit_code == 0
    assert statuses(run)["1.1.5"]["actual"] == 2


def test_a_row_that_leaves_an_item_red_needs_no_note(run: Run) -> None:
    write_csv("u.csv", [["code", "date", "value"], ["1.1.5", "2025-07-01", "1"]])
    result = run("import", "u.csv")
    assert result.exit_code == 0, result.stderr
    assert "红 滞后" in result.stdout
    assert statuses(run)["1.1.5"]["status"] == "red"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,date,value,备注\n1.1.5,2025-06-30,5,x\n", "u.csv 第1行表头有未知的列：“备注”；可用的列：编号,日期,数值,进展情况,填报人"),
        ("code,date,value,owner,\n1.1.5,2025-06-30,5,x,y\n", "未知的列：“owner”、第5列（有数据但没有列名）"),
        ("code,date,value\n1.1.5,2025-06-30,5,x\n", "未知的列：第4列（有数据但没有列名）"),
        ("code,value,note\n1.1.5,5,x\n", "u.csv 第1行表头缺少必填的列：日期/date"),
        ("进展情况,填报人\nx,y\n", "缺少必填的列：编号/code、日期/date、数值/value"),
        ("编号,code,日期,数值\n1.1.5,1.1.5,2025-06-30,5\n", "表头中“code”与“编号”是同一列"),
        ("", "u.csv 是空文件；第1行应为表头：编号,日期,数值,进展情况,填报人"),
        ("\n,,\n", "u.csv 是空文件"),
        ("code,date,value\n", "u.csv 只有表头，没有数据行"),
        ("code,date,value\n,,\n\n", "u.csv 只有表头，没有数据行"),
    ],
    ids=[
        "unknown", "unknown-and-unnamed", "beyond-header", "missing", "only-optional",
        "twice", "empty", "blank", "header-only", "blank-rows",
    ],
)  # fmt: skip
def test_header_problems(run: Run, content: str, message: str) -> None:
    Path("u.csv").write_text(content, encoding="utf-8")
    result = run("import", "u.csv")
    assert result.exit_code == 2
    assert message in result.stderr
    assert history(run) == []


def test_blank_columns_with_no_data_and_trailing_times_are_fine(run: Run) -> None:
    # What Excel writes for a sheet with an empty column at the right and a date-time cell.
    Path("u.csv").write_text("编号,日期,数值,,\n1.1.5,2025/6/30 0:00,5,,\n,,,,\n", encoding="utf-8")
    result = run("import", "u.csv")
    assert result.exit_code == 0, result.stderr
    assert [r["date"] for r in history(run)] == ["2025-06-30"]


def test_files_that_cannot_be_imported(run: Run) -> None:
    result = run("import", "missing.csv")
    assert result.exit_code == 2 and "找不到文件 missing.csv" in result.stderr
    Path("old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    result = run("import", "old.xls")
    assert result.exit_code == 2 and "old.xls 是旧版 Excel 文件（.xls）" in result.stderr
    result = run("import", "/dev/zero")
    assert result.exit_code == 2 and "/dev/zero 超过 128 MB" in result.stderr
    Path("broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run("import", "broken.xlsx")
    assert result.exit_code == 2 and "broken.xlsx 不是有效的 .xlsx 文件" in result.stderr


def test_add_updates_writes_all_in_one_transaction_or_nothing(run: Run) -> None:
    good = Update(
        id=0, code="1.1.5", item_code="1.1.5", date=dt.date(2025, 6, 30), kind="add", value=1.0,
        by="a", os_user="a",
    )  # fmt: skip
    bad = Update(
        id=0, code="1.1.5", item_code="1.1.5", date=None, kind="add", value=1.0,  # type: ignore[arg-type]
        by="a", os_user="a",
    )  # fmt: skip
    store = Store.open()
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
            store.plan("xjw-2025").add_updates([good, good, bad])
        assert store.plan("xjw-2025").updates() == []
        assert store.plan("xjw-2025").add_updates([good, good]) == 2
        assert [u.value for u in store.plan("xjw-2025").updates()] == [1.0, 1.0]
        assert store.plan("xjw-2025").add_updates([]) == 0
    finally:
        store.close()
