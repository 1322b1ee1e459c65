"""`kpi export`: the 督查督办台账 in Excel, and status and records as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Prepare, Run

# Notes that a spreadsheet would run as formulas if they were written as they are.
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1:A9)", "=1+1"]

LEDGER_HEADERS = [
    "序号", "编号", "工作任务", "牵头单位", "完成时限", "2024基数", "2025目标", "完成值",
    "完成率", "序时进度", "状态", "最新进展",
]  # fmt: skip
HISTORY_HEADERS = [
    "编号", "工作任务", "日期", "记录", "进展情况", "填报人", "登录名", "录入时间", "已作废",
    "作废原因",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _recorded(prepare: Prepare) -> None:
    prepare("export", _build)


def _build(run: Run) -> None:
    """The plan and a few records: every light, a void, and notes that look like formulas."""
    rows = [
        ["编号", "日期", "数值", "进展情况", "填报人"],
        ["1.1.5", "2025-06-30", "120", FORMULAS[0], "=cmd|' /C calc'!A0"],
        ["1.1.7", "2025-06-30", "=3.2", FORMULAS[1], ""],
        ["3.1.3", "2025-06-01", "35%", FORMULAS[2], ""],
        ["2.2.3", "2025-06-01", "10%", FORMULAS[3], ""],
        ["1.4.1", "2025-05-31", "完成", FORMULAS[4], ""],
        ["2.1.3", "2025-06-01", "1", "录错了", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    Path("u.csv").write_text(buffer.getvalue(), encoding="utf-8")
    assert run("import", "u.csv").exit_code == 0
    history = json.loads(run("history", "-f", "json").stdout)
    wrong = next(r["id"] for r in history if r["note"] == "录错了")
    assert run("void", str(wrong), "--reason", "=重复填报").exit_code == 0


def open_workbook(path: str | Path) -> Any:
    from openpyxl import load_workbook

    return load_workbook(path)


def test_xlsx_goes_to_a_dated_file_here_by_default(run: Run) -> None:
    result = run("export")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "已导出 kpi-台账-2025-07-02.xlsx（105 项，6 条记录）"
    assert Path("kpi-台账-2025-07-02.xlsx").is_file()
    assert not list(Path(".").glob(".*.tmp"))  # written beside, then renamed
    result = run("export", "--as-of", "2025-06-15")
    assert "kpi-台账-2025-06-15.xlsx（105 项，4 条记录）" in result.stderr


def test_xlsx_ledger_sheet_layout(run: Run) -> None:
    assert run("export", "--format", "xlsx", "--out", "out/台账.xlsx").exit_code == 0
    wb = open_workbook("out/台账.xlsx")
    assert wb.sheetnames == ["台账", "填报记录"]
    ws = wb["台账"]
    assert ws["A1"].value == "新江湾城街道2025年主要工作安排督查督办台账（截至 2025-07-02）"
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == LEDGER_HEADERS
    assert all(c.font.bold for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:L133"
    assert ws.max_row == 133  # 105 items under 6 area rows and 20 section rows

    rows = {ws.cell(row=r, column=2).value: r for r in range(3, ws.max_row + 1)}
    rows.pop(None)  # the group rows
    assert list(rows)[:3] == ["1.1.1", "1.1.2", "1.1.3"]

    def cell(code: str, header: str) -> Any:
        return ws.cell(row=rows[code], column=LEDGER_HEADERS.index(header) + 1)

    assert cell("1.1.5", "序号").value == 5
    # The area and the section head their items, each once, instead of a column of them.
    assert (
        ws.cell(row=rows["1.1.1"] - 2, column=1).value
        == "一、加快培育新质生产力,塑造高质量发展新优势"
    )
    assert ws.cell(row=rows["1.1.1"] - 1, column=1).value == "1.1 全区域构建产业发展格局"
    assert cell("1.1.5", "工作任务").value == "招引企业(家)"
    assert cell("1.1.5", "牵头单位").value == "经济发展办"
    assert cell("1.1.5", "完成时限").value.date().isoformat() == "2025-12-31"
    assert cell("1.1.5", "完成时限").number_format == "yyyy-mm-dd"
    # Numbers stay numbers; a provisional target says so in its format, not by turning to text.
    assert cell("1.1.5", "2024基数").value == 234
    target = cell("1.1.5", "2025目标")
    assert target.value == 234 and target.number_format == '0"（暂定）"'
    assert cell("1.1.7", "2025目标").number_format == '0.00"（暂定）"'
    assert cell("1.1.5", "完成值").value == 120
    assert cell("1.1.7", "完成值").value == pytest.approx(3.2)
    completion = cell("1.1.5", "完成率")
    assert completion.value == pytest.approx(120 / 234) and completion.number_format == "0.0%"
    expected = cell("1.1.5", "序时进度")
    assert expected.value == pytest.approx(183 / 365) and expected.number_format == "0.0%"
    assert cell("3.1.3", "完成率").value == pytest.approx(0.35)
    assert cell("3.1.3", "2024基数").value is None and cell("3.1.3", "完成值").value is None

    # Lights as words and as fills.
    fills = {
        "1.1.5": ("绿 达进度", "C6EFCE"),
        "3.1.3": ("黄 欠进度", "FFEB9C"),
        "2.2.3": ("红 滞后", "FFC7CE"),
        "1.4.1": ("完成", "BDD7EE"),
        "1.1.1": ("无数据", "EDEDED"),
    }
    for code, (word, colour) in fills.items():
        status = cell(code, "状态")
        assert status.value == word, code
        assert status.fill.fgColor.rgb.endswith(colour), code
    assert cell("1.1.5", "最新进展").value == FORMULAS[0]
    assert cell("2.1.3", "最新进展").value is None  # its only record is void

    # Widths: about two per Chinese character, capped, long text wrapped.
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKL"}
    assert all(6 <= w <= 40 for w in widths.values()), widths
    assert widths["C"] > widths["B"] > widths["A"]
    assert cell("1.1.5", "工作任务").alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"


def test_xlsx_history_sheet(run: Run) -> None:
    assert run("export", "-o", "t.xlsx").exit_code == 0
    ws = open_workbook("t.xlsx")["填报记录"]
    assert [c.value for c in ws[1]] == HISTORY_HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:J7"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    by_code = {r[0]: r for r in rows}
    first = by_code["1.1.5"]
    assert first[1] == "招引企业(家)"
    assert first[2].date().isoformat() == "2025-06-30"
    assert first[3:6] == ["+120 家", FORMULAS[0], "=cmd|' /C calc'!A0"]
    assert first[6] and first[7].year >= 2025 and first[8] is None
    assert by_code["1.1.7"][3] == "=3.2 亿元"
    assert by_code["1.4.1"][3] == "完成"
    assert by_code["2.1.3"][8:] == ["是", "=重复填报"]


def test_nothing_typed_becomes_a_formula(run: Run) -> None:
    assert run("export", "-o", "t.xlsx").exit_code == 0
    wb = open_workbook("t.xlsx")
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)
                    texts.append(c.value)
    for text in [*FORMULAS, "=cmd|' /C calc'!A0", "=重复填报", "=3.2 亿元", "+120 家"]:
        assert text in texts, text
    # What any spreadsheet program reads: no formula element anywhere, only text.
    with zipfile.ZipFile("t.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()


def test_json_has_the_status_contract_and_the_history(run: Run) -> None:
    result = run("export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["as_of", "items", "history"]
    assert data["as_of"] == "2025-07-02"
    assert data["items"] == json.loads(run("status", "-f", "json").stdout)
    assert data["history"] == json.loads(run("history", "-f", "json").stdout)
    early = json.loads(run("export", "-f", "json", "--as-of", "2025-06-15").stdout)
    assert {r["date"] for r in early["history"]} == {"2025-06-01", "2025-05-31"}
    assert next(i for i in early["items"] if i["code"] == "1.1.5")["actual"] is None


def test_csv_is_the_status_csv(run: Run) -> None:
    result = run("export", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == run("status", "-f", "csv").stdout
    row = next(r for r in csv.DictReader(io.StringIO(result.stdout)) if r["code"] == "1.1.5")
    assert row["latest_note"] == "'" + FORMULAS[0]  # neutralised as kpi status -f csv does


def test_files_for_csv_and_json_and_the_format_from_the_name(run: Run) -> None:
    result = run("export", "--out", "exports/status.csv")
    assert result.exit_code == 0 and result.stdout == ""
    assert "已导出 exports/status.csv" in result.stderr
    data = Path("exports/status.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfcode,title,")  # a BOM, so Excel reads UTF-8
    assert data.decode("utf-8-sig") == run("status", "-f", "csv").stdout
    assert run("export", "-o", "all.json").exit_code == 0
    assert json.loads(Path("all.json").read_text(encoding="utf-8"))["as_of"] == "2025-07-02"
    assert run("export", "-o", "台账.xlsx").exit_code == 0
    assert zipfile.is_zipfile("台账.xlsx")
    assert run("export", "-f", "xlsx", "-o", "ledger.data").exit_code == 0
    assert zipfile.is_zipfile("ledger.data")


def test_english_workbook(run: Run) -> None:
    assert run("--lang", "en", "export").exit_code == 0
    wb = open_workbook("kpi-ledger-2025-07-02.xlsx")
    assert wb.sheetnames == ["Ledger", "Records"]
    headers = [c.value for c in wb["Ledger"][2]]
    assert headers[5:7] == ["2024 base", "2025 target"]
    assert wb["Ledger"]["B9"].value == "1.1.5"
    assert wb["Ledger"]["G9"].number_format == '0"（provisional）"'


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice is not installed",
)
def test_libreoffice_reads_the_ledger_as_text_not_formulas(run: Run, tmp_path: Path) -> None:
    assert run("export", "-o", "t.xlsx").exit_code == 0
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office
    subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "csv"), "t.xlsx"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = (tmp_path / "csv" / "t.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == LEDGER_HEADERS
    row = next(r for r in rows if len(r) > 1 and r[1] == "1.1.5")
    assert row[11] == FORMULAS[0]  # the note as typed, not a link
    assert row[6] == "234（暂定）"
    assert row[8] == "51.3%"
